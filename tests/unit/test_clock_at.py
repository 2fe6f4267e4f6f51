"""TEST_ISTANBUL_TIME (tests/clock_at.py): the moment a run starts at, by hour and by weekday."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.clock_at import VARIABLE, chosen_moment

THURSDAY_10_00_ISTANBUL = datetime(2026, 12, 3, 7, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "chosen, expected",
    [
        ("23:58", "2026-12-03T23:58:00+03:00"),  # later today
        ("09:00", "2026-12-04T09:00:00+03:00"),  # passed today: tomorrow
        ("Tue 09:00", "2026-12-08T09:00:00+03:00"),  # the next Tuesday
        ("thursday 11:00", "2026-12-03T11:00:00+03:00"),  # today is that weekday, the hour still ahead
        ("Thu 09:00", "2026-12-10T09:00:00+03:00"),  # today is that weekday, the hour passed: a week on
    ],
)
def test_the_run_starts_at_the_next_such_moment(monkeypatch, chosen, expected):
    monkeypatch.setenv(VARIABLE, chosen)
    assert chosen_moment(THURSDAY_10_00_ISTANBUL) == datetime.fromisoformat(expected)


@pytest.mark.parametrize("chosen", ["Xyz 09:00", "Tue Wed 09:00", "25:00"])
def test_a_value_it_cannot_read_stops_the_run(monkeypatch, chosen):
    monkeypatch.setenv(VARIABLE, chosen)
    with pytest.raises(ValueError):
        chosen_moment(THURSDAY_10_00_ISTANBUL)


def test_unset_means_real_time(monkeypatch):
    monkeypatch.delenv(VARIABLE, raising=False)
    assert chosen_moment(THURSDAY_10_00_ISTANBUL) is None
