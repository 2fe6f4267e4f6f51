"""The rules of kept-back places (domain/kept_back.py): which place the assisted channel takes, what
a change may do to a slot, a share's impact, and the release moment."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from chalicelib.domain import kept_back as rules
from chalicelib.domain.booking import SlotState, place_to_take
from chalicelib.domain.errors import SlotFull

import pytest

FIRST = datetime(2026, 12, 1, 6, 0, tzinfo=timezone.utc)  # 09:00 in Istanbul


def test_the_assisted_channel_takes_a_kept_back_place_first_then_a_public_one():
    assert rules.assisted_place(rules.Places(public=2, internal=1)) == rules.INTERNAL
    assert rules.assisted_place(rules.Places(public=2, internal=1, internal_booked=1)) == rules.PUBLIC
    assert rules.assisted_place(rules.Places(public=2, internal=1, public_booked=2, internal_booked=1)) is None


def test_online_never_takes_a_kept_back_place():
    slot = SlotState("34-fatih", FIRST, FIRST + timedelta(minutes=30), capacity=1, booked=1, services=frozenset(), is_open=True, internal=3)
    with pytest.raises(SlotFull):
        place_to_take(slot, assisted=False)
    assert place_to_take(slot, assisted=True) == rules.INTERNAL


@pytest.mark.parametrize(("total", "internal", "field"), [
    (6, 2, None),
    (4, 1, "internal"),  # fewer kept back than the assisted channel booked
    (4, 3, "capacity"),  # fewer public places than are booked online
    (2, 3, "internal"),  # more kept back than there are places
    (501, 0, "capacity"),
])
def test_a_change_never_takes_a_booked_place_away(total, internal, field):
    places = rules.Places(public=3, internal=2, public_booked=2, internal_booked=2)
    assert rules.refusal(places, total, internal) == field


def test_a_share_keeps_back_whole_places_and_never_what_is_booked():
    assert rules.internal_for(5, 40) == 2 and rules.internal_for(5, 30) == 1 and rules.internal_for(5, 100) == 5
    assert rules.with_share(rules.Places(public=5, internal=0, public_booked=4), 40) == rules.Places(4, 1, 4, 0)
    assert rules.with_share(rules.Places(public=3, internal=2, internal_booked=2), 0) == rules.Places(3, 2, 0, 2)
    impact = rules.share_impact([rules.Places(5, 0), rules.Places(3, 2)], 40)
    assert (impact.public_before, impact.public_after, impact.public_removed, impact.public_added) == (8, 6, 2, 0)


def test_a_release_moment_lies_inside_the_window_and_is_drawn_each_time():
    policy = rules.ReleasePolicy(lead=timedelta(hours=24), window=timedelta(hours=6))
    earliest, latest = policy.bounds(FIRST)
    assert (earliest, latest) == (FIRST - timedelta(hours=30), FIRST - timedelta(hours=24))
    assert rules.release_moment(policy, FIRST, draw=lambda n: 0) == earliest
    assert rules.release_moment(policy, FIRST, draw=lambda n: n - 1) == latest
    drawn = {rules.release_moment(policy, FIRST) for _ in range(20)}
    assert len(drawn) > 1 and all(earliest <= m <= latest for m in drawn)


def test_a_release_makes_the_unused_kept_back_places_public():
    assert rules.released(rules.Places(public=3, internal=2, public_booked=1, internal_booked=1)) == rules.Places(4, 1, 1, 1)
