"""Public statistics: what each slot and each appointment adds to its directorate's day.

The figures of a directorate's day are sums over its slots and its appointments, each of which
contributes what its newest known state says (never a running count): a slot's places offered
(its public and kept-back places, while it is open); an appointment one booking, and one
release when its person gave the place back, one no-show when it was marked so, one assigned
booking when the assigner made it. Recomputing a day from the contributions gives the same
figures however often and in whatever order the changes came (services/statistics.py keeps
each contribution once, newest version winning). No personal data: counts only.
"""

from __future__ import annotations

import statistics as stats
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from chalicelib.domain.booking import SlotState
from chalicelib.domain.calendar import local_day

FIGURES = ("offered", "booked", "released", "no_shows", "assigned")
SLOTS, APPOINTMENTS = "slots", "appointments"
RELEASED = "released"
NO_SHOW = "no_show"


@dataclass(frozen=True)
class Contribution:
    """What one slot or appointment adds to a directorate's day."""

    directorate_id: str
    day: str  # YYYY-MM-DD, the slot's (the appointment's) day
    kind: str  # SLOTS | APPOINTMENTS
    entry: str  # the slot's start or the appointment's id: one contribution each
    figures: Mapping[str, int]


def of_slot(old: SlotState | None, new: SlotState | None) -> Contribution | None:
    current = new or old
    if current is None:
        return None
    offered = (new.capacity + new.internal) if new is not None and new.is_open else 0
    return Contribution(current.directorate_id, local_day(current.start).isoformat(), SLOTS, current.start.isoformat(),
                        {"offered": offered})


def of_appointment(directorate_id: str, slot_start: str, appointment_id: str, status: str, attendance: str | None,
                   assigned: bool) -> Contribution:
    return Contribution(directorate_id, slot_start[:10], APPOINTMENTS, appointment_id, {
        "booked": 1,
        "released": 1 if status == RELEASED else 0,
        "no_shows": 1 if attendance == NO_SHOW else 0,
        "assigned": 1 if assigned else 0,
    })


def kept(ledger: Mapping[str, Mapping], contributions: Iterable[tuple[Contribution, str]]) -> dict[str, dict]:
    """A day's ledger (entry -> figures and "v", its version) after `contributions` (each with
    its version): each slot or appointment keeps its newest contribution, whatever the order,
    however often they come."""
    out = {entry: dict(held) for entry, held in ledger.items()}
    for made, version in contributions:
        held = out.get(made.entry)
        if held is None or version > str(held.get("v", "")):
            out[made.entry] = {**made.figures, "v": version}
    return out


def day_totals(contributions: Iterable[Mapping[str, int]]) -> dict[str, int]:
    totals = dict.fromkeys(FIGURES, 0)
    for figures in contributions:
        for name in FIGURES:
            totals[name] += int(figures.get(name, 0) or 0)
    return totals


def assigned_share(totals: Mapping[str, int]) -> float | None:
    """The share of the day's bookings the assigner made (None: no booking)."""
    return round(totals["assigned"] / totals["booked"], 3) if totals.get("booked") else None


def days_to_first_free_place(today: date, first_free: date | None) -> int | None:
    """Days from `today` to the first day after it with a public place left (None: no place at all)."""
    return (first_free - today).days if first_free is not None and first_free > today else None


def median_wait(samples: Iterable[int]) -> float | None:
    """The median of a day's samples of days-to-first-free-place (None: no sample)."""
    values = list(samples)
    return float(stats.median(values)) if values else None
