"""A booking's own checks in its one transaction (services/admission.py): the route's
per-account booking limit and the token's revocation check, through the API's dispatch
(chalicelib/api/http.py) on a Chalice app serving the booking route alone, with the real use
case on the emulator. Only the token's signature is not checked here (tests/http does): a test
token is "<account id>:<iat>".

Played as a bot that hammers the booking route (every attempt counts, refused or not, and the
one past the limit books nothing), and as someone whose password was reset elsewhere (the
earlier token books nothing, at once)."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from chalice import Chalice
from chalice.test import Client
from pynamodb.connection.base import Connection

from chalicelib.adapters.tables import Applicant, Appointment, TokenValidity
from chalicelib.api import booking as booking_endpoints
from chalicelib.api.http import HttpApi
from chalicelib.api.rate_limits import ACCOUNT_BOOKINGS
from chalicelib.clock import clock
from chalicelib.domain import calendar, limits
from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.revocation import issued_before_revocation
from chalicelib.domain.roles import Caller, Role
from chalicelib.services import limits as counters
from chalicelib.services import revocation
from chalicelib.services.catalogue import extend_slot_horizon
from chalicelib.settings import reset_settings
from tests.services.world import FATIH, MERKEZ, applicant, free_slots

LIMIT = 3  # bookings an account may attempt per hour, in these tests


def _authenticate(authorization: str | None, check_revocation: bool = True) -> Caller:
    """services/auth.authenticate without the signature: "Bearer <account id>:<iat>"."""
    account_id, _, issued_at = (authorization or "").removeprefix("Bearer ").partition(":")
    if not account_id or not issued_at:
        raise Unauthenticated()
    if check_revocation and revocation.is_revoked(account_id, int(issued_at)):
        raise Unauthenticated()
    return Caller(account_id, frozenset({Role.APPLICANT}), issued_at=int(issued_at))


@pytest.fixture
def client(aws, frozen_clock, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_ACCOUNT_BOOKINGS_PER_HOUR", str(LIMIT))
    reset_settings()
    # The start of the next hour: the attempts of a test fall in one window.
    now = clock.now()
    clock.travel(now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1, seconds=1) - now)
    extend_slot_horizon(only=(FATIH, MERKEZ))
    app = Chalice(app_name="admission-test")
    api = HttpApi(app, authenticate=_authenticate)
    api.post("/v1/appointments", booking_endpoints.book)
    try:
        with Client(app) as test_client:
            yield test_client
    finally:
        monkeypatch.delenv("RATE_LIMIT_ACCOUNT_BOOKINGS_PER_HOUR")
        reset_settings()


def _post(client: Client, person: Caller, body: dict, issued_at: int | None = None):
    token = f"{person.account_id}:{int(time.time()) if issued_at is None else issued_at}"
    response = client.http.post("/v1/appointments", body=json.dumps(body),
                                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    return response.status_code, json.loads(response.body or b"null"), response.headers


def _booking(slot_id: str) -> dict:
    return {"slot_id": slot_id, "service": "address_registration"}


def _attempts_counted(person: Caller) -> int:
    return counters.counted(ACCOUNT_BOOKINGS.name, person.account_id, clock.now(), limits.HOUR)


def _booked_nothing(person: Caller, slot_id: str, remaining_before: int) -> bool:
    remaining = {s.slot_id: s.remaining for s in free_slots(person)}.get(slot_id, 0)
    return (remaining == remaining_before and Applicant.get(person.account_id).locked_until is None
            and not list(Appointment.by_applicant.query(person.account_id)))


def test_a_booking_is_one_data_store_call_and_counts_once(client, monkeypatch):
    person = applicant()
    slot = free_slots(person)[0]
    calls = []
    dispatch = Connection.dispatch
    monkeypatch.setattr(Connection, "dispatch", lambda self, operation, kwargs: calls.append(operation) or dispatch(self, operation, kwargs))
    status, body, _ = _post(client, person, _booking(slot.slot_id))
    monkeypatch.setattr(Connection, "dispatch", dispatch)
    assert status == 201, body
    assert calls == ["TransactWriteItems"]  # no token read, no counter of its own, no read before
    assert _attempts_counted(person) == 1


def test_past_the_limit_the_booking_is_refused_429_with_retry_after_and_nothing_is_booked(client):
    person = applicant()
    # Still bookable an hour on: at 23:00 in İstanbul, tomorrow's first slot would be today's then.
    slot = next(s for s in free_slots(person) if calendar.local_day(s.start) > calendar.local_day(clock.now() + timedelta(hours=2)))
    # A bot's refused attempts, each refused before any transaction: they count all the same.
    assert _post(client, person, {"slot_id": slot.slot_id})[0] == 400  # no service
    assert _post(client, person, _booking("99-nowhere@2030-01-01T09:00"))[0] == 400  # no such directorate
    past = f"{FATIH.id}@{(clock.now() - timedelta(days=1)).date().isoformat()}T09:00"
    assert _post(client, person, _booking(past))[0] in (400, 409)  # a time already gone
    assert _attempts_counted(person) == LIMIT

    status, body, headers = _post(client, person, _booking(slot.slot_id))
    assert status == 429 and body["error"]["code"] == "RATE_LIMITED"
    assert body["error"]["details"]["limit"] == ACCOUNT_BOOKINGS.name
    assert 0 < int(headers["Retry-After"]) <= 3600
    assert _booked_nothing(person, slot.slot_id, slot.remaining)
    assert _attempts_counted(person) == LIMIT  # the refused one added nothing

    clock.travel(timedelta(hours=1))  # a new hour: the same booking goes through
    assert _post(client, person, _booking(slot.slot_id))[0] == 201


def test_attempts_the_booking_transaction_refused_count_too(client):
    person = applicant(province="06")  # Ankara: every Fatih slot is refused by the transaction
    slot = free_slots(person)[0]
    for attempt in range(1, LIMIT + 1):
        status, body, _ = _post(client, person, _booking(slot.slot_id))
        assert (status, body["error"]["code"]) == (403, "WRONG_PROVINCE")
        assert _attempts_counted(person) == attempt
    status, body, _ = _post(client, person, _booking(slot.slot_id))
    assert status == 429 and body["error"]["code"] == "RATE_LIMITED"  # the limit first, before any read
    assert _attempts_counted(person) == LIMIT


def test_a_token_revoked_by_another_instance_books_nothing_at_once_and_counts_nothing(client):
    person = applicant()
    slot = free_slots(person)[0]
    issued = int(time.time()) - 60
    # Revoked elsewhere: stored, but this process has never read it (no cache to wait for).
    TokenValidity(person.account_id, valid_from=issued + 30, reason=revocation.PASSWORD_RESET, updated_at=clock.now()).save()
    status, body, _ = _post(client, person, _booking(slot.slot_id), issued_at=issued)
    assert status == 401 and body["error"]["code"] == "UNAUTHENTICATED"
    assert _booked_nothing(person, slot.slot_id, slot.remaining)
    assert _attempts_counted(person) == 0
    # Refused before the transaction, too: 401 rather than what else was wrong.
    assert _post(client, person, {"slot_id": slot.slot_id}, issued_at=issued)[0] == 401
    # A token of the new sign-in books.
    assert _post(client, person, _booking(slot.slot_id), issued_at=issued + 30)[0] == 201


@pytest.mark.parametrize("valid_from_after_issue", [None, -1, 0, 1])
def test_the_transaction_s_token_check_is_the_revocation_rule(client, valid_from_after_issue):
    """revocation.require_valid_in holds to issued_before_revocation's verdict, at the boundary."""
    person = applicant()
    slot = free_slots(person)[0]
    issued = int(time.time()) - 100
    valid_from = None if valid_from_after_issue is None else issued + valid_from_after_issue
    if valid_from is not None:
        TokenValidity(person.account_id, valid_from=valid_from, reason=revocation.SIGN_OUT_EVERYWHERE, updated_at=clock.now()).save()
    status, _, _ = _post(client, person, _booking(slot.slot_id), issued_at=issued)
    assert status == (401 if issued_before_revocation(issued, valid_from) else 201)
