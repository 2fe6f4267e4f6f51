"""Every AWS resource the application uses, described once.

`infrastructure/` (CDK, for AWS) and `chalicelib/local/provision.py` (the embedded emulator)
both build their resources from these descriptions, so the two can never drift apart; a test
synthesizes the CDK stack and compares it with what the local stack provisions.

Table definitions are derived from the PynamoDB models in `chalicelib/adapters/tables.py`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from pynamodb.attributes import TTLAttribute
from pynamodb.models import Model

from chalicelib.adapters.tables import ALL_TABLES
from chalicelib.domain.identity import PASSWORD_POLICY, PasswordPolicy
from chalicelib.domain.second_factor import CHALLENGE_LIFETIME
from chalicelib.settings import edevlet_client_secret_name, family_key_secret_name, resource_prefix

@dataclass(frozen=True)
class KeyAttribute:
    name: str
    type: str  # "S" | "N" | "B"


@dataclass(frozen=True)
class IndexDefinition:
    name: str
    partition_key: KeyAttribute
    sort_key: KeyAttribute | None
    projection: str = "ALL"


@dataclass(frozen=True)
class TableDefinition:
    short_name: str  # e.g. "applicants": the CDK construct id and the suffix of the physical name
    name: str  # physical table name
    partition_key: KeyAttribute
    sort_key: KeyAttribute | None
    global_indexes: tuple[IndexDefinition, ...] = ()
    ttl_attribute: str | None = None  # epoch seconds after which DynamoDB deletes the item
    # A change stream (NEW_AND_OLD_IMAGES, ...) when the model's Meta declares `stream_view_type`:
    # its `@app.on_dynamodb_record` handlers read it (see `stream_arn`).
    stream_view_type: str | None = None
    # Whether an item may say something about a person (see TABLES_WITHOUT_PERSONAL_DATA): such a
    # table is encrypted with the authority's own key (`personal_data_key_name`), its stream too.
    personal_data: bool = True

    def create_table_kwargs(self) -> dict:
        """The boto3 `create_table` arguments (on-demand billing), used by the local stack."""
        attributes = {self.partition_key}
        if self.sort_key:
            attributes.add(self.sort_key)
        for index in self.global_indexes:
            attributes.add(index.partition_key)
            if index.sort_key:
                attributes.add(index.sort_key)
        kwargs: dict = {
            "TableName": self.name,
            "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": _key_schema(self.partition_key, self.sort_key),
            "AttributeDefinitions": [
                {"AttributeName": a.name, "AttributeType": a.type}
                for a in sorted(attributes, key=lambda a: a.name)
            ],
        }
        if self.global_indexes:
            kwargs["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": index.name,
                    "KeySchema": _key_schema(index.partition_key, index.sort_key),
                    "Projection": {"ProjectionType": index.projection},
                }
                for index in self.global_indexes
            ]
        if self.stream_view_type:
            kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": self.stream_view_type}
        return kwargs


def _key_schema(partition: KeyAttribute, sort: KeyAttribute | None) -> list[dict]:
    schema = [{"AttributeName": partition.name, "KeyType": "HASH"}]
    if sort:
        schema.append({"AttributeName": sort.name, "KeyType": "RANGE"})
    return schema


def _key(model: type[Model], attr_name: str | None) -> KeyAttribute | None:
    if attr_name is None:
        return None
    return KeyAttribute(attr_name, model.get_attributes()[attr_name].attr_type)


# The tables whose items say nothing about any person, directly or through an id (of an applicant,
# a staff account, an appointment or a request), and why. They keep DynamoDB's AWS-managed key;
# every other table, and every table added later unless it is listed here, is encrypted with the
# authority's own key (KVKK art. 12: the controller takes the technical measures; the key, its
# rotation and who may use it are the authority's, and its use is logged in CloudTrail).
TABLES_WITHOUT_PERSONAL_DATA: dict[str, str] = {
    "slots": "a directorate's places and how many are taken: times and counts, no person and no id of one",
    "availability": "the public calendar's summary (free places per slot and day), built from the slots",
    "assignment-windows": "a province's lottery windows: the window's seed and counts of requests filed and settled",
}


def _table_definition(model: type[Model]) -> TableDefinition:
    prefix = resource_prefix() + "-"
    name = model.Meta.table_name
    short_name = name[len(prefix):] if name.startswith(prefix) else name
    indexes = []
    for index in model._indexes.values():
        schema = index._get_schema()
        keys = {k["KeyType"]: k["AttributeName"] for k in schema["key_schema"]}
        indexes.append(
            IndexDefinition(
                name=schema["index_name"],
                partition_key=_key(model, keys["HASH"]),
                sort_key=_key(model, keys.get("RANGE")),
                projection=schema["projection"]["ProjectionType"],
            )
        )
    return TableDefinition(
        short_name=short_name,
        name=name,
        partition_key=_key(model, model._hash_keyname),
        sort_key=_key(model, model._range_keyname),
        global_indexes=tuple(indexes),
        ttl_attribute=next(
            (name for name, attribute in model.get_attributes().items() if isinstance(attribute, TTLAttribute)), None
        ),
        stream_view_type=getattr(model.Meta, "stream_view_type", None),
        personal_data=short_name not in TABLES_WITHOUT_PERSONAL_DATA,
    )


def table_definitions() -> tuple[TableDefinition, ...]:
    return tuple(_table_definition(model) for model in ALL_TABLES)


@dataclass(frozen=True)
class UserPoolDefinition:
    """Accounts. Sign-in with email; the phone is verified by the application's own SMS code
    (so Cognito auto-verifies nothing and sends nothing itself).

    Hardened so that Cognito is reachable only through the service's use cases: no public
    sign-up (the service creates logins with AdminCreateUser after the registry matched), no
    self-service recovery (the service resets passwords with its own SMS code), users cannot
    change their own attributes, and the app client never says whether a user exists."""

    name: str
    client_name: str
    username_attributes: tuple[str, ...] = ("email",)
    groups: tuple[str, ...] = ("applicant", "staff", "supervisor", "agent", "admin")
    password_policy: PasswordPolicy = PASSWORD_POLICY
    auth_flows: tuple[str, ...] = ("ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
    access_token_minutes: int = 60
    # A second factor, per account: every role but applicant must have one (domain/roles.py), and
    # the service enrols it at their first sign-in; a TOTP app only (software token), never SMS.
    mfa: str = "OPTIONAL"
    software_token_mfa: bool = True
    sms_mfa: bool = False
    # Cognito's sign-in session (between the password and the code) lasts as long as the service's
    # own challenge does.
    auth_session_minutes: int = int(CHALLENGE_LIFETIME.total_seconds() // 60)
    admin_create_user_only: bool = True
    recovery_mechanism: str = "admin_only"  # Cognito's AccountRecoverySetting: no email or SMS recovery
    prevent_user_existence_errors: str = "ENABLED"
    read_attributes: tuple[str, ...] = ("email", "email_verified")
    # Cognito reads an empty list as "every attribute writable", so the client may write one
    # attribute the service never reads; email, phone and names are not writable by users.
    write_attributes: tuple[str, ...] = ("zoneinfo",)


@dataclass(frozen=True)
class MessagingDefinition:
    """SES sender identity and the account's SNS SMS settings.

    Every email is sent with the configuration set `email_configuration_set`, whose event
    destination publishes the `email_feedback_events` (bounces and complaints) to the SNS topic
    `email_feedback_topic`; the app's `@app.on_sns_message` handler of that topic marks the
    addresses undeliverable (services/email_feedback.py). In AWS the sender's identity is a
    domain with Easy DKIM when the deployment names one (`email_domain` in
    infrastructure/stacks/deployment.py), else the sender's address."""

    email_sender: str
    sms_sender_id: str
    sms_type: str = "Transactional"
    email_configuration_set: str = ""
    email_feedback_topic: str = ""
    email_feedback_events: tuple[str, ...] = ("bounce", "complaint")  # SES's MatchingEventTypes


