"""Local provisioning: every described resource is created in the emulator, nothing else is,
and the same description always gives the same resources.

moto keeps its state per process, not per emulator: two emulators in one test run share it.
Each provisioning here therefore goes to an account of its own (moto's `x-moto-account-id`
header), which is as fresh as a new emulator.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import boto3
import pytest
import requests

from chalicelib.local.emulator import Emulator
from chalicelib.local.provision import LocalResources, cognito_password_policy, provision
from chalicelib.resources import QueueDefinition, Resources, resources
from chalicelib.settings import resource_prefix
from tests.aws import fresh_account_session

REGION = "eu-central-1"


@pytest.fixture(scope="module")
def definitions() -> Resources:
    # One queue more than the service has today, with settings other than QueueDefinition's
    # defaults, so that what is provisioned is seen to come from each definition.
    described = resources()
    probe = QueueDefinition(f"{described.user_pool.name}-probe", max_receive_count=2, local_visibility_timeout_seconds=7)
    return replace(described, queues=described.queues + (probe,))


@pytest.fixture(scope="module")
def provisioned(emulator, definitions) -> tuple[boto3.session.Session, LocalResources]:
    session = fresh_account_session()
    return session, provision(session, definitions, endpoint_url=emulator.endpoint_url)


def clients(session: boto3.session.Session, emulator: Emulator):
    return lambda service: session.client(service, endpoint_url=emulator.endpoint_url)


def test_every_table_exists_with_the_keys_of_its_definition(emulator, definitions, provisioned):
    session, local = provisioned
    dynamodb = clients(session, emulator)("dynamodb")

    assert sorted(dynamodb.list_tables()["TableNames"]) == sorted(t.name for t in definitions.tables)
    assert local.table_names == tuple(t.name for t in definitions.tables)
    for definition in definitions.tables:
        table = dynamodb.describe_table(TableName=definition.name)["Table"]
        expected = definition.create_table_kwargs()
        assert table["KeySchema"] == expected["KeySchema"]
        assert _sorted(table["AttributeDefinitions"], "AttributeName") == _sorted(
            expected["AttributeDefinitions"], "AttributeName"
        )
        assert _indexes(table.get("GlobalSecondaryIndexes")) == _indexes(expected.get("GlobalSecondaryIndexes"))
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_the_user_pool_signs_in_with_email_and_verifies_nothing_itself(emulator, definitions, provisioned):
    session, local = provisioned
    cognito = clients(session, emulator)("cognito-idp")
    described = definitions.user_pool

    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    assert [(p["Id"], p["Name"]) for p in pools] == [(local.user_pool_id, described.name)]
    pool = cognito.describe_user_pool(UserPoolId=local.user_pool_id)["UserPool"]
    assert pool["UsernameAttributes"] == list(described.username_attributes)
    assert pool["Policies"]["PasswordPolicy"] == cognito_password_policy(described.password_policy)
    assert not pool.get("AutoVerifiedAttributes")
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True  # sign-up only through the service
    assert pool["AccountRecoverySetting"]["RecoveryMechanisms"] == [{"Name": "admin_only", "Priority": 1}]

    groups = cognito.list_groups(UserPoolId=local.user_pool_id)["Groups"]
    assert sorted(g["GroupName"] for g in groups) == sorted(described.groups)
    assert local.groups == described.groups


def test_the_app_client_has_the_described_flows_and_no_secret(emulator, definitions, provisioned):
    session, local = provisioned
    cognito = clients(session, emulator)("cognito-idp")
    described = definitions.user_pool

    listed = cognito.list_user_pool_clients(UserPoolId=local.user_pool_id, MaxResults=60)["UserPoolClients"]
    assert [c["ClientId"] for c in listed] == [local.user_pool_client_id]
    app_client = cognito.describe_user_pool_client(
        UserPoolId=local.user_pool_id, ClientId=local.user_pool_client_id
    )["UserPoolClient"]
    assert app_client["ClientName"] == described.client_name
    assert sorted(app_client["ExplicitAuthFlows"]) == sorted(described.auth_flows)
    assert "ClientSecret" not in app_client
    assert app_client["AccessTokenValidity"] == described.access_token_minutes
    assert app_client["TokenValidityUnits"]["AccessToken"] == "minutes"


def test_a_login_created_by_the_service_signs_in_with_the_app_client(emulator, definitions, provisioned):
    session, local = provisioned
    cognito = clients(session, emulator)("cognito-idp")
    email, password = "someone@example.org", "Correct1Horse"

    # No public sign-up: the service creates logins as an administrator would.
    cognito.admin_create_user(UserPoolId=local.user_pool_id, Username=email, MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=local.user_pool_id, Username=email, Password=password, Permanent=True)
    cognito.admin_add_user_to_group(UserPoolId=local.user_pool_id, Username=email, GroupName=definitions.user_pool.groups[0])
    tokens = cognito.initiate_auth(
        ClientId=local.user_pool_client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )["AuthenticationResult"]
    assert tokens["AccessToken"] and tokens["RefreshToken"]
    user = cognito.admin_get_user(UserPoolId=local.user_pool_id, Username=email)
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["email"] == email


def test_email_from_the_sender_is_accepted_and_from_anyone_else_refused(emulator, definitions, provisioned):
    session, local = provisioned
    ses = clients(session, emulator)("ses")
    message = {"Subject": {"Data": "Randevu"}, "Body": {"Text": {"Data": "Merhaba"}}}

    assert ses.list_identities()["Identities"] == [definitions.messaging.email_sender]
    sent = ses.send_email(Source=local.email_sender, Destination={"ToAddresses": ["a@example.org"]}, Message=message)
    assert sent["MessageId"]
    with pytest.raises(ses.exceptions.MessageRejected):
        ses.send_email(Source="someone-else@example.org", Destination={"ToAddresses": ["a@example.org"]}, Message=message)


def test_sms_settings_are_set(emulator, definitions, provisioned):
    session, _ = provisioned
    messaging = definitions.messaging

    assert clients(session, emulator)("sns").get_sms_attributes()["attributes"] == {
        "DefaultSMSType": messaging.sms_type,
        "DefaultSenderID": messaging.sms_sender_id,
    }


def test_every_queue_and_its_dead_letter_queue_exist_and_nothing_else(emulator, definitions, provisioned):
    session, local = provisioned
    sqs = clients(session, emulator)("sqs")

    assert sorted(sqs.list_queues().get("QueueUrls", [])) == sorted(local.queue_urls + local.dead_letter_queue_urls)
    assert [_name(url) for url in local.queue_urls] == [q.name for q in definitions.queues]
    assert [_name(url) for url in local.dead_letter_queue_urls] == [q.dead_letter_name for q in definitions.queues]
    assert definitions.queues[0] == resources().queues[0]  # the service's own queue is among them


def test_every_queue_redrives_to_its_dead_letter_queue_after_its_max_receive_count(emulator, definitions, provisioned):
    session, local = provisioned
    sqs = clients(session, emulator)("sqs")

    for definition, url, dead_letter_url in zip(
        definitions.queues, local.queue_urls, local.dead_letter_queue_urls, strict=True
    ):
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        dead_letter = sqs.get_queue_attributes(QueueUrl=dead_letter_url, AttributeNames=["All"])["Attributes"]
        policy = json.loads(attributes["RedrivePolicy"])
        assert policy["deadLetterTargetArn"] == dead_letter["QueueArn"], definition.name
        assert int(policy["maxReceiveCount"]) == definition.max_receive_count, definition.name
        assert int(attributes["VisibilityTimeout"]) == definition.local_visibility_timeout_seconds, definition.name
        assert "RedrivePolicy" not in dead_letter, definition.name


def test_a_message_received_max_receive_count_times_without_deletion_is_dead_lettered(emulator, definitions):
    # A queue of its own (fresh account), so that no other test sees the message; receiving
    # with VisibilityTimeout=0 makes the undeleted message visible again at once.
    session = fresh_account_session()
    local = provision(session, definitions, endpoint_url=emulator.endpoint_url)
    sqs = clients(session, emulator)("sqs")

    for definition, url, dead_letter_url in zip(
        definitions.queues, local.queue_urls, local.dead_letter_queue_urls, strict=True
    ):
        sqs.send_message(QueueUrl=url, MessageBody=f"poison for {definition.name}")
        for attempt in range(definition.max_receive_count):
            received = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0, AttributeNames=["ApproximateReceiveCount"])
            [message] = received["Messages"]  # not deleted: the handler "failed"
            assert int(message["Attributes"]["ApproximateReceiveCount"]) == attempt + 1, definition.name
        # moto moves the message on the next receive, as SQS does once maxReceiveCount is reached.
        assert sqs.receive_message(QueueUrl=url, VisibilityTimeout=0).get("Messages", []) == [], definition.name

        dead = sqs.receive_message(QueueUrl=dead_letter_url, MaxNumberOfMessages=10)["Messages"]
        assert [m["Body"] for m in dead] == [f"poison for {definition.name}"], definition.name


def test_the_environment_names_what_was_provisioned(emulator, definitions, provisioned):
    _, local = provisioned

    assert local.environment() == {
        "RESOURCE_PREFIX": resource_prefix(),
        "USER_POOL_ID": local.user_pool_id,
        "USER_POOL_CLIENT_ID": local.user_pool_client_id,
        "JWKS_URL": f"{emulator.endpoint_url}/{local.user_pool_id}/.well-known/jwks.json",
        "EMAIL_SENDER": definitions.messaging.email_sender,
        "SMS_SENDER_ID": definitions.messaging.sms_sender_id,
        "EMAIL_CONFIGURATION_SET": definitions.messaging.email_configuration_set,
        "RECEIPT_SIGNING_KEY_ID": local.signing_key_ids[0],
    }


def test_every_email_goes_through_a_configuration_set_whose_bounces_and_complaints_reach_the_topic(definitions, provisioned):
    session, local = provisioned
    messaging = definitions.messaging
    ses = session.client("ses", endpoint_url=local.endpoint_url)
    described = ses.describe_configuration_set(
        ConfigurationSetName=local.email_configuration_set, ConfigurationSetAttributeNames=["eventDestinations"]
    )
    [destination] = described["EventDestinations"]
    assert local.email_configuration_set == messaging.email_configuration_set
    assert sorted(destination["MatchingEventTypes"]) == ["bounce", "complaint"] and destination["Enabled"]
    assert destination["SNSDestination"]["TopicARN"] == local.email_feedback_topic_arn
    assert local.email_feedback_topic_arn.endswith(":" + messaging.email_feedback_topic)
    session.client("sns", endpoint_url=local.endpoint_url).get_topic_attributes(TopicArn=local.email_feedback_topic_arn)


def test_the_jwks_url_serves_the_pools_keys(emulator, provisioned):
    _, local = provisioned

    keys = requests.get(local.jwks_url, timeout=5).json()["keys"]
    assert keys and all(key["kty"] == "RSA" for key in keys)


def test_provisioning_twice_into_fresh_accounts_gives_the_same_resources(emulator, definitions):
    first, second = (fresh_account_session(), fresh_account_session())
    results = [provision(s, definitions, endpoint_url=emulator.endpoint_url) for s in (first, second)]

    assert _without_ids(results[0]) == _without_ids(results[1])
    assert _inventory(first, emulator) == _inventory(second, emulator)


def test_a_second_provisioning_into_the_same_account_is_refused(emulator, definitions):
    session = fresh_account_session()
    provision(session, definitions, endpoint_url=emulator.endpoint_url)

    with pytest.raises(Exception, match="already exists|ResourceInUse"):
        provision(session, definitions, endpoint_url=emulator.endpoint_url)


def test_tables_without_the_resource_prefix_are_refused_before_anything_is_created(emulator, monkeypatch):
    session = fresh_account_session()
    monkeypatch.setenv("RESOURCE_PREFIX", "another-deployment")

    with pytest.raises(ValueError, match="RESOURCE_PREFIX"):
        provision(session, resources(), endpoint_url=emulator.endpoint_url)
    assert session.client("dynamodb", endpoint_url=emulator.endpoint_url).list_tables()["TableNames"] == []


# -- helpers ------------------------------------------------------------------------------


def _sorted(items: list[dict[str, Any]] | None, key: str) -> list[dict[str, Any]]:
    return sorted(items or [], key=lambda item: item[key])


def _indexes(indexes: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [
        {"IndexName": i["IndexName"], "KeySchema": i["KeySchema"], "ProjectionType": i["Projection"]["ProjectionType"]}
        for i in _sorted(indexes, "IndexName")
    ]


def _without_ids(local: LocalResources) -> dict[str, Any]:
    fields = dict(vars(local))
    for generated in ("user_pool_id", "user_pool_client_id"):
        assert fields.pop(generated)
    for urls in ("queue_urls", "dead_letter_queue_urls"):
        fields[urls] = [_name(url) for url in fields[urls]]  # URLs name the account
    fields["email_feedback_topic_arn"] = fields["email_feedback_topic_arn"].rsplit(":", 1)[-1]  # so do ARNs
    fields["signing_key_ids"] = len(fields["signing_key_ids"])  # KMS generates key ids
    return fields


def _name(queue_url: str) -> str:
    return queue_url.rsplit("/", 1)[-1]


def _inventory(session: boto3.session.Session, emulator: Emulator) -> dict[str, Any]:
    """Everything an account holds after provisioning, without generated ids and times."""
    client = clients(session, emulator)
    dynamodb, cognito = client("dynamodb"), client("cognito-idp")
    tables = {}
    for name in dynamodb.list_tables()["TableNames"]:
        table = dynamodb.describe_table(TableName=name)["Table"]
        tables[name] = {
            "KeySchema": table["KeySchema"],
            "AttributeDefinitions": _sorted(table["AttributeDefinitions"], "AttributeName"),
            "GlobalSecondaryIndexes": _indexes(table.get("GlobalSecondaryIndexes")),
            "BillingMode": table["BillingModeSummary"]["BillingMode"],
        }
    pools = []
    for summary in cognito.list_user_pools(MaxResults=60)["UserPools"]:
        pool = cognito.describe_user_pool(UserPoolId=summary["Id"])["UserPool"]
        app_clients = []
        for listed in cognito.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=60)["UserPoolClients"]:
            app_client = cognito.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=listed["ClientId"])
            app_clients.append(
                {k: v for k, v in app_client["UserPoolClient"].items() if k not in ("ClientId", "UserPoolId")}
                | {"CreationDate": None, "LastModifiedDate": None}
            )
        pools.append(
            {
                "Name": pool["Name"],
                "Policies": pool["Policies"],
                "UsernameAttributes": pool.get("UsernameAttributes"),
                "AutoVerifiedAttributes": pool.get("AutoVerifiedAttributes"),
                "AdminCreateUserConfig": pool.get("AdminCreateUserConfig"),
                "Groups": sorted(g["GroupName"] for g in cognito.list_groups(UserPoolId=pool["Id"])["Groups"]),
                "Clients": app_clients,
            }
        )
    return {
        "tables": tables,
        "user_pools": pools,
        "email_identities": client("ses").list_identities()["Identities"],
        "sms": client("sns").get_sms_attributes()["attributes"],
        "queues": _queue_inventory(client("sqs")),
    }


def _queue_inventory(sqs: Any) -> dict[str, dict[str, Any]]:
    """Each queue's settings, with the dead-letter target by name (ARNs name the account)."""
    queues = {}
    for url in sqs.list_queues().get("QueueUrls", []):
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        redrive = json.loads(attributes.get("RedrivePolicy", "null"))
        queues[_name(url)] = {
            "VisibilityTimeout": attributes["VisibilityTimeout"],
            "RedrivePolicy": redrive and {
                "deadLetterTarget": redrive["deadLetterTargetArn"].rsplit(":", 1)[-1],
                "maxReceiveCount": int(redrive["maxReceiveCount"]),
            },
        }
    return queues
