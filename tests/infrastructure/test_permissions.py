"""Least privilege, read off the synthesized template and held to the code.

- Every function runs as a role of its own, with a fixed name, and nothing else may act for it.
- The synthesized policies grant exactly `permissions.function_access()`: no wildcard action,
  no wildcard resource except where AWS leaves no choice (permissions.WILDCARDS), no grant the
  table does not justify, the audit table append-only, no Scan.
- `function_access()` is what the code does: each entry point of `app.py`, followed through the
  code (`code_reach.py`), reaches exactly the table actions, indexes, Cognito calls, messages,
  queues and secrets its role grants; a use without a grant and a grant without a use both fail.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from chalicelib.adapters.tables import ALL_TABLES
from chalicelib.resources import edevlet_client_secret_name, receipt_signing_key_name, resources
from chalicelib.settings import family_key_secret_name
from chalicelib.settings import resource_prefix
from infrastructure.stacks.appointments import _PLACEHOLDER_ROLE_ARN
from infrastructure.stacks.permissions import (
    AUDIT_ERASABLE,
    AUDIT_ERASER,
    AUDIT_TABLE,
    COGNITO_PUBLIC_OPERATIONS,
    WILDCARDS,
    FunctionAccess,
    FunctionRoles,
    TableAccess,
    chalice_function_name,
    check_access,
    deployed_function_name,
    function_access,
)
from tests.infrastructure.code_reach import Code, Reach
from tests.infrastructure.conftest import Synthesized

# A grant, in one vocabulary for the template, the table and the code:
# ("table", short name, action) ("index", short name, index name) ("cognito", action) ("sms",)
# ("email",) ("send", queue name) ("consume", queue name) ("secret", name) ("logs", function name)
# ("key", key name, action)
Grant = tuple


# Grants the Lambda runtime needs for a function, not its code: the event source's queue, the log
# group, X-Ray (when tracing is on); and the data keys, which follow from the tables and queues it
# uses (DynamoDB and SQS call KMS, the code never does; test_keys.py checks them).
RUNTIME_GRANTS = {"consume", "stream", "stream-list", "stream-failures", "logs", "xray", "datakey"}


def _expected(function: str, access: FunctionAccess, log_group: str, traced: bool = False) -> set[Grant]:
    grants: set[Grant] = {("logs", log_group)} | ({("xray",)} if traced else set())
    for table, use in access.tables.items():
        grants |= {("table", table, action) for action in use.actions}
        grants |= {("index", table, index) for index in use.indexes}
    grants |= {("cognito", action) for action in access.cognito}
    grants |= {("sms",)} if access.sms else set()
    grants |= {("email",)} if access.email else set()
    grants |= {("send", queue) for queue in access.sends_to}
    grants |= {("consume", access.reads_from)} if access.reads_from else set()
    grants |= {("stream", access.reads_stream), ("stream-list",), ("stream-failures",)} if access.reads_stream else set()
    grants |= {("secret", name) for name in access.secrets}
    grants |= {("key", name, action) for name, actions in access.keys.items() for action in actions}
    return grants | _data_key_grants(access)


# The tables and queues encrypted with the authority's keys (test_keys.py checks the template).
PERSONAL_TABLES = {t.short_name for t in resources().tables if t.personal_data}
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"}


def _data_key_grants(access: FunctionAccess) -> set[Grant]:
    """A function may use the tables key when it uses a personal-data table (its items or its
    stream), to write only when it writes one; the queues key when it sends to or reads a queue."""
    grants: set[Grant] = set()
    personal = {t: use for t, use in access.tables.items() if t in PERSONAL_TABLES}
    if personal or access.reads_stream in PERSONAL_TABLES or (access.erases_audit and AUDIT_TABLE in PERSONAL_TABLES):
        grants |= {("datakey", "tables", "Decrypt"), ("datakey", "tables", "DescribeKey")}
    if any(use.actions & WRITES for use in personal.values()) or access.erases_audit:
        grants |= {("datakey", "tables", "Encrypt"), ("datakey", "tables", "GenerateDataKey")}
    if access.sends_to:
        grants |= {("datakey", "queues", "Decrypt"), ("datakey", "queues", "GenerateDataKey")}
    if access.reads_from:
        grants |= {("datakey", "queues", "Decrypt")}
    if access.erases_audit:
        grants |= {("table", AUDIT_TABLE, "UpdateItem")}
    return grants


# -- the template ------------------------------------------------------------------------------


def _functions(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    """Chalice function name -> its `AWS::Serverless::Function` resource."""
    found = synthesized.json["Resources"].items()
    return {chalice_function_name(r): r for _, r in found if r["Type"] == "AWS::Serverless::Function"}


def _role_id(function: dict[str, Any]) -> str:
    return function["Properties"]["Role"]["Fn::GetAtt"][0]


def _statements(synthesized: Synthesized, role_id: str) -> list[dict[str, Any]]:
    """Every statement granted to a role: inline policies and managed policies attached to it."""
    statements = []
    for resource in synthesized.json["Resources"].values():
        if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            if {"Ref": role_id} in resource["Properties"].get("Roles", []):
                statements.extend(resource["Properties"]["PolicyDocument"]["Statement"])
    return statements


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _names(synthesized: Synthesized) -> dict[str, Grant]:
    """Logical id of a table, queue, secret or the user pool -> how a grant names it."""
    stack = synthesized.stack
    names: dict[str, Grant] = {synthesized.logical_id(stack.user_pool): ("pool",)}
    names |= {synthesized.logical_id(table): ("table", short) for short, table in stack.tables.items()}
    names |= {synthesized.logical_id(queue): ("queue", name) for name, queue in stack.queues.items()}
    if stack.stream_failures is not None:
        names[synthesized.logical_id(stack.stream_failures)] = ("stream-failures",)
    names |= {stack.get_logical_id(secret.node.default_child): ("secret", name) for name, secret in stack.secrets.items()}
    names |= {stack.get_logical_id(key.node.default_child): ("key", name) for name, key in stack.signing_keys.items()}
    names |= {stack.get_logical_id(key.node.default_child): ("datakey", protects) for protects, key in stack.data_keys.items()}
    return names


def _granted(synthesized: Synthesized, role_id: str) -> set[Grant]:
    """What a role's Allow statements grant, in the grant vocabulary; anything else fails."""
    names = _names(synthesized)
    grants: set[Grant] = set()
    for statement in _statements(synthesized, role_id):
        if statement["Effect"] != "Allow":
            continue
        for action in _listed(statement["Action"]):
            service, name = action.split(":")
            for resource in _listed(statement["Resource"]):
                grants.add(_grant(service, name, resource, names))
    return grants


