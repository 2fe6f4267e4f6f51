"""A sender keeps its pace: sends at most `per_second` a second, evenly spaced, waiting only
when one would come too early."""

from __future__ import annotations

from chalicelib.services.pacing import Pace


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.waited: list[float] = []

    def wait(self, seconds: float) -> None:
        self.waited.append(round(seconds, 6))
        self.now += seconds


def test_sends_are_spaced_by_the_pace_and_a_late_send_does_not_wait():
    clock = _Clock()
    pace = Pace(4, now=lambda: clock.now, wait=clock.wait)
    for _ in range(5):
        pace.take()
    assert clock.waited == [0.25] * 4 and clock.now == 101.0  # 5 sends in 1 s at 4 a second
    clock.now += 10  # idle: the next send goes at once
    pace.take()
    assert clock.waited == [0.25] * 4


def test_no_pace_means_no_wait():
    clock = _Clock()
    pace = Pace(0, now=lambda: clock.now, wait=clock.wait)
    for _ in range(3):
        pace.take()
    assert clock.waited == []