@dataclass(frozen=True)
class QueueDefinition:
    """An SQS queue feeding an `@app.on_sqs_message` handler, with its dead-letter queue: a
    message that fails `max_receive_count` times is set aside there (and alarms) instead of
    being retried forever or lost."""

    name: str
    max_receive_count: int = 5
    # Locally a failed message comes back after this many seconds (in AWS: 6x the function timeout).
    local_visibility_timeout_seconds: int = 2

    @property
    def dead_letter_name(self) -> str:
        return f"{self.name}-dlq"


@dataclass(frozen=True)
class SecretDefinition:
    """A secret the application reads from AWS Secrets Manager at run time (never from the
    environment, never from the repository). In AWS the stack creates it with a generated
    placeholder that an operator replaces with the real value; locally the embedded emulator
    holds it (`chalicelib/local/provision.py`, then the local stack puts the real value)."""

    name: str
    description: str


@dataclass(frozen=True)
class SigningKeyDefinition:
    """An asymmetric KMS key the application signs with (its private half never leaves KMS).

    The receipt key signs the token in a receipt's QR code (`chalicelib/services/receipts.py`):
    KMS `Sign` when a receipt is issued; `GetPublicKey` once per process, after which tokens
    are verified in the function without a call to KMS. ECC_NIST_P256 with ECDSA_SHA_256 is
    JOSE's ES256: a 64-byte signature keeps the QR code small. In AWS the key is retained when
    the stack lets go of it (receipts already handed out stay verifiable); locally the emulator
    creates the same key spec (moto signs and verifies ECDSA_SHA_256 with RAW messages)."""

    name: str  # the alias, without "alias/": the CDK construct id and the key's alias
    description: str
    key_spec: str = "ECC_NIST_P256"
    key_usage: str = "SIGN_VERIFY"
    signing_algorithm: str = "ECDSA_SHA_256"


