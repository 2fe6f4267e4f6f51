"""Creates, in the emulator, every resource `chalicelib.resources` describes.

The CDK stack (`infrastructure/stacks/appointments.py`) builds the same resources in AWS from
the same descriptions; `tests/infrastructure/test_stack.py` checks that both agree on tables
(keys, attributes, indexes), on the password policy and on the queues (each with its
dead-letter queue and the same `maxReceiveCount`).

Provisioning is a pure function of its input: the same `Resources` into a fresh emulator give
the same resources, and nothing that is not described is created. What the local stack cannot
or need not reproduce is listed here rather than left out silently:
- tables: billing, PITR, encryption and deletion protection are AWS concerns (the emulator
  accepts on-demand billing and nothing else is asked for);
- the user pool: account recovery and deletion protection (nothing is ever recovered or
  deleted by hand locally); the emulator keeps a sign-in session past `auth_session_minutes`
  (the service's own challenge expires at the same time, so nothing depends on it); TOTP
  codes are checked per user by `chalicelib/local/totp.py` (moto alone accepts any code);
- secrets: created with a random placeholder value, as the stack's generated one; not
  reproduced: their KMS key (the emulator's default) and rotation (none is configured);
- queues: each is created with its dead-letter queue and the same RedrivePolicy as in AWS
  (`maxReceiveCount` of its definition; moto moves a message to the dead-letter queue on the
  receive after the last allowed one). Not reproduced: the visibility timeout, which is the
  definition's `local_visibility_timeout_seconds` (a failed message comes back within seconds)
  where the stack sets six times the function timeout; encryption, TLS-only access and the
  dead-letter queues' 14-day retention (the emulator's default applies); and the alarm on a
  non-empty dead-letter queue (no CloudWatch locally: look into the dead-letter queue instead).
- signing keys: each is created with its key spec, usage and alias (moto signs and verifies
  ECDSA_SHA_256 over RAW messages, as KMS does); not reproduced: the key policy (moto grants
  every caller) and deletion protection;
- email: the sender's address is verified (in AWS: a domain identity with DKIM when one is
  configured); the configuration set, the feedback topic and the event destination are created,
  but moto never publishes bounces or complaints to it: a test publishes SES-shaped events to
  the topic, and the event pump delivers them to the topic's handler (chalicelib/local/pump.py).

Usage::

    with Emulator() as emulator:
        local = provision(boto3.Session(region_name="eu-central-1"), resources(),
                          endpoint_url=emulator.endpoint_url)
        os.environ.update(local.environment())
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3

from chalicelib.domain.identity import PasswordPolicy
from chalicelib.resources import MessagingDefinition, QueueDefinition, Resources, SigningKeyDefinition, UserPoolDefinition
from chalicelib.settings import resource_prefix

DEFAULT_REGION = "eu-central-1"


@dataclass(frozen=True)
class LocalResources:
    """What was provisioned, and the environment the app needs to use it."""

    endpoint_url: str
    region: str
    resource_prefix: str
    table_names: tuple[str, ...]
    user_pool_id: str
    user_pool_client_id: str
    groups: tuple[str, ...]
    email_sender: str
    sms_sender_id: str
    queue_urls: tuple[str, ...] = ()  # the queues of the definitions, in their order
    dead_letter_queue_urls: tuple[str, ...] = ()  # their dead-letter queues, in the same order
    secret_names: tuple[str, ...] = ()  # the secrets of the definitions, in their order
    email_configuration_set: str = ""
    email_feedback_topic_arn: str = ""
    signing_key_ids: tuple[str, ...] = ()  # the signing keys of the definitions, in their order

    @property
    def jwks_url(self) -> str:
        # moto serves each pool's keys here; its tokens verify against them (stack-notes 4).
        return f"{self.endpoint_url}/{self.user_pool_id}/.well-known/jwks.json"

    def environment(self) -> dict[str, str]:
        """The variables `chalicelib.settings` reads (the CDK stack sets the same in AWS)."""
        return {
            "RESOURCE_PREFIX": self.resource_prefix,
            "USER_POOL_ID": self.user_pool_id,
            "USER_POOL_CLIENT_ID": self.user_pool_client_id,
            "JWKS_URL": self.jwks_url,
            "EMAIL_SENDER": self.email_sender,
            "SMS_SENDER_ID": self.sms_sender_id,
            "EMAIL_CONFIGURATION_SET": self.email_configuration_set,
            # The receipt key (the first signing key); in AWS the stack sets the key's ARN.
            **({"RECEIPT_SIGNING_KEY_ID": self.signing_key_ids[0]} if self.signing_key_ids else {}),
        }


def provision(
    session: boto3.session.Session | None,
    resources: Resources,
    *,
    endpoint_url: str,
    region: str | None = None,
) -> LocalResources:
    """Create every table, the user pool with its groups and app client, the verified SES
    sender, the SNS SMS settings, the queues of `resources`, each with its dead-letter
    queue, its secrets and its signing keys, at `endpoint_url`.

    `session` supplies credentials and region (any credentials do for the emulator); without
    one, a session with dummy credentials is used. `region` overrides the session's region.
    Every client is pointed at `endpoint_url` explicitly, so this never reaches real AWS.
    Meant for a fresh emulator: an existing resource of the same name is an error.
    """
    if session is None:
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region or DEFAULT_REGION
        )
    region = region or session.region_name or DEFAULT_REGION
    prefix = _resource_prefix(resources)

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint_url, region_name=region)

    table_names = _create_tables(client("dynamodb"), resources)
    user_pool_id, user_pool_client_id = _create_user_pool(client("cognito-idp"), resources.user_pool)
    messaging = resources.messaging
    client("ses").verify_email_identity(EmailAddress=messaging.email_sender)
    feedback_topic_arn = _create_email_feedback(client("ses"), client("sns"), messaging)
    client("sns").set_sms_attributes(
        attributes={"DefaultSMSType": messaging.sms_type, "DefaultSenderID": messaging.sms_sender_id}
    )
    sqs = client("sqs")
    queues = [_create_queue(sqs, definition) for definition in resources.queues]
    secrets = client("secretsmanager")
    for secret in resources.secrets:
        # A random placeholder, as the CDK stack generates one; whoever holds the real value
        # (locally: the stack, once the embedded provider registered the client) puts it.
        secrets.create_secret(
            Name=secret.name,
            Description=secret.description,
            SecretString=secrets.get_random_password(PasswordLength=40, ExcludePunctuation=True)["RandomPassword"],
        )
    kms = client("kms")
    signing_key_ids = tuple(_create_signing_key(kms, key) for key in resources.signing_keys)

    return LocalResources(
        endpoint_url=endpoint_url,
        region=region,
        resource_prefix=prefix,
        table_names=table_names,
        user_pool_id=user_pool_id,
        user_pool_client_id=user_pool_client_id,
        groups=tuple(resources.user_pool.groups),
        email_sender=messaging.email_sender,
        sms_sender_id=messaging.sms_sender_id,
        queue_urls=tuple(url for url, _ in queues),
        dead_letter_queue_urls=tuple(dead_letter_url for _, dead_letter_url in queues),
        secret_names=tuple(secret.name for secret in resources.secrets),
        email_configuration_set=messaging.email_configuration_set,
        email_feedback_topic_arn=feedback_topic_arn,
        signing_key_ids=signing_key_ids,
    )


def _create_signing_key(kms: Any, definition: SigningKeyDefinition) -> str:
    """An asymmetric key of the definition's spec and usage, with its alias; its key id."""
    key_id = kms.create_key(
        KeySpec=definition.key_spec, KeyUsage=definition.key_usage, Description=definition.description
    )["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=f"alias/{definition.name}", TargetKeyId=key_id)
    return key_id


def _create_email_feedback(ses: Any, sns: Any, messaging: MessagingDefinition) -> str:
    """The configuration set every email is sent with, the feedback topic, and the event
    destination between them (bounces and complaints); the topic's ARN ("" if none is described).
    moto records the destination but never publishes events itself: whoever plays SES's part
    locally publishes to the topic (tests do), and the event pump delivers it to the handler."""
    if not messaging.email_feedback_topic:
        return ""
    topic_arn = sns.create_topic(Name=messaging.email_feedback_topic)["TopicArn"]
    if messaging.email_configuration_set:
        ses.create_configuration_set(ConfigurationSet={"Name": messaging.email_configuration_set})
        ses.create_configuration_set_event_destination(
            ConfigurationSetName=messaging.email_configuration_set,
            EventDestination={
                "Name": f"{messaging.email_configuration_set}-feedback",
                "Enabled": True,
                "MatchingEventTypes": list(messaging.email_feedback_events),
                "SNSDestination": {"TopicARN": topic_arn},
            },
        )
    return topic_arn


def _create_tables(dynamodb: Any, resources: Resources) -> tuple[str, ...]:
    for definition in resources.tables:
        dynamodb.create_table(**definition.create_table_kwargs())
    names = tuple(definition.name for definition in resources.tables)
    waiter = dynamodb.get_waiter("table_exists")
    for name in names:
        waiter.wait(TableName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 100})
    for definition in resources.tables:
        if definition.ttl_attribute:
            # moto records TTL but never expires items (stack-notes 10): code compares times itself.
            dynamodb.update_time_to_live(
                TableName=definition.name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": definition.ttl_attribute},
            )
    return names


