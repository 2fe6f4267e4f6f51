"""The demand rule: when a directorate's service switches between open and assigned mode."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.demand import Demand, DemandPolicy, Mode, Setting, decide, effective, require_open
from chalicelib.domain.errors import AssignedMode

POLICY = DemandPolicy(lookahead_days=5, assign_below_free_share=0.10, open_at_free_share=0.25, max_bookings_per_minute=20)


def demand(free_share: float, rate: float | None = 0.0, capacity: int = 1000) -> Demand:
    return Demand(capacity=capacity, free=round(capacity * free_share), bookings_per_minute=rate)


@pytest.mark.parametrize(
    ("current", "free_share", "rate", "expected"),
    [
        (Mode.OPEN, 0.50, 1, Mode.OPEN),
        (Mode.OPEN, 0.09, 1, Mode.ASSIGNED),  # little capacity left
        (Mode.OPEN, 0.50, 25, Mode.ASSIGNED),  # a rush
        (Mode.OPEN, 0.20, None, Mode.OPEN),  # first evaluation: no rate yet
        (Mode.ASSIGNED, 0.20, 1, Mode.ASSIGNED),  # between the thresholds: stays (no flapping)
        (Mode.ASSIGNED, 0.25, 1, Mode.OPEN),
        (Mode.ASSIGNED, 0.60, 25, Mode.ASSIGNED),  # capacity back, but still rushed
    ],
)
def test_the_rule_switches_on_scarcity_or_a_rush_and_back_only_when_both_recovered(current, free_share, rate, expected):
    assert decide(current, demand(free_share, rate), POLICY) is expected


def test_a_week_without_capacity_keeps_the_mode_it_had():
    nothing = Demand(capacity=0, free=0, bookings_per_minute=0)
    assert decide(Mode.OPEN, nothing, POLICY) is Mode.OPEN
    assert decide(Mode.ASSIGNED, nothing, POLICY) is Mode.ASSIGNED


@given(st.floats(0, 1), st.floats(0, 100) | st.none(), st.sampled_from(Mode))
def test_between_the_thresholds_the_mode_never_changes_without_a_rush(share, rate, current):
    calm = rate if rate is None or rate <= POLICY.max_bookings_per_minute else 0.0
    measured = demand(share, calm, capacity=10_000)
    after = decide(current, measured, POLICY)
    if POLICY.assign_below_free_share <= measured.free_share < POLICY.open_at_free_share:
        assert after is current


def test_an_admins_setting_overrides_the_rule_and_auto_follows_it():
    assert effective(Setting.ASSIGNED, Mode.OPEN) is Mode.ASSIGNED
    assert effective(Setting.OPEN, Mode.ASSIGNED) is Mode.OPEN
    assert effective(Setting.AUTO, Mode.ASSIGNED) is Mode.ASSIGNED
    require_open(Mode.OPEN)
    with pytest.raises(AssignedMode):
        require_open(Mode.ASSIGNED)