@dataclass(frozen=True)
class DataKeyDefinition:
    """A symmetric KMS key the authority controls (customer managed), rotated by KMS every year
    (automatic rotation: the old key material stays to decrypt what it encrypted), retained when
    the stack lets go of it (what it encrypted, backups included, stays readable).

    `protects` says what it encrypts: "tables" (the personal-data tables and their streams),
    "queues" (the application's queues and their dead-letter queues), "logs" (every log group of
    the stack). A function may use a key only through the service it protects (`kms:ViaService`)
    and only when it uses a resource the key protects (infrastructure/stacks/permissions.py).
    Locally nothing is encrypted: the emulator has no key to honour."""

    name: str  # the alias, without "alias/"
    protects: str  # tables | queues | logs
    description: str


@dataclass(frozen=True)
class Resources:
    tables: tuple[TableDefinition, ...]
    user_pool: UserPoolDefinition
    messaging: MessagingDefinition
    queues: tuple[QueueDefinition, ...] = field(default=())
    secrets: tuple[SecretDefinition, ...] = field(default=())
    signing_keys: tuple[SigningKeyDefinition, ...] = field(default=())
    data_keys: tuple[DataKeyDefinition, ...] = field(default=())

    def data_key(self, protects: str) -> DataKeyDefinition | None:
        return next((key for key in self.data_keys if key.protects == protects), None)


