"""The notification sender keeps within the account's SMS and email quotas, and gives a failing
channel up (with an alarm) before its message would rest in the dead-letter queue: on the
synthesized template (the session's one synthesis)."""

from __future__ import annotations

import os
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

from chalicelib.resources import notifications_queue_name  # noqa: E402
from chalicelib.services import notifications  # noqa: E402
from infrastructure.stacks.deployment import DeploymentSettings  # noqa: E402
from infrastructure.stacks.workers import _pace_sender, notification_send_pace  # noqa: E402

DEFAULTS = DeploymentSettings()


def _function(synthesized, logical_id: str) -> dict[str, Any]:
    return synthesized.json["Resources"][logical_id]["Properties"]


def test_all_senders_together_stay_within_the_sms_and_email_quotas_and_a_batch_within_the_timeout(synthesized):
    sender = _function(synthesized, "DeliverNotifications")
    variables = sender["Environment"]["Variables"]
    sms, email = float(variables["NOTIFICATION_SMS_PER_SECOND"]), float(variables["NOTIFICATION_EMAIL_PER_SECOND"])
    [event] = [e for e in sender["Events"].values() if e["Type"] == "SQS"]
    at_once = min(event["Properties"]["ScalingConfig"]["MaximumConcurrency"], sender["ReservedConcurrentExecutions"])

    # Every sender at its pace at once: the notifications' share of each quota, no more.
    assert at_once * sms == pytest.approx(DEFAULTS.sms_quota_per_second * DEFAULTS.notification_send_share)
    assert at_once * email == pytest.approx(DEFAULTS.ses_quota_per_second * DEFAULTS.notification_send_share)
    assert at_once * sms <= 20 and at_once * email <= 14  # SNS's default SMS TPS, SES's new-account rate
    # A batch (one SMS and one email per message) waits for its turns within half the timeout.
    batch = event["Properties"]["BatchSize"]
    assert batch * (1 / sms + 1 / email) <= sender["Timeout"] / 2


def test_only_the_notification_sender_is_paced(synthesized):
    assigner = _function(synthesized, "AssignAppointments")
    assert "NOTIFICATION_SMS_PER_SECOND" not in assigner["Environment"]["Variables"]


def test_a_channel_is_given_up_before_its_message_would_rest_in_the_dead_letter_queue(synthesized):
    bound = int(_function(synthesized, "DeliverNotifications")["Environment"]["Variables"]["NOTIFICATION_MAX_ATTEMPTS"])
    [queue] = [q["Properties"] for q in synthesized.of_type("AWS::SQS::Queue").values() if q["Properties"].get("QueueName") == notifications_queue_name()]
    assert bound == DEFAULTS.notification_max_attempts <= queue["RedrivePolicy"]["maxReceiveCount"]


def test_a_given_up_channel_alarms_on_the_alarm_topic(synthesized):
    topics = synthesized.of_type("AWS::SNS::Topic")
    [topic_id] = [i for i, t in topics.items() if t["Properties"]["TopicName"] == f"{synthesized.prefix}-alarms"]
    alarms = {a["Properties"]["AlarmName"]: a["Properties"] for a in synthesized.of_type("AWS::CloudWatch::Alarm").values()}
    for channel in notifications.CHANNELS:
        alarm = alarms[f"{synthesized.prefix}-notification-{channel}-failed"]
        assert (alarm["Namespace"], alarm["MetricName"]) == (DEFAULTS.metrics_namespace, notifications.NOTIFICATION_FAILED)
        assert {"Name": "channel", "Value": channel} in alarm["Dimensions"]
        assert {d["Name"] for d in alarm["Dimensions"]} == {"service", "channel"}  # as observability.record emits it
        assert alarm["Threshold"] == 1 and alarm["AlarmActions"] == [{"Ref": topic_id}]


class _Function:
    def __init__(self) -> None:
        self.overrides: dict[str, Any] = {}

    def add_property_override(self, path: str, value: Any) -> None:
        self.overrides[path] = value


def test_the_pace_follows_the_quotas_and_a_batch_that_cannot_keep_it_fails_the_synthesis():
    raised = DeploymentSettings(sms_quota_per_second=100, ses_quota_per_second=50, notification_send_share=0.8, worker_max_concurrency=4)
    pace = notification_send_pace(raised)
    assert (pace.sms_per_second, pace.email_per_second) == (20, 10)

    properties = {"Timeout": 28}
    event = {"Properties": {"BatchSize": 10}}
    function = _Function()
    _pace_sender(function, properties, [event], raised, {})
    assert function.overrides["Environment.Variables.NOTIFICATION_SMS_PER_SECOND"] == "20"

    slow = DeploymentSettings(sms_quota_per_second=1, ses_quota_per_second=1, worker_max_concurrency=5)  # 0.1/s each
    with pytest.raises(ValueError, match="half"):
        _pace_sender(_Function(), properties, [event], slow, {})
    for wrong in ({"notification_send_share": 0}, {"notification_send_share": 1.5}, {"sms_quota_per_second": 0}, {"notification_max_attempts": 0}):
        with pytest.raises(ValueError):
            DeploymentSettings(**wrong)


class _Chalice:
    def __init__(self) -> None:
        self.functions: dict[str, _Function] = {}

    def get_resource(self, logical_id: str) -> _Function:
        return self.functions.setdefault(logical_id, _Function())


def test_the_services_own_rate_limits_come_from_configuration_to_every_function():
    from infrastructure.stacks.deployment import apply_service_rate_limits

    settings = DeploymentSettings.from_context({"service_rate_limits": "phone_codes_per_hour=2, verification_sms_per_hour=1000"}.get)
    template = {"Resources": {"ApiHandler": {"Type": "AWS::Serverless::Function"}, "Sender": {"Type": "AWS::Serverless::Function"},
                              "Api": {"Type": "AWS::Serverless::Api"}}}
    chalice = _Chalice()
    apply_service_rate_limits(chalice, template, settings)
    expected = {"Environment.Variables.RATE_LIMIT_PHONE_CODES_PER_HOUR": "2",
                "Environment.Variables.RATE_LIMIT_VERIFICATION_SMS_PER_HOUR": "1000"}
    assert {name: f.overrides for name, f in chalice.functions.items()} == {"ApiHandler": expected, "Sender": expected}
    # and the service reads them back as its limits
    from chalicelib.domain.limits import RateLimits
    read = RateLimits.from_environment({k.removeprefix("Environment.Variables."): v for k, v in expected.items()})
    assert (read.phone_codes_per_hour, read.verification_sms_per_hour) == (2, 1000)

    for wrong in ("no_such_limit=3", "phone_codes_per_hour=0", "phone_codes_per_hour=many"):
        with pytest.raises(ValueError, match="service_rate_limits"):
            DeploymentSettings(service_rate_limits=(wrong,))


def test_the_sms_routes_together_stay_within_the_sms_quota_left_to_codes():
    from infrastructure.stacks.edge import SMS_SENDING_ROUTES, check_sms_throttles

    defaults = DeploymentSettings()
    check_sms_throttles(defaults)
    assert len(SMS_SENDING_ROUTES) * defaults.sms_throttle_rate <= defaults.sms_quota_per_second * (1 - defaults.notification_send_share)
    with pytest.raises(ValueError, match="SMS quota"):
        check_sms_throttles(DeploymentSettings(sms_throttle_rate=5.0))
