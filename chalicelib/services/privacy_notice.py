"""Use cases of the privacy notice (KVKK article 10; the rules in `domain/privacy_notice.py`):
reading it in a language, recording that a person was shown it, and telling who must see it.

- At sign-up (self-service or e-Devlet) the version shown is kept on the pending account with
  the moment; when the phone code makes the account active, the same transaction audits it
  (`acknowledged_at_sign_up`), so an account that never became active leaves no audit record.
- After that, a person whose account does not record the version in force is shown it once at
  their next portal sign-in; "I have read it" records it (`acknowledge`), audited in the same
  transaction. Only the version in force can be recorded so: a page left open while a newer one
  was published is refused, and shows the newer one.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.adapters.dynamo import transaction
from chalicelib.adapters.tables import Applicant, AuditRecord
from chalicelib.clock import clock
from chalicelib.contract import NoticeAcknowledgement, PrivacyNoticeOut, PrivacyNoticeSection
from chalicelib.domain import privacy_notice
from chalicelib.domain.errors import NotFound, ValidationFailed
from chalicelib.domain.roles import Caller, Role
from chalicelib.i18n import text
from chalicelib.observability import logger
from chalicelib.services import audit

ACKNOWLEDGED = "privacy_notice.acknowledged"  # the audit action


def notice(language: str) -> PrivacyNoticeOut:
    """The notice in force, in `language`: the same words, in the same order, as the portal's page."""
    version = privacy_notice.versions.current()
    facts = privacy_notice.retention_facts()

    def say(key: str) -> str:
        return text(key, language, **facts)

    return PrivacyNoticeOut(
        version=version.id,
        published=version.published,
        language=language,
        title=say(privacy_notice.TITLE),
        intro=say(privacy_notice.INTRO),
        sections=[
            PrivacyNoticeSection(heading=say(s.heading), paragraphs=[say(k) for k in s.paragraphs], items=[say(k) for k in s.items])
            for s in privacy_notice.SECTIONS
        ],
    )


def to_show(account_id: str) -> privacy_notice.NoticeVersion | None:
    """The version an applicant must be shown at sign-in, or None (seen already; not an applicant)."""
    applicant = _applicant_or_none(account_id)
    if applicant is None:
        return None
    in_force = privacy_notice.versions.current()
    return in_force if privacy_notice.must_be_shown(applicant.notice_version, in_force) else None


def seen(account_id: str) -> str | None:
    """The version the account records as shown (None: none ever was)."""
    applicant = _applicant_or_none(account_id)
    return applicant.notice_version if applicant is not None else None


def _applicant_or_none(account_id: str) -> Applicant | None:
    try:
        return Applicant.get(account_id, consistent_read=True)
    except Applicant.DoesNotExist:
        return None


def acknowledge(caller: Caller, version_id: str) -> NoticeAcknowledgement:
    """The person has read the version in force (the portal's "I have read it", or an API client
    that showed it): recorded on the account and audited, together. Again for a version already
    recorded: nothing changes, the record is answered."""
    in_force = privacy_notice.versions.current()
    if version_id != in_force.id:
        raise ValidationFailed(
            "This is not the privacy notice in force: read it again (GET /v1/privacy-notice).",
            details={"fields": [{"field": "version", "message": f"the version in force is {in_force.id}"}], "reason": "notice_changed"},
        )
    applicant = _applicant_or_none(caller.account_id)
    if applicant is None:
        raise NotFound("No applicant profile belongs to this account.")
    if applicant.notice_version == version_id and applicant.notice_seen_at is not None:
        return NoticeAcknowledgement(notice_version=version_id, notice_seen_at=applicant.notice_seen_at)
    now = clock.now()
    with transaction() as write:
        write.update(applicant, actions=[Applicant.notice_version.set(version_id), Applicant.notice_seen_at.set(now)])
        write.save(_audit(applicant.applicant_id, applicant.notice_version, version_id, now, now))
    logger.info("privacy notice acknowledged", extra={"applicant_id": applicant.applicant_id, "notice_version": version_id})
    return NoticeAcknowledgement(notice_version=version_id, notice_seen_at=now)


def acknowledged_at_sign_up(applicant: Applicant, now: datetime) -> list[AuditRecord]:
    """The audit record of the version a sign-up was shown, for the transaction that makes the
    account active (none when the sign-up did not say it showed one)."""
    if applicant.notice_version is None:
        return []
    return [_audit(applicant.applicant_id, None, applicant.notice_version, applicant.notice_seen_at or now, now)]


def _audit(applicant_id: str, before: str | None, after: str, seen_at: datetime, now: datetime) -> AuditRecord:
    """Who (the person's pseudonymous id), what (the versions) and when: nothing personal."""
    return audit.record(
        audit.applicant_subject(applicant_id),
        ACKNOWLEDGED,
        actor_id=applicant_id,
        actor_role=Role.APPLICANT.value,
        at=now,
        before={"notice_version": before} if before else None,
        after={"notice_version": after, "notice_seen_at": seen_at.isoformat()},
    )
