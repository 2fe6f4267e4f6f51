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


def one_service(changes, service="address_registration"):
    return [c for c in changes if c.service == service]


def shown(changes, service="address_registration"):
    return {c.start: c.entry.left for c in changes if c.service == service}


def test_a_slot_shows_its_public_places_left_never_the_kept_back_ones():
    changes = summary.changes_of(None, SLOT, summary.version_of(7))
    assert shown(changes) == {"2026-12-03T09:00": 2}
    assert shown(changes, "biometrics") == {"2026-12-03T09:00": 2}
    assert {c.day for c in changes} == {"2026-12-03"}


def test_a_closed_slot_a_removed_slot_and_a_dropped_service_show_no_places():
    closed = summary.changes_of(SLOT, replace(SLOT, is_open=False), summary.version_of(8))
    assert shown(closed) == {"2026-12-03T09:00": 0}
    removed = summary.changes_of(SLOT, None, summary.version_of(9))
    assert shown(removed) == {"2026-12-03T09:00": 0} and shown(removed, "biometrics") == {"2026-12-03T09:00": 0}
    dropped = summary.changes_of(SLOT, replace(SLOT, services=frozenset({"biometrics"})), summary.version_of(10))
    assert shown(dropped) == {"2026-12-03T09:00": 0} and shown(dropped, "biometrics") == {"2026-12-03T09:00": 2}


def test_a_newer_change_wins_and_an_older_or_repeated_one_is_ignored():
    full = one_service(summary.changes_of(SLOT, replace(SLOT, booked=3), summary.version_of(20)))
    earlier = one_service(summary.changes_of(None, SLOT, summary.version_of(5)))
    day = summary.fold({}, full)
    assert summary.fold(day, earlier) == day
    assert summary.fold(day, full) == day
    assert shown([summary.Change("42-merkez", "address_registration", "2026-12-03", start, entry)
                  for start, entry in day.items()]) == {"2026-12-03T09:00": 0}


def test_a_rebuilt_entry_never_undoes_a_streamed_change_and_any_streamed_change_overrides_it():
    booked_out = one_service(summary.changes_of(SLOT, replace(SLOT, booked=3), summary.version_of(1)))
    streamed = summary.fold({}, booked_out)
    rebuilt = one_service(summary.rebuilt_changes([SLOT]))
    assert summary.fold(streamed, rebuilt) == streamed
    assert summary.fold(summary.fold({}, rebuilt), booked_out) == streamed


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
        for change in one_service(summary.changes_of(None, replace(SLOT, booked=booked, is_open=is_open), summary.version_of(version)))
    ]
    delivered = changes + rng.sample(changes, k=len(changes) // 2)
    rng.shuffle(delivered)
    newest_booked, newest_open = by_version[max(by_version)]
    day = summary.fold({}, delivered)
    assert day["2026-12-03T09:00"].left == (3 - newest_booked if newest_open else 0)
