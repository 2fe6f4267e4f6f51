"""The assigner at national scale: the waiting queue read a page at a time over its shards, a
run that stops at its budget and continues in a follow-up message, counters kept in the
requests' own transactions, positions from bounded reads."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from chalicelib import wiring
from chalicelib.adapters.tables import Applicant, Appointment, AssignmentRequest, AssignmentWindow, Slot
from chalicelib.clock import clock
from chalicelib.contract import AssignmentRequestIn
from chalicelib.domain import assignment as rules
from chalicelib.domain.catalogue import directorates_in, find_directorate
from chalicelib.resources import assignments_queue_name
from chalicelib.services import assignment, waiting
from chalicelib.services.catalogue import extend_slot_horizon
from chalicelib.settings import get_settings
from tests.services.world import a_province_of_its_own, a_working_day, at_the_start_of_a_window, applicant

# A province of one directorate per test, no other module's (world.a_province_of_its_own): its
# queue is this test's alone.


@pytest.fixture
def province(aws, frozen_clock):
    code = a_province_of_its_own()
    extend_slot_horizon(only=directorates_in(code))
    _drain_assignment_messages()
    at_the_start_of_a_window()  # the test's filings fall in one window
    return code


def places_on(province: str, day: date, morning: int, afternoon: int) -> None:
    """Only `morning` places in the day's first slot and `afternoon` in its first afternoon slot."""
    directorate = find_directorate(f"{province}-merkez")
    slots = [s.start for s in Slot.query(directorate.id, Slot.start.startswith(day.isoformat()))]
    first_afternoon = next(k for k in slots if k >= f"{day.isoformat()}T13:00")
    for key in slots:
        capacity = morning if key == slots[0] else afternoon if key == first_afternoon else 0
        Slot(directorate.id, key).update(actions=[Slot.capacity.set(capacity)])


def file(person, province: str, day: date, part_of_day: str = "any"):
    return assignment.request_assignment(
        person,
        AssignmentRequestIn.model_validate(
            {"service": "address_registration", "directorate": f"{province}-merkez",
             "preferences": {"earliest": day.isoformat(), "latest": day.isoformat(), "part_of_day": part_of_day}}
        ),
    )


def close_window() -> None:
    clock.travel(timedelta(minutes=get_settings().assignment_window_minutes + 1))


def _queue_url() -> str:
    return wiring.queue_url(assignments_queue_name())


