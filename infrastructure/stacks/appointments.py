"""The appointment service in AWS: one CDK stack, built from `chalicelib.resources.resources()`.

Everything the application uses is described once in `chalicelib/resources.py`; this stack
loops over those descriptions (tables, user pool, messaging, queues) and never names a table
itself. Every queue comes with a dead-letter queue (after `max_receive_count` failed receives)
and an alarm that goes off as soon as a message lands there. The local stack (`chalicelib/local/provision.py`) provisions from the same
descriptions, and `tests/infrastructure/test_stack.py` compares the two.

The Chalice app (`app.py` at the repository root) is packaged by `chalice.cdk.Chalice` into
a SAM template that is included here (dependencies in a Lambda layer, so that a code change
re-packages only the code). Added to that template afterwards:

- one IAM role per function of the app, owned by this stack, each granting only what that
  function uses (`infrastructure/stacks/permissions.py`; nothing on the dead-letter queues,
  which SQS itself fills). Chalice is told not to manage roles at all.
- the environment the functions read (`chalicelib/settings.py`), including e-Devlet's issuer,
  client id and callback address (CDK context `edevlet_issuer`, `edevlet_client_id`,
  `edevlet_redirect_uri`: what the registration at e-Devlet gave), and the name of the secret
  that holds the client secret (each secret of the description is created here with a
  generated placeholder: an operator puts the real value; the role may read it, nothing more).
- the public edge (`edge.py`: one stage, throttles, WAF, custom domain), the queue workers'
  limits (`workers.py`) and the monitoring (`monitoring.py`: alarms to one topic, logs with
  retention, tracing, dashboard, SMS spend limit), configured by `deployment.py`.
- the authority's own KMS keys (customer managed, rotated yearly, retained; `DataKeyDefinition`
  in chalicelib/resources.py): one for the tables that hold personal data (those not in
  `TABLES_WITHOUT_PERSONAL_DATA`) and their streams, one for the queues and their dead-letter
  queues, one for every log group (CloudWatch Logs alone may use it); a function may use a key
  only for what it uses (permissions.py). The receipt key is asymmetric and rotated by hand
  (`_signing_key`). The audit table's own policy denies deleting or rewriting its records.
- API Gateway's own error answers (unknown route, 4XX, 5XX) in the service's error envelope,
  and partial batch responses for SQS event sources (stack-notes 6); SQS event sources that
  name a queue of this stack read it by reference.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from aws_cdk import custom_resources as cr
from chalice.cdk import Chalice
from constructs import Construct

from infrastructure.stacks.backups import TableBackups
from infrastructure.stacks.deployment import DeploymentSettings, apply_service_rate_limits
from infrastructure.stacks.edge import Edge
from infrastructure.stacks.email import EmailSending
from infrastructure.stacks.monitoring import Monitoring
from infrastructure.stacks.workers import limit_workers
from infrastructure.stacks.permissions import AUDIT_NEVER, AUDIT_TABLE, FunctionRoles
from chalicelib.resources import (
    DataKeyDefinition,
    KeyAttribute,
    QueueDefinition,
    Resources,
    SecretDefinition,
    SigningKeyDefinition,
    TableDefinition,
    UserPoolDefinition,
    edevlet_client_secret_name,
    receipt_signing_key_name,
    stream_failures_queue_name,
    table_of_stream,
)

REPO_ROOT = Path(__file__).resolve().parents[2]

SERVICE_NAME = "md-appointments"

_ACCOUNT_RECOVERY = {"admin_only": cognito.AccountRecovery.NONE, "verified_email": cognito.AccountRecovery.EMAIL_ONLY}
# Cognito's standard attribute names → the CDK StandardAttributesMask's keyword arguments.
_STANDARD_ATTRIBUTE = {"email": "email", "email_verified": "email_verified", "zoneinfo": "timezone", "phone_number": "phone_number"}


def _mask(attributes: tuple[str, ...]) -> dict[str, bool]:
    return {_STANDARD_ATTRIBUTE[name]: True for name in attributes}


# Chalice must be given *some* role ARN when it does not manage roles; every function's Role
# is then overridden with the function's own role (permissions.FunctionRoles). A template that still holds this placeholder
# after synthesis is a bug (the test checks it; a deployment would fail on it, loudly).
_PLACEHOLDER_ROLE_ARN = "arn:aws:iam::000000000000:role/replaced-by-the-cdk-stack"

SQS_PARTIAL_BATCH = ["ReportBatchItemFailures"]

# How Lambda reads a table's stream for a handler: partial batch responses (retry from the first
# failed record), a failing batch split in halves to find the record at fault, and after this
# many retries the record's position goes to the stream-failures queue (which alarms) instead of
# holding up every later change of the table; from the oldest record kept, so that nothing
# written before the event source existed is skipped.
STREAM_EVENT_SETTINGS = {
    "FunctionResponseTypes": ["ReportBatchItemFailures"],
    "BisectBatchOnFunctionError": True,
    "MaximumRetryAttempts": 8,
    "StartingPosition": "TRIM_HORIZON",
}

# A dead-letter queue keeps a message for SQS's maximum, to leave time to look at it and redrive.
DEAD_LETTER_RETENTION = cdk.Duration.days(14)

_ERROR_TEMPLATE = '{"error": {"code": "%s", "message": %s, "details": {}}}'
_GATEWAY_MESSAGE = "$context.error.messageString"  # a VTL expression that yields a JSON string


def _gateway_response_table() -> dict[str, tuple[int | None, str, str]]:
    """API Gateway's own answers (no function involved): response type -> (status to answer,
    or None to keep API Gateway's; contract code; message as a JSON/VTL expression).

    Statuses and codes come from the service's one error table (`chalicelib/api/errors.py`).
    """
    from chalicelib.api.errors import ERROR_TABLE, INTERNAL
    from chalicelib.domain import errors

    def code(error: type[errors.DomainError]) -> str:
        return ERROR_TABLE[error][1]

    not_found_status, not_found_code = ERROR_TABLE[errors.NotFound]
    return {
        # API Gateway answers an unknown method or path with MISSING_AUTHENTICATION_TOKEN (403).
        "MISSING_AUTHENTICATION_TOKEN": (
            not_found_status,
            not_found_code,
            json.dumps("No route matches this method and path."),
        ),
        "UNAUTHORIZED": (None, code(errors.Unauthenticated), _GATEWAY_MESSAGE),
        "ACCESS_DENIED": (None, code(errors.Forbidden), _GATEWAY_MESSAGE),
        "THROTTLED": (None, code(errors.RateLimited), _GATEWAY_MESSAGE),
        "DEFAULT_4XX": (None, code(errors.ValidationFailed), _GATEWAY_MESSAGE),
        "DEFAULT_5XX": (None, INTERNAL[1], _GATEWAY_MESSAGE),
    }


def gateway_responses() -> dict[str, dict[str, Any]]:
    """The `x-amazon-apigateway-gateway-responses` extension of the API definition.

    Why in the API definition and not as `AWS::ApiGateway::GatewayResponse` resources: Chalice
    emits a SAM `AWS::Serverless::Api`, and API Gateway drops separately created gateway
    responses from every later deployment SAM makes (SAM issues #390, #623; the responses
    still show in the console but are not served). Inside the definition they are part of
    every deployment, and a change to them triggers a new one.
    """
    responses = {}
    for response_type, (status, code, message) in _gateway_response_table().items():
        response: dict[str, Any] = {
            "responseTemplates": {"application/json": _ERROR_TEMPLATE % (code, message)},
            "responseParameters": {"gatewayresponse.header.Content-Type": "'application/json'"},
        }
        if status is not None:
            response["statusCode"] = str(status)
        responses[response_type] = response
    return responses


def sqs_partial_batch_overrides(template: dict[str, Any]) -> list[tuple[str, str]]:
    """Where to set `FunctionResponseTypes: [ReportBatchItemFailures]` in a Chalice template.

    Returns (logical id, property path) pairs for every SQS event source: SQS events of
    `AWS::Serverless::Function` resources (what `chalice package` emits for
    `@app.on_sqs_message`) and `AWS::Lambda::EventSourceMapping` resources reading a queue.
    Without it, one failing record makes Lambda retry the whole batch (stack-notes 6).
    """
    resources = template.get("Resources", {})
    overrides = []
    for logical_id, resource in sorted(resources.items()):
        properties = resource.get("Properties", {})
        if resource.get("Type") == "AWS::Serverless::Function":
            for event_name, event in sorted((properties.get("Events") or {}).items()):
                if event.get("Type") == "SQS":
                    overrides.append((logical_id, f"Events.{event_name}.Properties.FunctionResponseTypes"))
        elif resource.get("Type") == "AWS::Lambda::EventSourceMapping":
            if _reads_sqs(properties.get("EventSourceArn"), resources):
                overrides.append((logical_id, "FunctionResponseTypes"))
    return overrides


def _reads_sqs(source_arn: Any, resources: dict[str, Any]) -> bool:
    if isinstance(source_arn, dict) and "Fn::GetAtt" in source_arn:
        target = source_arn["Fn::GetAtt"]
        target_id = target[0] if isinstance(target, list) else str(target).split(".")[0]
        return resources.get(target_id, {}).get("Type") == "AWS::SQS::Queue"
    return ":sqs:" in json.dumps(source_arn)


def _sqs_event_queue_names(template: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(function logical id, event name, queue name) for SQS events given as a queue *name*
    (Chalice writes `Fn::Sub arn:...:sqs:${AWS::Region}:${AWS::AccountId}:<name>`)."""
    for logical_id, resource in sorted(template.get("Resources", {}).items()):
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for event_name, event in sorted((resource["Properties"].get("Events") or {}).items()):
            queue = event.get("Properties", {}).get("Queue")
            if event.get("Type") == "SQS" and isinstance(queue, dict) and "Fn::Sub" in queue:
                yield logical_id, event_name, str(queue["Fn::Sub"]).rsplit(":", 1)[-1]


