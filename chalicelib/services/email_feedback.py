"""Use cases of email feedback: SES says an address bounced for good or complained, and the
service stops emailing it.

SES publishes bounce and complaint events of every message sent with the service's
configuration set to an SNS topic; `handle_sns_event` (the topic's Lambda handler) reads them
(`chalicelib/domain/email_feedback.py` decides which count) and marks every account holding
the address: `Applicant.email_undeliverable` (the reason) and `email_undeliverable_since`.
From then on:
- the notification sender skips the email channel of that person's notifications (marked
  `skipped`, with the reason), and sends the SMS as before (services/notifications.py);
- an e-Devlet account's email code is not sent again to it (services/edevlet.py);
- My details (`GET /v1/me`, the portal's page) shows `email_undeliverable: true`, so the person
  knows why no email comes and can have the address corrected at a directorate.
A new address clears the mark (`cleared_marks`, used by the staff amendment).

Why on the account, found through a keys-only index on the email address (`by-email`), rather
than in a table of addresses: every reader (the sender, the code sender, My details) reads the
account already, so the mark costs them no extra read; an address no account holds is ignored
without writing anything; a changed address is a new, deliverable one; and the index is
written only when an account is created or its address changes.

Logs carry the reason and counts, never the address (no personal data in logs).
"""

from __future__ import annotations

import json
from datetime import datetime
from email.utils import parseaddr
from typing import Any

from chalicelib import observability
from chalicelib.adapters.dynamo import update_if
from chalicelib.adapters.tables import Applicant
from chalicelib.clock import clock
from chalicelib.domain import identity
from chalicelib.domain.email_feedback import MalformedFeedback, Undeliverable, undeliverable_addresses
from chalicelib.observability import logger

UNDELIVERABLE = "undeliverable"  # why an email was skipped (Notification.email_skipped)


def handle_sns_event(event: dict[str, Any]) -> int:
    """The SNS handler: every record is one SES event. A record that is not an SES bounce or
    complaint is logged and skipped (it can never become one: retrying would not help); the
    others are applied. Returns how many accounts were marked."""
    marked = 0
    records = event.get("Records") if isinstance(event, dict) else None
    for number, record in enumerate(records if isinstance(records, list) else []):
        try:
            found = undeliverable_addresses(json.loads(record["Sns"]["Message"]))
        except (MalformedFeedback, KeyError, TypeError, ValueError) as error:
            logger.warning("email feedback not understood; skipped", extra={"record": number, "error": type(error).__name__})
            continue
        for undeliverable in found:
            marked += mark_undeliverable(undeliverable)
    return marked


def mark_undeliverable(undeliverable: Undeliverable, now: datetime | None = None) -> int:
    """Mark every account whose email is this address; how many were marked (0: no account
    holds it, and nothing is written). Marking again keeps the first time."""
    now = now or clock.now()
    address = _normalized(undeliverable.address)
    if address is None:
        logger.warning("email feedback names an address that is not one; skipped", extra={"reason": undeliverable.reason})
        return 0
    marked = 0
    for key in Applicant.by_email.query(address):
        account = Applicant(key.applicant_id)
        # On condition that the account still has this address (it may have changed since).
        if update_if(
            account,
            [
                Applicant.email_undeliverable.set(undeliverable.reason),
                Applicant.email_undeliverable_since.set(Applicant.email_undeliverable_since | now),
            ],
            (Applicant.email == address) & Applicant.applicant_id.exists(),
        ):
            marked += 1
            logger.info("email address marked undeliverable", extra={"applicant_id": key.applicant_id, "reason": undeliverable.reason})
    if marked:
        observability.record(observability.EMAILS_UNDELIVERABLE, marked)
    else:
        logger.info("email feedback for an address no account holds; ignored", extra={"reason": undeliverable.reason})
    return marked


def is_undeliverable(applicant: Applicant) -> bool:
    return applicant.email_undeliverable is not None


def cleared_marks() -> list:
    """The update actions of an address change: a new address is deliverable until SES says
    otherwise."""
    return [Applicant.email_undeliverable.remove(), Applicant.email_undeliverable_since.remove()]


def _normalized(raw: str) -> str | None:
    _, address = parseaddr(raw)
    try:
        return identity.normalize_email(address or raw)
    except ValueError:
        return None
