"""A province's queue of waiting requests, read and counted without ever reading it whole.

Storage: the sparse index `waiting-by-province` holds each waiting request under
"<province>#<shard>" with its place in the queue as sort key (`domain/assignment.queue_place`:
closure victims, then windows oldest first, then the lottery rank drawn from the window's seed).
The shard is taken from the rank's first bits: shard k holds ranks in the k-th of SHARDS equal
slices of the rank space, so one window's requests spread evenly over the shards (no partition
takes a province's whole burst) and, within a window, every request of a lower shard comes
first — which is what lets a position be counted from the shards' counters.

- Counters, written by `file_in` / `settle_in` inside the transaction that files or ends (assigns,
  withdraws) the request, so each request counts once either way:
  - per shard and window, how many requests were filed and how many have left since. Only
    non-priority requests are counted there (closure victims count only each other, and are few);
  - per shard, its totals: every request ever filed in it (closure victims too), and every one
    that left, in two items, so that the assigner's settling never conflicts with a filing.
    Filed − left is how many wait in the shard, so one read of the totals (one BatchGetItem)
    tells which shards hold anyone (`occupied`): every reader below opens a Query only on those,
    and a province where one request waits pays one Query, not SHARDS. A shard's totals take the
    writes of its slice only, as its window counters do: no item takes a province's whole burst.
- `due` merges the occupied shards in queue order, page by page, lazily: reading stops when the
  caller stops taking requests (the assigner's budget), so its cost follows what is taken.
- `position`: from the counters of the windows before the request's own, the counters of its
  window's lower shards, and a capped count in its own shard (occupied shards only). When the cap
  is reached, the count falls back to the shard's whole window: a position is never better than
  the truth.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

from chalicelib.adapters.dynamo import NamedTransaction
from chalicelib.adapters.tables import AssignmentRequest, AssignmentWindow
from chalicelib.domain import assignment as rules
from chalicelib.observability import logger
from chalicelib.settings import get_settings

SHARDS = 8
POSITION_COUNT_LIMIT = 1000  # items read, at most, to count a position within its own shard
PAGE_SIZE = 100  # items per Query page of one shard
# The sort keys of a shard's two totals (after every window's ISO start): requests filed, left.
FILED_TOTAL, SETTLED_TOTAL = "total#filed", "total#settled"

_seeds: dict[tuple[str, str], int] = {}  # recorded seeds (never change once recorded)
_announced: set[tuple[str, str]] = set()


# --- where a request is stored --------------------------------------------------------------------


def shard_of(queue_key: str) -> int:
    """The shard of a queue place: its rank's first 16 bits, scaled to SHARDS slices."""
    rank = queue_key.split("#")[2]
    return (int(rank[:4], 16) * SHARDS) >> 16


def partition(province: str, shard: int) -> str:
    return f"{province}#{shard}"


def place(province: str, priority: bool, window_start: str, request_id: str, now: datetime) -> tuple[str, str]:
    """(index partition, queue key) for a request being filed: its rank needs the window's
    seed, drawn on the window's first request."""
    seed = seed_for(province, window_start, now)
    key = rules.queue_place(priority, datetime.fromisoformat(window_start), seed, request_id)
    return partition(province, shard_of(key)), key


# --- the window's seed and its message ----------------------------------------------------------


def seed_for(province: str, window_start: str, now: datetime) -> int:
    """The window's seed, drawn and recorded by whoever needs it first (one atomic update with
    `if_not_exists`: concurrent first requests cannot draw two). Read once per process."""
    cached = _seeds.get((province, window_start))
    if cached is not None:
        return cached
    try:
        item = AssignmentWindow.get(province, window_start)
    except AssignmentWindow.DoesNotExist:
        item = None
    if item is None or item.seed is None:
        item = AssignmentWindow(province, window_start)
        item.update(
            actions=[
                AssignmentWindow.seed.set(AssignmentWindow.seed | rules.draw_seed()),
                AssignmentWindow.drawn_at.set(AssignmentWindow.drawn_at | now),
            ]
        )
    _seeds[(province, window_start)] = int(item.seed)
    return int(item.seed)