def _drain_assignment_messages() -> list[dict]:
    """Every visible message on the assignments queue, taken off it."""
    taken = []
    while True:
        got = wiring.sqs().receive_message(QueueUrl=_queue_url(), MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not got:
            return taken
        for message in got:
            wiring.sqs().delete_message(QueueUrl=_queue_url(), ReceiptHandle=message["ReceiptHandle"])
            taken.append(json.loads(message["Body"]))


def sqs_event(*bodies: dict) -> dict:
    return {
        "Records": [
            {"messageId": f"m{i}", "receiptHandle": f"r{i}", "body": json.dumps(b), "attributes": {}, "messageAttributes": {},
             "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:eu-west-3:123456789012:q", "awsRegion": "eu-west-3"}
            for i, b in enumerate(bodies)
        ]
    }


def expected_assignment(filed, province: str, day: date) -> dict[str, datetime]:
    """What one unbounded run gives, by the domain's rules alone: the whole window in its
    lottery order (from the recorded seed), planned against the day's places."""
    window = filed[0].window_start
    seed = int(AssignmentWindow.get(province, window.astimezone(timezone.utc).isoformat()).seed)
    stored = [AssignmentRequest.get(f.request_id) for f in filed]
    ordered = rules.lottery_order([assignment._waiting(r) for r in stored], get_settings().assignment_window_minutes, {window: seed})
    directorate = find_directorate(f"{province}-merkez")
    from chalicelib.services.booking import slot_state

    places = [slot_state(s) for s in Slot.query(directorate.id, Slot.start.startswith(day.isoformat())) if s.capacity]
    planned, _ = rules.plan(ordered, places)
    return {a.request_id: a.slot.start for a in planned}


def assigned_slots(filed) -> dict[str, datetime]:
    result = {}
    for f in filed:
        request = AssignmentRequest.get(f.request_id)
        if request.status == "assigned":
            result[f.request_id] = Appointment.get(request.appointment_id).start
    return result


@pytest.fixture
def budget_of(monkeypatch):
    def set_items(n: int) -> None:
        monkeypatch.setattr(assignment.Budget, "of", classmethod(lambda cls, context=None: cls(max_items=n, context=context)))

    return set_items


# --- paging and continuation ----------------------------------------------------------------------


def test_a_run_stopped_by_its_budget_continues_in_a_follow_up_message_and_assigns_what_one_unbounded_run_would(province, budget_of):
    day = a_working_day()
    places_on(province, day, morning=3, afternoon=3)
    people = [applicant(province=province) for _ in range(14)]
    parts = ["morning", "afternoon", "any"]
    filed = [file(p, province, day, parts[i % 3]) for i, p in enumerate(people)]
    close_window()
    expected = expected_assignment(filed, province, day)
    assert len(expected) == 6

    budget_of(3)  # three requests read per message
    messages = [{"province": province}]
    handled = 0
    while messages:
        assert assignment.handle_queue_batch(sqs_event(*messages)) == {"batchItemFailures": []}
        handled += len(messages)
        messages = _drain_assignment_messages()
        assert all(m["province"] == province for m in messages)
        assert handled < 20
    assert handled >= 3  # it did stop at its budget and continue
    assert assigned_slots(filed) == expected
    # Nobody assigned twice; the others still wait, each with their one request.
    assert sum(len(list(Appointment.by_applicant.query(p.account_id))) for p in people) == 6
    assert sum(Applicant.get(p.account_id).waiting_request is not None for p in people) == 8


def test_a_follow_up_message_names_where_the_run_stopped_and_a_redelivered_one_assigns_nobody_twice(province, budget_of):
    day = a_working_day()
    places_on(province, day, morning=10, afternoon=0)
    people = [applicant(province=province) for _ in range(5)]
    filed = [file(p, province, day) for p in people]
    close_window()

    first = assignment.assign_province(province, budget=assignment.Budget(max_items=2))
    assert len(first.assigned) == 2 and first.read == 2
    [follow_up] = _drain_assignment_messages()
    assert follow_up == {"province": province, "after": first.continued_after}
    event = sqs_event(follow_up)
    budget_of(100)
    assignment.handle_queue_batch(event)
    assignment.handle_queue_batch(event)  # delivered twice
    assert [len(list(Appointment.by_applicant.query(p.account_id))) for p in people] == [1] * 5
    assert len(assigned_slots(filed)) == 5
    assert _drain_assignment_messages() == []  # the queue's due part ended: no more follow-ups


def test_the_run_stops_when_the_free_places_run_out_without_reading_the_rest(province, monkeypatch):
    monkeypatch.setattr(waiting, "PAGE_SIZE", 4)
    day = a_working_day()
    places_on(province, day, morning=2, afternoon=0)
    for slot in Slot.query(f"{province}-merkez"):  # the whole booking window holds those 2 places only
        if not slot.start.startswith(day.isoformat()):
            slot.update(actions=[Slot.capacity.set(0)])
    for _ in range(12):
        assignment.request_assignment(applicant(province=province), AssignmentRequestIn.model_validate({"service": "address_registration"}))
    close_window()
    served = assignment.assign_province(province, budget=assignment.Budget(max_items=1000))
    assert len(served.assigned) == 2
    assert served.read == 4 and served.continued_after is None  # the first page only, and no follow-up


def test_when_the_functions_time_runs_out_the_rest_of_the_batch_goes_back_on_the_queue(province, budget_of):
    day = a_working_day()
    places_on(province, day, morning=10, afternoon=0)
    people = [applicant(province=province) for _ in range(3)]
    for p in people:
        file(p, province, day)
    close_window()
    budget_of(1000)

    class Context:
        def __init__(self) -> None:
            self.calls = 0

        def get_remaining_time_in_millis(self) -> int:
            self.calls += 1
            return 60_000 if self.calls <= 2 else 1_000  # time runs out during the first message

    result = assignment.handle_queue_batch(sqs_event({"province": province}, {"province": province, "after": "1#"}), Context())
    assert result == {"batchItemFailures": []}
    left = _drain_assignment_messages()
    assert {"province": province, "after": "1#"} in left  # the second message, untouched, re-sent
    assert sum(len(list(Appointment.by_applicant.query(p.account_id))) for p in people) >= 1


# --- the sharded queue --------------------------------------------------------------------------


def test_the_shards_merged_give_the_lottery_order_and_each_request_sits_in_its_ranks_shard(province):
    day = a_working_day()
    people = [applicant(province=province) for _ in range(40)]
    filed = [file(p, province, day) for p in people]
    close_window()
    later = [file(applicant(province=province), province, day) for _ in range(3)]  # the next window

    merged = list(waiting.queue(province))
    assert [r.request_id for r in merged][:40] != [f.request_id for f in filed]  # not filing order
    window = filed[0].window_start
    seeds = {window: int(AssignmentWindow.get(province, window.astimezone(timezone.utc).isoformat()).seed),
             later[0].window_start: int(AssignmentWindow.get(province, later[0].window_start.astimezone(timezone.utc).isoformat()).seed)}
    drawn = rules.lottery_order([assignment._waiting(r) for r in merged], get_settings().assignment_window_minutes, seeds)
    assert [r.request_id for r in merged] == [r.request_id for r in drawn]
    assert {r.request_id for r in merged[40:]} == {f.request_id for f in later}  # the later window after the earlier one
    shards = Counter(r.waiting_province for r in merged)
    assert len(shards) > 1  # spread over shards
    assert all(r.waiting_province == waiting.partition(province, waiting.shard_of(r.queue_key)) for r in merged)
    # Only the closed window is due.
    assert [r.request_id for r in waiting.due(province, clock.now())] == [r.request_id for r in merged[:40]]


# --- counters -----------------------------------------------------------------------------------


def _counted(province: str, window_start: str) -> tuple[int, int]:
    items = [i for s in range(waiting.SHARDS) for i in AssignmentWindow.query(waiting.partition(province, s), AssignmentWindow.window_start == window_start)]
    return sum(int(i.filed) for i in items), sum(int(i.settled) for i in items)


def test_counters_follow_filings_assignments_and_withdrawals_once_each(province):
    day = a_working_day()
    places_on(province, day, morning=3, afternoon=0)
    people = [applicant(province=province) for _ in range(7)]
    filed = [file(p, province, day) for p in people]
    window = filed[0].window_start.astimezone(timezone.utc).isoformat()
    assert _counted(province, window) == (7, 0)
    assignment.withdraw_request(people[0], filed[0].request_id)
    assignment.withdraw_request(people[0], filed[0].request_id)  # again: counted once
    assert _counted(province, window) == (7, 1)
    close_window()
    assignment.assign_province(province)
    assignment.assign_province(province)  # again: nothing more
    assert _counted(province, window) == (7, 4)
    # The window's own item keeps only its seed and whether its message was sent.
    own = AssignmentWindow.get(province, window)
    assert own.seed is not None and own.announced and not own.filed


def test_a_filing_whose_counter_cannot_be_written_stores_nothing(province, monkeypatch):
    person = applicant(province=province)

    def broken(write, request):
        write.update("count", AssignmentWindow("x", "y"), actions=[AssignmentWindow.filed.add(1)], condition=AssignmentWindow.filed == -1)

    monkeypatch.setattr(waiting, "file_in", broken)
    with pytest.raises(Exception):
        file(person, province, a_working_day())
    assert Applicant.get(person.account_id).waiting_request is None
    assert list(waiting.queue(province)) == []


# --- positions ----------------------------------------------------------------------------------


def test_positions_in_a_closed_window_are_its_lottery_order_and_never_better_than_the_truth_when_capped(province, monkeypatch):
    day = a_working_day()
    places_on(province, day, morning=0, afternoon=0)
    people = [applicant(province=province) for _ in range(24)]
    filed = [file(p, province, day) for p in people]
    assert {f.position for f in filed} == set(range(1, 25))  # the worst case while open: everyone before counts
    close_window()
    truth = {r.request_id: i + 1 for i, r in enumerate(waiting.queue(province))}
    exact = {f.request_id: assignment.request_status(p, f.request_id).position for p, f in zip(people, filed)}
    assert exact == truth
    monkeypatch.setattr(waiting, "POSITION_COUNT_LIMIT", 2)
    capped = {f.request_id: assignment.request_status(p, f.request_id).position for p, f in zip(people, filed)}
    assert all(truth[r] <= capped[r] <= 24 for r in truth)
    assert sum(capped[r] == truth[r] for r in truth) >= len(truth) // 4  # most still exact: the lower shards are counted


# --- which shards are read ----------------------------------------------------------------------


def ids_in_shard(province: str, shard: int, count: int = 1) -> list[str]:
    """Request ids whose rank in the window now open puts them in `shard` (the window's seed is
    drawn here if nobody has filed in it yet, as the first filing would)."""
    now = clock.now()
    window = rules.window_of(now, get_settings().assignment_window_minutes)
    seed = waiting.seed_for(province, window.isoformat(), now)
    found: list[str] = []
    while len(found) < count:
        candidate = str(uuid.uuid4())
        if waiting.shard_of(rules.queue_place(False, window, seed, candidate)) == shard:
            found.append(candidate)
    return found


def next_ids(monkeypatch, ids: list[str]) -> None:
    """The next requests filed get these ids, in order (and so these places in the queue)."""
    left = iter(ids)
    monkeypatch.setattr(assignment, "uuid", SimpleNamespace(uuid4=lambda: next(left)))


@contextmanager
def data_store_calls(sent: list | None = None):
    """Every call PynamoDB sends, as (operation, table's short name, index or None); and, into
    `sent` if given, each call's parameters."""
    from pynamodb.connection.base import Connection

    calls: list[tuple[str, str, str | None]] = []
    original = Connection.dispatch

    def dispatch(self, operation_name, operation_kwargs):
        table = str(operation_kwargs.get("TableName") or ",".join(operation_kwargs.get("RequestItems", {})))
        calls.append((operation_name, table.rsplit("-", 2)[-2] if "-" in table else table, operation_kwargs.get("IndexName")))
        if sent is not None:
            sent.append((operation_name, operation_kwargs))
        return original(self, operation_name, operation_kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Connection, "dispatch", dispatch)
        yield calls


def _queue_queries(calls) -> int:
    return sum(1 for op, _, index in calls if op == "Query" and index == "waiting-by-province")


def test_a_province_where_one_request_waits_is_read_with_one_query_of_its_queue_not_one_per_shard(province, monkeypatch):
    day = a_working_day()
    places_on(province, day, morning=1, afternoon=0)
    person = applicant(province=province)
    next_ids(monkeypatch, ids_in_shard(province, 5))
    filed = file(person, province, day)
    assert waiting.occupied(province) == [5]

    with data_store_calls() as calls:
        status = assignment.request_status(person, filed.request_id)
    assert status.position == 1
    assert _queue_queries(calls) <= 2  # the shard's head and the count in it (was 8 heads + 1)
    assert sum(1 for op, _, index in calls if op == "Query" and index is None) <= 1  # one shard's window counters (was 8)

    close_window()
    with data_store_calls() as calls:
        served = assignment.assign_province(province)
    assert len(served.assigned) == 1
    assert _queue_queries(calls) == 1  # was one per shard: 8
    assert sum(1 for op, *_ in calls if op == "BatchGetItem") == 2  # the shards' totals, the applicants
    assert waiting.occupied(province) == []  # its leaving emptied the shard

    with data_store_calls() as calls:  # the re-drive's look at a province where nobody waits
        assert not waiting.any_due(province, clock.now())
    assert [op for op, *_ in calls] == ["BatchGetItem"]


def test_a_request_filed_in_a_shard_that_was_emptied_is_still_found_and_served(province, monkeypatch):
    day = a_working_day()
    places_on(province, day, morning=2, afternoon=0)
    first, second = applicant(province=province), applicant(province=province)
    next_ids(monkeypatch, ids_in_shard(province, 3))
    file(first, province, day)
    close_window()
    assert len(assignment.assign_province(province).assigned) == 1
    assert waiting.occupied(province) == []

    next_ids(monkeypatch, ids_in_shard(province, 3))  # the new window's seed, the same shard
    later = file(second, province, day)
    assert waiting.occupied(province) == [3]
    assert waiting.any_due(province, clock.now()) is False  # its window is still open
    close_window()
    assert [r.request_id for r in waiting.due(province, clock.now())] == [later.request_id]
    assert waiting.any_due(province, clock.now())
    served = assignment.assign_province(province)
    assert len(served.assigned) == 1 and AssignmentRequest.get(later.request_id).status == "assigned"


@pytest.mark.parametrize("leaves_by", ["withdrawal", "assignment"])
def test_the_last_request_leaving_its_shard_does_not_hide_a_filing_that_lands_there_meanwhile(province, monkeypatch, leaves_by):
    day = a_working_day()
    places_on(province, day, morning=5, afternoon=0)
    last, newcomer = applicant(province=province), applicant(province=province)
    next_ids(monkeypatch, ids_in_shard(province, 6))
    leaving = file(last, province, day)
    if leaves_by == "assignment":
        close_window()
    next_ids(monkeypatch, ids_in_shard(province, 6))  # the newcomer lands in the same shard

    # The newcomer is filed while the last request's leaving is under way: after the leaving
    # read its request, before its transaction (with the shard's counts) is sent.
    arrived = []
    settle = waiting.settle_in

    def settle_while_someone_files(write, request):
        if not arrived:
            arrived.append(file(newcomer, province, day))
        settle(write, request)

    monkeypatch.setattr(waiting, "settle_in", settle_while_someone_files)
    if leaves_by == "withdrawal":
        assignment.withdraw_request(last, leaving.request_id)
    else:
        assert len(assignment.assign_province(province).assigned) == 1
    monkeypatch.setattr(waiting, "settle_in", settle)

    assert AssignmentRequest.get(leaving.request_id).status == ("withdrawn" if leaves_by == "withdrawal" else "assigned")
    assert waiting.occupied(province) == [6]
    assert [r.request_id for r in waiting.queue(province)] == [arrived[0].request_id]
    close_window()
    served = assignment.assign_province(province)
    assert len(served.assigned) == 1 and AssignmentRequest.get(arrived[0].request_id).status == "assigned"
    assert waiting.occupied(province) == []
    assert waiting.in_shards(province) == dict.fromkeys(range(waiting.SHARDS), 0)


def test_positions_across_windows_count_only_the_shards_where_someone_waits_and_stay_exact(province, monkeypatch):
    day = a_working_day()
    places_on(province, day, morning=0, afternoon=0)
    early = [applicant(province=province) for _ in range(3)]
    next_ids(monkeypatch, ids_in_shard(province, 1, 2) + ids_in_shard(province, 6, 1))
    filed = [file(p, province, day) for p in early]
    close_window()
    late = [applicant(province=province) for _ in range(5)]
    monkeypatch.setattr(assignment, "uuid", uuid)  # ids drawn as usual again
    filed += [file(p, province, day) for p in late]
    close_window()
    assert set(waiting.occupied(province)) >= {1, 6}
    truth = {r.request_id: i + 1 for i, r in enumerate(waiting.queue(province))}
    assert len(truth) == 8
    assert {f.request_id: assignment.request_status(p, f.request_id).position for p, f in zip(early + late, filed)} == truth


def _written(sent) -> set[str]:
    """The items the transactions among these calls write, as "table key"."""
    return {f"{op[kind]['TableName']} {json.dumps(op[kind]['Key'] if 'Key' in op[kind] else op[kind]['Item'], sort_keys=True)}"
            for name, kwargs in sent if name == "TransactWriteItems" for op in kwargs["TransactItems"] for kind in op}


def test_the_assigner_settling_a_shard_and_a_filing_in_it_write_no_item_in_common(province, monkeypatch):
    """DynamoDB cancels a transaction that overlaps another on one item (TransactionConflict):
    the shard's totals of requests filed and of requests that left are two items, so the
    assigner serving a shard never collides with people filing into it on a release day."""
    day = a_working_day()
    places_on(province, day, morning=1, afternoon=0)
    next_ids(monkeypatch, ids_in_shard(province, 2))
    file(applicant(province=province), province, day)
    close_window()
    newcomer = applicant(province=province)
    next_ids(monkeypatch, ids_in_shard(province, 2))
    assigning, filing = [], []
    with data_store_calls(assigning):
        assert len(assignment.assign_province(province).assigned) == 1
    with data_store_calls(filing):
        file(newcomer, province, day)
    assert len(_written(assigning)) == 8 and len(_written(filing)) == 5
    assert _written(assigning) & _written(filing) == set()
