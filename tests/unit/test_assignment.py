"""The assignment order: reproducible from its seed, blind to arrival order within a window,
closure victims first, windows oldest first — and so fast clients win no more than their share."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.assignment import (
    Preferences,
    WaitingRequest,
    choose_slot,
    estimated_date,
    lottery_order,
    plan,
    window_of,
)
from chalicelib.domain.booking import SlotState
from chalicelib.domain.calendar import ISTANBUL

WINDOW = 10
T0 = datetime(2026, 12, 1, 7, 0, tzinfo=timezone.utc)  # a window boundary


def requests(n: int, start: datetime = T0, spread_seconds: int = 590, **kwargs) -> list[WaitingRequest]:
    rng = random.Random(n)
    return [
        WaitingRequest(f"r{i:04d}", start + timedelta(seconds=rng.randrange(spread_seconds)), "biometrics", **kwargs)
        for i in range(n)
    ]


def seeds_for(reqs, seed=7):
    return {window_of(r.received_at, WINDOW): seed for r in reqs}


def slot(day: int, hour: int, minute: int = 0, capacity: int = 1, directorate="34-merkez", services=("biometrics",)) -> SlotState:
    start = datetime(2026, 12, day, hour, minute, tzinfo=ISTANBUL)
    return SlotState(directorate, start, start + timedelta(minutes=30), capacity, 0, frozenset(services), True)


@given(st.integers(min_value=0, max_value=2**63 - 1), st.randoms(use_true_random=False))
def test_the_order_is_reproducible_from_the_seed_and_blind_to_arrival_order(seed, rng):
    reqs = requests(30) + requests(5, start=T0 + timedelta(minutes=WINDOW))
    seeds = seeds_for(reqs, seed)
    shuffled = list(reqs)
    rng.shuffle(shuffled)
    assert lottery_order(shuffled, WINDOW, seeds) == lottery_order(reqs, WINDOW, seeds)


def test_closure_victims_first_then_windows_oldest_first():
    early = requests(8)
    late = requests(8, start=T0 + timedelta(minutes=WINDOW))
    victims = [WaitingRequest(f"v{i}", T0 + timedelta(minutes=25), "biometrics", priority=True) for i in range(3)]
    order = lottery_order(late + victims + early, WINDOW, seeds_for(early + late + victims))
    assert {r.request_id for r in order[:3]} == {"v0", "v1", "v2"}
    assert {r.request_id for r in order[3:11]} == {r.request_id for r in early}
    assert {r.request_id for r in order[11:]} == {r.request_id for r in late}


def test_every_request_of_a_window_is_first_about_equally_often():
    reqs = requests(10)
    firsts = Counter(lottery_order(reqs, WINDOW, seeds_for(reqs, seed))[0].request_id for seed in range(2000))
    assert set(firsts) == {r.request_id for r in reqs}
    assert max(firsts.values()) < 2 * 200 and min(firsts.values()) > 200 / 2  # expected 200 each


def test_fast_clients_win_their_share_and_no_more():
    # 1,000 requests in one window, 100 places; the first 10% to arrive are the fast clients.
    reqs = requests(1000)
    fast = {r.request_id for r in sorted(reqs, key=lambda r: r.received_at)[:100]}
    places = [slot(2, hour, capacity=20) for hour in (9, 10, 11, 14, 15)]
    shares = []
    for seed in range(40):
        assigned, _ = plan(lottery_order(reqs, WINDOW, seeds_for(reqs, seed)), places)
        assert len(assigned) == 100
        shares.append(sum(a.request_id in fast for a in assigned) / len(assigned))
    assert abs(sum(shares) / len(shares) - 0.10) < 0.02


def test_the_earliest_acceptable_slot_with_capacity_is_chosen():
    full = SlotState("34-merkez", slot(2, 9).start, slot(2, 9).end, 1, 1, frozenset({"biometrics"}), True)
    afternoon = slot(2, 14)
    next_morning = slot(3, 9)
    other_service = slot(2, 8, 30, services=("address_registration",))
    candidates = [next_morning, afternoon, full, other_service]
    assert choose_slot(WaitingRequest("a", T0, "biometrics"), candidates) == afternoon
    mornings = WaitingRequest("b", T0, "biometrics", Preferences(part_of_day="morning"))
    assert choose_slot(mornings, candidates) == next_morning
    later = WaitingRequest("c", T0, "biometrics", Preferences(earliest=date(2026, 12, 4)))
    assert choose_slot(later, candidates) is None


@given(st.lists(st.tuples(st.integers(1, 3), st.sampled_from(["any", "morning", "afternoon"])), max_size=40), st.integers(0, 10))
def test_a_plan_never_exceeds_capacity_and_respects_every_preference(wishes, seed):
    reqs = [
        WaitingRequest(f"r{i}", T0 + timedelta(seconds=i), "biometrics", Preferences(part_of_day=part))
        for i, (_, part) in enumerate(wishes)
    ]
    places = [slot(2, 9, capacity=2), slot(2, 14, capacity=1), slot(3, 10, capacity=3)]
    assigned, waiting = plan(lottery_order(reqs, WINDOW, seeds_for(reqs, seed)), places)
    taken = Counter(a.slot.start for a in assigned)
    assert all(taken[p.start] <= p.capacity for p in places)
    by_id = {r.request_id: r for r in reqs}
    assert all(by_id[a.request_id].preferences.accepts(a.slot) for a in assigned)
    assert len(assigned) + len(waiting) == len(reqs)
    for request in waiting:  # nothing acceptable had room left
        acceptable = [p for p in places if request.preferences.accepts(p)]
        assert all(taken[p.start] >= p.capacity for p in acceptable)


def test_the_estimated_date_counts_working_days_at_the_daily_capacity():
    friday = date(2026, 12, 4)
    assert estimated_date(1, 10, friday) == friday
    assert estimated_date(10, 10, friday) == friday
    assert estimated_date(11, 10, friday) == date(2026, 12, 7)  # the weekend is skipped
    assert estimated_date(5, 0, friday) is None
