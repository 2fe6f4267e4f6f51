"""The capacity rule and the impact an administrator sees before changing a day's places."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.domain.booking import SlotState
from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.capacity import MAX_CAPACITY, impact
from chalicelib.domain.kept_back import Places, refusal

NINE = datetime(2026, 12, 1, 9, 0, tzinfo=ISTANBUL)


def slot(minutes: int, capacity: int, booked: int, is_open: bool = True) -> SlotState:
    start = NINE + timedelta(minutes=minutes)
    return SlotState("34-fatih", start, start + timedelta(minutes=30), capacity, booked, frozenset({"biometrics"}), is_open)


def test_a_capacity_never_drops_below_what_is_booked_of_either_kind_nor_above_the_maximum():
    assert refusal(Places(3, 0, 3), total=3, internal=0) is None and refusal(Places(0, 0), total=0, internal=0) is None
    assert refusal(Places(3, 0, 3), total=2, internal=0) == "capacity"
    assert refusal(Places(2, 2, 1, 2), total=4, internal=1) == "internal"  # two kept-back places are booked
    assert refusal(Places(2, 2, 2, 0), total=3, internal=2) == "capacity"  # two public places are booked
    assert refusal(Places(0, 0), total=MAX_CAPACITY, internal=0) is None
    assert refusal(Places(0, 0), total=MAX_CAPACITY + 1, internal=0) == "capacity"


def test_the_impact_counts_what_changes_and_leaves_refused_times_as_they_are():
    day = [slot(0, 6, 2), slot(30, 6, 5), slot(60, 6, 0), slot(90, 6, 6, is_open=False)]
    seen = impact(day, {NINE: 9, NINE + timedelta(minutes=30): 4, NINE + timedelta(minutes=90): 20})
    assert [c.start for c in seen.changes] == [NINE, NINE + timedelta(minutes=30), NINE + timedelta(minutes=60)]  # closed: left out
    assert [c.start for c in seen.applied] == [NINE]  # 6 → 9
    assert [c.start for c in seen.refused] == [NINE + timedelta(minutes=30)]  # 5 booked > 4
    assert (seen.places_before, seen.places_after) == (18, 21)
    assert (seen.booked, seen.free_before, seen.free_after) == (7, 11, 14)


def test_an_impact_with_nothing_asked_changes_nothing():
    seen = impact([slot(0, 6, 2)], {})
    assert seen.applied == () and seen.refused == () and seen.places_after == seen.places_before == 6
