"""Least privilege: one IAM role per function of the Chalice app, built from one table of what
each function uses (`function_access()`).

The table is held to the code by `tests/infrastructure/test_permissions.py`: a static reading
of `app.py` and `chalicelib/` (`tests/infrastructure/code_reach.py`) follows each entry point
(the API handler, the two queue workers, each schedule) through the calls it can make, and
collects the table operations (on which table or index), the Cognito admin calls, SMS, email,
queue sends and secrets it reaches. The test fails when the code reaches something a role does
not grant (the function would fail in AWS) and when a role grants something the code does not
reach (an unused grant). It also reads the synthesized policies and fails on a wildcard action
or resource, except the few that AWS requires (WILDCARDS, each with its reason).

How the roles reach the functions: `chalice.cdk` packages the app with `manage_iam_role: false`
and a placeholder role ARN (Chalice must be given one), then the stack overrides each generated
`AWS::Serverless::Function`'s `Role` with the role of that function (`attach`). Chalice's own
per-function `iam_role_arn` (`lambda_functions` in config.json) would need the ARNs before
packaging, i.e. roles that exist outside this stack; the override keeps roles and functions in
one stack and one deployment, and works with chalice.cdk 1.34's offline synthesis.

Each function also gets a fixed name (`<prefix>-<function-name>`), so that its role can write
to its own log group only (Lambda's `/aws/lambda/<name>`, or the group its `LoggingConfig` names:
whoever sets that tells `FunctionRoles.use_log_group`), instead of AWSLambdaBasicExecutionRole's
logs on every group of the account. X-Ray's write actions, if a function's tracing is on, are
added to its role by whoever turns tracing on (the policy test expects them exactly then).

The audit table is write-once for everyone: PutItem (alone, or as an item of a transaction:
DynamoDB authorizes each item of TransactWriteItems by PutItem, UpdateItem, DeleteItem or
ConditionCheckItem), and Query for the staff trail; never UpdateItem, DeleteItem,
BatchWriteItem (whose requests may delete) or PartiQL. PutItem could replace an item with the
same key; audit keys carry a fresh UUID and every put is conditional on the key being new
(`AuditRecord.save`, `NamedTransaction.save`), so no write of the service does. The one
exception is the retention run (`FunctionAccess.erases_audit`): UpdateItem, with an IAM
condition that the request names no attribute but the record's key and the personal values it
erases (`AUDIT_ERASABLE`): it can never change who, what or when.

KMS: the personal-data tables and the queues are encrypted with the authority's keys
(appointments.py). A function may use a key only for a table or queue it uses, only through
that service (`kms:ViaService`), and only as that use needs (`key_uses`): Decrypt and DescribeKey
to read a table or its stream, Encrypt and GenerateDataKey besides to write it; Decrypt to
receive from a queue, GenerateDataKey and Decrypt to send to it. The logs key is used by
CloudWatch Logs alone (its key policy); no function is given it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import aws_cdk as cdk
import jsii
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from chalicelib.domain.retention import AUDIT_ERASED_ATTRIBUTES
from chalicelib.resources import (
    assignments_queue_name,
    batch_jobs_queue_name,
    edevlet_client_secret_name,
    notifications_queue_name,
    receipt_signing_key_name,
)
from chalicelib.settings import family_key_secret_name

API_HANDLER = "api_handler"  # the name Chalice gives the function that serves the REST API

# Items of the audit table are only ever added (see the module's note).
AUDIT_TABLE = "audit"
AUDIT_ALLOWED = frozenset({"PutItem", "Query"})
# What the retention run may touch of an audit record, and nothing else: its key (to name it) and
# the attributes that hold personal values (chalicelib/domain/retention.py says when).
AUDIT_KEY = ("subject", "entry")
AUDIT_ERASABLE = tuple(AUDIT_ERASED_ATTRIBUTES)  # the values, and the record's place on the due index
AUDIT_ERASER = "apply_retention"  # the one function that has `erases_audit`
# What nobody may do to the audit table, whatever their role's policy says (the table's own policy
# denies it: appointments.py `_protect_audit_trail`).
AUDIT_NEVER = ("DeleteItem", "BatchWriteItem", "PartiQLUpdate", "PartiQLDelete")

# What a use of a table or a queue needs of the key that encrypts it (see the module's note).
DYNAMODB_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"})
TABLE_KEY_READ = frozenset({"Decrypt", "DescribeKey"})
TABLE_KEY_WRITE = TABLE_KEY_READ | {"Encrypt", "GenerateDataKey"}
QUEUE_KEY_RECEIVE = frozenset({"Decrypt"})
QUEUE_KEY_SEND = frozenset({"Decrypt", "GenerateDataKey"})

# What a Lambda event source mapping needs of the queue it polls (for the function's role).
QUEUE_CONSUMER_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
# What a Lambda event source mapping needs of the stream it reads (ListStreams: on "*", WILDCARDS).
STREAM_READER_ACTIONS = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator")
# Sending: GetQueueUrl (the URL is looked up by name) and SendMessage (SendMessageBatch is
# authorized by sqs:SendMessage).
QUEUE_SENDER_ACTIONS = ("sqs:GetQueueUrl", "sqs:SendMessage")

# Cognito operations the service calls that Cognito authorizes with a user's password, session
# or access token and never with IAM ("Amazon Cognito doesn't evaluate IAM policies in requests
# for this API operation", in each one's API reference): granting them would grant nothing.
COGNITO_PUBLIC_OPERATIONS = frozenset({
    "InitiateAuth",
    "RespondToAuthChallenge",
    "AssociateSoftwareToken",
    "VerifySoftwareToken",
    "SetUserMFAPreference",
})

# The only "*" in the functions' policies, and why AWS leaves no narrower choice.
WILDCARDS: dict[str, str] = {
    "sns:Publish": "An SMS is published to a phone number, which has no ARN; a Deny on every "
                   "topic ARN keeps the grant to SMS.",
    "logs:CreateLogGroup": "Scoped to the function's own log group; the trailing ':*' of a log "
                           "group ARN is how IAM names the group and its streams.",
    "logs:CreateLogStream": "Lambda names the streams of the function's log group itself.",
    "logs:PutLogEvents": "Lambda names the streams of the function's log group itself.",
    "xray:PutTraceSegments": "X-Ray has no resource-level permissions (only if tracing is on).",
    "xray:PutTelemetryRecords": "X-Ray has no resource-level permissions (only if tracing is on).",
    "dynamodb:ListStreams": "ListStreams has no resource-level permission (only for a function that reads a "
                            "table's stream; its GetRecords and GetShardIterator are on that stream alone).",
    "cloudwatch:PutMetricData": "CloudWatch metrics have no ARN (only for a function that puts metrics "
                                "through the API; Powertools Metrics writes EMF to the log instead).",
}


@dataclass(frozen=True)
class TableAccess:
    """What a function does with one table: DynamoDB actions on its items (GetItem, Query, ...),
    and the global indexes it queries (Query on each index's ARN)."""

    actions: frozenset[str]
    indexes: frozenset[str] = frozenset()

    @classmethod
    def of(cls, *actions: str, query: tuple[str, ...] = ()) -> "TableAccess":
        return cls(frozenset(actions), frozenset(query))


@dataclass(frozen=True)
class FunctionAccess:
    """Everything one function of the app may do."""

    tables: Mapping[str, TableAccess] = field(default_factory=dict)  # by the table's short name
    cognito: frozenset[str] = frozenset()  # admin actions on the user pool (without the prefix)
    sms: bool = False
    email: bool = False
    sends_to: frozenset[str] = frozenset()  # queue names
    reads_from: str | None = None  # the queue of its SQS event source
    reads_stream: str | None = None  # the table (short name) whose stream is its event source
    secrets: frozenset[str] = frozenset()  # secret names (GetSecretValue)
    keys: Mapping[str, frozenset[str]] = field(default_factory=dict)  # KMS key name -> actions (Sign, ...)
    # The retention run alone: UpdateItem on the audit table, on AUDIT_KEY + AUDIT_ERASABLE only.
    erases_audit: bool = False


def key_uses(granted: FunctionAccess, table_key: Mapping[str, Any], queue_key: Mapping[str, Any]) -> dict[Any, tuple[str, frozenset[str]]]:
    """The KMS actions a function needs of each key, for the tables and queues it uses: key ->
    (the service it is used through, "dynamodb" | "sqs"; actions). `table_key` and `queue_key`
    name the key of each encrypted table (short name) and queue (name); others need none."""
    needs: dict[Any, tuple[str, set[str]]] = {}

    def need(key: Any, service: str, actions: frozenset[str]) -> None:
        if key is not None:
            needs.setdefault(key, (service, set()))[1].update(actions)

    for short_name, use in granted.tables.items():
        need(table_key.get(short_name), "dynamodb", TABLE_KEY_WRITE if use.actions & DYNAMODB_WRITES else TABLE_KEY_READ)
    if granted.erases_audit:
        need(table_key.get(AUDIT_TABLE), "dynamodb", TABLE_KEY_WRITE)
    if granted.reads_stream:
        need(table_key.get(granted.reads_stream), "dynamodb", TABLE_KEY_READ)
    for queue_name in granted.sends_to:
        need(queue_key.get(queue_name), "sqs", QUEUE_KEY_SEND)
    if granted.reads_from:
        need(queue_key.get(granted.reads_from), "sqs", QUEUE_KEY_RECEIVE)
    return {key: (service, frozenset(actions)) for key, (service, actions) in needs.items()}


T = TableAccess.of


def function_access() -> dict[str, FunctionAccess]:
    """Function name (as Chalice names it) -> what it may do. Derived by following each entry
    point through the code; `tests/infrastructure/test_permissions.py` re-derives it and
    compares. A new table, call or schedule is added here in the same change."""
    notifications, assignments, batch_jobs = notifications_queue_name(), assignments_queue_name(), batch_jobs_queue_name()
    return {
        API_HANDLER: FunctionAccess(
            tables={
                "residents": T("GetItem", "BatchWriteItem", query=("by-passport", "by-guardian")),  # registry import, matching, dependants
                "applicants": T("GetItem", "BatchGetItem", "PutItem", "UpdateItem", "DeleteItem"),
                "identity-claims": T("GetItem", "BatchGetItem", "PutItem", "UpdateItem", "DeleteItem"),  # UpdateItem: an account takes over an offline person (people.adopt_in)
                "rate-counters": T("GetItem", "UpdateItem"),  # rate limits (also in a booking's transaction); live accounts per phone (phone_accounts.py)
                "staff": T("GetItem", "PutItem", "UpdateItem"),  # UpdateItem: an admin disables an account
                "token-validity": T("GetItem", "UpdateItem", "ConditionCheckItem"),  # a booking's transaction checks the token (admission.py)
                "audit": T("PutItem", "Query"),
                "slots": T("GetItem", "Query", "UpdateItem"),
                "availability": T("GetItem", "Query"),  # the public calendar's summary days (GetItem: its TransactGet)
                "statistics": T("Query"),  # the public statistics: a province's published days
                "directorate-days": T("GetItem", "Query", "UpdateItem"),  # Query: a share's impact over the unreleased days
                "kept-back-shares": T("GetItem", "PutItem"),
                # by-guardian: a guardian's list; returning-by-day: a place given back where the directorate assigns goes back at once (giving_back.py)
                "appointments": T("GetItem", "PutItem", "UpdateItem", query=("by-applicant", "by-directorate", "by-guardian", "returning-by-day")),
                "notifications": T("PutItem", query=("by-applicant",)),  # by-applicant: a person's data export (my_data.py)
                "assignment-requests": T("GetItem", "PutItem", "UpdateItem", query=("waiting-by-province", "by-applicant")),
                "assignment-windows": T("GetItem", "BatchGetItem", "Query", "UpdateItem"),  # BatchGetItem: the queue's shard totals (services/waiting.occupied)
                "demand-modes": T("GetItem", "Query", "UpdateItem", "ConditionCheckItem"),  # a booking's transaction checks the mode
                "web-sessions": T("GetItem", "PutItem", "UpdateItem", "DeleteItem", query=("by-account",)),  # by-account: a closure ends them all
                "sign-ins": T("PutItem", "Query"),  # an applicant's sign-in recorded; read back by the data export
                "sign-in-challenges": T("GetItem", "PutItem", "UpdateItem", "DeleteItem"),
                "idempotency": T("GetItem", "PutItem", "UpdateItem", "DeleteItem"),  # Powertools' store
            },
            cognito=frozenset({
                "AdminGetUser", "AdminListGroupsForUser", "AdminCreateUser", "AdminSetUserPassword",
                "AdminUpdateUserAttributes", "AdminAddUserToGroup", "AdminDeleteUser",
                "AdminUserGlobalSignOut", "AdminDisableUser",
            }),
            sms=True,  # sign-up, phone and password-reset codes
            email=True,  # the email code of an e-Devlet sign-in's contact details
            sends_to=frozenset({assignments}),  # notifications: queued from the table's stream (queue_notifications)
            secrets=frozenset({edevlet_client_secret_name(), family_key_secret_name()}),  # e-Devlet's token endpoint; dependants' ids
            # Receipts: Sign when one is issued; GetPublicKey once per process to verify them.
            keys={receipt_signing_key_name(): frozenset({"Sign", "GetPublicKey"})},
        ),
        "deliver_notifications": FunctionAccess(
            tables={
                "notifications": T("GetItem", "UpdateItem"),
                "appointments": T("GetItem", "UpdateItem"),  # a given-up channel is marked on it
                "applicants": T("GetItem"),
                "assignment-requests": T("GetItem"),  # a withdrawn request's notice names its service
            },
            sms=True,
            email=True,
            reads_from=notifications,
        ),
        "queue_notifications": FunctionAccess(
            # The outbox: the notifications table's stream, handed to the sender's queue.
            sends_to=frozenset({notifications}),
            reads_stream="notifications",
        ),
        "assign_appointments": FunctionAccess(
            tables={
                "assignment-requests": T("UpdateItem", query=("waiting-by-province",)),
                "assignment-windows": T("BatchGetItem", "UpdateItem"),  # which shards of the queue to read; its counters
                "applicants": T("BatchGetItem", "UpdateItem"),
                "slots": T("Query", "UpdateItem"),
                "appointments": T("PutItem"),
                "notifications": T("PutItem"),  # queued from the table's stream (queue_notifications)
                "audit": T("PutItem"),
            },
            # the follow-up message of a run that stopped at its budget (services/assignment.py)
            sends_to=frozenset({assignments}),
            reads_from=assignments,
        ),
        "record_email_feedback": FunctionAccess(
            # SES's bounces and complaints (SNS invokes it): the accounts of an address, marked.
            tables={"applicants": T("UpdateItem", query=("by-email",))},
        ),
        "redrive_assignments": FunctionAccess(
            tables={"assignment-requests": T(query=("waiting-by-province",)), "assignment-windows": T("BatchGetItem")},
            sends_to=frozenset({assignments}),
        ),
        # The four batch jobs' schedules only split the work into messages (services/fanout.py) ...
        "evaluate_demand": FunctionAccess(sends_to=frozenset({batch_jobs})),
        "send_reminders": FunctionAccess(sends_to=frozenset({batch_jobs})),
        "extend_slot_horizon": FunctionAccess(sends_to=frozenset({batch_jobs})),
        "sweep_no_shows": FunctionAccess(sends_to=frozenset({batch_jobs})),
        # ... and one worker does each directorate's piece: reminders, no-shows, days, modes.
        "run_batch_jobs": FunctionAccess(
            tables={
                "appointments": T("GetItem", "UpdateItem", query=("unmarked-by-directorate",)),
                "notifications": T("PutItem"),  # reminders, queued from the table's stream (queue_notifications)
                "applicants": T("GetItem", "UpdateItem"),  # a no-show's lock
                "audit": T("PutItem"),
                "directorate-days": T("Query", "PutItem"),
                "slots": T("Query", "PutItem"),  # a new day's slots; the demand rule's coming days
                "kept-back-shares": T("GetItem"),
                "demand-modes": T("Query", "UpdateItem"),
            },
            sends_to=frozenset({batch_jobs}),  # a piece's continuation
            reads_from=batch_jobs,
        ),
        "requeue_notifications": FunctionAccess(
            tables={"notifications": T(query=("undelivered-by-day",))},
            sends_to=frozenset({notifications}),
        ),
        "remove_lapsed_sign_ups": FunctionAccess(
            tables={"applicants": T("DeleteItem", query=("pending-by-day",))},
            cognito=frozenset({"AdminGetUser", "AdminDeleteUser"}),
        ),
        "release_kept_back": FunctionAccess(
            tables={
                "directorate-days": T("UpdateItem", query=("release-pending-by-day",)),
                "slots": T("GetItem", "Query", "UpdateItem"),
            },
        ),
        "return_given_back_places": FunctionAccess(
            tables={
                "appointments": T("UpdateItem", query=("returning-by-day",)),
                "slots": T("UpdateItem"),
            },
            sends_to=frozenset({assignments}),  # a place of an assigned service: the queue is served first
        ),
        "summarise_availability": FunctionAccess(
            # The slots' changes folded into the summary days; a directorate's slots read once to rebuild it.
            tables={"availability": T("GetItem", "BatchGetItem", "PutItem"), "slots": T("Query")},
            reads_stream="slots",
        ),
        "count_slot_statistics": FunctionAccess(
            # A slot's places kept once per version, its day summed again and published; a wait sampled
            # from the availability summary once an hour.
            tables={"statistics": T("GetItem", "BatchGetItem", "PutItem", "ConditionCheckItem"), "availability": T("Query")},
            reads_stream="slots",
        ),
        "count_appointment_statistics": FunctionAccess(
            tables={"statistics": T("BatchGetItem", "PutItem", "ConditionCheckItem")},
            reads_stream="appointments",
        ),
        # Retention (issue 14): what the schedule says is due, found on each table's due index and
        # anonymised; released and closed accounts' claims and logins deleted (services/retention.py).
        AUDIT_ERASER: FunctionAccess(
            tables={
                "applicants": T("GetItem", "UpdateItem", query=("retention-due",)),
                "identity-claims": T("DeleteItem"),
                "appointments": T("UpdateItem", query=("retention-due",)),
                "assignment-requests": T("UpdateItem", query=("retention-due",)),
                "audit": T(query=("retention-due",)),
            },
            erases_audit=True,  # UpdateItem, REMOVE of AUDIT_ERASABLE only (see the module's note)
            cognito=frozenset({"AdminGetUser", "AdminDeleteUser"}),
        ),
    }


def chalice_function_name(resource: Mapping[str, Any]) -> str:
    """The Chalice name of a packaged function (`app.<name>`; the API's handler is `app.app`)."""
    handler = resource["Properties"]["Handler"]
    name = handler.rsplit(".", 1)[1]
    return API_HANDLER if name == "app" else name


def deployed_function_name(prefix: str, function: str) -> str:
    """The Lambda function's name: fixed, so that its role can name its log group."""
    name = f"{prefix}-{function.replace('_', '-')}"
    if len(name) > 64:
        raise ValueError(f"function name {name!r} is longer than Lambda's 64 characters")
    return name


class FunctionRoles(Construct):
    """One role per function of the app, each granting exactly its `FunctionAccess`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        prefix: str,
        tables: Mapping[str, dynamodb.Table],
        table_indexes: Mapping[str, tuple[str, ...]],
        user_pool: cognito.UserPool,
        email_identity: ses.EmailIdentity,
        queues: Mapping[str, sqs.Queue],
        secrets: Mapping[str, secretsmanager.Secret],
        access: Mapping[str, FunctionAccess] | None = None,
        email_configuration_set_arn: str | None = None,
        keys: Mapping[str, kms.Key] | None = None,
        stream_failures: sqs.Queue | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.stream_failures = stream_failures  # a stream reader's on-failure destination
        self.prefix = prefix
        # SES authorizes a send with a configuration set on the set too (email.py).
        self.email_configuration_set_arn = email_configuration_set_arn
        self.access = dict(access if access is not None else function_access())
        self.roles: dict[str, iam.Role] = {}
        self.log_groups: dict[str, str] = {}  # function -> the log group it writes to
        self._names_by_logical_id: dict[str, str] = {}
        self.keys = dict(keys or {})
        for function, granted in self.access.items():
            check_access(function, granted, tables, table_indexes, queues, secrets, self.keys)
            self.roles[function] = self._role(function, granted, tables, user_pool, email_identity, queues, secrets)

    def _role(self, function, granted, tables, user_pool, email_identity, queues, secrets) -> iam.Role:
        stack = cdk.Stack.of(self)
        name = deployed_function_name(self.prefix, function)
        role = iam.Role(
            self,
            "".join(part.capitalize() for part in function.split("_")),
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{name}: only what this function uses",
        )
        self.log_groups[function] = f"/aws/lambda/{name}"  # Lambda's default; see use_log_group
        role.add_to_policy(iam.PolicyStatement(
            actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[cdk.Lazy.string(_LogGroupArn(stack, self.log_groups, function))],
        ))
        for short_name, use in sorted(granted.tables.items()):
            table = tables[short_name]
            actions = use.actions
            if actions:
                role.add_to_policy(iam.PolicyStatement(
                    actions=[f"dynamodb:{a}" for a in sorted(actions)], resources=[table.table_arn]
                ))
            if use.indexes:
                role.add_to_policy(iam.PolicyStatement(
                    actions=["dynamodb:Query"],
                    resources=[f"{table.table_arn}/index/{index}" for index in sorted(use.indexes)],
                ))
        if granted.cognito:
            user_pool.grant(role, *(f"cognito-idp:{a}" for a in sorted(granted.cognito)))
        if granted.email:
            email_identity.grant(role, "ses:SendRawEmail")
            if self.email_configuration_set_arn:
                role.add_to_policy(iam.PolicyStatement(actions=["ses:SendRawEmail"], resources=[self.email_configuration_set_arn]))
        if granted.sms:
            role.add_to_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=["*"]))
            role.add_to_policy(iam.PolicyStatement(
                effect=iam.Effect.DENY, actions=["sns:Publish"], resources=[f"arn:{cdk.Aws.PARTITION}:sns:*:*:*"]
            ))
        for queue_name in sorted(granted.sends_to):
            queues[queue_name].grant(role, *QUEUE_SENDER_ACTIONS)
        if granted.reads_from:
            queues[granted.reads_from].grant(role, *QUEUE_CONSUMER_ACTIONS)
        if granted.reads_stream:
            role.add_to_policy(iam.PolicyStatement(actions=list(STREAM_READER_ACTIONS), resources=[tables[granted.reads_stream].table_stream_arn]))
            role.add_to_policy(iam.PolicyStatement(actions=["dynamodb:ListStreams"], resources=["*"]))
            if self.stream_failures is None:
                raise ValueError(f"{function} reads a stream but the stack has no stream-failures queue")
            # Lambda sends the failed records' description to the on-failure destination as the function.
            self.stream_failures.grant_send_messages(role)
        for secret_name in sorted(granted.secrets):
            role.add_to_policy(iam.PolicyStatement(
                actions=["secretsmanager:GetSecretValue"], resources=[secrets[secret_name].secret_arn]
            ))
        for key_name, actions in sorted(granted.keys.items()):
            role.add_to_policy(iam.PolicyStatement(
                actions=[f"kms:{a}" for a in sorted(actions)], resources=[self.keys[key_name].key_arn]
            ))
        if granted.erases_audit:
            # The retention run (see the module's note): names the record's key and erases its
            # personal values, nothing else; it reads back nothing.
            role.add_to_policy(iam.PolicyStatement(
                actions=["dynamodb:UpdateItem"], resources=[tables[AUDIT_TABLE].table_arn],
                conditions={
                    "ForAllValues:StringEquals": {"dynamodb:Attributes": [*AUDIT_KEY, *AUDIT_ERASABLE]},
                    "StringEqualsIfExists": {"dynamodb:ReturnValues": "NONE"},
                },
            ))
        table_key = {name: table.encryption_key for name, table in tables.items() if table.encryption_key is not None}
        queue_key = {name: queue.encryption_master_key for name, queue in queues.items() if queue.encryption_master_key is not None}
        for key, (service, actions) in key_uses(granted, table_key, queue_key).items():
            role.add_to_policy(iam.PolicyStatement(
                actions=[f"kms:{a}" for a in sorted(actions)], resources=[key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"{service}.{cdk.Aws.REGION}.amazonaws.com"}},
            ))
        return role

    def use_log_group(self, function: str, log_group_name: str) -> None:
        """The function (its Chalice name or its logical id) logs to `log_group_name` (set by
        its `LoggingConfig`), not to Lambda's default group: its role may write there only."""
        name = self._names_by_logical_id.get(function, function)
        if name not in self.log_groups:
            raise ValueError(f"no function {function!r}")
        self.log_groups[name] = log_group_name

    def attach(self, function: cdk.CfnResource, resource: Mapping[str, Any]) -> str:
        """Give a packaged function its role and its fixed name; returns its Chalice name."""
        name = chalice_function_name(resource)
        if name not in self.roles:
            raise ValueError(
                f"the app has a function {name!r} that infrastructure/stacks/permissions.py does not "
                "describe: add what it uses to function_access()"
            )
        role = self.roles[name]
        self._names_by_logical_id[cdk.Stack.of(self).resolve(function.logical_id)] = name
        function.add_property_override("Role", role.role_arn)
        function.add_property_override("FunctionName", deployed_function_name(self.prefix, name))
        # The role's policy must exist before the function can be invoked or poll a queue
        # (the role itself is a dependency already, through the Role reference).
        function.node.add_dependency(role.node.find_child("DefaultPolicy"))
        return name


@jsii.implements(cdk.IStableStringProducer)
class _LogGroupArn:
    """The ARN of a function's log group and its streams, read when the template is written
    (after a monitoring construct may have given the function a log group of its own)."""

    def __init__(self, stack: cdk.Stack, log_groups: dict[str, str], function: str) -> None:
        self._stack, self._log_groups, self._function = stack, log_groups, function

    def produce(self) -> str:
        return self._stack.format_arn(
            service="logs", resource="log-group", resource_name=f"{self._log_groups[self._function]}:*",
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        )


def check_access(function, granted, tables, table_indexes, queues, secrets, keys=None) -> None:
    unknown = set(granted.tables) - set(tables)
    if unknown:
        raise ValueError(f"{function}: no table {sorted(unknown)} in the stack")
    for short_name, use in granted.tables.items():
        missing = set(use.indexes) - set(table_indexes.get(short_name, ()))
        if missing:
            raise ValueError(f"{function}: table {short_name} has no index {sorted(missing)}")
    if granted.erases_audit and AUDIT_TABLE not in tables:
        raise ValueError(f"{function}: erases audit records, but the stack has no table {AUDIT_TABLE!r}")
    audit = granted.tables.get(AUDIT_TABLE)
    if audit and not audit.actions <= AUDIT_ALLOWED:
        raise ValueError(f"{function}: the audit table is append-only, not {sorted(audit.actions - AUDIT_ALLOWED)}")
    queue_names = set(granted.sends_to) | ({granted.reads_from} if granted.reads_from else set())
    if queue_names - set(queues):
        raise ValueError(f"{function}: no queue {sorted(queue_names - set(queues))} in the stack")
    if set(granted.secrets) - set(secrets):
        raise ValueError(f"{function}: no secret {sorted(set(granted.secrets) - set(secrets))} in the stack")
    if set(granted.keys) - set(keys or {}):
        raise ValueError(f"{function}: no key {sorted(set(granted.keys) - set(keys or {}))} in the stack")
    public = set(granted.cognito) & COGNITO_PUBLIC_OPERATIONS
    if public:
        raise ValueError(f"{function}: Cognito evaluates no IAM policy for {sorted(public)}")
