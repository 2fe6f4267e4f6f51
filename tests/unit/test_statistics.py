"""The public statistics' rules (domain/statistics.py): what a slot and an appointment add to
their day, newest version kept, and the day's figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

from chalicelib.domain import statistics as rules
from chalicelib.domain.booking import SlotState

START = datetime(2026, 12, 3, 6, 0, tzinfo=timezone.utc)  # 09:00 in Istanbul
SLOT = SlotState("43-merkez", START, START + timedelta(minutes=30), capacity=3, booked=1,
                 services=frozenset({"biometrics"}), is_open=True, internal=2)


def test_a_slot_offers_its_public_and_kept_back_places_while_open():
    assert rules.of_slot(None, SLOT).figures == {"offered": 5}
    assert rules.of_slot(SLOT, replace(SLOT, is_open=False)).figures == {"offered": 0}
    assert rules.of_slot(SLOT, None).figures == {"offered": 0}
    assert rules.of_slot(None, SLOT).day == "2026-12-03"


def test_an_appointment_counts_once_however_often_and_in_whatever_order_it_comes():
    booked = rules.of_appointment("43-merkez", "2026-12-03T09:00", "a1", "confirmed", None, False)
    released = rules.of_appointment("43-merkez", "2026-12-03T09:00", "a1", "released", None, False)
    ledger = rules.kept({}, [(released, "0002"), (booked, "0001"), (released, "0002"), (booked, "0001")])
    assert rules.day_totals(ledger.values()) == {"offered": 0, "booked": 1, "released": 1, "no_shows": 0, "assigned": 0}


def test_the_share_served_in_assigned_mode_and_the_median_wait():
    totals = {"booked": 4, "assigned": 1}
    assert rules.assigned_share(totals) == 0.25 and rules.assigned_share({"booked": 0, "assigned": 0}) is None
    today = date(2026, 12, 2)
    assert rules.days_to_first_free_place(today, date(2026, 12, 4)) == 2
    assert rules.days_to_first_free_place(today, today) is None  # today is never offered
    assert rules.days_to_first_free_place(today, None) is None
    assert rules.median_wait([2, 9, 3]) == 3.0 and rules.median_wait([]) is None