def _create_queue(sqs: Any, definition: QueueDefinition) -> tuple[str, str]:
    """The dead-letter queue of `definition`, then the queue redriving to it; their URLs."""
    dead_letter_url = sqs.create_queue(QueueName=definition.dead_letter_name)["QueueUrl"]
    dead_letter_arn = sqs.get_queue_attributes(QueueUrl=dead_letter_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    url = sqs.create_queue(
        QueueName=definition.name,
        Attributes={
            "VisibilityTimeout": str(definition.local_visibility_timeout_seconds),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": str(definition.max_receive_count)}
            ),
        },
    )["QueueUrl"]
    return url, dead_letter_url


def cognito_password_policy(policy: PasswordPolicy) -> dict[str, Any]:
    """`Policies.PasswordPolicy` of Cognito's CreateUserPool for `policy`.

    Cognito has no maximum length (it accepts up to 256 characters); `max_length` is enforced
    by the application only.
    """
    return {
        "MinimumLength": policy.min_length,
        "RequireUppercase": policy.require_uppercase,
        "RequireLowercase": policy.require_lowercase,
        "RequireNumbers": policy.require_digits,
        "RequireSymbols": policy.require_symbols,
    }


def _create_user_pool(cognito: Any, definition: UserPoolDefinition) -> tuple[str, str]:
    pool = cognito.create_user_pool(
        PoolName=definition.name,
        UsernameAttributes=list(definition.username_attributes),
        Policies={"PasswordPolicy": cognito_password_policy(definition.password_policy)},
        # Only the service creates logins (AdminCreateUser); Cognito verifies nothing itself and
        # recovers nothing: the application verifies the phone and resets passwords itself.
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": definition.admin_create_user_only},
        AccountRecoverySetting={"RecoveryMechanisms": [{"Name": definition.recovery_mechanism, "Priority": 1}]},
        AutoVerifiedAttributes=[],
    )["UserPool"]
    pool_id = pool["Id"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration=definition.mfa,
        SoftwareTokenMfaConfiguration={"Enabled": definition.software_token_mfa},
    )
    for group in definition.groups:
        cognito.create_group(GroupName=group, UserPoolId=pool_id)
    app_client = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=definition.client_name,
        GenerateSecret=False,
        ExplicitAuthFlows=list(definition.auth_flows),
        AccessTokenValidity=definition.access_token_minutes,
        AuthSessionValidity=definition.auth_session_minutes,
        TokenValidityUnits={"AccessToken": "minutes"},
        PreventUserExistenceErrors=definition.prevent_user_existence_errors,
        ReadAttributes=list(definition.read_attributes),
        WriteAttributes=list(definition.write_attributes),
    )["UserPoolClient"]
    return pool_id, app_client["ClientId"]


def _resource_prefix(resources: Resources) -> str:
    """RESOURCE_PREFIX, which every table name must carry: table names are fixed when
    `chalicelib.adapters.tables` is imported, and an app given another prefix would look for
    tables that do not exist."""
    prefix = resource_prefix()
    wrong = [t.name for t in resources.tables if not t.name.startswith(prefix + "-")]
    if wrong:
        raise ValueError(f"tables {wrong} do not carry RESOURCE_PREFIX {prefix!r}")
    return prefix