def stream_event_tables(template: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(function logical id, event name, table name) for each DynamoDB stream event source of a
    Chalice template (`@app.on_dynamodb_record(stream_arn=stream_arn(...))` packages the
    stand-in ARN that names the table: `chalicelib.resources.table_of_stream`)."""
    for logical_id, resource in sorted(template.get("Resources", {}).items()):
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for event_name, event in sorted((resource["Properties"].get("Events") or {}).items()):
            stream = event.get("Properties", {}).get("Stream")
            if event.get("Type") == "DynamoDB":
                table = table_of_stream(stream) if isinstance(stream, str) else None
                if table is None:
                    raise ValueError(f"{logical_id}.{event_name} reads a stream that is not one of this app's tables: {stream!r}")
                yield logical_id, event_name, table


def _resources_of_type(template: dict[str, Any], resource_type: str) -> list[str]:
    return sorted(
        logical_id
        for logical_id, resource in template.get("Resources", {}).items()
        if resource.get("Type") == resource_type
    )


def _attribute(key: KeyAttribute | None) -> dynamodb.Attribute | None:
    if key is None:
        return None
    return dynamodb.Attribute(name=key.name, type=_ATTRIBUTE_TYPES[key.type])


# DynamoDB's type letters (as in `create_table`) to CDK's attribute types.
_ATTRIBUTE_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}


def durable_table(scope: Construct, definition: TableDefinition, personal_data_key: kms.IKey | None = None) -> dynamodb.Table:
    """The table of `definition` (construct id: its short name; physical name: its name),
    on-demand, with point-in-time recovery, protected from deletion and retained when the stack
    lets go of it; encrypted with `personal_data_key` (the authority's own key) when it holds
    personal data (`definition.personal_data`), else with DynamoDB's AWS-managed key."""
    encrypted_by_us = definition.personal_data and personal_data_key is not None
    table = dynamodb.Table(
        scope,
        definition.short_name,
        table_name=definition.name,
        partition_key=_attribute(definition.partition_key),
        sort_key=_attribute(definition.sort_key),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED if encrypted_by_us else dynamodb.TableEncryption.AWS_MANAGED,
        encryption_key=personal_data_key if encrypted_by_us else None,
        deletion_protection=True,
        removal_policy=cdk.RemovalPolicy.RETAIN,
        time_to_live_attribute=definition.ttl_attribute,
        stream=dynamodb.StreamViewType(definition.stream_view_type) if definition.stream_view_type else None,
    )
    for index in definition.global_indexes:
        if index.projection not in ("ALL", "KEYS_ONLY"):
            raise ValueError(
                f"{definition.name}/{index.name}: projection {index.projection!r} needs the "
                "projected attributes, which IndexDefinition does not carry yet"
            )
        table.add_global_secondary_index(
            index_name=index.name,
            partition_key=_attribute(index.partition_key),
            sort_key=_attribute(index.sort_key),
            projection_type=dynamodb.ProjectionType(index.projection),
        )
    return table


def read_chalice_stage_config(source_dir: Path, chalice_stage: str) -> dict[str, Any]:
    """The settings of `chalice_stage` in `.chalice/config.json`.

    The Chalice construct packages with the *stack's* name as Chalice stage, so the stage
    settings in config.json (API Gateway stage, timeout, memory, ...) would not apply on their
    own; they are passed explicitly.
    """
    config = json.loads((source_dir / ".chalice" / "config.json").read_text())
    stages = config.get("stages", {})
    if chalice_stage not in stages:
        raise ValueError(f"no stage {chalice_stage!r} in .chalice/config.json (has: {sorted(stages)})")
    return dict(stages[chalice_stage])


@dataclass(frozen=True)
class EdevletClient:
    """This service as a client of e-Devlet's OpenID provider (from the registration there)."""

    issuer: str = ""
    client_id: str = ""
    redirect_uri: str = ""


class AppointmentsStack(cdk.Stack):
    """Tables, accounts, messaging, queues and the Chalice API of one deployment (`prefix`)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        resources: Resources,
        prefix: str,
        source_dir: Path = REPO_ROOT,
        chalice_stage: str = "dev",
        log_level: str = "INFO",
        edevlet: EdevletClient = EdevletClient(),
        deployment: DeploymentSettings = DeploymentSettings(),
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.resources = resources
        self.prefix = prefix
        self.edevlet = edevlet
        self.deployment = deployment
        _check_prefix(resources, prefix)

        # The authority's own keys (customer managed, rotated yearly): personal-data tables, queues, logs.
        self.data_keys = {definition.protects: self._data_key(definition) for definition in resources.data_keys}
        self.tables = {
            definition.short_name: durable_table(self, definition, self.data_keys.get("tables")) for definition in resources.tables
        }
        # Point-in-time recovery (on each table) and hourly/daily copies out of the region (backups.py).
        self.backups = TableBackups(self, "Backups", prefix=prefix, tables=self.tables, copy_vault_arn=deployment.backup_copy_vault_arn)
        self.user_pool, self.user_pool_client = self._user_pool(resources.user_pool)
        # The sender's identity (a domain with DKIM, when configured), the configuration set and the
        # bounce and complaint topic (email.py).
        self.email = EmailSending(self, "Email", messaging=resources.messaging, prefix=prefix, domain=deployment.email_domain)
        self.email_identity = self.email.identity
        self.sms_settings = self._sms_settings()
        self.secrets = {definition.name: self._secret(definition) for definition in resources.secrets}
        self.signing_keys = {
            definition.name: self._signing_key(definition, deployment.receipt_key_generation if definition.name == receipt_signing_key_name() else 1)
            for definition in resources.signing_keys
        }

        stage_config = read_chalice_stage_config(Path(source_dir), chalice_stage)
        stage_config["api_gateway_stage"] = deployment.stage_name or stage_config.get("api_gateway_stage", "api")
        lambda_timeout = int(stage_config.get("lambda_timeout", 60))
        # Keyed by the (main) queue's name, as are the dead-letter queues and their alarms.
        self.queues: dict[str, sqs.Queue] = {}
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        self.dead_letter_alarms: dict[str, cloudwatch.Alarm] = {}
        for definition in resources.queues:
            dead_letter_queue = self._dead_letter_queue(definition)
            self.dead_letter_queues[definition.name] = dead_letter_queue
            self.queues[definition.name] = self._queue(definition, dead_letter_queue, lambda_timeout)
            self.dead_letter_alarms[definition.name] = self._dead_letter_alarm(definition, dead_letter_queue)
        # Stream records a handler failed after its retries are named here (and alarm).
        self.stream_failures: sqs.Queue | None = None
        if any(t.stream_view_type for t in resources.tables):
            self.stream_failures = sqs.Queue(
                self, "StreamFailures", queue_name=stream_failures_queue_name(), encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True, retention_period=DEAD_LETTER_RETENTION,
            )
            self.dead_letter_alarms[stream_failures_queue_name()] = self._not_empty_alarm(
                stream_failures_queue_name(), f"{stream_failures_queue_name()}-not-empty",
                f"A stream handler failed a change {STREAM_EVENT_SETTINGS['MaximumRetryAttempts']} times and went on without it; "
                f"the message in {stream_failures_queue_name()} names the stream and the records' range: look at them, fix the "
                "cause, then replay them (for the notifications table: the requeue schedule sends what is still undelivered).",
                self.stream_failures,
            )
        # Feedback events SNS could not hand to their function (after its retries) wait here too.
        self.dead_letter_alarms[self.email.topic_name] = self._dead_letter_alarm(
            QueueDefinition(self.email.topic_name, max_receive_count=3), self.email.dead_letter_queue
        )

        self.function_roles = FunctionRoles(
            self, "FunctionRoles", prefix=prefix, tables=self.tables,
            table_indexes={t.short_name: tuple(i.name for i in t.global_indexes) for t in resources.tables},
            user_pool=self.user_pool, email_identity=self.email_identity, queues=self.queues, secrets=self.secrets,
            email_configuration_set_arn=self.email.configuration_set_arn, keys=self.signing_keys,
            stream_failures=self.stream_failures,
        )
        self._protect_audit_trail()
        self.chalice = self._chalice(Path(source_dir), stage_config, log_level)
        # The public edge, the workers' limits, alarms and logs (edge.py, workers.py, monitoring.py).
        self.deployment = deployment
        self.edge = Edge(self, "Edge", chalice=self.chalice, prefix=prefix, stage_name=stage_config["api_gateway_stage"], settings=deployment,
                         logs_key=self.data_keys.get("logs"))
        self.workers = limit_workers(self.chalice, self.chalice_template, deployment, resources.queues)
        self.monitoring = Monitoring(self, "Monitoring", stack=self, api_name=self.edge.api_name, stage_name=self.edge.stage_name, settings=deployment)
        apply_service_rate_limits(self.chalice, self.chalice_template, deployment)

        # The API's EndpointURL is an output of the Chalice template already.
        cdk.CfnOutput(self, "UserPoolId", value=self.user_pool.user_pool_id)
        cdk.CfnOutput(self, "UserPoolClientId", value=self.user_pool_client.user_pool_client_id)

        cdk.Tags.of(self).add("service", SERVICE_NAME)
        cdk.Tags.of(self).add("deployment", prefix)

    # -- the audit trail: write-once for every role -----------------------------------------

    def _protect_audit_trail(self) -> None:
        """The audit table's own policy denies what no role's policy grants (permissions.py), so
        that no principal of the account, an administrator's role included, rewrites the trail
        without first changing this policy (which CloudTrail records): no DeleteItem,
        BatchWriteItem or PartiQL write for anyone; UpdateItem only for the retention run's role,
        whose own policy limits it to the attributes it erases."""
        if AUDIT_TABLE not in self.tables:
            return
        # The table's ARN is written out: a table's policy cannot reference the table itself.
        arn = self.format_arn(service="dynamodb", resource="table", resource_name=self._table_name(AUDIT_TABLE))
        table = self.tables[AUDIT_TABLE]
        table.add_to_resource_policy(iam.PolicyStatement(
            sid="AuditRecordsAreNeverDeletedOrRewritten", effect=iam.Effect.DENY, principals=[iam.AnyPrincipal()],
            actions=[f"dynamodb:{a}" for a in AUDIT_NEVER], resources=[arn],
        ))
        erasers = [role.role_arn for name, role in sorted(self.function_roles.roles.items()) if self.function_roles.access[name].erases_audit]
        table.add_to_resource_policy(iam.PolicyStatement(
            sid="OnlyTheRetentionRunErases", effect=iam.Effect.DENY, principals=[iam.AnyPrincipal()],
            actions=["dynamodb:UpdateItem"], resources=[arn],
            conditions={"ArnNotEquals": {"aws:PrincipalArn": erasers}} if erasers else None,
        ))

    # -- Cognito ----------------------------------------------------------------------------

    def _user_pool(self, definition: UserPoolDefinition) -> tuple[cognito.UserPool, cognito.UserPoolClient]:
        policy = definition.password_policy
        pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=definition.name,
            sign_in_aliases=cognito.SignInAliases(
                email="email" in definition.username_attributes,
                phone="phone_number" in definition.username_attributes,
                username=False,
            ),
            # Only the service creates logins (AdminCreateUser, after the registry matched);
            # Cognito sends nothing and verifies nothing itself (the application verifies the
            # phone with its own SMS code).
            self_sign_up_enabled=not definition.admin_create_user_only,
            auto_verify=cognito.AutoVerifiedAttrs(email=False, phone=False),
            password_policy=cognito.PasswordPolicy(
                min_length=policy.min_length,
                require_lowercase=policy.require_lowercase,
                require_uppercase=policy.require_uppercase,
                require_digits=policy.require_digits,
                require_symbols=policy.require_symbols,
            ),
            # The second factor of staff and admin: a TOTP app (software token), enrolled by the
            # service at their first sign-in; OPTIONAL because applicants have none.
            mfa=getattr(cognito.Mfa, definition.mfa),
            mfa_second_factor=cognito.MfaSecondFactor(otp=definition.software_token_mfa, sms=definition.sms_mfa),
            # No recovery through Cognito: the service resets passwords with its own SMS code.
            account_recovery=_ACCOUNT_RECOVERY[definition.recovery_mechanism],
            deletion_protection=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        for group in definition.groups:
            cognito.CfnUserPoolGroup(
                self, f"Group-{group}", user_pool_id=pool.user_pool_id, group_name=group
            )
        client = pool.add_client(
            "ApiClient",
            user_pool_client_name=definition.client_name,
            generate_secret=False,
            disable_o_auth=True,
            access_token_validity=cdk.Duration.minutes(definition.access_token_minutes),
            auth_session_validity=cdk.Duration.minutes(definition.auth_session_minutes),
            prevent_user_existence_errors=definition.prevent_user_existence_errors == "ENABLED",
            read_attributes=cognito.ClientAttributes().with_standard_attributes(**_mask(definition.read_attributes)),
            write_attributes=cognito.ClientAttributes().with_standard_attributes(**_mask(definition.write_attributes)),
        )
        # Exactly the flows of the definition (the L2 flags cannot express every flow name).
        client_resource: cognito.CfnUserPoolClient = client.node.default_child  # type: ignore[assignment]
        client_resource.explicit_auth_flows = list(definition.auth_flows)
        return pool, client

    # -- SNS SMS settings (no CloudFormation resource exists) ---------------------------------

    def _sms_settings(self) -> cr.AwsCustomResource:
        messaging = self.resources.messaging
        call = cr.AwsSdkCall(
            service="SNS",
            action="setSMSAttributes",
            parameters={
                "attributes": {
                    "DefaultSMSType": messaging.sms_type,
                    "DefaultSenderID": messaging.sms_sender_id,
                }
            },
            physical_resource_id=cr.PhysicalResourceId.of(f"{self.prefix}-sms-settings"),
        )
        return cr.AwsCustomResource(
            self,
            "SmsSettings",
            on_create=call,
            on_update=call,
            policy=cr.AwsCustomResourcePolicy.from_sdk_calls(
                resources=cr.AwsCustomResourcePolicy.ANY_RESOURCE
            ),
            install_latest_aws_sdk=False,
        )

    # -- Secrets Manager ----------------------------------------------------------------------

    def _secret(self, definition: SecretDefinition) -> secretsmanager.Secret:
        """The secret of `definition`, created with a generated placeholder (the real value is
        put by an operator, never by the template) and kept when the stack lets go of it."""
        return secretsmanager.Secret(
            self,
            f"Secret-{definition.name.rsplit('/', 1)[-1]}",
            secret_name=definition.name,
            description=definition.description,
            generate_secret_string=secretsmanager.SecretStringGenerator(exclude_punctuation=True, password_length=40),
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )

    # -- KMS: signing keys -------------------------------------------------------------------

    def _signing_key(self, definition: SigningKeyDefinition, generation: int = 1) -> kms.Key:
        """An asymmetric key of the definition's spec (the private half never leaves KMS), with
        its alias; retained when the stack lets go of it, so that receipts already handed out
        stay verifiable.

        Asymmetric keys have no automatic rotation; they are rotated by hand, by generations
        (deployment.py `receipt_key_generation`): generation 2 is a new key (construct
        `Key-receipts-2`, alias `alias/<name>-2`) that signs from that deployment on, while the
        first is retained (signs nothing, deleted by an operator later) and its public half is
        honoured through `receipt_previous_public_keys` until its receipts are past."""
        short = definition.name.removeprefix(self.prefix + "-")
        suffix = "" if generation == 1 else f"-{generation}"
        return kms.Key(
            self,
            f"Key-{short}{suffix}",
            alias=f"alias/{definition.name}{suffix}",
            description=definition.description,
            key_spec=getattr(kms.KeySpec, definition.key_spec),
            key_usage=getattr(kms.KeyUsage, definition.key_usage),
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )

    # -- KMS: the authority's data keys -------------------------------------------------------

    def _data_key(self, definition: DataKeyDefinition) -> kms.Key:
        """A symmetric key of the authority (customer managed), rotated by KMS every year, with
        its alias; retained when the stack lets go of it (what it encrypted, backups included,
        stays readable). Its policy is the account's (CDK's default: IAM policies decide who may
        use it, and only the roles of permissions.py are given any use of it), plus, for the logs
        key, CloudWatch Logs for this stack's log groups only."""
        key = kms.Key(
            self,
            f"DataKey-{definition.protects}",
            alias=f"alias/{definition.name}",
            description=definition.description,
            enable_key_rotation=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        if definition.protects == "logs":
            key.add_to_resource_policy(iam.PolicyStatement(
                principals=[iam.ServicePrincipal(f"logs.{cdk.Aws.REGION}.amazonaws.com")],
                actions=["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:DescribeKey"],
                resources=["*"],
                conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": [
                    self.format_arn(service="logs", resource="log-group", resource_name=pattern, arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME)
                    for pattern in self.log_group_patterns()
                ]}},
            ))
        return key

    def log_group_patterns(self) -> tuple[str, ...]:
        """The names of every log group of this stack, as patterns (the logs key's policy names them):
        the functions' (monitoring.py), the API's access and execution logs (edge.py), SMS delivery.
        The execution logs' group is named after the API's id, which cannot be named here (the key
        would depend on the API, which depends on the functions, whose log groups need the key)."""
        return (
            f"/aws/lambda/{self.prefix}/*",
            f"/aws/apigateway/{self.prefix}/*",
            "API-Gateway-Execution-Logs_*",
            f"sns/{cdk.Aws.REGION}/{cdk.Aws.ACCOUNT_ID}/DirectPublishToPhoneNumber*",
        )

    # -- SQS --------------------------------------------------------------------------------

    def _queue(self, definition: QueueDefinition, dead_letter_queue: sqs.Queue, lambda_timeout: int) -> sqs.Queue:
        return sqs.Queue(
            self,
            f"Queue-{definition.name}",
            queue_name=definition.name,
            **self._queue_encryption(),
            enforce_ssl=True,
            # AWS's advice for Lambda event sources: at least six times the function timeout.
            visibility_timeout=cdk.Duration.seconds(6 * lambda_timeout),
            dead_letter_queue=sqs.DeadLetterQueue(
                max_receive_count=definition.max_receive_count, queue=dead_letter_queue
            ),
        )

    def _dead_letter_queue(self, definition: QueueDefinition) -> sqs.Queue:
        """Where SQS moves a message of `definition`'s queue after `max_receive_count` failed
        receives. SQS fills it itself: the functions are granted nothing on it."""
        return sqs.Queue(
            self,
            f"DeadLetterQueue-{definition.name}",
            queue_name=definition.dead_letter_name,
            **self._queue_encryption(),
            enforce_ssl=True,
            retention_period=DEAD_LETTER_RETENTION,
        )

    def _queue_encryption(self) -> dict[str, Any]:
        """The application's queues and their dead-letter queues: the authority's queues key (they
        carry ids that lead to a person: a notification's, an appointment's directorate)."""
        key = self.data_keys.get("queues")
        if key is None:
            return {"encryption": sqs.QueueEncryption.SQS_MANAGED}
        return {"encryption": sqs.QueueEncryption.KMS, "encryption_master_key": key}

    def _dead_letter_alarm(self, definition: QueueDefinition, dead_letter_queue: sqs.Queue) -> cloudwatch.Alarm:
        return self._not_empty_alarm(
            definition.name, f"{definition.dead_letter_name}-not-empty",
            f"Messages of {definition.name} failed {definition.max_receive_count} times and wait "
            f"in {definition.dead_letter_name}: look at them, fix the cause, then redrive them.",
            dead_letter_queue,
        )

    def _not_empty_alarm(self, key: str, alarm_name: str, description: str, queue: sqs.Queue) -> cloudwatch.Alarm:
        """Goes off when a message is in `queue` (checked every 5 minutes); no data (SQS
        reports nothing for an idle queue) is not a failure."""
        return cloudwatch.Alarm(
            self,
            f"DeadLetterAlarm-{key}",
            alarm_name=alarm_name,
            alarm_description=description,
            metric=queue.metric_approximate_number_of_messages_visible(
                period=cdk.Duration.minutes(5), statistic=cloudwatch.Stats.MAXIMUM
            ),
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )

    # -- The Chalice app --------------------------------------------------------------------

    def static_environment(self, log_level: str) -> dict[str, str]:
        messaging = self.resources.messaging
        return {
            "RESOURCE_PREFIX": self.prefix,
            "EMAIL_SENDER": messaging.email_sender,
            "EMAIL_CONFIGURATION_SET": messaging.email_configuration_set,
            "SMS_SENDER_ID": messaging.sms_sender_id,
            "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
            "LOG_LEVEL": log_level,
            "EDEVLET_ISSUER": self.edevlet.issuer,
            "EDEVLET_CLIENT_ID": self.edevlet.client_id,
            "EDEVLET_REDIRECT_URI": self.edevlet.redirect_uri,
            "EDEVLET_CLIENT_SECRET_NAME": edevlet_client_secret_name(),
            # Receipts of a rotated-out key stay genuine (public keys, no secret: _signing_key).
            "RECEIPT_PREVIOUS_PUBLIC_KEYS": ",".join(self.deployment.receipt_previous_public_keys),
        }

    def _chalice(self, source_dir: Path, stage_config: dict[str, Any], log_level: str) -> Chalice:
        config = dict(stage_config)
        config["environment_variables"] = {
            **stage_config.get("environment_variables", {}),
            **self.static_environment(log_level),
        }
        config.setdefault("automatic_layer", True)
        config["manage_iam_role"] = False
        config["iam_role_arn"] = _PLACEHOLDER_ROLE_ARN
        chalice = Chalice(self, "Api", source_dir=str(source_dir), stage_config=config)
        # Chalice packages into ./chalice.out/<uuid>/ (40 MB a synth); see remove_chalice_package.
        self.chalice_package_dir = Path(chalice._sam_package_dir)
        template = json.loads((self.chalice_package_dir / "sam.json").read_text())
        self.chalice_template = template

        dynamic_environment = {
            "USER_POOL_ID": self.user_pool.user_pool_id,
            "USER_POOL_CLIENT_ID": self.user_pool_client.user_pool_client_id,
            **({"RECEIPT_SIGNING_KEY_ID": self.signing_keys[receipt_signing_key_name()].key_arn}
               if receipt_signing_key_name() in self.signing_keys else {}),
        }
        for function_id in _resources_of_type(template, "AWS::Serverless::Function"):
            function = chalice.get_resource(function_id)
            self.function_roles.attach(function, template["Resources"][function_id])  # its own role
            for key, value in dynamic_environment.items():
                function.add_property_override(f"Environment.Variables.{key}", value)

        # SQS event sources naming a queue of this stack read it by reference (creation order).
        for function_id, event_name, queue_name in _sqs_event_queue_names(template):
            if queue_name in self.queues:
                chalice.get_resource(function_id).add_property_override(
                    f"Events.{event_name}.Properties.Queue", self.queues[queue_name].queue_arn
                )
        # Stream event sources read their table's stream by reference, with the settings above.
        for function_id, event_name, table_name in stream_event_tables(template):
            table = next((t for short, t in self.tables.items() if self._table_name(short) == table_name), None)
            if table is None:
                raise ValueError(f"{function_id}.{event_name} reads the stream of {table_name!r}, a table this stack does not make")
            function = chalice.get_resource(function_id)
            function.add_property_override(f"Events.{event_name}.Properties.Stream", table.table_stream_arn)
            for key, value in STREAM_EVENT_SETTINGS.items():
                function.add_property_override(f"Events.{event_name}.Properties.{key}", value)
            assert self.stream_failures is not None
            function.add_property_override(f"Events.{event_name}.Properties.DestinationConfig",
                                           {"OnFailure": {"Type": "SQS", "Destination": self.stream_failures.queue_arn}})
        self.email.subscribe_handlers(chalice, template)
        for logical_id, path in sqs_partial_batch_overrides(template):
            chalice.get_resource(logical_id).add_property_override(path, SQS_PARTIAL_BATCH)

        if "RestAPI" in template.get("Resources", {}):
            chalice.get_resource("RestAPI").add_property_override(
                "DefinitionBody.x-amazon-apigateway-gateway-responses", gateway_responses()
            )
        return chalice


    def _table_name(self, short_name: str) -> str:
        return next(t.name for t in self.resources.tables if t.short_name == short_name)

    def remove_chalice_package(self) -> None:
        """Delete what Chalice packaged for this stack, once the app is synthesized (the
        assembly holds its own copy of the code). Without this every synth leaves a
        deployment package in ./chalice.out."""
        package_dir = self.chalice_package_dir
        shutil.rmtree(package_dir, ignore_errors=True)
        package_dir.with_name(package_dir.name + ".sam_with_assets.json").unlink(missing_ok=True)
        try:
            package_dir.parent.rmdir()  # chalice.out, if nothing else is in it
        except OSError:
            pass


def _check_prefix(resources: Resources, prefix: str) -> None:
    """Table names are fixed when `chalicelib.adapters.tables` is imported (RESOURCE_PREFIX);
    a stack for another prefix would silently manage the wrong tables."""
    wrong = [t.name for t in resources.tables if not t.name.startswith(prefix + "-")]
    if wrong:
        raise ValueError(
            f"tables {wrong} do not carry the prefix {prefix!r}: set RESOURCE_PREFIX={prefix} "
            "before importing chalicelib (infrastructure/app.py does this from `-c prefix=...`)"
        )
