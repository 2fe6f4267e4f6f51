"""The availability summary's fold (domain/availability_summary.py): what a slot change shows for
each service, and that duplicate and out-of-order changes leave a day as the newest made it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, strategies as st

from chalicelib.domain import availability_summary as summary
from chalicelib.domain.booking import SlotState

START = datetime(2026, 12, 3, 6, 0, tzinfo=timezone.utc)  # 09:00 in Istanbul
SLOT = SlotState("42-merkez", START, START + timedelta(minutes=30), capacity=3, booked=1,
                 services=frozenset({"address_registration", "biometrics"}), is_open=True, internal=2)


def shown(changes_or_day, service="address_registration"):
    """slot start -> places the page would show for `service`."""
    entries = changes_or_day if isinstance(changes_or_day, dict) else {c.start: c.entry for c in changes_or_day}
    return {start: entry.offers(service) for start, entry in entries.items()}


def test_a_slot_shows_its_public_places_left_never_the_kept_back_ones():
    changes = summary.changes_of(None, SLOT, summary.version_of(7))
    assert shown(changes) == {"2026-12-03T09:00": 2}
    assert shown(changes, "biometrics") == {"2026-12-03T09:00": 2}
    assert shown(changes, "temporary_protection") == {"2026-12-03T09:00": 0}
    assert [(c.directorate_id, c.day) for c in changes] == [("42-merkez", "2026-12-03")]


def test_a_closed_slot_a_removed_slot_and_a_dropped_service_show_no_places():
    closed = summary.changes_of(SLOT, replace(SLOT, is_open=False), summary.version_of(8))
    assert shown(closed) == {"2026-12-03T09:00": 0}
    removed = summary.changes_of(SLOT, None, summary.version_of(9))
    assert shown(removed) == {"2026-12-03T09:00": 0} and shown(removed, "biometrics") == {"2026-12-03T09:00": 0}
    dropped = summary.changes_of(SLOT, replace(SLOT, services=frozenset({"biometrics"})), summary.version_of(10))
    assert shown(dropped) == {"2026-12-03T09:00": 0} and shown(dropped, "biometrics") == {"2026-12-03T09:00": 2}


def test_a_newer_change_wins_and_an_older_or_repeated_one_is_ignored():
    full = summary.changes_of(SLOT, replace(SLOT, booked=3), summary.version_of(20))
    earlier = summary.changes_of(None, SLOT, summary.version_of(5))
    day = summary.fold({}, full)
    assert summary.fold(day, earlier) == day
    assert summary.fold(day, full) == day
    assert shown(day) == {"2026-12-03T09:00": 0}


def test_a_rebuilt_entry_never_undoes_a_streamed_change_and_any_streamed_change_overrides_it():
    booked_out = summary.changes_of(SLOT, replace(SLOT, booked=3), summary.version_of(1))
    streamed = summary.fold({}, booked_out)
    rebuilt = summary.rebuilt_changes([SLOT])
    assert summary.fold(streamed, rebuilt) == streamed
    assert summary.fold(summary.fold({}, rebuilt), booked_out) == streamed


def test_changes_are_grouped_by_their_directorate_and_day():
    other_day = replace(SLOT, start=SLOT.start + timedelta(days=1), end=SLOT.end + timedelta(days=1))
    changes = summary.changes_of(None, SLOT, "1") + summary.changes_of(None, other_day, "2") + summary.changes_of(None, SLOT, "3")
    assert {day: len(c) for day, c in summary.grouped_by_day(changes).items()} == {
        ("42-merkez", "2026-12-03"): 2, ("42-merkez", "2026-12-04"): 1}


def test_versions_sort_as_numbers_and_only_sequence_numbers_are_accepted():
    assert summary.version_of(9) < summary.version_of(10) < summary.version_of("1100000000017454423009")
    for bad in ("", "12a", "1" * 41):
        with pytest.raises(ValueError):
            summary.version_of(bad)


@given(st.lists(st.tuples(st.integers(1, 40), st.integers(0, 3), st.booleans()), min_size=1, max_size=12), st.randoms())
def test_any_order_with_any_repeats_folds_to_what_the_newest_change_says(history, rng):
    """A slot's changes (booked count, open or closed) at distinct versions, delivered shuffled
    and partly twice: the day holds exactly the newest one."""
    by_version = {version: (booked, is_open) for version, booked, is_open in history}
    changes = [
        change
        for version, (booked, is_open) in by_version.items()
        for change in summary.changes_of(None, replace(SLOT, booked=booked, is_open=is_open), summary.version_of(version))
    ]
    delivered = changes + rng.sample(changes, k=len(changes) // 2)
    rng.shuffle(delivered)
    newest_booked, newest_open = by_version[max(by_version)]
    day = summary.fold({}, delivered)
    assert day["2026-12-03T09:00"].left == (3 - newest_booked if newest_open else 0)
