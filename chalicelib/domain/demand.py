"""Demand modes: whether people pick their own slot (`open`) or the directorate assigns them
(`assigned`), per directorate and service.

An admin may force either; `auto` (the default) lets the demand rule decide: switch to
`assigned` when little free capacity is left in the coming days or bookings come in faster
than a rate, and back to `open` once both have recovered. The two thresholds differ
(hysteresis), so a directorate at the edge does not flap between modes every evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from chalicelib.domain.errors import AssignedMode


class Mode(StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"


class Setting(StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"
    AUTO = "auto"


@dataclass(frozen=True)
class DemandPolicy:
    """The thresholds of the demand rule (settings `DEMAND_*`; defaults in the README)."""

    lookahead_days: int = 5  # "the coming days": tomorrow and the next working days up to this many days
    assign_below_free_share: float = 0.10  # switch to assigned when less than 10 % is free
    open_at_free_share: float = 0.25  # and back to open from 25 % free
    max_bookings_per_minute: float = 20.0  # or while bookings arrive faster than this


@dataclass(frozen=True)
class Demand:
    """What the rule looks at, measured over the lookahead days for one directorate and service."""

    capacity: int
    free: int
    bookings_per_minute: float | None  # None on the first evaluation (no earlier count to compare)

    @property
    def free_share(self) -> float | None:
        return self.free / self.capacity if self.capacity > 0 else None


def decide(current: Mode, demand: Demand, policy: DemandPolicy) -> Mode:
    """The mode the demand rule chooses, given the mode it chose last time."""
    rushed = demand.bookings_per_minute is not None and demand.bookings_per_minute > policy.max_bookings_per_minute
    share = demand.free_share
    if share is None:  # nothing opened in the coming days (a holiday week): keep the mode
        return Mode.ASSIGNED if rushed else current
    if current is Mode.OPEN:
        return Mode.ASSIGNED if rushed or share < policy.assign_below_free_share else Mode.OPEN
    return Mode.OPEN if not rushed and share >= policy.open_at_free_share else Mode.ASSIGNED


def effective(setting: Setting, auto_mode: Mode) -> Mode:
    """The mode in force: the admin's choice, or the rule's under `auto`."""
    if setting is Setting.AUTO:
        return auto_mode
    return Mode(setting.value)


def require_open(mode: Mode) -> None:
    """People pick slots only in open mode; in assigned mode they file an assignment request."""
    if mode is Mode.ASSIGNED:
        raise AssignedMode()