def recorded_seed(province: str, window_start: str) -> int | None:
    cached = _seeds.get((province, window_start))
    if cached is not None:
        return cached
    try:
        seed = AssignmentWindow.get(province, window_start).seed
    except AssignmentWindow.DoesNotExist:
        return None
    return int(seed) if seed is not None else None


def announce(province: str, window_start: str) -> bool:
    """True for exactly one caller per window: the one that sends the message that has the
    window served when it closes. A conditional update, tried once per process and window."""
    if (province, window_start) in _announced:
        return False
    _announced.add((province, window_start))
    try:
        AssignmentWindow(province, window_start).update(
            actions=[AssignmentWindow.announced.set(True)], condition=AssignmentWindow.announced.does_not_exist()
        )
    except Exception as error:  # already announced, or the write failed: the re-drive schedule covers both
        if "ConditionalCheckFailed" not in str(error):
            logger.exception("window not announced; the re-drive schedule will serve it", extra={"province": province})
        return False
    return True


# --- counters, inside the request's transaction ------------------------------------------------


def _counter(request: AssignmentRequest) -> AssignmentWindow:
    return AssignmentWindow(partition(request.province, shard_of(request.queue_key)), request.window_start)


def _total(request: AssignmentRequest, kind: str) -> AssignmentWindow:
    return AssignmentWindow(partition(request.province, shard_of(request.queue_key)), kind)


def file_in(write: NamedTransaction, request: AssignmentRequest) -> None:
    """Count a request filed, in the transaction that stores it: its shard's total (which marks
    the shard occupied in the same write that files it), and its window's counter."""
    write.update("shard total", _total(request, FILED_TOTAL), actions=[AssignmentWindow.filed.add(1)])
    if not request.priority:
        write.update("count", _counter(request), actions=[AssignmentWindow.filed.add(1)])


def settle_in(write: NamedTransaction, request: AssignmentRequest) -> None:
    """Count a request that left the queue (assigned or withdrawn), in the transaction that
    ends it (whose condition — still waiting — makes it count once). Both are additions, never
    a value read and written back: a filing in the same shard at the same moment is never lost,
    and the last request leaving marks its shard empty only when nobody else is in it."""
    write.update("shard total", _total(request, SETTLED_TOTAL), actions=[AssignmentWindow.settled.add(1)])
    if not request.priority:
        write.update("count", _counter(request), actions=[AssignmentWindow.settled.add(1)])


def in_shards(province: str) -> dict[int, int]:
    """How many requests wait in each shard of the province (filed − left, from its totals): one
    strongly consistent BatchGetItem of the 2 × SHARDS totals."""
    keys = [(partition(province, s), kind) for s in range(SHARDS) for kind in (FILED_TOTAL, SETTLED_TOTAL)]
    waiting = dict.fromkeys(range(SHARDS), 0)
    for item in AssignmentWindow.batch_get(keys, consistent_read=True):
        waiting[int(item.province.rsplit("#", 1)[1])] += int(item.filed or 0) - int(item.settled or 0)
    return waiting


def occupied(province: str) -> list[int]:
    """The shards of the province where requests wait, in order."""
    return [s for s, n in in_shards(province).items() if n > 0]


# --- reading the queue --------------------------------------------------------------------------


def due_bound(now: datetime) -> str:
    """Queue keys below this are due: closure victims at once, everyone else once their window
    has closed (every window before the one `now` lies in)."""
    current = rules.window_of(now, get_settings().assignment_window_minutes)
    return f"1#{current.astimezone(timezone.utc).isoformat()}"


