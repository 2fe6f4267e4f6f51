"""The privacy notice (KVKK article 10): read by anyone, in any of the six languages, and
acknowledged by an applicant whose client showed it (the portal does the same through its pages)."""

from __future__ import annotations

from chalicelib.api.http import APPLICANT, endpoint
from chalicelib.contract import NoticeAcknowledgement, NoticeAcknowledgementRequest, PrivacyNoticeOut, PrivacyNoticeQuery
from chalicelib.domain.errors import NotFound, ValidationFailed
from chalicelib.domain.roles import Caller
from chalicelib.services import privacy_notice

CACHE_SECONDS = 300  # the same for everyone; a new version reaches readers within 5 minutes


@endpoint(
    "The privacy notice in force (aydınlatma metni): its version, date and text in a language; "
    "send the version as `notice_version` at sign-up once the person has been shown it",
    errors=(ValidationFailed,),
    cache_seconds=CACHE_SECONDS,
)
def read_notice(query: PrivacyNoticeQuery) -> PrivacyNoticeOut:
    return privacy_notice.notice(query.language)


@endpoint(
    "Record that I have been shown the privacy notice in force (only that version; audited)",
    roles=APPLICANT,
    errors=(ValidationFailed, NotFound),
)
def acknowledge_notice(caller: Caller, body: NoticeAcknowledgementRequest) -> NoticeAcknowledgement:
    return privacy_notice.acknowledge(caller, body.version)
