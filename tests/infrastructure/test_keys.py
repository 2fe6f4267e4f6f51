"""Keys the authority controls, and an audit trail nobody rewrites, read off the synthesized template.

- Every table that holds personal data, every queue of the application and its dead-letter
  queue, and every log group is encrypted with a customer-managed KMS key of this stack that
  KMS rotates every year; the tables left on AWS's key are exactly the listed ones, each with why.
- No function can use a key it does not need: the tables key only for a personal-data table it
  uses (to write it only when it writes), the queues key only for a queue it uses, each only
  through that service; nobody's role has the logs key (CloudWatch Logs alone uses it).
- The audit table is write-once for every role: no UpdateItem, DeleteItem, BatchWriteItem or
  PartiQL write — except the retention run, whose UpdateItem may name only the record's key and
  the attributes it erases.
"""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Template

from chalicelib.resources import TABLES_WITHOUT_PERSONAL_DATA, stream_failures_queue_name
from infrastructure.stacks.permissions import AUDIT_TABLE, FunctionAccess, FunctionRoles, TableAccess, chalice_function_name, function_access
from tests.infrastructure.conftest import Synthesized

AUDIT_WRITES = {"dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:PartiQLUpdate",
                "dynamodb:PartiQLDelete", "dynamodb:PartiQLInsert", "dynamodb:*"}


def _key_id(synthesized: Synthesized, protects: str) -> str:
    return synthesized.logical_id(synthesized.stack.data_keys[protects])


