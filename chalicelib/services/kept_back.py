"""Use cases of kept-back capacity (issue 12; the rules: domain/kept_back.py).

- A directorate's default share of internal places, changed by an administrator who first sees its
  impact (how many public places it removes or adds over the days not yet released); applied to
  those slots at once and to every day opened later (`catalogue.extend_slot_horizon`).
- The release: when a day is opened, a moment is drawn for it with `secrets` inside the configured
  window before its first slot and stored on the day, never shown to anyone. A schedule (every
  5 minutes, `app.py`) releases the days whose moment has passed: their unused internal places
  become public places. Each slot's change is conditional on what was read and the day is marked
  last, so a run that is repeated, concurrent or cut short leaves the same result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pynamodb.exceptions import UpdateError

from chalicelib.adapters.dynamo import NamedTransaction
from chalicelib.adapters.tables import DirectorateDay, KeptBackShare, Slot
from chalicelib.clock import clock
from chalicelib.domain import calendar
from chalicelib.domain import kept_back as rules
from chalicelib.domain.catalogue import Directorate, find_directorate
from chalicelib.domain.errors import NotFound, ValidationFailed
from chalicelib.domain.roles import Caller
from chalicelib.observability import logger
from chalicelib.services import audit
from chalicelib.settings import get_settings

SHARE_CHANGED = "directorate.kept_back_share_changed"  # the audit action of an administrator's change
RETRIES = 3  # a slot changed between the read and the write (a booking): read it again


def share_of(directorate_id: str) -> int:
    """The directorate's default share of kept-back places, in percent (0 when never set)."""
    try:
        return int(KeptBackShare.get(directorate_id, consistent_read=True).share_percent)
    except KeptBackShare.DoesNotExist:
        return 0


def day_release(first_start: datetime, share: int) -> dict:
    """The attributes of a newly opened day: its secret release moment, and (when it keeps places
    back) its entry in the release schedule's index."""
    moment = rules.release_moment(get_settings().kept_back_release, first_start)
    pending = {"release_pending_day": calendar.local_day(first_start).isoformat()} if share > 0 else {}
    return {"release_at": moment, **pending}


def arm(directorate_id: str, day: str) -> None:
    """Put a day that now keeps places back on the release schedule (unless it was released; a
    day without a drawn moment, opened before this existed, has nothing to release at)."""
    try:
        DirectorateDay(directorate_id, day).update(
            actions=[DirectorateDay.release_pending_day.set(day)],
            condition=DirectorateDay.release_at.exists() & DirectorateDay.released_at.does_not_exist(),
        )
    except UpdateError:
        pass


# --- the administrator's default share -----------------------------------------------------------


@dataclass(frozen=True)
class SharePlan:
    directorate: Directorate
    share_before: int
    share_after: int
    impact: rules.ShareImpact


def _directorate(directorate_id: str) -> Directorate:
    found = find_directorate(directorate_id)
    if found is None:
        raise NotFound("There is no such directorate.")
    return found


def _require_share(share: int) -> None:
    if not 0 <= share <= rules.MAX_SHARE_PERCENT:
        raise ValidationFailed("The share of kept-back places is a percentage from 0 to 100.", field="share")


def _unreleased_slots(directorate: Directorate, now: datetime) -> list[Slot]:
    """The directorate's slots still ahead whose day's kept-back places are not released yet."""
    today = clock.today()
    last = today + timedelta(days=get_settings().slot_horizon_days)
    days = DirectorateDay.query(directorate.id, DirectorateDay.day.between(today.isoformat(), last.isoformat()), consistent_read=True)
    pending = {d.day for d in days if d.released_at is None and d.status == "open"}
    items = Slot.query(directorate.id, Slot.start.between(today.isoformat(), f"{last.isoformat()}T99:99"), consistent_read=True)
    return [s for s in items if s.start[:10] in pending and calendar.from_wall_time(s.start) > now and s.is_open]


def _places(slot: Slot) -> rules.Places:
    return rules.Places(int(slot.capacity), int(slot.internal or 0), int(slot.booked or 0), int(slot.internal_booked or 0))