def _grant(service: str, action: str, resource: Any, names: dict[str, Grant]) -> Grant:
    text = json.dumps(resource)
    if service == "dynamodb":
        if action == "ListStreams" and resource == "*":
            return ("stream-list",)
        if action in ("DescribeStream", "GetRecords", "GetShardIterator"):
            kind, table = names[resource["Fn::GetAtt"][0]]
            assert kind == "table" and resource["Fn::GetAtt"][1] == "StreamArn", text
            return ("stream", table)
        if "Fn::GetAtt" in resource:
            kind, table = names[resource["Fn::GetAtt"][0]]
            assert kind == "table", text
            return ("table", table, action)
        arn, suffix = resource["Fn::Join"][1]
        kind, table = names[arn["Fn::GetAtt"][0]]
        assert action == "Query" and suffix.startswith("/index/"), text
        return ("index", table, suffix.removeprefix("/index/"))
    if service == "cognito-idp":
        assert names[resource["Fn::GetAtt"][0]] == ("pool",), text
        return ("cognito", action)
    if service == "sns" and action == "Publish" and resource == "*":
        return ("sms",)
    if service == "ses" and action == "SendRawEmail" and (":identity/" in text or ":configuration-set/" in text):
        return ("email",)  # the sender's identity and the configuration set: test_email.py wants both
    if service == "sqs" and names.get(resource["Fn::GetAtt"][0]) == ("stream-failures",):
        assert action in ("SendMessage", "GetQueueAttributes", "GetQueueUrl"), action
        return ("stream-failures",)
    if service == "sqs":
        kind, queue = names[resource["Fn::GetAtt"][0]]
        assert kind == "queue", text
        if action in ("GetQueueUrl", "SendMessage"):
            return ("send", queue)
        assert action in ("ReceiveMessage", "DeleteMessage", "GetQueueAttributes"), action
        return ("consume", queue)
    if service == "secretsmanager" and action == "GetSecretValue":
        kind, secret = names[resource["Ref"]]
        return ("secret", secret)
    if service == "kms" and names.get(resource["Fn::GetAtt"][0], ("",))[0] == "datakey":
        kind, protects = names[resource["Fn::GetAtt"][0]]
        return ("datakey", protects, action)
    if service == "kms" and action in ("Sign", "GetPublicKey"):
        kind, key = names[resource["Fn::GetAtt"][0]]
        assert kind == "key" and resource["Fn::GetAtt"][1] == "Arn", text
        return ("key", key, action)
    if service == "logs" and action in ("CreateLogGroup", "CreateLogStream", "PutLogEvents"):
        tail = resource["Fn::Join"][1][-1]
        assert tail.startswith(":log-group:") and tail.endswith(":*") and tail.count("*") == 1, text
        return ("logs", tail.removeprefix(":log-group:").removesuffix(":*"))
    if service == "xray" and action in ("PutTraceSegments", "PutTelemetryRecords") and resource == "*":
        return ("xray",)
    raise AssertionError(f"a grant of {service}:{action} on {text} that no use explains")


