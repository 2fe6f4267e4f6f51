"""Changing how many people a directorate receives: the rule (a slot's capacity never drops
below what is already booked: a booked appointment is never taken away by a capacity change)
and the impact an administrator sees before confirming a change.

The slot update's condition (`booked <= capacity`) is the atomic form of `kept_back.refusal`: a
booking made between the preview and the confirmation is still protected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only named in annotations (domain/booking.py imports domain/kept_back.py, which imports this)
    from chalicelib.domain.booking import SlotState

from chalicelib.domain.kept_back import MAX_CAPACITY, Places, refusal  # noqa: E402  (MAX_CAPACITY: re-exported)


@dataclass(frozen=True)
class SlotChange:
    """A slot's places (`places`) and the total it is to have (`new_capacity`); its kept-back
    places stay as they are."""

    start: datetime
    places: Places
    new_capacity: int

    @property
    def capacity(self) -> int:
        return self.places.total

    @property
    def booked(self) -> int:
        return self.places.booked

    @property
    def allowed(self) -> bool:
        return refusal(self.places, self.new_capacity, self.places.internal) is None

    @property
    def changed(self) -> bool:
        return self.new_capacity != self.capacity

    @property
    def capacity_after(self) -> int:
        """What the slot will have: the new capacity, or its own when that is refused."""
        return self.new_capacity if self.allowed else self.capacity


@dataclass(frozen=True)
class CapacityImpact:
    """What a set of new capacities does to a day, slot by slot and in total. Refused slots
    keep their capacity (and count as unchanged in the totals)."""

    changes: tuple[SlotChange, ...]

    @property
    def refused(self) -> tuple[SlotChange, ...]:
        return tuple(c for c in self.changes if c.changed and not c.allowed)

    @property
    def applied(self) -> tuple[SlotChange, ...]:
        return tuple(c for c in self.changes if c.changed and c.allowed)

    @property
    def places_before(self) -> int:
        return sum(c.capacity for c in self.changes)

    @property
    def places_after(self) -> int:
        return sum(c.capacity_after for c in self.changes)

    @property
    def booked(self) -> int:
        return sum(c.booked for c in self.changes)

    @property
    def free_before(self) -> int:
        return sum(max(c.capacity - c.booked, 0) for c in self.changes)

    @property
    def free_after(self) -> int:
        return self.free_before + self.places_after - self.places_before


def impact(slots: list[SlotState], wanted: dict[datetime, int]) -> CapacityImpact:
    """The impact of giving each slot whose start is in `wanted` its new capacity (the open
    slots only: a closed day's slots stay closed whatever their capacity)."""
    return CapacityImpact(
        tuple(
            SlotChange(s.start, s.places, wanted.get(s.start, s.places.total))
            for s in sorted(slots, key=lambda s: s.start)
            if s.is_open
        )
    )
