"""Email in production: the sender's identity, the configuration set every email is sent with,
and the way back for bounces and complaints.

- **Identity**: when the deployment names a sender domain (`email_domain`, deployment.py), an
  SES domain identity with Easy DKIM (2048-bit keys, signing on): SES gives three CNAME records
  (stack output `EmailDkimRecords`, and the console) that go into the domain's DNS; the identity
  is verified once they resolve. The sender address (`email_sender`) must be in that domain.
  Without a domain, the sender's address alone is the identity (as before; SES emails it a link
  to verify).
- **Configuration set** (`chalicelib/resources.py`: `email_configuration_set`): the functions
  send every email with it (`EMAIL_CONFIGURATION_SET`), and may send only with it (their
  SendRawEmail grant names the identity and this configuration set). Reputation metrics on, so
  the bounce and complaint rate alarms (monitoring.py) can be read per configuration set too.
- **Feedback**: an event destination publishes the set's bounce and complaint events to the SNS
  topic `email_feedback_topic` (KMS-encrypted with a key SES may use, TLS only); the app's
  `record_email_feedback` function (`@app.on_sns_message`) is subscribed to it by reference, and
  marks the addresses undeliverable (chalicelib/services/email_feedback.py). An event SNS
  cannot hand to the function goes to the dead-letter queue `<topic>-dlq` (alarmed like the
  queues' dead letters, monitoring.py), not lost.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from chalicelib.resources import MessagingDefinition

_EVENTS = {"bounce": ses.EmailSendingEvent.BOUNCE, "complaint": ses.EmailSendingEvent.COMPLAINT}


class EmailSending(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, messaging: MessagingDefinition, prefix: str, domain: str = "") -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        self.domain = domain
        if domain:
            if not messaging.email_sender.lower().endswith("@" + domain.lower()):
                raise ValueError(f"the sender {messaging.email_sender!r} is not an address of the email domain {domain!r}")
            self.identity = ses.EmailIdentity(
                stack, "EmailDomain", identity=ses.Identity.domain(domain),
                dkim_identity=ses.DkimIdentity.easy_dkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT), dkim_signing=True,
            )
            cdk.CfnOutput(
                stack, "EmailDkimRecords",
                description=f"The CNAME records to put in the DNS of {domain} (Easy DKIM): name -> value",
                value=cdk.Fn.join(" ; ", [
                    cdk.Fn.join(" -> ", [record.name, record.value]) for record in self.identity.dkim_records
                ]),
            )
        else:
            # The id the stack has always given the sender's address: no replacement on update.
            self.identity = ses.EmailIdentity(stack, "EmailSender", identity=ses.Identity.email(messaging.email_sender))

        self.configuration_set = ses.ConfigurationSet(
            self, "ConfigurationSet", configuration_set_name=messaging.email_configuration_set, reputation_metrics=True,
        )
        self.configuration_set_arn = stack.format_arn(
            service="ses", resource="configuration-set", resource_name=messaging.email_configuration_set
        )
        key = kms.Key(
            self, "FeedbackTopicKey", description=f"Encrypts the email feedback topic of {prefix} and its dead-letter queue",
            enable_key_rotation=True, removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        self.key = key
        # SES publishes to the encrypted topic: it must be able to use the key.
        key.grant(iam.ServicePrincipal("ses.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*")
        # SNS puts what it could not hand over into the dead-letter queue, encrypted with this key too
        # (a bounce names the address): SNS may use it for this topic only (the ARN is written out,
        # the topic itself depends on the key).
        key.add_to_resource_policy(iam.PolicyStatement(
            principals=[iam.ServicePrincipal("sns.amazonaws.com")], actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=["*"],
            conditions={"ArnEquals": {"aws:SourceArn": stack.format_arn(service="sns", resource=messaging.email_feedback_topic)}},
        ))
        self.topic = sns.Topic(
            self, "FeedbackTopic", topic_name=messaging.email_feedback_topic,
            display_name=f"{prefix} email bounces and complaints", master_key=key, enforce_ssl=True,
        )
        self.topic_name = messaging.email_feedback_topic
        self.dead_letter_queue = self._dead_letter_queue()
        self.event_destination = ses.ConfigurationSetEventDestination(
            self, "Feedback", configuration_set=self.configuration_set,
            configuration_set_event_destination_name=f"{messaging.email_configuration_set}-feedback",
            destination=ses.EventDestination.sns_topic(self.topic),
            events=[_EVENTS[event] for event in messaging.email_feedback_events],
        )

    def _dead_letter_queue(self) -> sqs.Queue:
        """Where SNS puts a feedback event it could not hand to the function (kept 14 days, to
        redrive by hand); the stack's dead-letter alarm pattern applies (`dead_letter_alarm`)."""
        queue = sqs.Queue(
            self, "FeedbackDeadLetters", queue_name=f"{self.topic_name}-dlq",
            encryption=sqs.QueueEncryption.KMS, encryption_master_key=self.key,
            enforce_ssl=True, retention_period=cdk.Duration.days(14),
        )
        queue.add_to_resource_policy(iam.PolicyStatement(
            actions=["sqs:SendMessage"], principals=[iam.ServicePrincipal("sns.amazonaws.com")], resources=[queue.queue_arn],
            conditions={"ArnEquals": {"aws:SourceArn": self.topic.topic_arn}},
        ))
        return queue

    def subscribe_handlers(self, chalice: Any, template: dict[str, Any]) -> list[str]:
        """SNS events of the Chalice functions that name the feedback topic read it by
        reference (the topic exists before the subscription); their logical ids."""
        name = self.topic_name
        subscribed = []
        for logical_id, resource in sorted(template.get("Resources", {}).items()):
            if resource.get("Type") != "AWS::Serverless::Function":
                continue
            for event_name, event in sorted((resource["Properties"].get("Events") or {}).items()):
                topic = event.get("Properties", {}).get("Topic")
                if event.get("Type") == "SNS" and isinstance(topic, dict) and str(topic.get("Fn::Sub", "")).endswith(":" + name):
                    function = chalice.get_resource(logical_id)
                    function.add_property_override(f"Events.{event_name}.Properties.Topic", self.topic.topic_arn)
                    function.add_property_override(
                        f"Events.{event_name}.Properties.RedrivePolicy", {"deadLetterTargetArn": self.dead_letter_queue.queue_arn}
                    )
                    subscribed.append(logical_id)
        return subscribed
