"""SMS through Amazon SNS (direct publish to a phone number)."""

from __future__ import annotations

from chalicelib import observability
from chalicelib.domain.sms_text import segments


class SmsSender:
    def __init__(self, client, sender_id: str) -> None:
        self._client = client
        self._sender_id = sender_id

    def send(self, phone_e164: str, text: str) -> str:
        response = self._client.publish(
            PhoneNumber=phone_e164,
            Message=text,
            MessageAttributes={
                "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": self._sender_id},
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
            },
        )
        observability.record(observability.SMS_SENT)
        observability.record(observability.SMS_SEGMENTS, segments(text))  # what the operator bills
        return response["MessageId"]
