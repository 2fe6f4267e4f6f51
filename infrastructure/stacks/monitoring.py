"""Alarms that reach someone, logs that expire, traces, a dashboard, and the SMS account settings.

- **One alarm topic** (`<prefix>-alarms`, KMS-encrypted, TLS only); its email subscribers come
  from configuration (`alarm_emails`). It is the action of every alarm of the stack, the
  dead-letter-queue alarms included.
- **Alarms**: API 5xx rate and p99 latency; errors and throttles of every function (each
  schedule by name); "the slot horizon was not extended today" (no `SlotHorizonExtended` in a
  day); age of the oldest message of each queue; DynamoDB throttles of each table and index;
  SMS success rate and month-to-date spend; the verification-SMS circuit breaker
  (`VerificationSmsCircuitOpen`); SES bounce and complaint rates; a notification channel given
  up after its bounded attempts (`NotificationFailed`, one alarm per channel).
- **Logs**: every function writes to a log group of this stack (Lambda `LoggingConfig`) with
  the configured retention; **X-Ray** active tracing on every function (and on the API stage,
  see edge.py).
- **Dashboard**: bookings, refusals by code, assignments, SMS sent and segments, emails, with
  the API's traffic beside them. The business figures are the service's own metrics
  (Powertools Metrics, `chalicelib/observability.py`), in `metrics_namespace` with the
  dimension `service`.
- **SMS account settings** (SNS has no CloudFormation resource for them): the monthly spend
  limit and delivery-status logging (a role SNS uses to write to its two log groups).
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import custom_resources as cr
from constructs import Construct

from chalicelib import observability
from infrastructure.stacks.deployment import DeploymentSettings

# The service's own metrics: their names are chalicelib/observability.py's, which emits them.
BOOKINGS, REFUSALS, ASSIGNMENTS = observability.BOOKINGS, observability.REFUSALS, observability.ASSIGNMENTS
SMS_SENT, SMS_SEGMENTS, EMAILS_SENT = observability.SMS_SENT, observability.SMS_SEGMENTS, observability.EMAILS_SENT
EMAILS_UNDELIVERABLE, SLOT_HORIZON_EXTENDED = observability.EMAILS_UNDELIVERABLE, observability.SLOT_HORIZON_EXTENDED
VERIFICATION_SMS_CIRCUIT_OPEN, NOTIFICATION_FAILED = observability.VERIFICATION_SMS_CIRCUIT_OPEN, observability.NOTIFICATION_FAILED
NOTIFICATION_CHANNELS = ("sms", "email")

FIVE_MINUTES = cdk.Duration.minutes(5)


def functions_of(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The Chalice template's functions by logical id."""
    return {
        logical_id: resource
        for logical_id, resource in sorted(template.get("Resources", {}).items())
        if resource.get("Type") == "AWS::Serverless::Function"
    }


def event_types(function: dict[str, Any]) -> set[str]:
    return {event.get("Type") for event in (function.get("Properties", {}).get("Events") or {}).values()}