def _arn_of(logical_id: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _function_statements(synthesized: Synthesized) -> dict[str, list[dict[str, Any]]]:
    resources = synthesized.json["Resources"]
    out = {}
    for resource in resources.values():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        role_id = resource["Properties"]["Role"]["Fn::GetAtt"][0]
        out[chalice_function_name(resource)] = [
            statement
            for policy in resources.values()
            if policy["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") and {"Ref": role_id} in policy["Properties"].get("Roles", [])
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        ]
    return out


def test_the_authoritys_keys_rotate_every_year_and_outlive_the_stack(synthesized):
    keys = synthesized.of_type("AWS::KMS::Key")
    aliases = {a["Properties"]["AliasName"]: a["Properties"]["TargetKeyId"] for a in synthesized.of_type("AWS::KMS::Alias").values()}
    assert {d.protects for d in synthesized.resources.data_keys} == {"tables", "queues", "logs"}
    for definition in synthesized.resources.data_keys:
        logical_id = _key_id(synthesized, definition.protects)
        key = keys[logical_id]
        assert key["Properties"]["EnableKeyRotation"] is True, definition.name
        assert key["Properties"].get("KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT", definition.name
        assert key["DeletionPolicy"] == key["UpdateReplacePolicy"] == "Retain", definition.name
        assert aliases[f"alias/{definition.name}"] == _arn_of(logical_id)
    # Every symmetric key of the stack rotates (the topics' keys too); the receipt key is asymmetric.
    for logical_id, key in keys.items():
        if key["Properties"].get("KeyUsage", "ENCRYPT_DECRYPT") == "ENCRYPT_DECRYPT":
            assert key["Properties"]["EnableKeyRotation"] is True, logical_id


def test_personal_data_tables_use_the_authoritys_key_and_only_the_listed_tables_do_not(synthesized):
    tables_key = _arn_of(_key_id(synthesized, "tables"))
    by_short_name = {d.short_name: d for d in synthesized.resources.tables}
    left_on_aws_key = set()
    for short_name, table in synthesized.stack.tables.items():
        sse = synthesized.json["Resources"][synthesized.logical_id(table)]["Properties"]["SSESpecification"]
        assert sse["SSEEnabled"] is True, short_name
        if sse.get("KMSMasterKeyId") == tables_key:
            assert sse["SSEType"] == "KMS", short_name
        else:
            assert "KMSMasterKeyId" not in sse, short_name  # DynamoDB's AWS-managed key, not some other key
            left_on_aws_key.add(short_name)
        assert by_short_name[short_name].personal_data == (short_name not in left_on_aws_key)
    assert left_on_aws_key == set(TABLES_WITHOUT_PERSONAL_DATA)
    assert all(len(reason) > 40 for reason in TABLES_WITHOUT_PERSONAL_DATA.values())
    # The tables that name people are among those encrypted with the authority's key.
    assert {"residents", "applicants", "identity-claims", "audit", "appointments", "notifications",
            "assignment-requests", "web-sessions", "sign-in-challenges", "staff", "idempotency"}.isdisjoint(left_on_aws_key)


def test_every_queue_and_dead_letter_queue_that_carries_personal_data_uses_an_authoritys_rotating_key(synthesized):
    queues = {q["Properties"]["QueueName"]: q for q in synthesized.of_type("AWS::SQS::Queue").values()}
    queues_key = _arn_of(_key_id(synthesized, "queues"))
    for definition in synthesized.resources.queues:
        for name in (definition.name, definition.dead_letter_name):
            assert queues[name]["Properties"]["KmsMasterKeyId"] == queues_key, name
    # A bounce names the address: SNS's dead letters of the feedback topic are under the topic's own key.
    email = synthesized.stack.email
    feedback = queues[f"{email.topic_name}-dlq"]["Properties"]
    assert feedback["KmsMasterKeyId"] == _arn_of(synthesized.logical_id(email.key))
    key_policy = synthesized.json["Resources"][synthesized.logical_id(email.key)]["Properties"]["KeyPolicy"]["Statement"]
    sns = [s for s in key_policy if s.get("Principal") == {"Service": "sns.amazonaws.com"}]
    assert len(sns) == 1 and "aws:SourceArn" in sns[0]["Condition"]["ArnEquals"]
    # The only queue left on SQS's key carries stream positions (shard and sequence numbers), no data.
    others = {name for name, q in queues.items() if "KmsMasterKeyId" not in q["Properties"]}
    assert others == {stream_failures_queue_name()}


def test_every_log_group_is_encrypted_with_the_logs_key_which_only_cloudwatch_logs_may_use(synthesized):
    logs_key_id = _key_id(synthesized, "logs")
    groups = synthesized.of_type("AWS::Logs::LogGroup")
    assert len(groups) >= len(function_access()) + 2  # the functions', the API's, SMS delivery
    for logical_id, group in groups.items():
        assert group["Properties"]["KmsKeyId"] == _arn_of(logs_key_id), logical_id
    statements = synthesized.json["Resources"][logs_key_id]["Properties"]["KeyPolicy"]["Statement"]
    [logs] = [s for s in statements if "Service" in s.get("Principal", {})]
    assert json.dumps(logs["Principal"]["Service"]).count("logs.") == 1
    patterns = json.dumps(logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"])
    assert f"/aws/lambda/{synthesized.prefix}/*" in patterns and f"/aws/apigateway/{synthesized.prefix}/*" in patterns
    # No function's role may use the logs key: a log line is never read back by the service.
    for name, statements in _function_statements(synthesized).items():
        assert logs_key_id not in json.dumps(statements), name


def test_no_function_can_use_a_key_it_does_not_need_nor_outside_its_service(synthesized):
    tables_key, queues_key = _key_id(synthesized, "tables"), _key_id(synthesized, "queues")
    personal = {d.short_name for d in synthesized.resources.tables if d.personal_data}
    users = {"tables": set(), "queues": set()}
    for name, statements in _function_statements(synthesized).items():
        access = function_access()[name]
        for statement in statements:
            actions = _listed(statement["Action"])
            if not any(a.startswith("kms:") for a in actions):
                continue
            [resource] = _listed(statement["Resource"])
            if resource == _arn_of(tables_key):
                service, which = "dynamodb", "tables"
            elif resource == _arn_of(queues_key):
                service, which = "sqs", "queues"
            else:
                assert set(actions) <= {"kms:Sign", "kms:GetPublicKey"}, (name, actions)  # the receipt key
                continue
            users[which].add(name)
            via = json.dumps(statement["Condition"]["StringEquals"]["kms:ViaService"])
            assert f"{service}." in via and ".amazonaws.com" in via, (name, via)
            assert set(actions) <= {"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"}, (name, actions)
            if which == "tables" and "kms:Encrypt" in actions:
                writes = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"}
                assert any(use.actions & writes for t, use in access.tables.items() if t in personal) or access.erases_audit, name
    expected_tables = {n for n, a in function_access().items() if set(a.tables) & personal or a.reads_stream in personal or a.erases_audit}
    expected_queues = {n for n, a in function_access().items() if a.sends_to or a.reads_from}
    assert users == {"tables": expected_tables, "queues": expected_queues}
    # Functions that touch neither have no key at all (e.g. the schedules that only count).
    assert "summarise_availability" not in users["tables"]  # reads the slots' stream: no personal data


def test_no_role_may_rewrite_or_delete_an_audit_record(synthesized):
    audit_arn = _arn_of(synthesized.logical_id(synthesized.stack.tables[AUDIT_TABLE]))
    for name, statements in _function_statements(synthesized).items():
        for statement in statements:
            if statement["Effect"] != "Allow" or statement["Resource"] not in (audit_arn, [audit_arn], "*"):
                continue
            writes = set(_listed(statement["Action"])) & AUDIT_WRITES
            if function_access()[name].erases_audit:
                assert writes <= {"dynamodb:UpdateItem"} and (not writes or "Condition" in statement), name
            else:
                assert not writes, (name, writes)


# -- the retention run's one exception, on a stack of its own --------------------------------


def _probe_roles(access: dict[str, FunctionAccess]) -> dict[str, Any]:
    stack = cdk.Stack(cdk.App(), "Probe")
    key = kms.Key(stack, "TablesKey", enable_key_rotation=True)
    audit = dynamodb.Table(
        stack, "Audit", partition_key=dynamodb.Attribute(name="subject", type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name="entry", type=dynamodb.AttributeType.STRING),
        encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED, encryption_key=key,
    )
    FunctionRoles(stack, "Roles", prefix="probe", tables={AUDIT_TABLE: audit}, table_indexes={}, user_pool=None,
                  email_identity=None, queues={}, secrets={}, access=access)
    return Template.from_stack(stack).to_json()


def test_the_retention_run_may_only_erase_the_personal_values_of_an_audit_record():
    template = _probe_roles({"apply_retention": FunctionAccess(tables={AUDIT_TABLE: TableAccess.of("Query")}, erases_audit=True)})
    [policy] = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Policy"]
    updates = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if "dynamodb:UpdateItem" in _listed(s["Action"])]
    assert updates == [{
        "Action": "dynamodb:UpdateItem",
        "Condition": {
            "ForAllValues:StringEquals": {"dynamodb:Attributes": ["subject", "entry", "before", "after", "reason", "retention_due"]},
            "StringEqualsIfExists": {"dynamodb:ReturnValues": "NONE"},
        },
        "Effect": "Allow",
        "Resource": updates[0]["Resource"],
    }]
    # who, what and when (actor_id, actor_role, action, at) are not among the attributes it may name
    assert not {"actor_id", "actor_role", "action", "at", "lookup"} & set(updates[0]["Condition"]["ForAllValues:StringEquals"]["dynamodb:Attributes"])
    every_action = {a for s in policy["Properties"]["PolicyDocument"]["Statement"] for a in _listed(s["Action"])}
    assert not every_action & (AUDIT_WRITES - {"dynamodb:UpdateItem"})
    assert {"kms:Encrypt", "kms:GenerateDataKey"} <= every_action  # it writes the encrypted table


@pytest.mark.parametrize("action", ["UpdateItem", "DeleteItem", "BatchWriteItem", "PartiQLUpdate", "PartiQLDelete"])
def test_no_other_function_is_allowed_to_write_the_audit_table_but_by_adding_a_record(action):
    with pytest.raises(ValueError, match="append-only"):
        _probe_roles({"api_handler": FunctionAccess(tables={AUDIT_TABLE: TableAccess.of("PutItem", action)})})


# -- the receipt key: rotated by hand ------------------------------------------------------------


def test_rotating_the_receipt_key_makes_a_new_key_and_keeps_the_old_one_and_its_receipts_genuine(synthesized):
    from chalicelib.resources import SigningKeyDefinition
    from infrastructure.stacks.appointments import AppointmentsStack
    from infrastructure.stacks.deployment import DeploymentSettings

    stack = cdk.Stack(cdk.App(), "Probe")
    stack.prefix = "probe"
    definition = SigningKeyDefinition("probe-receipts", "Signs receipts")
    first = AppointmentsStack._signing_key(stack, definition, 1)
    second = AppointmentsStack._signing_key(stack, definition, 2)
    template = Template.from_stack(stack).to_json()["Resources"]
    aliases = sorted(r["Properties"]["AliasName"] for r in template.values() if r["Type"] == "AWS::KMS::Alias")
    assert aliases == ["alias/probe-receipts", "alias/probe-receipts-2"]
    for key in (first, second):  # the old key is kept: what it signed stays verifiable
        assert template[stack.get_logical_id(key.node.default_child)]["DeletionPolicy"] == "Retain"
    # The old public half reaches every function, which honours it (tests/services/test_receipts.py).
    assert DeploymentSettings(receipt_previous_public_keys=("MFkwEwYHKoZIzj0CAQ==",)).receipt_previous_public_keys
    with pytest.raises(ValueError, match="base64"):
        DeploymentSettings(receipt_previous_public_keys=("not a key!",))
    for resource in synthesized.json["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            assert resource["Properties"]["Environment"]["Variables"]["RECEIPT_PREVIOUS_PUBLIC_KEYS"] == ""


def test_the_audit_tables_own_policy_denies_deleting_or_rewriting_records_to_every_principal(synthesized):
    audit = synthesized.json["Resources"][synthesized.logical_id(synthesized.stack.tables[AUDIT_TABLE])]
    statements = audit["Properties"]["ResourcePolicy"]["PolicyDocument"]["Statement"]
    assert all(s["Effect"] == "Deny" and s["Principal"] == {"AWS": "*"} for s in statements)
    denied = {a for s in statements if "Condition" not in s for a in _listed(s["Action"])}
    erasers = [n for n, a in function_access().items() if a.erases_audit]
    assert {"dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:PartiQLUpdate", "dynamodb:PartiQLDelete"} <= denied
    [update] = [s for s in statements if _listed(s["Action"]) == ["dynamodb:UpdateItem"]]
    if erasers:  # the retention run's role alone is let through (its own policy limits the attributes)
        assert len(_listed(update["Condition"]["ArnNotEquals"]["aws:PrincipalArn"])) == len(erasers)
    else:
        assert "Condition" not in update
