"""Every SMS and email the emulated SNS and SES accepted, in the order they were sent.

moto keeps sent SMS in `sns_backends[account][region].sms_messages` and sent email in
`ses_backends[account][region].sent_messages` (stack-notes 8), without a time. The emulator
calls `collect()` after every request it serves (under its lock), so each message is stamped
with the time it was accepted and the order across channels is the order of sending.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from email import message_from_string, policy
from typing import Any, Callable

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends


class Outbox:
    def __init__(self, region: str, now: Callable[[], datetime] | None = None) -> None:
        self._region = region
        self._now = now or (lambda: datetime.now(timezone.utc))
        self._entries: list[dict[str, Any]] = []
        self._seen_sms = 0
        self._seen_email = 0
        self._lock = threading.Lock()

    def collect(self) -> None:
        with self._lock:
            sent_at = self._now().isoformat()
            sms = sns_backends[DEFAULT_ACCOUNT_ID][self._region].sms_messages
            if len(sms) > self._seen_sms:
                for phone, body in list(sms.values())[self._seen_sms:]:
                    self._entries.append({"channel": "sms", "to": phone, "body": body, "sent_at": sent_at})
                self._seen_sms = len(sms)
            email = ses_backends[DEFAULT_ACCOUNT_ID][self._region].sent_messages
            if len(email) > self._seen_email:
                for message in email[self._seen_email:]:
                    self._entries.extend(_email_entries(message, sent_at))
                self._seen_email = len(email)

    def entries(self) -> list[dict[str, Any]]:
        self.collect()
        with self._lock:
            return list(self._entries)


def _email_entries(message: Any, sent_at: str) -> list[dict[str, Any]]:
    destinations = getattr(message, "destinations", None) or {}
    if isinstance(destinations, dict):
        recipients = [a for key in ("ToAddresses", "CcAddresses", "BccAddresses") for a in destinations.get(key, [])]
    else:
        recipients = list(destinations)
    raw = getattr(message, "raw_data", None)
    entry: dict[str, Any] = {"channel": "email", "subject": getattr(message, "subject", None), "body": getattr(message, "body", None)}
    if raw is not None:
        entry.update(_readable(raw))
    # moto lists a raw message's recipient once per Destinations entry and once per To header.
    return [{**entry, "to": to, "sent_at": sent_at} for to in dict.fromkeys(recipients) or [None]]


def _readable(raw: str) -> dict[str, Any]:
    """A raw MIME message as a person reads it: subject, text, and its attachments (an .ics
    invitation shown as its text)."""
    parsed = message_from_string(raw, policy=policy.default)
    text = parsed.get_body(("plain",))
    attachments = []
    for part in parsed.iter_attachments():
        content = part.get_content()
        attachments.append(
            {
                "filename": part.get_filename(),
                "content_type": part.get_content_type(),
                "content": content.decode(errors="replace") if isinstance(content, bytes) else content,
            }
        )
    return {"subject": str(parsed["Subject"]), "body": text.get_content() if text else raw, "attachments": attachments}
