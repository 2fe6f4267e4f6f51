"""People the service books for who have no online account of their own (issue 12): a child a
guardian books for, a person the phone line or the counter books for.

Each such person is an `Applicant` item without a login, in status `offline`, claimed through the
same `IdentityClaim` as an online account. So one person has exactly one item whatever channel
books for them, and every rule of a booking — the province, eligibility on the day, the 30-day
lock — is judged on that one item by the same transaction as an online booking. A person who
already has an online account is booked on that account (never on a second item).

Messages about a dependant go to the guardian (`guardian_id`), naming the person they concern;
messages about anyone else booked for go to the contact the agent or counter recorded.

A closed online account holds its person's identity until its lock has ended
(`domain/closure.py`); then the person's next item takes it over (`take_over`), with their
appointments and lock history: a new online account, or an offline item when someone books for
them (a person who closed their account still needs the directorate).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from pynamodb.exceptions import TransactWriteError

from chalicelib.adapters.dynamo import NamedTransaction, condition_failed, transaction, update_if
from chalicelib.adapters.tables import Applicant, Appointment, IdentityClaim, ResidentRecord
from chalicelib.domain import closure
from chalicelib.domain.identity import document_type_of
from chalicelib.domain.roles import Caller
from chalicelib.services import audit
from chalicelib.services.registry import identity_claim

OFFLINE = "offline"  # an applicant item with no login: booked for by a guardian, an agent or staff
ADOPTED = "adopted"  # an offline item whose person opened an online account: the account holds them now
CONTACT_CHANGED = "contact.changed"  # the audit action of a new contact given by phone or at the counter


def claimed_by(document_number: str) -> Applicant | None:
    """The item (online account or offline person) that holds this document, if any."""
    try:
        claim = IdentityClaim.get(identity_claim(document_number), consistent_read=True)
    except IdentityClaim.DoesNotExist:
        return None
    try:
        return Applicant.get(claim.applicant_id, consistent_read=True)
    except Applicant.DoesNotExist:
        return None  # a sign-up that failed half-way: its claim has no account


def is_offline(applicant_id: str) -> bool:
    try:
        return Applicant.get(applicant_id, consistent_read=True).status == OFFLINE
    except Applicant.DoesNotExist:
        return False  # a claim whose account is gone (a sign-up that failed half-way) still holds


def offline_holder(document_number: str) -> Applicant | None:
    """The offline item holding this identity, if that is who holds it (one read of the claim and
    one of its item, only when claimed)."""
    holder = claimed_by(document_number)
    return holder if holder is not None and holder.status == OFFLINE else None


def adopt_in(write, claim_key: str, offline: Applicant, account_id: str, now: datetime) -> list:
    """Add to `write` what hands a person's identity from their offline item to the online account
    they just opened: the claim moves (only if the offline item still holds it), the offline item
    is marked adopted (only if still offline). Returns the actions the new account takes over:
    the lock in force, so opening an account never frees anyone to book sooner, and where the
    person's earlier appointments are (`adopted_from`)."""
    write.update(IdentityClaim(claim_key), actions=[IdentityClaim.applicant_id.set(account_id)],
                 condition=IdentityClaim.applicant_id == offline.applicant_id)
    # Only as read: a booking committed meanwhile set a lock this account must carry (retried then).
    unchanged = Applicant.locked_until.does_not_exist() if offline.locked_until is None else Applicant.locked_until == offline.locked_until
    write.update(offline, actions=[Applicant.status.set(ADOPTED), Applicant.adopted_by.set(account_id), Applicant.updated_at.set(now)],
                 condition=(Applicant.status == OFFLINE) & unchanged)
    actions = [Applicant.adopted_from.set(offline.applicant_id)]
    if offline.locked_until is not None and offline.locked_until > now:
        actions.append(Applicant.locked_until.set(offline.locked_until))
    return actions


def move_appointments(offline_id: str, account_id: str) -> int:
    """After an adoption: the offline item's appointments become the account's, so the person sees
    them on My appointments, and a no-show recorded on one of them locks the account, not the
    record it replaced. Each move is conditional, so a repeat (or a crash half-way, repaired by
    running it again from `adopted_from`) moves each appointment once."""
    return sum(
        update_if(appointment, [Appointment.applicant_id.set(account_id)], Appointment.applicant_id == offline_id)
        for appointment in Appointment.by_applicant.query(offline_id)
    )


def freed_holder(holder: Applicant | None, now: datetime) -> Applicant | None:
    """`holder` (the item that claims an identity) if it is a closed account whose lock has ended."""
    if holder is not None and closure.identity_freed(holder.status, holder.locked_until, now):
        return holder
    return None


