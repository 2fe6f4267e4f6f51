"""A pace for the sends of one worker: at most `per_second` sends a second, evenly spaced.

The account's SMS and email quotas (SNS: 20 SMS a second by default; SES: 14 emails a second in
a new production account) are shared by every concurrent worker. The stack gives each worker
its share (quota x the notifications' share / the workers' maximum concurrency, see
infrastructure/stacks/workers.py); each process keeps to it here. Waiting is the point: a send
that would come too early waits its turn (a Lambda environment runs one invocation at a time,
so the pace of the process is the pace of the worker, warm invocations included).
"""

from __future__ import annotations

import threading
import time
from typing import Callable


class Pace:
    def __init__(self, per_second: float, *, now: Callable[[], float] = time.monotonic, wait: Callable[[float], None] = time.sleep) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._now = now
        self._wait = wait
        self._next = float("-inf")
        self._lock = threading.Lock()

    def take(self) -> None:
        """Return when a send may go (at once, if the last one was at least an interval ago)."""
        if not self.interval:
            return
        with self._lock:
            now = self._now()
            if now < self._next:
                self._wait(self._next - now)
                now = self._next
            self._next = now + self.interval
