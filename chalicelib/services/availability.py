"""The availability summary, kept by the slots table's stream (domain/availability_summary.py).

`handle_stream_batch` folds each slot change into its directorate's summary day, the newest
change per slot winning whatever order records come in.
The first change seen for a directorate whose summary is not complete (a new deploy, a new
directorate) rebuilds it from the directorate's slots once, then marks it complete; until then
the page reads the slots themselves (services/booking.availability), so a missing summary never
shows wrong places, it only costs what a page cost before.
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters import availability_summary as store
from chalicelib.adapters.tables import Slot
from chalicelib.clock import clock
from chalicelib.domain import availability_summary as summary
from chalicelib.domain.booking import SlotState
from chalicelib.observability import logger
from chalicelib.services.booking import slot_state

_complete: set[str] = set()  # directorates seen complete by this process (it never becomes incomplete)


def handle_stream_batch(event: dict[str, Any], context: Any = None) -> dict:
    """The slots stream's handler. A batch's records are folded together, one read and one write
    per summary day they touch (a release day's bookings crowd into few days), so it does not
    use Powertools' record-at-a-time BatchProcessor, but answers in its partial-batch form:
    the records of a day that could not be written (or that could not be read) are retried."""
    failed: list[str] = []
    changes: dict[str, list[summary.Change]] = {}  # by sequence number
    for record in event.get("Records", []):
        change = record["dynamodb"]
        try:
            old, new = _state(change.get("OldImage")), _state(change.get("NewImage"))
            changes[change["SequenceNumber"]] = summary.changes_of(old, new, summary.version_of(change["SequenceNumber"]))
        except Exception:  # noqa: BLE001 - a record that cannot be read is retried, the others go on
            logger.exception("slot change unreadable", extra={"sequence_number": change.get("SequenceNumber")})
            failed.append(change.get("SequenceNumber", ""))
    by_day: dict[tuple[str, str], list[tuple[str, summary.Change]]] = {}
    for sequence, record_changes in changes.items():
        for day, day_changes in summary.grouped_by_day(record_changes).items():
            by_day.setdefault(day, []).extend((sequence, c) for c in day_changes)
    for (directorate_id, day), pairs in by_day.items():
        try:
            ensure_complete(directorate_id)
            day_changes = [c for _, c in pairs]
            store.update_day(directorate_id, day, lambda held, c=day_changes: summary.fold(held, c))
        except Exception:  # noqa: BLE001 - this day's records are retried; folding them again is harmless
            logger.exception("summary day not written", extra={"directorate_id": directorate_id, "day": day})
            failed.extend(sequence for sequence, _ in pairs)
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in dict.fromkeys(failed)]}


def ensure_complete(directorate_id: str) -> None:
    if directorate_id in _complete:
        return
    if not store.is_built(directorate_id):
        rebuild(directorate_id)
    _complete.add(directorate_id)


def rebuild(directorate_id: str) -> int:
    """Fold the directorate's slots from today on into its summary, then mark it complete.
    Never undoes a streamed change (a rebuilt entry is older than any); repeatable."""
    today = clock.today().isoformat()
    slots = Slot.query(directorate_id, Slot.start >= today, consistent_read=True)
    changes = summary.rebuilt_changes(slot_state(slot) for slot in slots)
    _fold(changes)
    store.mark_built(directorate_id, clock.now())
    logger.info("availability summary rebuilt", extra={"directorate_id": directorate_id, "entries": len(changes)})
    return len(changes)


def _fold(changes: list[summary.Change]) -> None:
    for (directorate_id, day), day_changes in summary.grouped_by_day(changes).items():
        store.update_day(directorate_id, day, lambda held, c=day_changes: summary.fold(held, c))


def _state(image: dict | None) -> SlotState | None:
    return slot_state(Slot.from_raw_data(image)) if image else None


def forget_completeness() -> None:
    """Tests: a fresh process, that has not seen any directorate complete yet."""
    _complete.clear()
