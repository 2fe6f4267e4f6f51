"""Email through Amazon SES: a plain-text message with a calendar invitation attached."""

from __future__ import annotations

from email.message import EmailMessage

from chalicelib import observability


class EmailSender:
    def __init__(self, client, sender: str, configuration_set: str = "") -> None:
        self._client = client
        self._sender = sender
        # SES publishes the bounces and complaints of messages sent with it (resources.py).
        self._configuration_set = configuration_set

    @property
    def sender(self) -> str:
        return self._sender

    def send(self, to: str, subject: str, body: str, calendar: bytes | None = None, calendar_method: str = "REQUEST") -> str:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = to
        message["Subject"] = subject
        # base64 parts keep the message 7-bit clean: Turkish and Arabic text survive every relay.
        message.set_content(body, cte="base64")
        if calendar is not None:
            # The part's method (REQUEST: offer to add it; CANCEL: remove it) repeats the calendar's.
            # Attached as UTF-8 text, so the directorate's Turkish name survives in every client.
            message.add_attachment(
                calendar.decode("utf-8"), subtype="calendar", filename="appointment.ics", params={"method": calendar_method}, cte="base64"
            )
        extra = {"ConfigurationSetName": self._configuration_set} if self._configuration_set else {}
        response = self._client.send_raw_email(
            Source=self._sender, Destinations=[to], RawMessage={"Data": message.as_bytes()}, **extra
        )
        observability.record(observability.EMAILS_SENT)
        return response["MessageId"]
