"""Which addresses an SES feedback notification says must not be emailed again.

SES publishes an event for every bounce and complaint of a message sent with the service's
configuration set (its event destination: an SNS topic). The rule:

- a **permanent** bounce (the address does not exist, the domain refuses mail, or SES has it on
  its suppression list) makes the address undeliverable;
- a **complaint** (the person marked our email as spam) makes it undeliverable too: sending
  again would hurt the service's sending reputation, and the person asked not to get it;
- a **transient** or undetermined bounce (mailbox full, a server down) changes nothing: SES
  already retried, and the next message may well arrive.

Configuration-set events name their kind in `eventType`; identity notifications (the same
payload, set on the identity instead) in `notificationType`: both are read. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BOUNCE = "bounce"
COMPLAINT = "complaint"


@dataclass(frozen=True)
class Undeliverable:
    address: str  # as SES reported it (normalized by the caller)
    reason: str  # BOUNCE | COMPLAINT


class MalformedFeedback(ValueError):
    """The notification is not an SES bounce or complaint event as documented."""


def undeliverable_addresses(notification: Any) -> list[Undeliverable]:
    """The addresses `notification` (the parsed JSON of an SES event) makes undeliverable;
    empty for transient bounces and for other event types (deliveries, sends, opens)."""
    if not isinstance(notification, dict):
        raise MalformedFeedback("not a JSON object")
    kind = notification.get("eventType") or notification.get("notificationType")
    if not isinstance(kind, str):
        raise MalformedFeedback("no eventType or notificationType")
    if kind == "Bounce":
        bounce = _object(notification, "bounce")
        if bounce.get("bounceType") != "Permanent":
            return []
        return _recipients(bounce, "bouncedRecipients", BOUNCE)
    if kind == "Complaint":
        return _recipients(_object(notification, "complaint"), "complainedRecipients", COMPLAINT)
    return []


def _object(notification: dict, key: str) -> dict:
    value = notification.get(key)
    if not isinstance(value, dict):
        raise MalformedFeedback(f"no {key} object")
    return value


def _recipients(detail: dict, key: str, reason: str) -> list[Undeliverable]:
    recipients = detail.get(key)
    if not isinstance(recipients, list):
        raise MalformedFeedback(f"no {key} list")
    found = []
    for recipient in recipients:
        address = recipient.get("emailAddress") if isinstance(recipient, dict) else None
        if isinstance(address, str) and address.strip():
            found.append(Undeliverable(address.strip(), reason))
    return found
