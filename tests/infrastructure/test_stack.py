"""The CDK stack, synthesized offline once per test session (conftest.py), and its agreement with the local stack.

The key check: for every table, the keys, attribute definitions and indexes in the template
are the ones `chalicelib/local/provision.py` creates in the emulator (both are built from
`chalicelib.resources`; this proves neither of them drifts).

Synthesis packages the real Chalice app (`app.py`) with its dependencies; the first run in a
checkout downloads Lambda wheels from PyPI (Chalice caches them in .chalice/deployments).
"""

from __future__ import annotations

import copy
import json
import os
from typing import Any

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")  # before jsii starts

import aws_cdk as cdk  # noqa: E402
import boto3  # noqa: E402
import pytest  # noqa: E402
from aws_cdk.assertions import Match, Template  # noqa: E402

from chalicelib.domain.identity import PASSWORD_POLICY  # noqa: E402
from chalicelib.local.emulator import Emulator  # noqa: E402
from chalicelib.local.provision import LocalResources, cognito_password_policy, provision  # noqa: E402
from chalicelib.resources import (  # noqa: E402
    IndexDefinition,
    KeyAttribute,
    Resources,
    TableDefinition,
    batch_jobs_queue_name,
    edevlet_client_secret_name,
    receipt_signing_key_name,
    notifications_queue_name,
    stand_in_stream_arn,
    stream_failures_queue_name,
)
from tests.aws import fresh_account_session  # noqa: E402
from tests.infrastructure.synthesis import Synthesized  # noqa: E402
from infrastructure.stacks.appointments import (  # noqa: E402
    REPO_ROOT,
    AppointmentsStack,
    STREAM_EVENT_SETTINGS,
    _sqs_event_queue_names,
    durable_table,
    stream_event_tables,
    read_chalice_stage_config,
    sqs_partial_batch_overrides,
)

FUNCTION_ENVIRONMENT = {
    "RESOURCE_PREFIX",
    "USER_POOL_ID",
    "USER_POOL_CLIENT_ID",
    "EMAIL_SENDER",
    "SMS_SENDER_ID",
    "POWERTOOLS_SERVICE_NAME",
    "LOG_LEVEL",
    "EDEVLET_ISSUER",
    "EDEVLET_CLIENT_ID",
    "EDEVLET_REDIRECT_URI",
    "EDEVLET_CLIENT_SECRET_NAME",
    "PORTAL_URL",  # the SMS link to the portal, from the Chalice stage's environment_variables
}


@pytest.fixture(scope="module")
def emulator():
    with Emulator(port=0) as running:
        yield running


@pytest.fixture(scope="module")
def local(described: Resources, emulator) -> tuple[boto3.session.Session, LocalResources, str]:
    """The same resources, provisioned in the emulator."""
    session = fresh_account_session()
    return session, provision(session, described, endpoint_url=emulator.endpoint_url), emulator.endpoint_url


# -- tables -------------------------------------------------------------------------------


