"""Pages rendered on the server: Jinja2 templates (autoescaped), texts from the one catalogue,
dates and times in Europe/Istanbul formatted for the person's locale by Babel."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from chalicelib.domain.calendar import ISTANBUL
from chalicelib.i18n import LANGUAGES, RIGHT_TO_LEFT, text
from chalicelib.web.frame import WebRequest, WebResponse

HERE = Path(__file__).parent
LANGUAGE_NAMES = {"tr": "Türkçe", "en": "English", "ar": "العربية", "fa": "فارسی", "ru": "Русский", "uk": "Українська"}
# Babel locales: Arabic as written in Türkiye's neighbourhood, and Persian as in Iran (Gregorian
# dates), both with Western digits, so that dates, times and reference codes read the same on the
# counter's screen and can be typed as shown.
LOCALES = {"tr": "tr_TR", "en": "en_GB", "ar": "ar_SY", "fa": "fa_IR", "ru": "ru_RU", "uk": "uk_UA"}


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(("html",)),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment


def format_day(day: date, language: str) -> str:
    from babel.dates import format_date

    return format_date(day, format="full", locale=LOCALES.get(language, "en_GB"))


def format_time(moment: datetime, language: str) -> str:
    from babel.dates import format_time as babel_time

    return babel_time(moment.astimezone(ISTANBUL), format="HH:mm", locale=LOCALES.get(language, "en_GB"))


def format_when(moment: datetime, language: str) -> str:
    comma = "،" if language in RIGHT_TO_LEFT else ","  # Arabic and Persian write their own comma
    return f"{format_day(moment.astimezone(ISTANBUL).date(), language)}{comma} {format_time(moment, language)}"


def format_month(day: date, language: str) -> str:
    """The month and year a calendar shows ("Aralık 2026", "December 2026", "كانون الأول 2026")."""
    from babel.dates import format_date

    return format_date(day, format="LLLL y", locale=LOCALES.get(language, "en_GB"))


@lru_cache(maxsize=8)
def weekday_names(language: str) -> tuple[str, ...]:
    """Monday to Sunday, abbreviated, in the person's language."""
    from babel.dates import get_day_names

    names = get_day_names("abbreviated", locale=LOCALES.get(language, "en_GB"))
    return tuple(names[i] for i in range(7))


def render(request: WebRequest, template: str, status: int = 200, **context: Any) -> WebResponse:
    language = request.language
    context.setdefault("errors", [])

    def t(key: str, **values: Any) -> str:
        return text(key, language, **values)

    body = _environment().get_template(template).render(
        t=t,
        lang=language,
        dir="rtl" if language in RIGHT_TO_LEFT else "ltr",
        languages=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        path=request.path,
        csrf=_FormToken(request),
        signed_in=bool(request.session.access_token),
        role=request.session.role if request.session.access_token else None,
        day=lambda d: format_day(d, language),
        time=lambda m: format_time(m, language),
        when=lambda m: format_when(m, language),
        month=lambda d: format_month(d, language),
        weekdays=weekday_names(language),
        **context,
    )
    return WebResponse(status, body)


class _FormToken:
    """The CSRF token, read only where a template writes it into a form (so a page without
    forms does not need its visitor's session stored)."""

    def __init__(self, request: WebRequest) -> None:
        self._request = request

    def __str__(self) -> str:
        return self._request.csrf_token

    def __html__(self) -> str:  # URL-safe base64: nothing to escape
        return self._request.csrf_token


def stylesheet() -> bytes:
    return (HERE / "static" / "app.css").read_bytes()