def resources(email_sender: str = "no-reply@randevu.example.org", sms_sender_id: str = "GOCIDARESI") -> Resources:
    prefix = resource_prefix()
    return Resources(
        tables=table_definitions(),
        user_pool=UserPoolDefinition(name=f"{prefix}-accounts", client_name=f"{prefix}-api"),
        messaging=MessagingDefinition(
            email_sender=email_sender,
            sms_sender_id=sms_sender_id,
            email_configuration_set=email_configuration_set_name(),
            email_feedback_topic=email_feedback_topic_name(),
        ),
        queues=(QueueDefinition(notifications_queue_name()), QueueDefinition(assignments_queue_name()), QueueDefinition(batch_jobs_queue_name())),
        secrets=(
            SecretDefinition(
                edevlet_client_secret_name(),
                "The client secret the service (an OpenID Connect relying party) authenticates with at e-Devlet's token endpoint.",
            ),
            SecretDefinition(
                family_key_secret_name(),
                "The key a guardian's dependants' opaque ids are derived with (HMAC-SHA256 of the document number); the generated value serves as is.",
            ),
        ),
        signing_keys=(
            SigningKeyDefinition(
                receipt_signing_key_name(),
                "Signs the token in an appointment receipt's QR code; staff verify it at the door.",
            ),
        ),
        data_keys=(
            DataKeyDefinition(f"{prefix}-personal-data", "tables", "Encrypts the tables that hold personal data, and their streams."),
            DataKeyDefinition(f"{prefix}-queues", "queues", "Encrypts the application's queues and their dead-letter queues."),
            DataKeyDefinition(f"{prefix}-logs", "logs", "Encrypts the log groups of the functions, the API and the SMS delivery status."),
        ),
    )


# Streams: a handler names its table's stream with `stream_arn(short name)`. Chalice needs an
# ARN when the app is imported, before any table exists, so this one is a stand-in that names
# the table: in AWS the stack puts the table's real stream ARN in its place
# (infrastructure/stacks/appointments.py), locally the event pump reads that table's stream.
STREAM_LABEL = "stream-of-table"
STREAM_ACCOUNT = "000000000000"


def stream_arn(short_name: str) -> str:
    """The stand-in ARN of the change stream of the table `short_name` (e.g. "notifications")."""
    definition = next((t for t in table_definitions() if t.short_name == short_name), None)
    if definition is None or not definition.stream_view_type:
        raise ValueError(f"no table {short_name!r} with a stream (its model's Meta.stream_view_type)")
    return stand_in_stream_arn(definition.name)


def stand_in_stream_arn(table_name: str, region: str | None = None) -> str:
    region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-central-1"
    return f"arn:aws:dynamodb:{region}:{STREAM_ACCOUNT}:table/{table_name}/stream/{STREAM_LABEL}"


def table_of_stream(arn: str) -> str | None:
    """The table name a stand-in stream ARN names (None for any other ARN)."""
    head, _, label = arn.rpartition("/stream/")
    if label != STREAM_LABEL or ":table/" not in head:
        return None
    return head.split(":table/", 1)[1]


def stream_failures_queue_name() -> str:
    """In AWS: where Lambda names the stream records a handler failed after its retries (its
    on-failure destination); it alarms when not empty. Locally the pump retries forever instead."""
    return f"{resource_prefix()}-stream-failures"


def receipt_signing_key_name() -> str:
    """The KMS key (its alias) that signs appointment receipts."""
    return f"{resource_prefix()}-receipts"


def notifications_queue_name() -> str:
    """The queue of notifications to deliver (SMS and email), read by the sender."""
    return f"{resource_prefix()}-notifications"


def assignments_queue_name() -> str:
    """The queue of provinces whose waiting requests are due to be assigned, read by the assigner."""
    return f"{resource_prefix()}-assignments"


def batch_jobs_queue_name() -> str:
    """The queue of pieces of the batch jobs (reminders, no-show sweep, horizon, demand rule),
    one directorate's share each, read by the batch-jobs worker (services/fanout.py)."""
    return f"{resource_prefix()}-batch-jobs"


def email_configuration_set_name() -> str:
    """The SES configuration set every email is sent with (its events: bounces, complaints)."""
    return f"{resource_prefix()}-email"


def email_feedback_topic_name() -> str:
    """The SNS topic SES publishes bounces and complaints to, read by the email-feedback handler."""
    return f"{resource_prefix()}-email-feedback"