def _log_group(synthesized: Synthesized, function: dict[str, Any]) -> str:
    """The log group a function writes to: its LoggingConfig's, or Lambda's default."""
    configured = (function["Properties"].get("LoggingConfig") or {}).get("LogGroup")
    if configured is None:
        return f"/aws/lambda/{function['Properties']['FunctionName']}"
    if isinstance(configured, dict):
        return synthesized.json["Resources"][configured["Ref"]]["Properties"]["LogGroupName"]
    return configured


def _expected_of(synthesized: Synthesized, name: str, function: dict[str, Any]) -> set[Grant]:
    traced = function["Properties"].get("Tracing") == "Active"
    return _expected(name, function_access()[name], _log_group(synthesized, function), traced)


def _each_action(synthesized: Synthesized, role_id: str):
    for statement in _statements(synthesized, role_id):
        for action in _listed(statement["Action"]):
            for resource in _listed(statement["Resource"]):
                yield statement["Effect"], action, resource


def _per_action_grants(synthesized: Synthesized, role_id: str) -> dict[str, set[str]]:
    """Table short name -> the DynamoDB actions a role has on its items."""
    names = _names(synthesized)
    out: dict[str, set[str]] = {}
    for effect, action, resource in _each_action(synthesized, role_id):
        if effect == "Allow" and action.startswith("dynamodb:") and "Fn::GetAtt" in resource:
            out.setdefault(names[resource["Fn::GetAtt"][0]][1], set()).add(action.split(":")[1])
    return out


def test_every_function_runs_as_a_role_of_its_own_described_in_the_table(synthesized):
    functions = _functions(synthesized)
    access = function_access()
    assert set(functions) == set(access)  # a function nobody described would have no role at all
    roles = synthesized.of_type("AWS::IAM::Role")
    role_ids = {name: _role_id(function) for name, function in functions.items()}
    assert len(set(role_ids.values())) == len(functions)  # one role each
    for name, function in functions.items():
        role_id = role_ids[name]
        role = synthesized.stack.function_roles.roles[name]
        assert role_id == synthesized.logical_id(role), name
        assert roles[role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
            {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}
        ], name
        assert "ManagedPolicyArns" not in roles[role_id]["Properties"], name  # no AWS-wide managed policy
        policy_id = synthesized.stack.get_logical_id(role.node.find_child("DefaultPolicy").node.default_child)
        assert policy_id in function["DependsOn"], name  # permissions before the first invocation
        assert function["Properties"]["FunctionName"] == deployed_function_name(synthesized.prefix, name)
    assert _PLACEHOLDER_ROLE_ARN not in json.dumps(synthesized.json)
    assert {logical_id for logical_id in roles if "chalice" in logical_id.lower()} == set()


def test_each_role_grants_exactly_what_the_table_says(synthesized):
    for name, function in _functions(synthesized).items():
        granted = _granted(synthesized, _role_id(function))
        expected = _expected_of(synthesized, name, function)
        assert granted == expected, (name, {"unused": granted - expected, "missing": expected - granted})


def test_no_wildcard_but_where_aws_requires_one(synthesized):
    for name, function in _functions(synthesized).items():
        for effect, action, resource in _each_action(synthesized, _role_id(function)):
            assert "*" not in action, (name, action)
            if effect == "Deny":
                continue  # a Deny narrows what the Allows grant
            if "*" in json.dumps(resource):
                assert action in WILDCARDS, (name, action, resource)
                if action == "sns:Publish":
                    assert resource == "*"
                elif action.startswith("logs:"):
                    assert resource["Fn::Join"][1][-1] == f":log-group:{_log_group(synthesized, function)}:*"
                else:
                    assert resource == "*" and function["Properties"].get("Tracing") == "Active", (name, action)


def test_sms_is_granted_for_phone_numbers_only(synthesized):
    for name, function in _functions(synthesized).items():
        actions = list(_each_action(synthesized, _role_id(function)))
        if ("Allow", "sns:Publish", "*") in actions:
            denied = [r for e, a, r in actions if e == "Deny" and a == "sns:Publish"]
            assert len(denied) == 1 and ":sns:*:*:*" in json.dumps(denied[0]), name