def plan_share(directorate_id: str, share: int) -> SharePlan:
    """What giving the directorate a default share of `share` % does, before it is confirmed."""
    _require_share(share)
    directorate = _directorate(directorate_id)
    slots = [_places(s) for s in _unreleased_slots(directorate, clock.now())]
    return SharePlan(directorate, share_of(directorate.id), share, rules.share_impact(slots, share))


def set_share(caller: Caller, directorate_id: str, share: int) -> SharePlan:
    """Record the new share (audited) and apply it to every slot not yet released."""
    plan = plan_share(directorate_id, share)
    now = clock.now()
    record = audit.record(
        audit.directorate_subject(plan.directorate.id), SHARE_CHANGED, actor_id=caller.account_id,
        actor_role=audit.actor_role(caller), at=now, before={"share": plan.share_before}, after={"share": share},
    )
    with NamedTransaction() as write:
        write.save("share", KeptBackShare(plan.directorate.id, share_percent=share, updated_by=caller.account_id, updated_at=now))
        write.save("audit", record)
    slots = _unreleased_slots(plan.directorate, now)
    changed = sum(_apply_share(slot, share) for slot in slots)
    if share > 0:
        for day in sorted({slot.start[:10] for slot in slots}):
            arm(plan.directorate.id, day)
    logger.info("kept-back share changed", extra={"directorate_id": plan.directorate.id, "share": share, "slots": changed})
    return plan


def _apply_share(slot: Slot, share: int) -> bool:
    return _change_slot(slot, lambda places: rules.with_share(places, share))


def _change_slot(slot: Slot, change) -> bool:
    """Give `slot` the places `change` makes of its current ones, conditional on what was read
    (a booking meanwhile: read again). Returns whether it changed."""
    for _ in range(RETRIES):
        before = _places(slot)
        after = change(before)
        if after == before:
            return False
        try:
            slot.update(
                actions=[Slot.capacity.set(after.public), Slot.internal.set(after.internal)],
                condition=(Slot.capacity == before.public) & (Slot.booked == before.public_booked)
                & (Slot.internal == before.internal) & (Slot.internal_booked == before.internal_booked),
            )
            return True
        except UpdateError:
            slot = Slot.get(slot.directorate_id, slot.start, consistent_read=True)
    logger.warning("slot not changed: busy", extra={"directorate_id": slot.directorate_id, "slot": slot.start})
    return False


# --- the release ----------------------------------------------------------------------------------


def release_due(now: datetime | None = None) -> int:
    """Release the days whose moment has passed: their unused kept-back places become public.
    Returns how many days were released."""
    now = now or clock.now()
    policy = get_settings().kept_back_release
    today = calendar.local_day(now)
    reach = math.ceil((policy.lead + policy.window) / timedelta(days=1)) + 1
    released = 0
    for offset in range(reach + 1):
        day = (today + timedelta(days=offset)).isoformat()
        for item in DirectorateDay.release_pending.query(day, DirectorateDay.release_at <= now):
            released += _release_day(item, now)
    logger.info("kept-back places released", extra={"days": released})
    return released


def _release_day(item: DirectorateDay, now: datetime) -> int:
    day = item.day
    unfinished = False
    for slot in Slot.query(item.directorate_id, Slot.start.between(f"{day}T00:00", f"{day}T99:99"), consistent_read=True):
        if _places(slot).internal_free > 0 and not _change_slot(slot, rules.released):
            unfinished = True
    if unfinished:
        return 0  # the next run finishes it
    try:
        item.update(
            actions=[DirectorateDay.released_at.set(now), DirectorateDay.release_pending_day.remove()],
            condition=DirectorateDay.release_pending_day.exists(),
        )
    except UpdateError:
        return 0  # another run marked it
    return 1


def released_on(directorate_id: str, day: date) -> bool:
    try:
        return DirectorateDay.get(directorate_id, day.isoformat(), consistent_read=True).released_at is not None
    except DirectorateDay.DoesNotExist:
        return False

