"""Email in production, on the synthesized template: the sender's identity (a domain with Easy
DKIM when one is configured), the configuration set every send names, its bounce and complaint
events published to the feedback topic, and the app's handler subscribed to that topic."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from chalicelib.resources import MessagingDefinition
from infrastructure.stacks.email import EmailSending
from infrastructure.stacks.permissions import function_access
from tests.infrastructure.test_permissions import _functions, _role_id, _statements


def test_a_configured_domain_becomes_a_domain_identity_with_easy_dkim():
    stack = cdk.Stack(cdk.App(), "Probe")
    messaging = MessagingDefinition("no-reply@randevu.gov.example", "X", email_configuration_set="p-email", email_feedback_topic="p-feedback")
    EmailSending(stack, "Email", messaging=messaging, prefix="p", domain="randevu.gov.example")
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::SES::EmailIdentity", {
        "EmailIdentity": "randevu.gov.example",
        "DkimAttributes": {"SigningEnabled": True},
        "DkimSigningAttributes": {"NextSigningKeyLength": "RSA_2048_BIT"},
    })
    assert "EmailDkimRecords" in template.to_json()["Outputs"]
    with pytest.raises(ValueError, match="not an address of the email domain"):
        EmailSending(cdk.Stack(cdk.App(), "Wrong"), "Email", messaging=messaging, prefix="p", domain="elsewhere.example")


def test_without_a_domain_the_sender_address_stays_the_identity(synthesized):
    identities = synthesized.of_type("AWS::SES::EmailIdentity")
    assert [i["Properties"]["EmailIdentity"] for i in identities.values()] == [synthesized.resources.messaging.email_sender]
    assert list(identities) == ["EmailSender31E0F5CB"]  # the logical id it always had: no replacement on update


def test_bounces_and_complaints_of_the_configuration_set_go_to_an_encrypted_topic(synthesized):
    messaging = synthesized.resources.messaging
    [config_set] = synthesized.of_type("AWS::SES::ConfigurationSet").values()
    assert config_set["Properties"]["Name"] == messaging.email_configuration_set
    [destination] = synthesized.of_type("AWS::SES::ConfigurationSetEventDestination").values()
    event = destination["Properties"]["EventDestination"]
    assert event["Enabled"] and sorted(event["MatchingEventTypes"]) == ["bounce", "complaint"]
    topic_id = event["SnsDestination"]["TopicARN"]["Ref"]
    topic = synthesized.json["Resources"][topic_id]
    assert topic["Properties"]["TopicName"] == messaging.email_feedback_topic and "KmsMasterKeyId" in topic["Properties"]
    key_policy = json.dumps(synthesized.json["Resources"][topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]]["Properties"]["KeyPolicy"])
    assert "ses.amazonaws.com" in key_policy


def test_the_feedback_handler_is_subscribed_to_the_topic_by_reference(synthesized):
    functions = _functions(synthesized)
    events = functions["record_email_feedback"]["Properties"]["Events"]
    [event] = events.values()
    assert event["Type"] == "SNS"
    topic = synthesized.json["Resources"][event["Properties"]["Topic"]["Ref"]]
    assert topic["Type"] == "AWS::SNS::Topic" and topic["Properties"]["TopicName"] == synthesized.resources.messaging.email_feedback_topic
    # What SNS cannot hand to the function waits in a dead-letter queue, which alarms.
    dead_letters = event["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
    assert synthesized.json["Resources"][dead_letters]["Properties"]["QueueName"] == synthesized.resources.messaging.email_feedback_topic + "-dlq"
    alarms = [a["Properties"] for a in synthesized.of_type("AWS::CloudWatch::Alarm").values()]
    assert any(a.get("Dimensions") == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dead_letters, "QueueName"]}}] and a.get("AlarmActions") for a in alarms)


def test_every_function_sends_email_with_the_configuration_set_and_may_send_only_with_it(synthesized):
    name = synthesized.resources.messaging.email_configuration_set
    for function_name, function in _functions(synthesized).items():
        assert function["Properties"]["Environment"]["Variables"]["EMAIL_CONFIGURATION_SET"] == name
        resources = [json.dumps(s["Resource"]) for s in _statements(synthesized, _role_id(function)) if "ses:SendRawEmail" in json.dumps(s["Action"])]
        if function_access()[function_name].email:
            assert any(":identity/" in r for r in resources) and any(f":configuration-set/{name}" in r for r in resources), function_name
        else:
            assert resources == [], function_name
