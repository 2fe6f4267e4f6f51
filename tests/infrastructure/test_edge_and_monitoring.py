"""The public edge (one stage, WAF, throttles, domain), the workers' limits and the monitoring
(alarms to one topic, logs, tracing, dashboard, SMS account settings) on the synthesized template."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

import aws_cdk as cdk  # noqa: E402
from aws_cdk.assertions import Template  # noqa: E402

from infrastructure.checks import expand_sam  # noqa: E402
from infrastructure.stacks.deployment import API_GATEWAY_TIMEOUT_SECONDS, DeploymentSettings  # noqa: E402
from infrastructure.stacks.edge import SMS_SENDING_ROUTES, Edge, method_setting_path  # noqa: E402

DEFAULTS = DeploymentSettings()


@pytest.fixture(scope="module")
def expanded(synthesized):
    return expand_sam(synthesized.json)


def _resources(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == resource_type}


def _api(synthesized) -> dict[str, Any]:
    return synthesized.json["Resources"]["RestAPI"]["Properties"]


# -- one stage ------------------------------------------------------------------------------


def test_the_api_has_one_stage_only(expanded):
    [stage] = _resources(expanded, "AWS::ApiGateway::Stage").values()
    assert stage["Properties"]["StageName"] == "api"
    for deployment in _resources(expanded, "AWS::ApiGateway::Deployment").values():
        assert "StageName" not in deployment["Properties"]  # SAM's extra `Stage` is not made


# -- WAF ------------------------------------------------------------------------------------


def _web_acl(synthesized) -> dict[str, Any]:
    [acl] = synthesized.of_type("AWS::WAFv2::WebACL").values()
    return acl["Properties"]


def test_the_web_acl_guards_the_stage_with_aws_managed_rules(synthesized, expanded):
    acl = _web_acl(synthesized)
    assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
    managed = {r["Statement"]["ManagedRuleGroupStatement"]["Name"] for r in acl["Rules"] if "ManagedRuleGroupStatement" in r["Statement"]}
    assert managed == {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList"}
    [association] = _resources(expanded, "AWS::WAFv2::WebACLAssociation").values()
    [stage_id] = _resources(expanded, "AWS::ApiGateway::Stage")
    assert association["Properties"]["ResourceArn"]["Fn::Sub"].endswith(f"/restapis/${{RestAPI}}/stages/${{{stage_id}}}")


def test_a_client_ip_is_rate_limited_everywhere_and_tighter_on_the_routes_that_send_sms(synthesized):
    rules = {r["Name"]: r for r in _web_acl(synthesized)["Rules"]}
    everywhere = rules["AllRoutesPerIp"]["Statement"]["RateBasedStatement"]
    sms = rules["SmsRoutesPerIp"]["Statement"]["RateBasedStatement"]
    assert everywhere["AggregateKeyType"] == sms["AggregateKeyType"] == "IP"
    assert "ScopeDownStatement" not in everywhere and everywhere["Limit"] == DEFAULTS.waf_rate_limit_per_ip
    assert sms["Limit"] == DEFAULTS.waf_sms_rate_limit_per_ip < everywhere["Limit"]
    assert rules["SmsRoutesPerIp"]["Priority"] < rules["AllRoutesPerIp"]["Priority"]
    method, paths = sms["ScopeDownStatement"]["AndStatement"]["Statements"]
    assert method["ByteMatchStatement"]["SearchString"] == "POST"
    matched = {s["ByteMatchStatement"]["SearchString"] for s in paths["OrStatement"]["Statements"]}
    assert matched == {path for _, path in SMS_SENDING_ROUTES}


def test_a_request_over_a_waf_limit_gets_429_with_retry_after_in_the_error_envelope(synthesized):
    acl = _web_acl(synthesized)
    for name in ("AllRoutesPerIp", "SmsRoutesPerIp"):
        [rule] = [r for r in acl["Rules"] if r["Name"] == name]
        response = rule["Action"]["Block"]["CustomResponse"]
        assert response["ResponseCode"] == 429
        assert response["ResponseHeaders"] == [{"Name": "Retry-After", "Value": str(DEFAULTS.waf_window_seconds)}]
        body = acl["CustomResponseBodies"][response["CustomResponseBodyKey"]]
        assert json.loads(body["Content"])["error"]["code"] == "RATE_LIMITED"


def test_the_sms_routes_are_routes_of_the_app(synthesized):
    paths = _api(synthesized)["DefinitionBody"]["paths"]
    for method, path in SMS_SENDING_ROUTES:
        assert method.lower() in paths.get(path, {}), (method, path)


# -- API Gateway stage ------------------------------------------------------------------------


def test_the_stage_is_throttled_and_the_sms_routes_more_so(synthesized):
    settings = {(s["ResourcePath"], s["HttpMethod"]): s for s in _api(synthesized)["MethodSettings"]}
    stage_wide = settings[("/*", "*")]
    assert (stage_wide["ThrottlingRateLimit"], stage_wide["ThrottlingBurstLimit"]) == (DEFAULTS.throttle_rate, DEFAULTS.throttle_burst)
    for method, path in SMS_SENDING_ROUTES:
        route = settings[(method_setting_path(path), method)]
        assert route["ThrottlingRateLimit"] < stage_wide["ThrottlingRateLimit"]
        assert route["ThrottlingBurstLimit"] < stage_wide["ThrottlingBurstLimit"]
    assert all(s["DataTraceEnabled"] is False for s in settings.values())  # no bodies (personal data) in logs
    assert method_setting_path("/v1/auth/signup") == "/~1v1~1auth~1signup"


def test_the_stage_traces_and_logs_access_to_a_log_group_with_retention(synthesized):
    api = _api(synthesized)
    assert api["TracingEnabled"] is True
    group_id = api["AccessLogSetting"]["DestinationArn"]["Fn::GetAtt"][0]
    assert synthesized.json["Resources"][group_id]["Properties"]["RetentionInDays"] == 90
    assert "$context.requestId" in api["AccessLogSetting"]["Format"]
    # API Gateway writes logs only once the region's CloudWatch role is set.
    [account_id] = synthesized.of_type("AWS::ApiGateway::Account")
    assert account_id in synthesized.json["Resources"]["RestAPI"]["DependsOn"]


def test_no_custom_domain_unless_configured(synthesized):
    assert "Domain" not in _api(synthesized)


class _FakeChalice:
    def __init__(self, stack: cdk.Stack) -> None:
        self.api = cdk.CfnResource(stack, "RestAPI", type="AWS::Serverless::Api", properties={"StageName": "api"})
        self.api.override_logical_id("RestAPI")

    def get_resource(self, logical_id: str) -> cdk.CfnResource:
        assert logical_id == "RestAPI"
        return self.api


def test_a_configured_domain_is_served_with_tls_1_2_and_the_configured_limits():
    settings = DeploymentSettings.from_context(
        {
            "domain_name": "randevu.example.gov.tr",
            "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
            "stage_name": "prod",
            "throttle_rate": "50",
            "waf_sms_rate_limit_per_ip": "10",
        }.get
    )
    stack = cdk.Stack(cdk.App(), "EdgeOnly")
    Edge(stack, "Edge", chalice=_FakeChalice(stack), prefix="md-x", stage_name=settings.stage_name, settings=settings)
    template = Template.from_stack(stack).to_json()
    api = template["Resources"]["RestAPI"]["Properties"]
    assert api["Domain"]["DomainName"] == "randevu.example.gov.tr"
    assert api["Domain"]["SecurityPolicy"] == "TLS_1_2"
    assert api["Domain"]["CertificateArn"].endswith("/abc")
    assert api["StageName"] == "prod"
    assert api["MethodSettings"][0]["ThrottlingRateLimit"] == 50.0
    [acl] = _resources(template, "AWS::WAFv2::WebACL").values()
    [sms] = [r for r in acl["Properties"]["Rules"] if r["Name"] == "SmsRoutesPerIp"]
    assert sms["Statement"]["RateBasedStatement"]["Limit"] == 10


def test_settings_from_context_are_checked():
    assert DeploymentSettings.from_context({"alarm_emails": "a@x.org, b@y.org"}.get).alarm_emails == ("a@x.org", "b@y.org")
    assert DeploymentSettings.from_context({}.get) == DEFAULTS
    with pytest.raises(ValueError, match="certificate_arn"):
        DeploymentSettings.from_context({"domain_name": "x.example"}.get)
    with pytest.raises(ValueError, match="log_retention_days"):
        DeploymentSettings.from_context({"log_retention_days": "100"}.get)
    with pytest.raises(ValueError, match="10"):
        DeploymentSettings.from_context({"waf_sms_rate_limit_per_ip": "5"}.get)


# -- functions ------------------------------------------------------------------------------


def _functions(synthesized) -> dict[str, dict[str, Any]]:
    return synthesized.of_type("AWS::Serverless::Function")


def test_every_function_ends_before_api_gateway_gives_up_traces_and_logs_with_retention(synthesized):
    for logical_id, function in _functions(synthesized).items():
        properties = function["Properties"]
        assert properties["Timeout"] < API_GATEWAY_TIMEOUT_SECONDS, logical_id
        assert properties["Tracing"] == "Active", logical_id
        group = synthesized.json["Resources"][properties["LoggingConfig"]["LogGroup"]["Ref"]]
        assert group["Properties"]["RetentionInDays"] == DEFAULTS.log_retention_days, logical_id
        assert properties["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"] == DEFAULTS.metrics_namespace


def test_every_log_group_of_the_stack_expires(synthesized):
    groups = synthesized.of_type("AWS::Logs::LogGroup")
    assert len(groups) >= len(_functions(synthesized)) + 3  # + API access and execution, SNS delivery
    assert {g["Properties"].get("RetentionInDays") for g in groups.values()} == {90}


def test_the_queue_workers_have_reserved_concurrency_above_their_sources_maximum(synthesized):
    workers = {
        logical_id: function
        for logical_id, function in _functions(synthesized).items()
        if any(e["Type"] == "SQS" for e in (function["Properties"].get("Events") or {}).values())
    }
    assert {"DeliverNotifications", "AssignAppointments"} <= set(workers)
    for logical_id, function in workers.items():
        reserved = function["Properties"]["ReservedConcurrentExecutions"]
        for event in function["Properties"]["Events"].values():
            assert 2 <= event["Properties"]["ScalingConfig"]["MaximumConcurrency"] <= reserved, logical_id
    others = set(_functions(synthesized)) - set(workers)
    assert all("ReservedConcurrentExecutions" not in _functions(synthesized)[f]["Properties"] for f in others)


# -- alarms -----------------------------------------------------------------------------------


def _alarms(synthesized) -> dict[str, dict[str, Any]]:
    return {a["Properties"]["AlarmName"]: a["Properties"] for a in synthesized.of_type("AWS::CloudWatch::Alarm").values()}


def test_every_alarm_notifies_the_alarm_topic(synthesized):
    topics = synthesized.of_type("AWS::SNS::Topic")
    [topic_id] = [i for i, t in topics.items() if t["Properties"]["TopicName"] == f"{synthesized.prefix}-alarms"]
    assert len(topics) == 2  # the alarm topic, and SES's bounces and complaints (test_email.py)
    alarms = _alarms(synthesized)
    assert len(alarms) > 40
    for name, alarm in alarms.items():
        assert alarm["AlarmActions"] == [{"Ref": topic_id}], name
    assert not synthesized.of_type("AWS::SNS::Subscription")  # no subscriber configured here


def test_each_function_alarms_on_errors_and_throttles(synthesized):
    alarms = _alarms(synthesized)
    for logical_id in _functions(synthesized):
        for metric in ("Errors", "Throttles"):
            alarm = alarms[f"{synthesized.prefix}-{logical_id}-{metric.lower()}"]
            assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Lambda", metric)
            assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": logical_id}}]
    assert f"{synthesized.prefix}-ExtendSlotHorizon-errors" in alarms


def test_a_day_without_the_horizon_extended_alarms(synthesized):
    alarm = _alarms(synthesized)[f"{synthesized.prefix}-slot-horizon-not-extended"]
    assert alarm["MetricName"] == "SlotHorizonExtended" and alarm["Namespace"] == DEFAULTS.metrics_namespace
    assert alarm["Period"] == 86400 and alarm["ComparisonOperator"] == "LessThanThreshold"
    assert alarm["TreatMissingData"] == "breaching"  # the job not running at all is the failure


def test_queues_tables_indexes_api_sms_and_email_alarm(synthesized):
    alarms = _alarms(synthesized)
    prefix = synthesized.prefix
    for queue in synthesized.resources.queues:
        assert alarms[f"{prefix}-{queue.name}-oldest-message-age"]["MetricName"] == "ApproximateAgeOfOldestMessage"
    for table in synthesized.resources.tables:
        labels = [table.name] + [f"{table.name}-{index.name}" for index in table.global_indexes]
        for label in labels:
            metrics = {m.get("MetricStat", {}).get("Metric", {}).get("MetricName") for m in alarms[f"{prefix}-{label}-throttled"]["Metrics"]}
            assert {"ReadThrottleEvents", "WriteThrottleEvents"} <= metrics, label
    expected = {
        "api-5xx-rate": ("AWS/ApiGateway", "5XXError"),
        "api-latency-p99": ("AWS/ApiGateway", "Latency"),
        "sms-success-rate": ("AWS/SNS", "SMSSuccessRate"),
        "sms-spend": ("AWS/SNS", "SMSMonthToDateSpentUSD"),
        "verification-sms-circuit-open": (DEFAULTS.metrics_namespace, "VerificationSmsCircuitOpen"),
        "ses-bouncerate": ("AWS/SES", "Reputation.BounceRate"),
        "ses-complaintrate": ("AWS/SES", "Reputation.ComplaintRate"),
    }
    for name, (namespace, metric) in expected.items():
        assert (alarms[f"{prefix}-{name}"]["Namespace"], alarms[f"{prefix}-{name}"]["MetricName"]) == (namespace, metric), name
    assert alarms[f"{prefix}-api-latency-p99"]["ExtendedStatistic"] == "p99"
    assert alarms[f"{prefix}-api-5xx-rate"]["Dimensions"] == [
        {"Name": "ApiName", "Value": f"{prefix}-api"}, {"Name": "Stage", "Value": "api"}
    ]
    assert _api(synthesized)["Name"] == f"{prefix}-api"  # the ApiName the alarms watch


def test_the_dashboard_shows_the_business_figures(synthesized):
    [dashboard] = synthesized.of_type("AWS::CloudWatch::Dashboard").values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for metric in ("Bookings", "Refusals", "Assignments", "SmsSent", "SmsSegments", "EmailsSent"):
        assert metric in body, metric


# -- SMS account settings ---------------------------------------------------------------------


def test_sms_spend_is_limited_and_delivery_status_is_logged(synthesized):
    [settings] = [
        r for r in synthesized.of_type("Custom::AWS").values() if "MonthlySpendLimit" in json.dumps(r["Properties"]["Create"])
    ]
    create = json.dumps(settings["Properties"]["Create"])
    assert '\\"MonthlySpendLimit\\":\\"100\\"' in create and "DeliveryStatusIAMRole" in create
    roles = {k: r for k, r in synthesized.of_type("AWS::IAM::Role").items() if "sns.amazonaws.com" in json.dumps(r)}
    [role_id] = roles
    [policy] = [p for p in synthesized.of_type("AWS::IAM::Policy").values() if {"Ref": role_id} in p["Properties"]["Roles"]]
    [statement] = policy["Properties"]["PolicyDocument"]["Statement"]
    assert "*" not in json.dumps(statement["Resource"])  # its two log groups only
    assert len(statement["Resource"]) == 2
