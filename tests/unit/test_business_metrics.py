"""Business metrics leave as CloudWatch embedded-metric JSON in the namespace the stack sets,
with the dimensions the alarms and the dashboard look for (infrastructure/stacks/monitoring.py)."""

from __future__ import annotations

import json

from chalicelib import observability
from chalicelib.api.errors import refusal
from chalicelib.domain.errors import SlotFull


def _emitted(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{") and "_aws" in line]


def test_a_metric_is_emitted_in_the_configured_namespace_with_the_service_dimension(monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Appointments-Test")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "md-appointments")
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)

    observability.record("SlotHorizonExtended")

    [metric] = _emitted(capsys)
    [directive] = metric["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "Appointments-Test"
    assert directive["Metrics"][0]["Name"] == "SlotHorizonExtended"
    assert metric["SlotHorizonExtended"] == [1.0] and metric["service"] == "md-appointments"


def test_a_refusal_counts_under_its_contract_code(monkeypatch, capsys):
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)

    status, body = refusal(SlotFull())

    [metric] = _emitted(capsys)
    assert metric["Refusals"] == [1.0] and metric["code"] == body["error"]["code"] == "SLOT_FULL" and status == 409
    assert ["service", "code"] in [sorted(d, reverse=True) for d in metric["_aws"]["CloudWatchMetrics"][0]["Dimensions"]]


def test_metrics_can_be_switched_off(monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    observability.record("Bookings")
    assert _emitted(capsys) == []


def test_an_sms_counts_as_sent_and_as_the_segments_the_operator_bills(monkeypatch, capsys):
    from chalicelib.adapters.sms import SmsSender

    class _Sns:
        def publish(self, **_):
            return {"MessageId": "m-1"}

    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    sender = SmsSender(_Sns(), "MDAPPT")

    sender.send("+905321234567", "Kodunuz: 123456")  # one GSM-7 segment
    sender.send("+905321234567", "Ş" * 71)  # UCS-2, past one segment of 70: two parts

    emitted = _emitted(capsys)
    assert [m["SmsSent"] for m in emitted if "SmsSent" in m] == [[1.0], [1.0]]
    assert [m["SmsSegments"] for m in emitted if "SmsSegments" in m] == [[1.0], [2.0]]
