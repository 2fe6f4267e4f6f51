"""The privacy notice (aydınlatma metni, Law No. 6698 on the Protection of Personal Data, KVKK,
article 10): which version is in force, what it is made of, and who must be shown it.

- The words are in the text catalogue (`privacy.*` keys, `chalicelib/web/privacy_texts.py`), in
  the six languages of the portal; this module names the sections and their order, so the portal
  page and `GET /v1/privacy-notice` say the same thing in the same order.
- A version is named by the day it was published (`2026-12-02`; a second one on the same day
  `2026-12-02.2`): later versions sort later. `PUBLISHED` lists them, oldest first; the last is in
  force. Publishing a new version means changing the words and adding its entry here, in the same
  commit (the words of an earlier version are in the repository's history at that commit).
- The version a person saw is recorded on their account. A person is shown the notice in force
  once at their next portal sign-in unless their account records exactly that version: an
  earlier one, or none at all (an account older than the notice, or an API sign-up whose client
  did not say it showed the notice). Nothing is ever recorded as seen that was not shown.
- The notice informs; it does not ask for consent. The processing rests on the law (article 5(2)
  (a) and (ç)), so the portal asks the person to confirm they have read it, never to agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.domain import retention

VERSION_ID = re.compile(r"^\d{4}-\d{2}-\d{2}(\.\d{1,3})?$")


@dataclass(frozen=True)
class NoticeVersion:
    id: str  # "YYYY-MM-DD" or "YYYY-MM-DD.n": the day it was published
    published: date


# Every version published, oldest first: the last is in force.
PUBLISHED: tuple[NoticeVersion, ...] = (NoticeVersion("2026-12-02", date(2026, 12, 2)),)


class Versions:
    """The versions published, oldest first; the last one is in force."""

    def __init__(self, published: tuple[NoticeVersion, ...] = PUBLISHED) -> None:
        self._code = published
        self._published = published

    def current(self) -> NoticeVersion:
        return self._published[-1]

    def find(self, version_id: str) -> NoticeVersion | None:
        return next((v for v in self._published if v.id == version_id), None)

    def publish(self, version: NoticeVersion) -> None:
        """A later version with the same words (the local stack's `POST /local/privacy-notice`,
        and tests): to see the re-acknowledgement at sign-in without editing the code. A real
        new version changes the words and `PUBLISHED` instead."""
        if not VERSION_ID.match(version.id):
            raise ValueError("a version is named YYYY-MM-DD (or YYYY-MM-DD.n)")
        if version.id <= self.current().id:
            raise ValueError(f"a new version must be later than the one in force ({self.current().id})")
        self._published = (*self._published, version)

    def reset(self) -> None:
        """Back to the versions written in the code."""
        self._published = self._code


versions = Versions()


def must_be_shown(seen: str | None, in_force: NoticeVersion) -> bool:
    """Whether a person whose account records version `seen` (None: never shown) is shown the
    version in force at their next sign-in: unless they have seen that very version."""
    return seen != in_force.id


@dataclass(frozen=True)
class Section:
    """A heading, its paragraphs, then a list (text keys; `items` may be empty)."""

    heading: str
    paragraphs: tuple[str, ...]
    items: tuple[str, ...] = ()


TITLE = "privacy.title"
VERSION_LINE = "privacy.version"  # {version}, {published}
INTRO = "privacy.intro"
SECTIONS: tuple[Section, ...] = (
    Section("privacy.controller.heading", ("privacy.controller.body",)),
    Section("privacy.data.heading", ("privacy.data.body",), (
        "privacy.data.identity", "privacy.data.contact", "privacy.data.account",
        "privacy.data.appointments", "privacy.data.messages", "privacy.data.records",
    )),
    Section("privacy.purposes.heading", ("privacy.purposes.body",), (
        "privacy.purposes.eligibility", "privacy.purposes.appointments", "privacy.purposes.messages",
        "privacy.purposes.security", "privacy.purposes.records", "privacy.purposes.statistics",
    )),
    Section("privacy.grounds.heading", ("privacy.grounds.body", "privacy.grounds.special")),
    Section("privacy.recipients.heading", ("privacy.recipients.body",), (
        "privacy.recipients.directorates", "privacy.recipients.sms", "privacy.recipients.email",
        "privacy.recipients.hosting", "privacy.recipients.edevlet", "privacy.recipients.authorities",
    )),
    Section("privacy.retention.heading", ("privacy.retention.body",), (
        "privacy.retention.pending", "privacy.retention.codes", "privacy.retention.messages",
        "privacy.retention.records", "privacy.retention.audit", "privacy.retention.closed",
    )),
    Section("privacy.rights.heading", ("privacy.rights.body",), (
        "privacy.rights.learn", "privacy.rights.information", "privacy.rights.purpose",
        "privacy.rights.recipients", "privacy.rights.correction", "privacy.rights.erasure",
        "privacy.rights.notify", "privacy.rights.automated", "privacy.rights.compensation",
    )),
    Section("privacy.exercise.heading", ("privacy.exercise.body",), (
        "privacy.exercise.download", "privacy.exercise.close", "privacy.exercise.correct",
        "privacy.exercise.other", "privacy.exercise.board",
    )),
)
# The short version the sign-up pages show above the form (the whole notice is one click away).
SUMMARY: tuple[str, ...] = (
    "privacy.summary.controller", "privacy.summary.data", "privacy.summary.recipients",
    "privacy.summary.retention", "privacy.summary.rights",
)


def retention_facts() -> dict[str, int]:
    """The periods the notice quotes (its `privacy.retention.*` texts), read from the retention
    schedule (`domain/retention.py`), so that the notice and the schedule cannot disagree. The
    notice names one period for appointments and requests: a test holds the schedule to that."""
    return {
        "pending_hours": int(retention.PENDING_SIGN_UP / timedelta(hours=1)),
        "session_hours": int(retention.WEB_SESSION / timedelta(hours=1)),
        "record_years": retention.APPOINTMENT_YEARS,
        "audit_years": retention.AUDIT_YEARS,
    }


def every_key() -> tuple[str, ...]:
    """Every text key of the notice (a test holds each to six languages)."""
    keys = [TITLE, VERSION_LINE, INTRO, *SUMMARY]
    for section in SECTIONS:
        keys += [section.heading, *section.paragraphs, *section.items]
    return tuple(keys)