def _shard(province: str, shard: int, after: str | None, below: str, page_size: int) -> Iterator[AssignmentRequest]:
    condition = AssignmentRequest.queue_key < below if after is None else AssignmentRequest.queue_key.between(after, below)
    for item in AssignmentRequest.waiting_by_province.query(partition(province, shard), condition, page_size=page_size):
        if item.queue_key != after and item.queue_key < below:
            yield item


def queue(province: str, after: str | None = None, below: str = "2", page_size: int = PAGE_SIZE) -> Iterator[AssignmentRequest]:
    """The province's waiting requests after `after` and below `below`, in queue order: the
    occupied shards merged lazily; each is read a page at a time, only as far as taken."""
    return heapq.merge(*(_shard(province, s, after, below, page_size) for s in occupied(province)), key=lambda r: r.queue_key)


def due(province: str, now: datetime, after: str | None = None, page_size: int = PAGE_SIZE) -> Iterator[AssignmentRequest]:
    return queue(province, after, due_bound(now), page_size)


def any_due(province: str, now: datetime) -> bool:
    """The shards' totals, then one one-item Query per occupied shard, at most."""
    bound = due_bound(now)
    return any(next(_shard(province, s, None, bound, 1), None) is not None for s in occupied(province))


def first(province: str, limit: int) -> list[AssignmentRequest]:
    """The first `limit` waiting requests of the province, in queue order."""
    return list(itertools.islice(queue(province, page_size=min(limit, PAGE_SIZE)), limit))


# --- positions ----------------------------------------------------------------------------------


def _unsettled(item: AssignmentWindow) -> int:
    return max(int(item.filed or 0) - int(item.settled or 0), 0)


def position(request: AssignmentRequest, now: datetime) -> int:
    """1 + the province's waiting requests served before this one (see the module's text).
    Until its window has closed, everyone filed in it counts as ahead (the worst case)."""
    province = request.province
    mine = shard_of(request.queue_key)
    shards = sorted(set(occupied(province)) | {mine})  # its own shard, even if it has just been served
    if request.priority:
        return 1 + sum(_count_up_to(partition(province, s), AssignmentRequest.queue_key < request.queue_key) for s in shards)
    heads = [next(_shard(province, s, "1#", "2", 1), None) for s in shards]
    oldest = min((h.window_start for h in heads if h is not None), default=request.window_start)
    oldest = min(oldest, request.window_start)
    ahead, own = 0, dict.fromkeys(shards, 0)
    for s in shards:
        for item in AssignmentWindow.query(partition(province, s), AssignmentWindow.window_start.between(oldest, request.window_start)):
            if item.window_start == request.window_start:
                own[s] = _unsettled(item)
            else:
                ahead += _unsettled(item)
    closes_at = datetime.fromisoformat(request.window_start) + timedelta(minutes=get_settings().assignment_window_minutes)
    if closes_at > now:
        return ahead + max(sum(own.values()), 1)
    window_prefix = request.queue_key.rsplit("#", 2)[0] + "#"
    counted = _count_up_to(partition(province, mine), AssignmentRequest.queue_key.between(window_prefix, request.queue_key))
    within = counted - 1 if counted < POSITION_COUNT_LIMIT else max(own[mine] - 1, counted - 1)
    return ahead + sum(n for s, n in own.items() if s < mine) + within + 1


def _count_up_to(stored_under: str, condition) -> int:
    """How many waiting requests of one shard meet `condition`, counting at most
    POSITION_COUNT_LIMIT: one Query page (Select COUNT). PynamoDB's `count(limit=…)` would
    keep paging to the partition's end."""
    from pynamodb.constants import COUNT

    page = AssignmentRequest._get_connection().query(
        stored_under,
        range_key_condition=condition,
        index_name=AssignmentRequest.waiting_by_province.Meta.index_name,
        limit=POSITION_COUNT_LIMIT,
        select=COUNT,
    )
    return min(int(page["Count"]), POSITION_COUNT_LIMIT)
