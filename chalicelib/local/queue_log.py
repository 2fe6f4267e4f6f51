"""Every message the emulated SQS queues accepted, in the order they were sent (`GET /local/queue-messages`).

The event pump hands queued messages to their handlers within a second and deletes them, so
what went through a queue cannot be read back from the queue. The emulator shows this log each
request it served (`Emulator.observe`); it keeps the sends: the queue's name, the body and the
time. A developer sees what a queue carries; the minimisation test (tests/http/test_minimisation.py)
scans it for personal data.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import parse_qs

_SENDS = ("SendMessage", "SendMessageBatch")


class QueueLog:
    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        self._now = now or (lambda: datetime.now(timezone.utc))
        self._entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def observe(self, operation: str, request: bytes, response: bytes) -> None:
        """An emulator observer: keeps the bodies of SQS sends (JSON protocol, or the older query one)."""
        action = operation.rsplit(".", 1)[-1].rsplit(":", 1)[-1]
        if action not in _SENDS or not (operation.startswith("AmazonSQS.") or ":" in operation):
            return
        sent = _sent(action, request)
        if not sent:
            return
        sent_at = self._now().isoformat()
        with self._lock:
            self._entries.extend({"queue": queue, "body": body, "sent_at": sent_at} for queue, body in sent)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries)


def _sent(action: str, request: bytes) -> list[tuple[str, str]]:
    """(queue name, body) of each message of a SendMessage or SendMessageBatch request."""
    try:
        params = json.loads(request or b"{}")
    except ValueError:
        form = {k: v[0] for k, v in parse_qs(request.decode(errors="replace")).items()}
        queue = form.get("QueueUrl", "").rsplit("/", 1)[-1]
        if action == "SendMessage":
            return [(queue, form["MessageBody"])] if "MessageBody" in form else []
        return [(queue, v) for k, v in sorted(form.items()) if k.endswith(".MessageBody")]
    if not isinstance(params, dict):
        return []
    queue = str(params.get("QueueUrl", "")).rsplit("/", 1)[-1]
    if action == "SendMessage":
        return [(queue, params["MessageBody"])] if "MessageBody" in params else []
    return [(queue, entry["MessageBody"]) for entry in params.get("Entries", []) if "MessageBody" in entry]