def test_the_audit_table_is_append_only_and_nothing_scans(synthesized):
    writers = 0
    for name, function in _functions(synthesized).items():
        tables = _per_action_grants(synthesized, _role_id(function))
        allowed = {"PutItem", "Query", "UpdateItem"} if name == AUDIT_ERASER else {"PutItem", "Query"}
        assert tables.get(AUDIT_TABLE, set()) <= allowed, name
        writers += "PutItem" in tables.get(AUDIT_TABLE, set())
        assert not any("Scan" in actions for actions in tables.values()), name
    assert writers >= 2  # the API and the workers that change state do write the trail


def test_the_retention_run_may_only_erase_the_values_of_audit_records(synthesized):
    """Its UpdateItem on the audit table is limited by IAM to the keys and the erased attributes
    (domain/retention.AUDIT_ERASED_ATTRIBUTES): never who, what or when."""
    names = _names(synthesized)
    role_id = _role_id(_functions(synthesized)[AUDIT_ERASER])
    on_audit = [
        s for s in _statements(synthesized, role_id)
        if any("Fn::GetAtt" in r and names.get(r["Fn::GetAtt"][0]) == ("table", AUDIT_TABLE) for r in _listed(s["Resource"]))
    ]
    [update] = [s for s in on_audit if "dynamodb:UpdateItem" in _listed(s["Action"])]
    assert _listed(update["Action"]) == ["dynamodb:UpdateItem"]
    assert update["Condition"]["ForAllValues:StringEquals"] == {"dynamodb:Attributes": ["subject", "entry", *AUDIT_ERASABLE]}
    assert not {"actor_id", "actor_role", "action", "at", "lookup"} & set(AUDIT_ERASABLE)


def test_the_stack_refuses_a_table_that_lets_anyone_change_the_audit_trail():
    for action in ("UpdateItem", "DeleteItem", "BatchWriteItem"):
        wrong = FunctionAccess(tables={AUDIT_TABLE: TableAccess.of("PutItem", action)})
        with pytest.raises(ValueError, match="append-only"):
            check_access("api_handler", wrong, {AUDIT_TABLE: object()}, {}, {}, {})


def test_a_function_given_a_log_group_of_its_own_may_write_there_only():
    stack = cdk.Stack(cdk.App(), "Probe")
    roles = FunctionRoles(
        stack, "Roles", prefix="probe", tables={}, table_indexes={}, user_pool=None, email_identity=None,
        queues={}, secrets={}, access={"sweep_no_shows": FunctionAccess()},
    )
    roles.use_log_group("sweep_no_shows", "/aws/lambda/probe/SweepNoShows")
    [policy] = Template.from_stack(stack).find_resources("AWS::IAM::Policy").values()
    [statement] = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Resource"]["Fn::Join"][1][-1] == ":log-group:/aws/lambda/probe/SweepNoShows:*"
    with pytest.raises(ValueError):
        roles.use_log_group("no_such_function", "/elsewhere")


def test_each_queue_is_read_by_the_function_of_its_event_source_only(synthesized):
    names = _names(synthesized)
    for name, function in _functions(synthesized).items():
        sources = {
            names[event["Properties"]["Queue"]["Fn::GetAtt"][0]][1]
            for event in (function["Properties"].get("Events") or {}).values()
            if event["Type"] == "SQS"
        }
        assert sources == ({function_access()[name].reads_from} - {None}), name


def test_each_stream_is_read_by_the_function_of_its_event_source_only(synthesized):
    names = _names(synthesized)
    for name, function in _functions(synthesized).items():
        sources = {
            names[event["Properties"]["Stream"]["Fn::GetAtt"][0]][1]
            for event in (function["Properties"].get("Events") or {}).values()
            if event["Type"] == "DynamoDB"
        }
        assert sources == ({function_access()[name].reads_stream} - {None}), name


# -- the code ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def code() -> Code:
    return Code()


_TABLE_OF_MODEL = {model.__name__: model.Meta.table_name.removeprefix(resource_prefix() + "-") for model in ALL_TABLES}
# Which queue a function sends to: the queue-name function its code calls.
_QUEUE_NAMES = {
    "chalicelib.resources.notifications_queue_name": "notifications",
    "chalicelib.resources.assignments_queue_name": "assignments",
    "chalicelib.resources.batch_jobs_queue_name": "batch-jobs",
}
# Which secret a function reads: the wiring function that reads it.
_SECRET_READERS = {
    "chalicelib.wiring._edevlet_client_secret": edevlet_client_secret_name(),
    "chalicelib.wiring.family_key": family_key_secret_name(),
}
# Which KMS key a function uses: the wiring function that builds the adapter holding it.
_KEY_HOLDERS = {"chalicelib.wiring.receipt_signer": receipt_signing_key_name()}


