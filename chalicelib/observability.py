"""Structured JSON logging (Powertools Logger) that never writes personal data in clear.

Code is written not to log personal data at all; the formatter is the safety net: whatever
reaches a log line, document numbers, phone numbers and email addresses are masked in the
serialised JSON before it is written.
"""

from __future__ import annotations

import os
import re
from logging import LogRecord

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

_PERSONAL_DATA = (
    re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"),  # email addresses
    # phone numbers and numeric document numbers: 10 to 15 digits, however grouped
    re.compile(r"(?<![\w:.+\-])\+?\d(?:[ ()\-]?\d){9,14}(?![\w:])"),
    re.compile(r"\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{6,20}\b"),  # passport numbers
)
MASK = "***"


def mask_personal_data(text: str) -> str:
    for pattern in _PERSONAL_DATA:
        text = pattern.sub(MASK, text)
    return text


class MaskingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: dict) -> str:  # type: ignore[override]
        return mask_personal_data(super().serialize(log))

    def format(self, record: LogRecord) -> str:  # noqa: A003
        return super().format(record)


logger = Logger(
    service=os.environ.get("POWERTOOLS_SERVICE_NAME", "md-appointments"),
    level=os.environ.get("LOG_LEVEL", "INFO"),
    logger_formatter=MaskingFormatter(),
)


# -- business metrics (Powertools Metrics, CloudWatch embedded metric format) ------------------
# Names are the interface with infrastructure/stacks/monitoring.py (alarms and the dashboard):
# namespace POWERTOOLS_METRICS_NAMESPACE (set by the stack), dimension `service` plus those given.
# The names, once: the code records them, monitoring.py alarms on and graphs them.
BOOKINGS = "Bookings"
REFUSALS = "Refusals"  # dimension `code`: the contract's error code
ASSIGNMENTS = "Assignments"
SMS_SENT = "SmsSent"
SMS_SEGMENTS = "SmsSegments"
EMAILS_SENT = "EmailsSent"
EMAILS_UNDELIVERABLE = "EmailsUndeliverable"  # accounts marked after a bounce or complaint
SLOT_HORIZON_EXTENDED = "SlotHorizonExtended"
VERIFICATION_SMS_CIRCUIT_OPEN = "VerificationSmsCircuitOpen"
NOTIFICATION_FAILED = "NotificationFailed"  # dimension `channel`: sms | email


def record(name: str, value: float = 1, **dimensions: str) -> None:
    """Emit one count now (written to stdout, which Lambda sends to CloudWatch Logs, where it
    becomes a metric). Off with POWERTOOLS_METRICS_DISABLED=true; never raises."""
    from aws_lambda_powertools.metrics import MetricUnit, single_metric
    from aws_lambda_powertools.metrics.functions import is_metrics_disabled

    if is_metrics_disabled():
        return
    try:
        with single_metric(
            name=name,
            unit=MetricUnit.Count,
            value=value,
            namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "MigrationAppointments"),
        ) as metric:
            metric.add_dimension(name="service", value=os.environ.get("POWERTOOLS_SERVICE_NAME", "md-appointments"))
            for key, dimension in dimensions.items():
                metric.add_dimension(name=key, value=dimension)
    except Exception:  # a metric must never fail the work it counts
        logger.warning("metric not recorded", extra={"metric": name})