class Monitoring(Construct):
    """Alarms, logs, tracing and the dashboard of an `AppointmentsStack` (`stack`)."""

    def __init__(self, scope: Construct, construct_id: str, *, stack: Any, api_name: str, stage_name: str, settings: DeploymentSettings) -> None:
        super().__init__(scope, construct_id)
        self.settings = settings
        self.prefix: str = stack.prefix
        self.service_name: str = stack.static_environment("INFO")["POWERTOOLS_SERVICE_NAME"]
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        # Every log group of the stack is encrypted with the authority's logs key (appointments.py).
        logs_key = getattr(stack, "data_keys", {}).get("logs")
        self.logs_key_arn = logs_key.key_arn if logs_key is not None else None

        self.topic = self._alarm_topic()
        self.action = actions.SnsAction(self.topic)
        for alarm in stack.dead_letter_alarms.values():
            alarm.add_alarm_action(self.action)

        self.log_groups: dict[str, logs.CfnLogGroup] = {}
        for function_id in functions_of(stack.chalice_template):
            self._observe_function(stack, function_id)
        self._grant_tracing(stack)

        self._api_alarms(api_name, stage_name)
        self._horizon_alarm()
        for name, queue in stack.queues.items():
            self._alarm(
                f"QueueAge-{name}",
                f"{name}-oldest-message-age",
                f"A message has waited on {name} for more than {settings.queue_age_alarm_seconds} s: its consumer is failing or throttled.",
                queue.metric_approximate_age_of_oldest_message(period=FIVE_MINUTES, statistic=cloudwatch.Stats.MAXIMUM),
                settings.queue_age_alarm_seconds,
                evaluation_periods=2,
            )
        for definition in stack.resources.tables:
            table = stack.tables[definition.short_name]
            self._throttle_alarm(definition.name, table.table_name, None)
            for index in definition.global_indexes:
                self._throttle_alarm(f"{definition.name}-{index.name}", table.table_name, index.name)
        self._messaging_alarms()
        self.sms_account = self._sms_account_settings()
        self.dashboard = self._dashboard(api_name, stage_name)

    # -- the topic --------------------------------------------------------------------------

    def _alarm_topic(self) -> sns.Topic:
        # CloudWatch can publish to an encrypted topic only with a customer managed key that
        # lets it use the key (AWS managed keys do not).
        key = kms.Key(
            self,
            "AlarmTopicKey",
            description=f"Encrypts the alarm topic of {self.prefix}",
            enable_key_rotation=True,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*")
        topic = sns.Topic(
            self, "AlarmTopic", topic_name=f"{self.prefix}-alarms", display_name=f"{self.prefix} alarms",
            master_key=key, enforce_ssl=True,
        )
        for email in self.settings.alarm_emails:
            topic.add_subscription(subscriptions.EmailSubscription(email))
        return topic

    def _alarm(
        self,
        construct_id: str,
        name: str,
        description: str,
        metric: cloudwatch.IMetric,
        threshold: float,
        *,
        comparison: cloudwatch.ComparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluation_periods: int = 1,
        missing: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING,
    ) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            alarm_name=f"{self.prefix}-{name}",
            alarm_description=description,
            metric=metric,
            threshold=threshold,
            comparison_operator=comparison,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=evaluation_periods,
            treat_missing_data=missing,
        )
        alarm.add_alarm_action(self.action)
        self.alarms[name] = alarm
        return alarm

    # -- functions --------------------------------------------------------------------------

    def _observe_function(self, stack: Any, function_id: str) -> None:
        function = stack.chalice.get_resource(function_id)
        group = logs.CfnLogGroup(
            self,
            f"Logs-{function_id}",
            log_group_name=f"/aws/lambda/{self.prefix}/{function_id}",
            retention_in_days=self.settings.log_retention_days,
            kms_key_id=self.logs_key_arn,
        )
        group.apply_removal_policy(cdk.RemovalPolicy.DESTROY)
        self.log_groups[function_id] = group
        function.add_property_override("LoggingConfig", {"LogGroup": group.ref})
        # The function's role may write to its own log group only (permissions.py): this one.
        stack.function_roles.use_log_group(function_id, group.log_group_name)
        function.add_property_override("Tracing", "Active")
        function.add_property_override("Environment.Variables.POWERTOOLS_METRICS_NAMESPACE", self.settings.metrics_namespace)

        name = cdk.Fn.ref(function_id)
        for metric_name, what in (("Errors", "failed"), ("Throttles", "was throttled")):
            metric = cloudwatch.Metric(
                namespace="AWS/Lambda",
                metric_name=metric_name,
                dimensions_map={"FunctionName": name},
                statistic=cloudwatch.Stats.SUM,
                period=FIVE_MINUTES,
            )
            self._alarm(
                f"{metric_name}-{function_id}",
                f"{function_id}-{metric_name.lower()}",
                f"{function_id} {what} (see its log group {group.log_group_name}).",
                metric,
                1,
            )

    def _grant_tracing(self, stack: Any) -> None:
        """Functions with active tracing send segments to X-Ray: every role Lambda assumes may.
        (X-Ray's write actions have no resource to name: "*" is the only resource.)"""
        for role in lambda_roles(stack):
            role.add_to_principal_policy(
                iam.PolicyStatement(actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources=["*"])
            )

    def _horizon_alarm(self) -> None:
        metric = self.service_metric(SLOT_HORIZON_EXTENDED, period=cdk.Duration.days(1))
        self._alarm(
            "SlotHorizonNotExtended",
            "slot-horizon-not-extended",
            "The nightly job did not open the next bookable day in the last 24 hours "
            "(no SlotHorizonExtended): run ExtendSlotHorizon by hand and look at its log.",
            metric,
            1,
            comparison=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            missing=cloudwatch.TreatMissingData.BREACHING,
        )

    def service_metric(self, name: str, *, period: cdk.Duration = FIVE_MINUTES, statistic: str = cloudwatch.Stats.SUM, **dimensions: str) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace=self.settings.metrics_namespace,
            metric_name=name,
            dimensions_map={"service": self.service_name, **dimensions},
            statistic=statistic,
            period=period,
        )

    # -- API --------------------------------------------------------------------------------

    def _api_metric(self, name: str, statistic: str, api_name: str, stage_name: str) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace="AWS/ApiGateway",
            metric_name=name,
            dimensions_map={"ApiName": api_name, "Stage": stage_name},
            statistic=statistic,
            period=FIVE_MINUTES,
        )

    def _api_alarms(self, api_name: str, stage_name: str) -> None:
        settings = self.settings
        # 5XXError is 0 or 1 per request: its average is the share of requests that failed.
        self._alarm(
            "Api5xxRate",
            "api-5xx-rate",
            f"More than {settings.api_5xx_rate_alarm:.1%} of API requests answered 5xx for 10 minutes.",
            self._api_metric("5XXError", cloudwatch.Stats.AVERAGE, api_name, stage_name),
            settings.api_5xx_rate_alarm,
            comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=2,
        )
        self._alarm(
            "ApiLatencyP99",
            "api-latency-p99",
            f"The API's p99 latency was above {settings.api_p99_latency_alarm_ms} ms for 15 minutes.",
            self._api_metric("Latency", cloudwatch.Stats.p(99), api_name, stage_name),
            settings.api_p99_latency_alarm_ms,
            comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=3,
        )

    # -- DynamoDB ---------------------------------------------------------------------------

    def _throttle_alarm(self, label: str, table_name: str, index_name: str | None) -> None:
        dimensions = {"TableName": table_name}
        if index_name:
            dimensions["GlobalSecondaryIndexName"] = index_name
        metrics = {
            key: cloudwatch.Metric(
                namespace="AWS/DynamoDB", metric_name=name, dimensions_map=dimensions,
                statistic=cloudwatch.Stats.SUM, period=FIVE_MINUTES,
            )
            for key, name in (("reads", "ReadThrottleEvents"), ("writes", "WriteThrottleEvents"))
        }
        self._alarm(
            f"Throttles-{label}",
            f"{label}-throttled",
            f"DynamoDB throttled reads or writes on {label} (a hot partition, or on-demand scaling behind a burst).",
            cloudwatch.MathExpression(
                expression="FILL(reads, 0) + FILL(writes, 0)", using_metrics=metrics, label=f"{label} throttle events",
                period=FIVE_MINUTES,
            ),
            1,
        )

    # -- messaging --------------------------------------------------------------------------

    def _messaging_alarms(self) -> None:
        settings = self.settings
        hour = cdk.Duration.hours(1)
        self._alarm(
            "SmsSuccessRate",
            "sms-success-rate",
            f"Less than {settings.sms_success_rate_alarm_below:.0%} of SMS were delivered in an hour "
            "(see the SNS delivery-status log group).",
            cloudwatch.Metric(namespace="AWS/SNS", metric_name="SMSSuccessRate", statistic=cloudwatch.Stats.AVERAGE, period=hour),
            settings.sms_success_rate_alarm_below,
            comparison=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        )
        spend_threshold = settings.sms_monthly_spend_limit_usd * settings.sms_spend_alarm_ratio
        self._alarm(
            "SmsSpend",
            "sms-spend",
            f"SMS spend this month passed {spend_threshold:.2f} USD of the {settings.sms_monthly_spend_limit_usd} USD "
            "limit: at the limit SNS stops sending every SMS, codes and reminders alike.",
            cloudwatch.Metric(namespace="AWS/SNS", metric_name="SMSMonthToDateSpentUSD", statistic=cloudwatch.Stats.MAXIMUM, period=hour),
            spend_threshold,
        )
        self._alarm(
            "VerificationSmsCircuitOpen",
            "verification-sms-circuit-open",
            "Verification SMS in the last hour passed the national threshold: code sending is paused "
            "(people are told to try later). Look for SMS pumping in the WAF and access logs.",
            self.service_metric(VERIFICATION_SMS_CIRCUIT_OPEN, statistic=cloudwatch.Stats.MAXIMUM),
            1,
        )
        for channel in NOTIFICATION_CHANNELS:
            self._alarm(
                f"NotificationFailed-{channel}",
                f"notification-{channel}-failed",
                f"A notification's {channel} was given up after its bounded attempts: the person may not know "
                "of their appointment (staff see it on the day list). See the sender's log for the error type.",
                self.service_metric(NOTIFICATION_FAILED, channel=channel),
                1,
            )
        for metric_name, threshold, why in (
            ("Reputation.BounceRate", settings.ses_bounce_rate_alarm, "SES reviews an account at 5% and may pause it at 10%"),
            ("Reputation.ComplaintRate", settings.ses_complaint_rate_alarm, "SES reviews an account at 0.1%"),
        ):
            short = metric_name.split(".")[1]
            self._alarm(
                f"Ses{short}",
                f"ses-{short.lower()}",
                f"SES {short} above {threshold:.1%} ({why}).",
                cloudwatch.Metric(namespace="AWS/SES", metric_name=metric_name, statistic=cloudwatch.Stats.MAXIMUM, period=hour),
                threshold,
                comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            )

    def _sms_account_settings(self) -> cr.AwsCustomResource:
        """The region's SMS spend limit and delivery-status logging (SetSMSAttributes).

        The spend limit cannot exceed the account's SMS quota (1 USD in a new account: ask AWS
        for more first, or the deployment fails here)."""
        log_groups = [
            self._sns_log_group("DeliveryLog", "DirectPublishToPhoneNumber"),
            self._sns_log_group("DeliveryFailureLog", "DirectPublishToPhoneNumber/Failure"),
        ]
        role = iam.Role(
            self,
            "SmsDeliveryStatusRole",
            assumed_by=iam.ServicePrincipal("sns.amazonaws.com"),
            description="Lets SNS log the delivery status of SMS",
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                resources=[group.attr_arn for group in log_groups],
            )
        )
        call = cr.AwsSdkCall(
            service="SNS",
            action="setSMSAttributes",
            parameters={
                "attributes": {
                    "MonthlySpendLimit": str(self.settings.sms_monthly_spend_limit_usd),
                    "DeliveryStatusIAMRole": role.role_arn,
                    # Failures are always logged; successes too (a sample of 100%: volume is low).
                    "DeliveryStatusSuccessSamplingRate": "100",
                }
            },
            physical_resource_id=cr.PhysicalResourceId.of(f"{self.prefix}-sms-account-settings"),
        )
        settings = cr.AwsCustomResource(
            self,
            "SmsAccountSettings",
            on_create=call,
            on_update=call,
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [
                    iam.PolicyStatement(actions=["sns:SetSMSAttributes"], resources=["*"]),
                    iam.PolicyStatement(actions=["iam:PassRole"], resources=[role.role_arn]),
                ]
            ),
            install_latest_aws_sdk=False,
        )
        return settings

    def _sns_log_group(self, construct_id: str, suffix: str) -> logs.CfnLogGroup:
        group = logs.CfnLogGroup(
            self,
            construct_id,
            log_group_name=cdk.Fn.sub(f"sns/${{AWS::Region}}/${{AWS::AccountId}}/{suffix}"),
            retention_in_days=self.settings.log_retention_days,
            kms_key_id=self.logs_key_arn,  # the delivery status names the phone number
        )
        group.apply_removal_policy(cdk.RemovalPolicy.DESTROY)
        return group

    # -- dashboard --------------------------------------------------------------------------

    def _dashboard(self, api_name: str, stage_name: str) -> cloudwatch.Dashboard:
        hour = cdk.Duration.hours(1)

        def business(title: str, *names: str) -> cloudwatch.GraphWidget:
            return cloudwatch.GraphWidget(
                title=title, width=8, left=[self.service_metric(name, period=hour) for name in names]
            )

        namespace = self.settings.metrics_namespace
        refusals = cloudwatch.GraphWidget(
            title="Refusals by code",
            width=8,
            left=[
                cloudwatch.MathExpression(
                    expression=f"SEARCH('{{{namespace},service,code}} MetricName=\"{REFUSALS}\"', 'Sum', 3600)",
                    label="",
                    period=hour,
                )
            ],
        )
        api = cloudwatch.GraphWidget(
            title="API requests and 5xx",
            width=8,
            left=[self._api_metric("Count", cloudwatch.Stats.SUM, api_name, stage_name)],
            right=[self._api_metric("5XXError", cloudwatch.Stats.SUM, api_name, stage_name)],
        )
        dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=f"{self.prefix}-service")
        dashboard.add_widgets(business("Bookings", BOOKINGS), refusals, business("Assignments", ASSIGNMENTS))
        dashboard.add_widgets(business("SMS sent and segments", SMS_SENT, SMS_SEGMENTS), business("Emails sent, addresses marked undeliverable", EMAILS_SENT, EMAILS_UNDELIVERABLE), api)
        dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(title="Alarms", width=24, alarms=list(self.alarms.values()))
        )
        return dashboard


def lambda_roles(scope: Construct) -> list[iam.Role]:
    """Every role of `scope` that Lambda assumes, except those of CDK's own functions (custom
    resource providers): the roles of the Chalice functions, however many there are."""
    from aws_cdk import aws_lambda

    found = []
    for construct in scope.node.find_all():
        if isinstance(construct, iam.Role) and not isinstance(construct.node.scope, aws_lambda.Function):
            document = cdk.Stack.of(construct).resolve(construct.assume_role_policy.to_json()) if construct.assume_role_policy else {}
            if "lambda.amazonaws.com" in str(document):
                found.append(construct)
    return found