def _tables_by_name(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    return {t["Properties"]["TableName"]: t for t in synthesized.of_type("AWS::DynamoDB::Table").values()}


def table_shape(table: dict[str, Any]) -> dict[str, Any]:
    """Keys, attribute definitions, global indexes (keys and projection) and stream (its view) of
    a table, from a CloudFormation template, a `create_table` call or a `describe_table` answer, in
    one order."""

    def projection(index: dict[str, Any]) -> dict[str, Any]:
        spec = index.get("Projection") or {}
        return {
            "ProjectionType": spec.get("ProjectionType", "ALL"),
            "NonKeyAttributes": sorted(spec.get("NonKeyAttributes") or []),
        }

    return {
        "Stream": (table.get("StreamSpecification") or {}).get("StreamViewType"),
        "KeySchema": table["KeySchema"],
        "AttributeDefinitions": sorted(table["AttributeDefinitions"], key=lambda a: a["AttributeName"]),
        "GlobalSecondaryIndexes": sorted(
            (
                {"IndexName": i["IndexName"], "KeySchema": i["KeySchema"], "Projection": projection(i)}
                for i in table.get("GlobalSecondaryIndexes") or []
            ),
            key=lambda i: i["IndexName"],
        ),
    }


def test_there_is_one_table_per_definition(synthesized):
    assert sorted(_tables_by_name(synthesized)) == sorted(t.name for t in synthesized.resources.tables)


def test_every_table_is_on_demand_recoverable_encrypted_protected_and_retained(synthesized):
    for name, table in _tables_by_name(synthesized).items():
        properties = table["Properties"]
        assert properties["BillingMode"] == "PAY_PER_REQUEST", name
        assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, name
        assert properties["SSESpecification"]["SSEEnabled"] is True, name
        assert properties["DeletionProtectionEnabled"] is True, name
        assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain", name


def test_the_template_tables_are_the_definitions(synthesized):
    tables = _tables_by_name(synthesized)
    for definition in synthesized.resources.tables:
        assert table_shape(tables[definition.name]["Properties"]) == table_shape(definition.create_table_kwargs())


def test_families_find_a_guardians_dependants_and_their_appointments_through_indexes(synthesized):
    """Issue 12: the registry's sparse guardian index (only minors carry a guardian) and the
    appointments a guardian booked for dependants, each one Query, never a Scan."""
    tables = _tables_by_name(synthesized)
    for short_name, index_keys in (
        ("residents", [{"AttributeName": "guardian_document_number", "KeyType": "HASH"}]),
        ("appointments", [{"AttributeName": "guardian_id", "KeyType": "HASH"}, {"AttributeName": "start", "KeyType": "RANGE"}]),
    ):
        [table] = [t["Properties"] for name, t in tables.items() if name.endswith(f"-{short_name}")]
        [index] = [i for i in table["GlobalSecondaryIndexes"] if i["IndexName"] == "by-guardian"]
        assert index["KeySchema"] == index_keys and index["Projection"]["ProjectionType"] == "ALL"


def test_the_template_tables_are_the_tables_the_local_stack_provisions(synthesized, local):
    session, provisioned, endpoint_url = local
    dynamodb = session.client("dynamodb", endpoint_url=endpoint_url)
    tables = _tables_by_name(synthesized)

    assert sorted(dynamodb.list_tables()["TableNames"]) == sorted(tables)
    assert sorted(provisioned.table_names) == sorted(tables)
    for name, table in tables.items():
        described = dynamodb.describe_table(TableName=name)["Table"]
        assert table_shape(table["Properties"]) == table_shape(described), name
        ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        local_ttl = ttl.get("AttributeName") if ttl.get("TimeToLiveStatus") == "ENABLED" else None
        deployed_ttl = table["Properties"].get("TimeToLiveSpecification", {}).get("AttributeName")
        assert deployed_ttl == local_ttl, name
    assert any(d.ttl_attribute for d in synthesized.resources.tables)  # the idempotency table expires


# The service has no global index yet; this one proves that indexes, when they come, are built
# the same way by the stack and by the local stack (no packaging needed: the table alone).
INDEXED_TABLE = TableDefinition(
    short_name="appointments",
    name="md-appointments-appointments",
    partition_key=KeyAttribute("appointment_id", "S"),
    sort_key=None,
    global_indexes=(
        IndexDefinition("by-applicant", KeyAttribute("applicant_id", "S"), KeyAttribute("start", "S")),
        IndexDefinition("by-slot", KeyAttribute("slot_key", "S"), KeyAttribute("position", "N"), projection="KEYS_ONLY"),
    ),
)


def test_global_indexes_are_built_alike_by_the_stack_and_the_local_stack(emulator):
    session, endpoint_url = fresh_account_session(), emulator.endpoint_url
    stack = cdk.Stack(cdk.App(), "IndexedTable")
    durable_table(stack, INDEXED_TABLE)
    [table] = Template.from_stack(stack).find_resources("AWS::DynamoDB::Table").values()
    dynamodb = session.client("dynamodb", endpoint_url=endpoint_url)
    dynamodb.create_table(**INDEXED_TABLE.create_table_kwargs())  # what provision() does per table

    described = dynamodb.describe_table(TableName=INDEXED_TABLE.name)["Table"]
    assert table_shape(table["Properties"]) == table_shape(described) == table_shape(INDEXED_TABLE.create_table_kwargs())
    assert [i["Projection"]["ProjectionType"] for i in table_shape(described)["GlobalSecondaryIndexes"]] == ["ALL", "KEYS_ONLY"]


# -- accounts -----------------------------------------------------------------------------


def _user_pool(synthesized: Synthesized) -> tuple[str, dict[str, Any]]:
    [(logical_id, pool)] = synthesized.of_type("AWS::Cognito::UserPool").items()
    return logical_id, pool


def test_the_user_pool_signs_in_with_email_and_verifies_nothing_itself(synthesized):
    _, pool = _user_pool(synthesized)
    properties = pool["Properties"]
    definition = synthesized.resources.user_pool

    assert properties["UserPoolName"] == definition.name
    assert properties["UsernameAttributes"] == list(definition.username_attributes)
    assert not properties.get("AutoVerifiedAttributes")
    # Sign-up only through the service's use case (AdminCreateUser after the registry matched),
    # and no recovery through Cognito (the service resets passwords with its own SMS code).
    assert properties["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert properties["AccountRecoverySetting"]["RecoveryMechanisms"] == [{"Name": "admin_only", "Priority": 1}]
    assert properties["DeletionProtection"] == "ACTIVE"
    assert pool["DeletionPolicy"] == pool["UpdateReplacePolicy"] == "Retain"


def test_the_password_policy_is_the_applications_and_the_local_pools(synthesized, local):
    _, pool = _user_pool(synthesized)
    session, provisioned, endpoint_url = local
    cognito = session.client("cognito-idp", endpoint_url=endpoint_url)
    in_template = pool["Properties"]["Policies"]["PasswordPolicy"]

    assert in_template == cognito_password_policy(PASSWORD_POLICY)
    assert in_template == cognito.describe_user_pool(UserPoolId=provisioned.user_pool_id)["UserPool"]["Policies"]["PasswordPolicy"]


def test_staff_and_admin_can_have_a_totp_second_factor_here_and_in_the_local_pool(synthesized, local):
    _, pool = _user_pool(synthesized)
    session, provisioned, endpoint_url = local
    cognito = session.client("cognito-idp", endpoint_url=endpoint_url)
    local_config = cognito.get_user_pool_mfa_config(UserPoolId=provisioned.user_pool_id)

    # Optional per account (applicants have none), a TOTP app only: never SMS.
    assert pool["Properties"]["MfaConfiguration"] == local_config["MfaConfiguration"] == "OPTIONAL"
    assert pool["Properties"]["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert local_config["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert not local_config.get("SmsMfaConfiguration")


def test_every_group_exists_in_the_pool(synthesized):
    pool_id, _ = _user_pool(synthesized)
    groups = synthesized.of_type("AWS::Cognito::UserPoolGroup").values()

    assert sorted(g["Properties"]["GroupName"] for g in groups) == sorted(synthesized.resources.user_pool.groups)
    assert all(g["Properties"]["UserPoolId"] == {"Ref": pool_id} for g in groups)


def test_the_app_client_has_the_described_flows_no_secret_and_no_oauth(synthesized):
    pool_id, _ = _user_pool(synthesized)
    definition = synthesized.resources.user_pool
    synthesized.template.resource_count_is("AWS::Cognito::UserPoolClient", 1)
    synthesized.template.has_resource_properties(
        "AWS::Cognito::UserPoolClient",
        {
            "UserPoolId": {"Ref": pool_id},
            "ClientName": definition.client_name,
            "ExplicitAuthFlows": list(definition.auth_flows),
            "GenerateSecret": False,
            "AllowedOAuthFlowsUserPoolClient": False,
            "AccessTokenValidity": definition.access_token_minutes,
            "AuthSessionValidity": definition.auth_session_minutes,  # the second factor's 3 minutes
            "TokenValidityUnits": {"AccessToken": "minutes"},
        },
    )


def test_the_app_client_hides_who_exists_and_lets_users_change_none_of_their_details(synthesized, local):
    [client] = synthesized.of_type("AWS::Cognito::UserPoolClient").values()
    properties = client["Properties"]
    assert properties["PreventUserExistenceErrors"] == "ENABLED"
    assert sorted(properties["ReadAttributes"]) == ["email", "email_verified"]
    # Never empty (Cognito reads [] as "all writable"); nothing the service reads is in it.
    assert properties["WriteAttributes"] == ["zoneinfo"]
    assert not {"email", "phone_number", "given_name", "family_name", "name", "birthdate"} & set(properties["WriteAttributes"])
    session, provisioned, endpoint_url = local
    cognito = session.client("cognito-idp", endpoint_url=endpoint_url)
    described = cognito.describe_user_pool_client(UserPoolId=provisioned.user_pool_id, ClientId=provisioned.user_pool_client_id)["UserPoolClient"]
    assert described["PreventUserExistenceErrors"] == "ENABLED"
    assert described["WriteAttributes"] == properties["WriteAttributes"]
    assert sorted(described["ReadAttributes"]) == sorted(properties["ReadAttributes"])
    pool = cognito.describe_user_pool(UserPoolId=provisioned.user_pool_id)["UserPool"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True


# -- messaging ----------------------------------------------------------------------------


def test_the_email_sender_is_an_ses_identity(synthesized):
    synthesized.template.resource_count_is("AWS::SES::EmailIdentity", 1)
    synthesized.template.has_resource_properties(
        "AWS::SES::EmailIdentity", {"EmailIdentity": synthesized.resources.messaging.email_sender}
    )


def test_the_sms_settings_are_set_by_a_custom_resource_allowed_to_do_only_that(synthesized):
    messaging = synthesized.resources.messaging
    # (the other Custom::AWS, monitoring.py's, sets the spend limit and delivery-status logging)
    [settings] = [
        resource for resource in synthesized.of_type("Custom::AWS").values()
        if "DefaultSMSType" in resource["Properties"]["Create"]
    ]
    for phase in ("Create", "Update"):
        call = json.loads(settings["Properties"][phase])
        assert (call["service"], call["action"]) == ("SNS", "setSMSAttributes")
        assert call["parameters"]["attributes"] == {
            "DefaultSMSType": messaging.sms_type,
            "DefaultSenderID": messaging.sms_sender_id,
        }
    [policy_id] = settings["DependsOn"]
    statements = synthesized.json["Resources"][policy_id]["Properties"]["PolicyDocument"]["Statement"]
    assert [(s["Effect"], s["Action"]) for s in statements] == [("Allow", "sns:SetSMSAttributes")]


# -- the functions ------------------------------------------------------------------------


def _functions(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    functions = synthesized.of_type("AWS::Serverless::Function")
    assert functions, "the Chalice app packaged no function"
    return functions


def test_every_function_gets_the_environment_the_app_reads(synthesized):
    stack = synthesized.stack
    pool_ref = {"Ref": synthesized.logical_id(stack.user_pool)}
    client_ref = {"Ref": synthesized.logical_id(stack.user_pool_client)}
    messaging = synthesized.resources.messaging

    for name, function in _functions(synthesized).items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert FUNCTION_ENVIRONMENT <= set(variables), name
        assert variables["RESOURCE_PREFIX"] == synthesized.prefix
        assert variables["USER_POOL_ID"] == pool_ref
        assert variables["USER_POOL_CLIENT_ID"] == client_ref
        assert variables["EMAIL_SENDER"] == messaging.email_sender
        assert variables["SMS_SENDER_ID"] == messaging.sms_sender_id
        assert variables["POWERTOOLS_SERVICE_NAME"] and variables["LOG_LEVEL"] == "INFO"


# The functions' roles and what they grant: tests/infrastructure/test_permissions.py.


# -- secrets ------------------------------------------------------------------------------


def test_every_described_secret_is_created_generated_and_retained(synthesized):
    secrets = {s["Properties"]["Name"]: (logical_id, s) for logical_id, s in synthesized.of_type("AWS::SecretsManager::Secret").items()}
    described = {definition.name for definition in synthesized.resources.secrets}
    assert set(secrets) == described and edevlet_client_secret_name() in described
    for name, (logical_id, secret) in secrets.items():
        assert "GenerateSecretString" in secret["Properties"] and "SecretString" not in secret["Properties"], name
        assert secret["DeletionPolicy"] == "Retain"
    # Who may read it: tests/infrastructure/test_permissions.py.


def test_the_functions_find_e_devlet_and_its_secret_through_their_environment(synthesized):
    for name, function in _functions(synthesized).items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["EDEVLET_CLIENT_SECRET_NAME"] == edevlet_client_secret_name(), name


def test_the_local_stack_provisions_the_same_secrets(synthesized, local):
    session, provisioned, endpoint_url = local
    listed = session.client("secretsmanager", endpoint_url=endpoint_url).list_secrets()["SecretList"]
    assert sorted(s["Name"] for s in listed) == sorted(d.name for d in synthesized.resources.secrets)
    assert provisioned.secret_names == tuple(d.name for d in synthesized.resources.secrets)


# -- signing keys ---------------------------------------------------------------------------


def test_the_receipt_key_is_an_asymmetric_signing_key_with_its_alias_retained_and_named_to_the_functions(synthesized):
    keys = synthesized.of_type("AWS::KMS::Key")  # signing keys, and those encrypting topics
    described = {definition.name: definition for definition in synthesized.resources.signing_keys}
    signing = [k for k in keys.values() if k["Properties"].get("KeyUsage") == "SIGN_VERIFY"]
    assert receipt_signing_key_name() in described and len(signing) == len(described)
    aliases = {a["Properties"]["AliasName"]: a["Properties"]["TargetKeyId"] for a in synthesized.of_type("AWS::KMS::Alias").values()}
    for name, definition in described.items():
        logical_id = synthesized.stack.get_logical_id(synthesized.stack.signing_keys[name].node.default_child)
        key = keys[logical_id]
        assert key["Properties"]["KeySpec"] == definition.key_spec == "ECC_NIST_P256"
        assert key["Properties"]["KeyUsage"] == definition.key_usage == "SIGN_VERIFY"
        assert key["DeletionPolicy"] == "Retain"
        assert aliases[f"alias/{name}"] == {"Fn::GetAtt": [logical_id, "Arn"]}
    receipt_key = synthesized.stack.get_logical_id(synthesized.stack.signing_keys[receipt_signing_key_name()].node.default_child)
    for name, function in _functions(synthesized).items():
        assert function["Properties"]["Environment"]["Variables"]["RECEIPT_SIGNING_KEY_ID"] == {"Fn::GetAtt": [receipt_key, "Arn"]}, name
    # Who may sign with it and read its public key: tests/infrastructure/test_permissions.py.


def test_the_local_stack_provisions_the_same_signing_keys(synthesized, local):
    session, provisioned, endpoint_url = local
    kms = session.client("kms", endpoint_url=endpoint_url)
    assert len(provisioned.signing_key_ids) == len(synthesized.resources.signing_keys)
    for key_id, definition in zip(provisioned.signing_key_ids, synthesized.resources.signing_keys):
        metadata = kms.describe_key(KeyId=f"alias/{definition.name}")["KeyMetadata"]
        assert metadata["KeyId"] == key_id
        assert (metadata["KeySpec"], metadata["KeyUsage"]) == (definition.key_spec, definition.key_usage)
        assert definition.signing_algorithm in metadata["SigningAlgorithms"]
    assert provisioned.environment()["RECEIPT_SIGNING_KEY_ID"] == provisioned.signing_key_ids[0]


# -- queues -------------------------------------------------------------------------------


def _queues_by_name(synthesized: Synthesized) -> dict[str, tuple[str, dict[str, Any]]]:
    queues = synthesized.of_type("AWS::SQS::Queue")
    return {q["Properties"]["QueueName"]: (logical_id, q) for logical_id, q in queues.items()}


def _arn(logical_id: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def test_the_deployed_queues_are_the_local_ones_each_with_its_dead_letter_queue(synthesized, local):
    session, provisioned, endpoint_url = local
    described = synthesized.resources.queues
    expected = sorted([q.name for q in described] + [q.dead_letter_name for q in described])

    # In AWS also the dead-letter queue of the email feedback subscription (no code uses it; locally
    # the event pump hands the topic's messages to the handler itself: chalicelib/local/pump.py).
    feedback_dead_letters = synthesized.resources.messaging.email_feedback_topic + "-dlq"
    # And, when a table has a stream, the stream readers' on-failure destination (the pump retries instead).
    stream_failures = [stream_failures_queue_name()] if any(t.stream_view_type for t in synthesized.resources.tables) else []
    assert sorted(_queues_by_name(synthesized)) == sorted(expected + [feedback_dead_letters] + stream_failures)
    local_names = [url.rsplit("/", 1)[-1] for url in session.client("sqs", endpoint_url=endpoint_url).list_queues()["QueueUrls"]]
    assert sorted(local_names) == expected
    assert [url.rsplit("/", 1)[-1] for url in provisioned.queue_urls] == [q.name for q in described]
    assert [url.rsplit("/", 1)[-1] for url in provisioned.dead_letter_queue_urls] == [q.dead_letter_name for q in described]
    assert any(q.name == notifications_queue_name() for q in described)


def test_every_queue_redrives_to_its_dead_letter_queue_as_the_local_one_does(synthesized, local):
    session, provisioned, endpoint_url = local
    sqs = session.client("sqs", endpoint_url=endpoint_url)
    by_name = _queues_by_name(synthesized)

    for definition, url, dead_letter_url in zip(
        synthesized.resources.queues, provisioned.queue_urls, provisioned.dead_letter_queue_urls, strict=True
    ):
        dead_letter_id, _ = by_name[definition.dead_letter_name]
        _, queue = by_name[definition.name]
        assert queue["Properties"]["RedrivePolicy"] == {
            "deadLetterTargetArn": _arn(dead_letter_id),
            "maxReceiveCount": definition.max_receive_count,
        }, definition.name

        local_policy = json.loads(
            sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]["RedrivePolicy"]
        )
        local_dead_letter_arn = sqs.get_queue_attributes(QueueUrl=dead_letter_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        assert local_policy["deadLetterTargetArn"] == local_dead_letter_arn
        assert local_dead_letter_arn.endswith(":" + definition.dead_letter_name)
        assert int(local_policy["maxReceiveCount"]) == definition.max_receive_count


def test_every_queue_is_encrypted_tls_only_and_outlives_six_function_timeouts(synthesized):
    by_name = _queues_by_name(synthesized)
    policies = synthesized.of_type("AWS::SQS::QueuePolicy").values()
    lambda_timeout = int(read_chalice_stage_config(REPO_ROOT, "dev").get("lambda_timeout", 60))

    for definition in synthesized.resources.queues:
        for name in (definition.name, definition.dead_letter_name):
            logical_id, queue = by_name[name]
            # The authority's queues key (tests/infrastructure/test_keys.py checks which key).
            assert queue["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [synthesized.logical_id(synthesized.stack.data_keys["queues"]), "Arn"]}, name
            tls_only = [
                s
                for p in policies
                if {"Ref": logical_id} in p["Properties"]["Queues"]
                for s in p["Properties"]["PolicyDocument"]["Statement"]
                if s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            ]
            assert tls_only, name
        _, queue = by_name[definition.name]
        assert queue["Properties"]["VisibilityTimeout"] == 6 * lambda_timeout
        _, dead_letter = by_name[definition.dead_letter_name]
        assert dead_letter["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
        assert "RedrivePolicy" not in dead_letter["Properties"]


def test_a_message_in_a_dead_letter_queue_sets_off_its_alarm(synthesized):
    by_name = _queues_by_name(synthesized)
    alarms = synthesized.of_type("AWS::CloudWatch::Alarm")

    for definition in synthesized.resources.queues:
        dead_letter_id, _ = by_name[definition.dead_letter_name]
        dimensions = [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dead_letter_id, "QueueName"]}}]
        [alarm] = [a["Properties"] for a in alarms.values() if a["Properties"].get("Dimensions") == dimensions]
        assert {k: alarm[k] for k in (
            "Namespace", "MetricName", "Statistic", "Period", "EvaluationPeriods", "DatapointsToAlarm",
            "Threshold", "ComparisonOperator", "TreatMissingData",
        )} == {
            "Namespace": "AWS/SQS",
            "MetricName": "ApproximateNumberOfMessagesVisible",
            "Statistic": "Maximum",
            "Period": 300,
            "EvaluationPeriods": 1,
            "DatapointsToAlarm": 1,
            "Threshold": 1,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching",
        }, definition.name


def test_sqs_event_sources_read_the_stacks_queues_by_reference(synthesized):
    by_name = _queues_by_name(synthesized)
    main_queues = {by_name[q.name][0] for q in synthesized.resources.queues}
    sources = [
        (function_id, event_name, event["Properties"]["Queue"])
        for function_id, function in _functions(synthesized).items()
        for event_name, event in (function["Properties"].get("Events") or {}).items()
        if event["Type"] == "SQS"
    ]
    for function_id, event_name, queue in sources:
        if isinstance(queue, dict) and "Fn::GetAtt" in queue:
            assert queue["Fn::GetAtt"][0] in main_queues, (function_id, event_name)
        else:  # an ARN (or Fn::Sub of one) naming a queue: not one of this stack's
            arn = queue["Fn::Sub"] if isinstance(queue, dict) and "Fn::Sub" in queue else queue
            assert isinstance(arn, str) and arn.rsplit(":", 1)[-1] not in by_name, (function_id, event_name)


def test_every_sqs_event_source_reports_partial_batch_failures(synthesized):
    resources_ = synthesized.json["Resources"]
    for logical_id, path in sqs_partial_batch_overrides(synthesized.json):
        node = resources_[logical_id]["Properties"]
        for key in path.split("."):
            node = node[key]
        assert node == ["ReportBatchItemFailures"]


def test_every_stream_is_read_by_reference_with_bounded_retries_and_failures_set_aside(synthesized):
    """A handler's stream event source names its table's real stream (not the stand-in ARN the
    app was packaged with), retries a failing record a bounded number of times, splitting the
    batch to find it, and then names it in the stream-failures queue, which alarms; and no table
    keeps a stream nobody reads."""
    stack = synthesized.stack
    resources_ = synthesized.json["Resources"]
    table_ids = {synthesized.logical_id(table): short for short, table in stack.tables.items()}
    read = set()
    for function in resources_.values():
        if function["Type"] != "AWS::Serverless::Function":
            continue
        for event in (function["Properties"].get("Events") or {}).values():
            if event["Type"] != "DynamoDB":
                continue
            properties = event["Properties"]
            table_id, attribute = properties["Stream"]["Fn::GetAtt"]
            assert attribute == "StreamArn" and table_id in table_ids
            read.add(table_ids[table_id])
            assert {k: properties[k] for k in STREAM_EVENT_SETTINGS} == STREAM_EVENT_SETTINGS
            destination = properties["DestinationConfig"]["OnFailure"]["Destination"]
            assert destination == {"Fn::GetAtt": [synthesized.logical_id(stack.stream_failures), "Arn"]}
    streamed = {t.short_name for t in synthesized.resources.tables if t.stream_view_type}
    assert read == streamed
    if streamed:
        [alarm] = [a for a in synthesized.of_type("AWS::CloudWatch::Alarm").values()
                   if a["Properties"]["AlarmName"] == f"{stream_failures_queue_name()}-not-empty"]
        assert alarm["Properties"]["Threshold"] == 1


def test_the_notifications_outbox_is_the_notifications_tables_stream_read_by_its_queuer(synthesized):
    """Notifications leave the request path (services/outbox.py): the table streams each new
    item, and the function reading it may send to the notifications queue."""
    stack = synthesized.stack
    [notifications] = [t for t in synthesized.json["Resources"].values()
                       if t["Type"] == "AWS::DynamoDB::Table" and t["Properties"]["TableName"].endswith("-notifications")]
    assert notifications["Properties"]["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}
    table_id = synthesized.logical_id(stack.tables["notifications"])
    readers = [name for name, function in synthesized.json["Resources"].items() if function["Type"] == "AWS::Serverless::Function"
               for event in (function["Properties"].get("Events") or {}).values()
               if event["Type"] == "DynamoDB" and event["Properties"]["Stream"]["Fn::GetAtt"][0] == table_id]
    assert len(readers) == 1 and "queuenotifications" in readers[0].lower().replace("_", ""), readers


def test_a_stream_handler_of_a_table_that_is_not_the_apps_is_refused():
    template = {"Resources": {"Reader": {"Type": "AWS::Serverless::Function", "Properties": {"Events": {
        "Changes": {"Type": "DynamoDB", "Properties": {"Stream": "arn:aws:dynamodb:eu-central-1:1:table/other/stream/2026"}}}}}}}
    with pytest.raises(ValueError):
        list(stream_event_tables(template))
    template["Resources"]["Reader"]["Properties"]["Events"]["Changes"]["Properties"]["Stream"] = stand_in_stream_arn("md-appointments-slots")
    assert list(stream_event_tables(template)) == [("Reader", "Changes", "md-appointments-slots")]


FAKE_CHALICE_TEMPLATE = {
    "Resources": {
        "Outbox": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "Events": {
                    "OutboxSqsEventSource": {
                        "Type": "SQS",
                        "Properties": {
                            "Queue": {"Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:md-outbox"},
                            "BatchSize": 10,
                        },
                    },
                    "Nightly": {"Type": "Schedule", "Properties": {"Schedule": "rate(1 day)"}},
                }
            },
        },
        "Nightly": {"Type": "AWS::Serverless::Function", "Properties": {}},
        "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "JobsMapping": {
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {"EventSourceArn": {"Fn::GetAtt": ["Jobs", "Arn"]}, "FunctionName": {"Ref": "Nightly"}},
        },
        "ImportedQueueMapping": {
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {"EventSourceArn": "arn:aws:sqs:eu-central-1:123456789012:elsewhere"},
        },
        "StreamMapping": {
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {"EventSourceArn": {"Fn::GetAtt": ["Stream", "Arn"]}},
        },
        "Stream": {"Type": "AWS::Kinesis::Stream", "Properties": {}},
    }
}


def test_partial_batch_responses_are_set_on_sqs_event_sources_only():
    template = copy.deepcopy(FAKE_CHALICE_TEMPLATE)

    assert sqs_partial_batch_overrides(template) == [
        ("ImportedQueueMapping", "FunctionResponseTypes"),
        ("JobsMapping", "FunctionResponseTypes"),
        ("Outbox", "Events.OutboxSqsEventSource.Properties.FunctionResponseTypes"),
    ]
    assert template == FAKE_CHALICE_TEMPLATE  # it only reads
    assert list(_sqs_event_queue_names(template)) == [("Outbox", "OutboxSqsEventSource", "md-outbox")]


# -- API Gateway ------------------------------------------------------------------------------


EXPECTED_GATEWAY_RESPONSES = {
    # response type: (status answered, or None for API Gateway's own; contract code)
    "MISSING_AUTHENTICATION_TOKEN": ("404", "NOT_FOUND"),  # unknown route
    "UNAUTHORIZED": (None, "UNAUTHENTICATED"),
    "ACCESS_DENIED": (None, "FORBIDDEN"),
    "THROTTLED": (None, "RATE_LIMITED"),
    "DEFAULT_4XX": (None, "VALIDATION_FAILED"),
    "DEFAULT_5XX": (None, "INTERNAL"),
}


def test_api_gateways_own_errors_use_the_service_error_envelope(synthesized):
    api = synthesized.json["Resources"]["RestAPI"]
    responses = api["Properties"]["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]

    assert set(responses) == set(EXPECTED_GATEWAY_RESPONSES)
    for response_type, (status, code) in EXPECTED_GATEWAY_RESPONSES.items():
        response = responses[response_type]
        assert response.get("statusCode") == status, response_type
        # API Gateway substitutes $context variables; messageString is a quoted JSON string.
        body = response["responseTemplates"]["application/json"].replace(
            "$context.error.messageString", json.dumps("Some message")
        )
        error = json.loads(body)["error"]
        assert set(error) == {"code", "message", "details"} and error["code"] == code and error["details"] == {}
        assert response["responseParameters"]["gatewayresponse.header.Content-Type"] == "'application/json'"


def test_the_api_is_served_by_the_api_handler(synthesized):
    synthesized.template.has_resource("AWS::Serverless::Api", {"Properties": Match.object_like({"StageName": Match.any_value()})})
    assert "APIHandler" in _functions(synthesized)


# -- the whole stack ------------------------------------------------------------------------


def test_resources_are_tagged_with_service_and_deployment(synthesized):
    for name, table in _tables_by_name(synthesized).items():
        tags = {t["Key"]: t["Value"] for t in table["Properties"]["Tags"]}
        assert tags["deployment"] == synthesized.prefix and tags["service"], name
    for name, function in _functions(synthesized).items():
        assert function["Properties"]["Tags"]["deployment"] == synthesized.prefix, name


def test_a_stack_for_another_prefix_than_the_tables_carry_is_refused(described):
    with pytest.raises(ValueError, match="prefix"):
        AppointmentsStack(cdk.App(), "other", resources=described, prefix="another-deployment")


def test_places_given_back_return_on_a_five_minute_schedule_reading_their_sparse_index(synthesized):
    """Issue 12, item 5: the return of given-back places is a scheduled function of its own, and
    the appointments table carries the sparse index it reads (services/giving_back.py)."""
    [table] = [t for name, t in _tables_by_name(synthesized).items() if name.endswith("-appointments")]
    assert "returning-by-day" in {i["IndexName"] for i in table["Properties"]["GlobalSecondaryIndexes"]}
    [function] = [
        f for f in synthesized.of_type("AWS::Serverless::Function").values()
        if f["Properties"]["Handler"].endswith(".return_given_back_places")
    ]
    schedules = [e["Properties"]["Schedule"] for e in function["Properties"].get("Events", {}).values() if e["Type"] == "Schedule"]
    assert schedules == ["rate(5 minutes)"]


def test_the_batch_jobs_fan_out_over_a_queue_of_their_own_with_a_dead_letter_queue(synthesized):
    """Issue 13, item 3: the four batch jobs' schedules split their work into messages on the
    batch-jobs queue (redriven to its dead-letter queue), read by one worker that reports partial
    batch failures; the appointments table carries the per-directorate sparse index it pages."""
    by_name = _queues_by_name(synthesized)
    queue_id, queue = by_name[batch_jobs_queue_name()]
    dead_letter_id, _ = by_name[batch_jobs_queue_name() + "-dlq"]
    assert queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"] == _arn(dead_letter_id)
    workers = [
        f["Properties"] for f in synthesized.of_type("AWS::Serverless::Function").values()
        if f["Properties"]["Handler"].endswith(".run_batch_jobs")
    ]
    [worker] = workers
    [event] = [e for e in worker["Events"].values() if e["Type"] == "SQS"]
    assert event["Properties"]["Queue"] == _arn(queue_id)
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    for name in ("send_reminders", "sweep_no_shows", "extend_slot_horizon", "evaluate_demand"):
        [schedule] = [
            f["Properties"] for f in synthesized.of_type("AWS::Serverless::Function").values()
            if f["Properties"]["Handler"].endswith(f".{name}")
        ]
        assert [e["Type"] for e in schedule["Events"].values()] == ["Schedule"], name
    [table] = [t for name, t in _tables_by_name(synthesized).items() if name.endswith("-appointments")]
    [index] = [i for i in table["Properties"]["GlobalSecondaryIndexes"] if i["IndexName"] == "unmarked-by-directorate"]
    assert index["KeySchema"] == [
        {"AttributeName": "directorate_id", "KeyType": "HASH"}, {"AttributeName": "unmarked_day", "KeyType": "RANGE"}
    ]


def test_the_availability_summary_and_the_statistics_are_tables_fed_by_the_slots_and_appointments_streams(synthesized):
    """Issue 13, items 4 and 7: the summary and the statistics tables exist, and the slots' and
    the appointments' tables stream new and old images to their readers."""
    tables = _tables_by_name(synthesized)
    names = {t.short_name: t.name for t in synthesized.resources.tables}
    assert {"availability", "statistics"} <= set(names)
    for streamed in ("slots", "appointments"):
        assert table_shape(tables[names[streamed]]["Properties"])["Stream"] == "NEW_AND_OLD_IMAGES", streamed
    for kept in ("availability", "statistics"):
        assert table_shape(tables[names[kept]]["Properties"])["KeySchema"][0]["AttributeName"] == "key"


def test_every_table_of_the_stack_is_in_the_backup_plan(synthesized):
    [selection] = synthesized.of_type("AWS::Backup::BackupSelection").values()
    selected = {resource["Fn::GetAtt"][0] for resource in selection["Properties"]["BackupSelection"]["Resources"]}
    assert selected == {synthesized.logical_id(table) for table in synthesized.stack.tables.values()}