def take_over(write, claim_key: str, closed: Applicant, successor_id: str, now: datetime) -> list:
    """Add to `write` what hands the identity from a closed account to the person's next item:
    the claim moves (only if the closed account still holds it), the closed account names its
    successor (only if still closed, with the lock as read: a lock set meanwhile, say by a no-show
    recorded this minute, fails the transaction). Returns the successor's actions: its
    predecessor, and a lock still set on it (none in force, or the identity would not be freed).
    After the transaction, `move_appointments` hands over the appointments."""
    write.update(IdentityClaim(claim_key), actions=[IdentityClaim.applicant_id.set(successor_id)],
                 condition=IdentityClaim.applicant_id == closed.applicant_id)
    unchanged = Applicant.locked_until.does_not_exist() if closed.locked_until is None else Applicant.locked_until == closed.locked_until
    write.update(closed, actions=[Applicant.reopened_by.set(successor_id), Applicant.updated_at.set(now)],
                 condition=(Applicant.status == closure.CLOSED) & unchanged & Applicant.reopened_by.does_not_exist())
    return [getattr(Applicant, name).set(value) for name, value in _inherited(closed).items()]


def _inherited(closed: Applicant) -> dict[str, object]:
    """What the successor of a closed account carries: its predecessor, and a lock still set on
    it (none in force, or the identity would not be freed): the lock history binds the person."""
    inherited: dict[str, object] = {"reopened_from": closed.applicant_id}
    if closed.locked_until is not None:
        inherited["locked_until"] = closed.locked_until
    return inherited


def person_for(
    resident: ResidentRecord,
    *,
    phone: str,
    email: str | None,
    language: str,
    now: datetime,
    guardian_id: str | None = None,
) -> Applicant:
    """The applicant item that stands for `resident`: whoever holds the identity already, or a
    new offline person, created and claimed in one transaction (the first of two concurrent
    callers wins; the other reads the winner's item). A closed account whose lock has ended
    holds it no more: the new offline person takes it over (`take_over`)."""
    existing = claimed_by(resident.document_number)
    closed = freed_holder(existing, now)
    if existing is not None and closed is None:
        return existing
    person = Applicant(
        f"offline-{uuid.uuid4()}",
        status=OFFLINE,
        document_type=document_type_of(resident.document_number).value,
        document_number=resident.document_number,
        nationality=resident.nationality or "",
        given_name=resident.given_name or "",
        family_name=resident.family_name or "",
        birth_date=resident.birth_date or "",
        email=email,  # None: nobody to email (a person without an address; see notifications)
        phone=phone,
        language=language,
        province=resident.province,
        permit_status=resident.permit_status,
        permit_valid_until=resident.permit_valid_until,
        guardian_id=guardian_id,
        created_at=now,
        updated_at=now,
    )
    claim_key = identity_claim(resident.document_number)
    if closed is not None:
        return _succeeding(closed, person, claim_key, now)
    claim = IdentityClaim(claim_key, applicant_id=person.applicant_id, created_at=now)
    write = NamedTransaction()
    try:
        with write:
            write.save("claim", claim, condition=IdentityClaim.claim.does_not_exist())
            write.save("person", person, condition=Applicant.applicant_id.does_not_exist())
    except TransactWriteError as error:
        if "claim" not in write.failed(error):
            raise
        winner = claimed_by(resident.document_number)
        if winner is None:
            raise
        return winner
    return person


def _succeeding(closed: Applicant, person: Applicant, claim_key: str, now: datetime) -> Applicant:
    """The new offline `person` takes the identity over from the closed account, then its
    appointments (so a no-show recorded on one of them later locks the person, not the account
    they closed). If the take-over fails, someone else's item holds the identity now, or the
    closed account was locked meanwhile: that item is the person."""
    for name, value in _inherited(closed).items():
        setattr(person, name, value)
    try:
        with transaction() as write:
            take_over(write, claim_key, closed, person.applicant_id, now)  # its actions are set on `person` above
            write.save(person, condition=Applicant.applicant_id.does_not_exist())
    except TransactWriteError as error:
        winner = claimed_by(person.document_number) if condition_failed(error) else None
        if winner is None:
            raise
        return winner
    move_appointments(closed.applicant_id, person.applicant_id)
    return person


def refresh_contact(person: Applicant, caller: Caller, *, phone: str, email: str | None, language: str | None, now: datetime) -> Applicant:
    """An offline person's contact is the one they gave the phone line or the counter last: a new
    mobile number (a person without a smartphone changes phones too), an email address when they
    give one, the language of their messages. Audited, with the old and the new, in the same
    transaction. An online account's contact is never changed here (only in person, by staff,
    with a reason), nor a child's (its messages go to the guardian's account)."""
    if person.status != OFFLINE or person.guardian_id is not None:
        return person
    after = {"phone": phone, "email": email or person.email, "language": language or person.language}
    before = {"phone": person.phone, "email": person.email, "language": person.language}
    if after == before:
        return person
    changed = {field: value for field, value in after.items() if value != before[field]}
    write = NamedTransaction()
    with write:
        write.update(
            "person", person,
            actions=[getattr(Applicant, field).set(value) for field, value in changed.items()] + [Applicant.updated_at.set(now)],
            condition=Applicant.status == OFFLINE,
        )
        write.save("audit", audit.record(
            audit.applicant_subject(person.applicant_id), CONTACT_CHANGED, actor_id=caller.account_id,
            actor_role=audit.actor_role(caller), at=now,
            before={field: before[field] for field in changed}, after=changed,
        ))
    for field, value in changed.items():
        setattr(person, field, value)
    return person
