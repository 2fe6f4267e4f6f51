"""The availability summary: what the public calendar shows, folded from the slots' changes.

A page view of availability reads one summary day per day shown (services/availability.py)
instead of the directorate's whole slot partition. Each summary day of a directorate holds every
slot of that day: its end, the services it offers, its public places left (0 when it is closed,
full or removed) and the version of the slot change it was last folded from. The places a slot
has are shared by the services it offers, so one summary day serves every service's page and a
slot change is one write, not one per service. The slots table's stream feeds it; a change is
folded in only when it is newer than what the day holds for that slot, so duplicate and out-of-order
records leave it as the newest change made it (the stream delivers at least once).

The summary may say a slot has room when it has none (a booking not folded in yet): the booking
transaction stays the only judge of capacity and answers SLOT_FULL then. Kept-back places never
appear here: only public places are counted (domain/booking.SlotState.remaining).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from chalicelib.domain.booking import SlotState
from chalicelib.domain.calendar import local_day, wall_time

#: The version a rebuild from the slots themselves carries: older than any stream record, so a
#: change streamed after the rebuild read always wins, and a rebuild never undoes a change.
REBUILT = "0"
VERSION_DIGITS = 40  # DynamoDB stream sequence numbers have at most 40 digits


def version_of(sequence_number: str | int) -> str:
    """A stream record's sequence number as a version that sorts as text (zero-padded)."""
    text = str(sequence_number)
    if not text.isdigit() or len(text) > VERSION_DIGITS:
        raise ValueError("a sequence number is up to 40 decimal digits")
    return text.zfill(VERSION_DIGITS)


def has_public_place(entries: Mapping[str, "Entry"]) -> bool:
    """Whether a summary day offers a public place in some slot (any service)."""
    return any(entry.left > 0 for entry in entries.values())


@dataclass(frozen=True)
class Entry:
    """One slot as a summary day holds it."""

    end: str  # Istanbul wall time "YYYY-MM-DDTHH:MM"
    services: frozenset[str]
    left: int  # public places left, 0 when none can be offered
    version: str  # zero-padded; REBUILT padded for a rebuild

    def offers(self, service: str) -> int:
        """The public places it offers `service` (0: not shown)."""
        return self.left if service in self.services else 0


@dataclass(frozen=True)
class Change:
    """A slot's new state: what its summary day folds in."""

    directorate_id: str
    day: str  # YYYY-MM-DD
    start: str  # Istanbul wall time, the slot's key
    entry: Entry


def left_for_public(state: SlotState) -> int:
    """The public places a slot offers online: none unless it is open."""
    return state.remaining if state.is_open else 0


def changes_of(old: SlotState | None, new: SlotState | None, version: str) -> list[Change]:
    """The summary change one slot change makes (none or one). A removed slot (`new` None) is
    held with no places, never dropped, so an older record cannot bring it back."""
    current = new or old
    if current is None:
        return []
    entry = Entry(end=wall_time(current.end), services=current.services, left=left_for_public(new) if new else 0, version=version)
    return [Change(current.directorate_id, local_day(current.start).isoformat(), wall_time(current.start), entry)]


def rebuilt_changes(states: Iterable[SlotState]) -> list[Change]:
    """The summary of slots read from the slots table itself (a summary rebuilt after a deploy)."""
    version = version_of(REBUILT)
    return [change for state in states for change in changes_of(None, state, version)]


def fold(entries: Mapping[str, Entry], changes: Iterable[Change]) -> dict[str, Entry]:
    """A summary day's entries (by slot start) after `changes`: each slot keeps the newest
    change seen for it, whatever order, however many times they come."""
    folded = dict(entries)
    for change in changes:
        held = folded.get(change.start)
        if held is None or change.entry.version > held.version:
            folded[change.start] = change.entry
    return folded


def grouped_by_day(changes: Iterable[Change]) -> dict[tuple[str, str], list[Change]]:
    """Changes by the summary day they belong to: (directorate, day)."""
    days: dict[tuple[str, str], list[Change]] = {}
    for change in changes:
        days.setdefault((change.directorate_id, change.day), []).append(change)
    return days
