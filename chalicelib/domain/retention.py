"""The retention schedule: how long each kind of personal data is kept, from when, what happens
to it then, what applies it, and why (KVKK, Law No. 6698, art. 7 and the Regulation on the
Erasure, Destruction or Anonymisation of Personal Data: a controller keeps personal data no
longer than its purpose needs, on a published schedule).

`SCHEDULE` is the one place the periods live; the notice and the README quote it
(`Period.as_dict`), the writers compute due dates with the functions below, and the
scheduled run (services/retention.py) applies them. The years are defaults for the
authority's archive rules to confirm: change them here and nothing else changes.

Three fates:
- DELETED: the item goes (DynamoDB TTL, or a schedule), and code never serves it after its
  time even while it is still stored (the emulator never expires items, nor does DynamoDB on
  the dot: readers compare the time themselves).
- REMOVED: the personal part of an item goes, the item stays (a delivered message's body).
- ANONYMISED: the item stays for the statistics (directorate, service, day, status, counts) but
  nothing in it names a person or leads to one (no name, document, phone, email, birth date,
  free text, nor the account it belonged to).

Finding what is due never scans a table: an item that will be anonymised carries
`retention_due` = "<YYYY-MM-DD>#<shard>" (its due day, spread over `SHARDS` partitions so that a
busy day's writes never crowd one index partition), a sparse index reads a day's shard, and the
attribute is removed when the item is done (so the index holds only what is still to do).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from chalicelib.domain.calendar import local_day
from chalicelib.domain.second_factor import CHALLENGE_LIFETIME

DELETED, REMOVED, ANONYMISED = "deleted", "removed", "anonymised"
TTL, SCHEDULE_RUN, ON_DELIVERY, SIGN_IN = "dynamodb_ttl", "retention_schedule", "on_delivery", "at_sign_in"

# -- the periods ---------------------------------------------------------------------------------
PENDING_SIGN_UP = timedelta(hours=24)  # a sign-up whose phone code was never confirmed
WEB_SESSION = timedelta(hours=8)  # a portal session, signed in or not
IDEMPOTENCY_RECORD = timedelta(hours=24)  # the stored answer to a write sent with an Idempotency-Key
SIGN_IN_CHALLENGE = CHALLENGE_LIFETIME  # between the password and the TOTP code (domain/second_factor.py)
NOTIFICATION_RECORD_YEARS = 2  # the delivery record of a message (no body), from when it was written
APPOINTMENT_YEARS = 2  # from the appointment's day
REQUEST_YEARS = 2  # from the day an assignment request ended (assigned or withdrawn)
AUDIT_YEARS = 10  # from the record
SIGN_IN_RECORD = timedelta(days=365)  # when and how an account was signed in to (domain/sign_ins.py says why)
# After a closed or released account's lock has ended (or its closure, if later).
ACCOUNT_GRACE = timedelta(days=30)

SHARDS = 8


@dataclass(frozen=True)
class Period:
    """One line of the published schedule."""

    data: str  # what is kept (a stable key: the notice and the README name it)
    kept: str  # how long, in words the README can print
    counted_from: str
    then: str  # DELETED | REMOVED | ANONYMISED
    applied_by: str  # TTL | SCHEDULE_RUN | ON_DELIVERY | SIGN_IN
    reason: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _hours(period: timedelta) -> str:
    return f"{period / timedelta(hours=1):g} hours"


SCHEDULE: tuple[Period, ...] = (
    Period(
        "pending_sign_up", _hours(PENDING_SIGN_UP), "the sign-up", DELETED, SCHEDULE_RUN,
        "A sign-up exists only to confirm the phone number; unconfirmed after a day, it has no purpose left. "
        "The hourly clean-up deletes it and its login; DynamoDB's TTL removes any it missed.",
    ),
    Period(
        "verification_and_reset_codes", "minutes (VERIFICATION_CODE_TTL_MINUTES, 15 by default)", "the code was sent",
        DELETED, SIGN_IN,
        "A code proves control of a phone or an address once; only its digest is stored, refused after its time, "
        "and removed when used or replaced.",
    ),
    Period(
        "sign_in_challenge", f"{SIGN_IN_CHALLENGE / timedelta(minutes=1):g} minutes", "the password was accepted",
        DELETED, TTL,
        "It holds the sign-in between the password and the authenticator code, nothing longer; refused after its time.",
    ),
    Period(
        "web_session", _hours(WEB_SESSION), "the session began", DELETED, TTL,
        "A portal session carries the access token and the steps of a sign-up or sign-in; refused after its time.",
    ),
    Period(
        "idempotency_record", _hours(IDEMPOTENCY_RECORD), "the request", DELETED, TTL,
        "The stored answer lets a client retry a write safely; a retry comes within minutes, never a day later.",
    ),
    Period(
        "notification_body", "until delivered or given up", "the message was written", REMOVED, ON_DELIVERY,
        "A message's variable content (a check-in code, a cancellation's reason) is needed only to send it; "
        "once every channel is sent or given up it is removed, and the delivery record stays.",
    ),
    Period(
        "notification_record", f"{NOTIFICATION_RECORD_YEARS} years", "the message was written", DELETED, TTL,
        "The record of what was sent when, by which channel, lets the directorate answer 'I was never told' as long "
        "as the appointment it is about is kept.",
    ),
    Period(
        "sign_in_record", f"{SIGN_IN_RECORD.days} days", "the sign-in", DELETED, TTL,
        "When and how an account was signed in to (no IP address, no device), so the person can spot a sign-in "
        "that was not theirs in their data export; a year also lets the authority answer a complaint of misuse.",
    ),
    Period(
        "appointment", f"{APPOINTMENT_YEARS} years", "the appointment's day", ANONYMISED, SCHEDULE_RUN,
        "The directorate's record of who was given which place and who came: it settles disputes about a lock, "
        "a no-show or a permit application's date through two yearly permit renewals. Then the account, the "
        "guardian and free-text reasons are removed; directorate, service, day, status and attendance stay, so the "
        "public statistics stay true.",
    ),
    Period(
        "assignment_request", f"{REQUEST_YEARS} years", "the request ended (assigned or withdrawn)", ANONYMISED,
        SCHEDULE_RUN,
        "The record that a person asked and what became of it (the fairness of the lottery can be checked against "
        "it); then the account and the queue position are removed.",
    ),
    Period(
        "audit_record", f"{AUDIT_YEARS} years", "the record", ANONYMISED, SCHEDULE_RUN,
        "Public-sector record keeping: the trail of the authority's own acts on a person's record (who, what, "
        "when) is kept ten years; then the values it recorded (before, after) and the free-text reason are erased, "
        "and who did what, when, stays.",
    ),
    Period(
        "closed_account_profile", f"until its lock ends, then {ACCOUNT_GRACE.days} days", "the closure",
        ANONYMISED, SCHEDULE_RUN,
        "A closed account keeps its identity claim while a lock is in force, so that closing never lets a person "
        "book sooner; the grace gives the directorate time to answer an application under KVKK art. 13 (30 days) "
        "or undo a mistaken closure. Then names, document numbers, birth date, phone and email are erased, the "
        "identity claims and the login deleted.",
    ),
    Period(
        "released_identity", f"until its lock ends, then {ACCOUNT_GRACE.days} days", "the release", ANONYMISED,
        SCHEDULE_RUN,
        "An account released by staff (someone else used the person's identity) is kept as evidence for the same "
        "time as a closed one, then anonymised in the same way.",
    ),
    Period(
        "registry_record", "as long as the authority's registry holds it", "the import", DELETED, SCHEDULE_RUN,
        "A copy of the authority's residents registry, replaced by every import: its retention is the registry's, "
        "not this service's.",
    ),
)


def period(data: str) -> Period:
    return next(p for p in SCHEDULE if p.data == data)


# -- due dates -----------------------------------------------------------------------------------


def years_after(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February: 1 March)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def appointment_due(start: datetime) -> date:
    return years_after(local_day(start), APPOINTMENT_YEARS)


def request_due(ended_at: datetime) -> date:
    return years_after(local_day(ended_at), REQUEST_YEARS)


def audit_due(at: datetime) -> date:
    return years_after(local_day(at), AUDIT_YEARS)


def notification_expires(created_at: datetime) -> datetime:
    """When DynamoDB's TTL may delete a notification's delivery record."""
    return datetime.combine(years_after(created_at.date(), NOTIFICATION_RECORD_YEARS), created_at.timetz())


def profile_free_at(ended_at: datetime, locked_until: datetime | None) -> datetime:
    """When a closed or released account's profile may be anonymised: its lock over (a closure
    never frees anyone to book sooner), then the grace."""
    return max(ended_at, locked_until or ended_at) + ACCOUNT_GRACE


def profile_due(ended_at: datetime, locked_until: datetime | None) -> date:
    return local_day(profile_free_at(ended_at, locked_until))


# -- the due index -------------------------------------------------------------------------------


def shard_of(item_id: str) -> int:
    return hashlib.sha256(item_id.encode()).digest()[0] % SHARDS


def due_key(day: date, item_id: str) -> str:
    """The `retention_due` of an item: its due day and its shard."""
    return f"{day.isoformat()}#{shard_of(item_id)}"


def due_keys(day: date) -> list[str]:
    """Every partition of the due index for `day`."""
    return [f"{day.isoformat()}#{shard}" for shard in range(SHARDS)]


def day_of(key: str) -> date:
    return date.fromisoformat(key.split("#", 1)[0])


def is_due(key: str, today: date) -> bool:
    return day_of(key) <= today


# -- what anonymising leaves -----------------------------------------------------------------------

ANONYMISED_PREFIX = "anonymised:"
# Stands in for every erased name, document number, birth date and phone (DynamoDB keeps no
# empty key, and the models require these attributes).
ERASED = "-"


def anonymous_id(item_id: str) -> str:
    """What replaces the account id on an anonymised item: unique (no index partition grows
    with every anonymised item), and leading to nobody."""
    return f"{ANONYMISED_PREFIX}{item_id}"


def is_anonymous(account_id: str | None) -> bool:
    return account_id is not None and account_id.startswith(ANONYMISED_PREFIX)


# The attributes of an audit record the retention run erases: the values recorded and the
# free-text reason; never who (actor, subject), what (action, lookup) or when (at, entry).
# The audit table's IAM condition for the retention function allows exactly these
# (infrastructure/stacks/permissions.py): with `retention_due`, the index key it leaves.
AUDIT_ERASED_ATTRIBUTES = ("before", "after", "reason", "retention_due")