def _used(function: str, reach: Reach) -> set[Grant]:
    """What the code of a function reaches, in the grant vocabulary."""
    used: set[Grant] = set()
    for model, operations in reach.tables().items():
        for action, index in operations:
            table = _TABLE_OF_MODEL[model]
            used.add(("index", table, index) if index else ("table", table, action))
    public = {operation.lower() for operation in COGNITO_PUBLIC_OPERATIONS}
    for service, operation in reach.aws():
        if service == "cognito-idp":
            if operation.lower() not in public:
                used.add(("cognito", operation))
        elif (service, operation) == ("sns", "Publish"):
            used.add(("sms",))
        elif (service, operation) == ("ses", "SendRawEmail"):
            used.add(("email",))
        elif service == "sqs" and operation in ("GetQueueUrl", "SendMessage", "SendMessageBatch"):
            queues = {f"{resource_prefix()}-{q}" for qn, q in _QUEUE_NAMES.items() if qn in reach.functions}
            assert queues, (function, "sends to a queue the reading cannot name")
            used |= {("send", queue) for queue in queues}
        elif (service, operation) == ("secretsmanager", "GetSecretValue"):
            secrets = {name for qn, name in _SECRET_READERS.items() if qn in reach.functions}
            assert secrets, (function, "reads a secret the reading cannot name")
            used |= {("secret", name) for name in secrets}
        elif service == "kms" and operation in ("Sign", "GetPublicKey"):
            keys = {name for qn, name in _KEY_HOLDERS.items() if qn in reach.functions}
            assert keys, (function, "uses a KMS key the reading cannot name")
            used |= {("key", name, operation) for name in keys}
        else:
            raise AssertionError(f"{function} calls {service}:{operation}, which no grant vocabulary covers yet")
    return used


def test_the_table_is_what_each_function_reaches_in_the_code(code):
    entries = code.entry_points()
    access = function_access()
    assert set(entries) == set(access)
    for function, starts in entries.items():
        reach = code.reach(starts)
        assert reach.unattributed == [], (function, "writes whose model the reading cannot tell: annotate them")
        used = _used(function, reach)
        expected = {g for g in _expected(function, access[function], "") if g[0] not in RUNTIME_GRANTS}
        assert used == expected, (function, {"granted, never used": expected - used, "used, not granted": used - expected})


def test_no_code_path_scans_a_table(code):
    for function, starts in code.entry_points().items():
        assert not [u for u in code.reach(starts).uses if u[0] == "table" and u[2] == "Scan"], function


def test_the_reading_follows_calls_types_and_transactions_and_owns_up_to_what_it_cannot_tell(tmp_path: Path):
    """The static reading itself, on a small app: it must be able to fail."""
    (tmp_path / "chalicelib" / "services").mkdir(parents=True)
    (tmp_path / "app.py").write_text(textwrap.dedent("""
        from chalice import Chalice
        from chalicelib.services import jobs
        app = Chalice(app_name="probe")

        @app.schedule("rate(1 hour)")
        def tidy(event):
            return jobs.tidy()

        @app.schedule("rate(1 hour)")
        def careless(event):
            return jobs.careless(None)
    """))
    (tmp_path / "chalicelib" / "services" / "jobs.py").write_text(textwrap.dedent("""
        from chalicelib.adapters.tables import Applicant, AuditRecord, Appointment, DemandMode
        from chalicelib.adapters import dynamo
        from pynamodb.transactions import TransactGet

        def _entry() -> AuditRecord:
            return AuditRecord("s", "e")

        def tidy():
            person = Applicant.get("a")
            for appointment in Appointment.by_applicant.query("a"):
                appointment.update(actions=[Appointment.status.set("x")])
            with dynamo.NamedTransaction() as write:
                write.save("audit", _entry())
            with TransactGet() as read:
                read.get(DemandMode, "d", "s")
            return person

        def careless(item):
            item.save()
    """))
    code = Code(tmp_path)
    tidy = code.reach({"app.tidy"})
    assert tidy.tables() == {
        "Applicant": {("GetItem", None)},
        "Appointment": {("Query", "by-applicant"), ("UpdateItem", None)},
        "AuditRecord": {("PutItem", None)},
        "DemandMode": {("GetItem", None)},
    }
    assert tidy.unattributed == []
    careless = code.reach({"app.careless"})
    assert careless.tables() == {} and careless.unattributed == ["chalicelib/services/jobs.py:20 .save()"]
