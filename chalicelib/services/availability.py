"""The availability summary, kept by the slots table's stream (domain/availability_summary.py).

`handle_stream_batch` folds each slot change into its directorate's summary day, the newest
change per slot winning whatever order records come in.
The first change seen for a directorate whose summary is not complete (a new deploy, a new
directorate) rebuilds it from the directorate's slots once, then marks it complete; until then
the page reads the slots themselves (services/booking.availability), so a missing summary never
shows wrong places, it only costs what a page cost before.
"""

from __future__ import annotations

import time
from typing import Any

from chalicelib.adapters import availability_summary as store
from chalicelib.adapters.tables import Slot
from chalicelib.clock import clock
from chalicelib.domain import availability_summary as summary
from chalicelib.domain.booking import SlotState
from chalicelib.observability import logger
from chalicelib.services.booking import slot_state

_complete: dict[str, float] = {}  # directorate -> its rebuild's moment, as this process has seen it


def handle_stream_batch(event: dict[str, Any], context: Any = None) -> dict:
    """The slots stream's handler. A batch's records are folded together, one BatchGetItem and
    one transaction for all the summary days they touch (a release day's bookings crowd into
    few days), so it does not use Powertools' record-at-a-time BatchProcessor, but answers in
    its partial-batch form: the records that could not be folded are retried."""
    failed: list[str] = []
    by_day: dict[tuple[str, str], list[tuple[str, summary.Change]]] = {}
    for record in event.get("Records", []):
        change = record["dynamodb"]
        sequence = change.get("SequenceNumber", "")
        try:
            read_from = ensure_complete(change["Keys"]["directorate_id"]["S"])
            created = change.get("ApproximateCreationDateTime")
            if created is not None and float(created) < read_from - CLOCK_MARGIN_SECONDS:
                continue  # written before the rebuild read the slots: the summary has it already
            old, new = _state(change.get("OldImage")), _state(change.get("NewImage"))
            for slot_change in summary.changes_of(old, new, summary.version_of(sequence)):
                by_day.setdefault((slot_change.directorate_id, slot_change.day), []).append((sequence, slot_change))
        except Exception:  # noqa: BLE001 - a record that cannot be read is retried, the others go on
            logger.exception("slot change not folded", extra={"sequence_number": sequence})
            failed.append(sequence)
    try:
        store.update_days(list(by_day), lambda day, held: summary.fold(held, [c for _, c in by_day[day]]))
    except Exception:  # noqa: BLE001 - these records are retried; folding them again is harmless
        logger.exception("summary days not written", extra={"days": len(by_day)})
        failed.extend(sequence for pairs in by_day.values() for sequence, _ in pairs)
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in dict.fromkeys(failed)]}


# A stream record's ApproximateCreationDateTime has whole seconds; a rebuild's moment is the
# function's clock: a record more than this much older than the rebuild's read is in it.
CLOCK_MARGIN_SECONDS = 2.0


def ensure_complete(directorate_id: str) -> float:
    """The moment (epoch seconds) the directorate's summary was rebuilt from its slots,
    rebuilding it first when it never was."""
    read_from = _complete.get(directorate_id)
    if read_from is None:
        read_from = store.built_at(directorate_id)
        if read_from is None:
            read_from = rebuild(directorate_id)
        _complete[directorate_id] = read_from
    return read_from


def rebuild(directorate_id: str) -> float:
    """Fold the directorate's slots from today on into its summary, then mark it complete;
    returns the moment its read started. Never undoes a streamed change (a rebuilt entry is
    older than any); repeatable. The moment is real time (time.time), not the service's clock:
    it is compared with the stream's own timestamps (a local stack may move its clock)."""
    read_from = time.time()
    today = clock.today().isoformat()
    slots = Slot.query(directorate_id, Slot.start >= today, consistent_read=True)
    changes = summary.rebuilt_changes(slot_state(slot) for slot in slots)
    by_day = summary.grouped_by_day(changes)
    store.update_days(list(by_day), lambda day, held: summary.fold(held, by_day[day]))
    store.mark_built(directorate_id, read_from)
    logger.info("availability summary rebuilt", extra={"directorate_id": directorate_id, "entries": len(changes)})
    return read_from


def _state(image: dict | None) -> SlotState | None:
    return slot_state(Slot.from_raw_data(image)) if image else None


def forget_completeness() -> None:
    """Tests: a fresh process, that has not seen any directorate complete yet."""
    _complete.clear()
