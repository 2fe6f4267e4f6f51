"""The privacy notice's rules (domain/privacy_notice.py) and its words (web/privacy_texts.py):
who is shown which version, how a version is published, and that the notice says, in each of
the six languages, what article 10 of Law No. 6698 asks it to say."""

from __future__ import annotations

import re
import string
from datetime import date

import pytest

from chalicelib.domain import privacy_notice
from chalicelib.domain.privacy_notice import NoticeVersion, Versions, must_be_shown
from chalicelib.i18n import LANGUAGES, MESSAGES, RIGHT_TO_LEFT, text

IN_FORCE = NoticeVersion("2026-12-02", date(2026, 12, 2))


def test_a_person_is_shown_the_version_in_force_unless_they_have_seen_exactly_that_one():
    assert must_be_shown(None, IN_FORCE)  # never shown: an older account, or an API sign-up that did not show it
    assert must_be_shown("2026-06-01", IN_FORCE)  # an earlier version
    assert not must_be_shown("2026-12-02", IN_FORCE)


def test_a_new_version_must_be_later_and_well_named_and_the_code_s_versions_come_back():
    versions = Versions((IN_FORCE,))
    for refused in ("2026-12-02", "2026-11-30", "next", "2027-1-1"):
        with pytest.raises(ValueError):
            versions.publish(NoticeVersion(refused, date(2027, 1, 1)))
    assert versions.current() == IN_FORCE
    later = NoticeVersion("2026-12-02.2", date(2026, 12, 2))  # a second one on the same day
    versions.publish(later)
    assert versions.current() == later and versions.find("2026-12-02") == IN_FORCE
    versions.reset()
    assert versions.current() == IN_FORCE and versions.find("2026-12-02.2") is None


def test_the_code_publishes_at_least_one_version_in_order_and_named_by_its_day():
    published = privacy_notice.PUBLISHED
    assert published and [v.id for v in published] == sorted(v.id for v in published)
    assert all(privacy_notice.VERSION_ID.match(v.id) and v.id[:10] == v.published.isoformat() for v in published)


def _whole_notice(language: str) -> str:
    facts = privacy_notice.retention_facts()
    return "\n".join(text(key, language, **facts) for key in privacy_notice.every_key() if key != privacy_notice.VERSION_LINE)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_part_of_the_notice_is_written_in_each_language_with_nothing_left_unfilled(language):
    for key in privacy_notice.every_key():
        assert key in MESSAGES and MESSAGES[key].get(language, "").strip(), f"{key} lacks {language}"
    whole = _whole_notice(language)
    assert "{" not in whole and "}" not in whole  # every period of the retention schedule filled in
    for figure in privacy_notice.retention_facts().values():
        assert re.search(rf"\b{figure}\b", whole), figure
    if language in RIGHT_TO_LEFT:  # Arabic and Persian: in their own script, not a Latin copy
        letters = re.sub(r"[^\w]", "", re.sub(r"KVKK|e-Devlet|JSON|\u2068.*?\u2069|[0-9a-zç()/-]", "", whole))
        assert sum("\u0600" <= c <= "\u06ff" for c in letters) > 0.9 * len(letters)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_notice_says_what_article_10_asks_for(language):
    """The controller, the law, the legal grounds of article 5, the nine rights of article 11,
    the complaint to the Board (article 14), and the SMS and email providers as recipients."""
    whole = _whole_notice(language)
    for must in ("6698", "KVKK", "5", "6458", "11", "13", "14", "Göç İdaresi Başkanlığı", "Kişisel Verileri Koruma Kurulu"):
        assert must in whole, (language, must)
    rights = next(s for s in privacy_notice.SECTIONS if s.heading == "privacy.rights.heading")
    assert len(rights.items) == 9  # article 11 (a) to (ğ)
    recipients = next(s for s in privacy_notice.SECTIONS if s.heading == "privacy.recipients.heading")
    assert {"privacy.recipients.sms", "privacy.recipients.email"} <= set(recipients.items)


def test_the_notice_texts_are_in_the_catalogue_with_the_same_placeholders_in_each_language():
    for key in privacy_notice.every_key():
        fields = {lang: {f for _, f, _, _ in string.Formatter().parse(MESSAGES[key][lang]) if f} for lang in LANGUAGES}
        assert len({frozenset(f) for f in fields.values()}) == 1, key


def test_the_notice_quotes_the_retention_schedule_and_the_schedule_keeps_the_one_period_it_names_for_records():
    from datetime import timedelta

    from chalicelib.domain import retention

    facts = privacy_notice.retention_facts()
    assert facts["pending_hours"] * timedelta(hours=1) == retention.PENDING_SIGN_UP
    assert facts["session_hours"] * timedelta(hours=1) == retention.WEB_SESSION
    assert facts["audit_years"] == retention.AUDIT_YEARS
    # "appointments and assignment requests: kept N years": one figure for both, in every language
    assert facts["record_years"] == retention.APPOINTMENT_YEARS == retention.REQUEST_YEARS
