"""When a Migration Directorate is open, and the appointment slots that follow from it.

Migration Directorates are public offices: they follow the civil-service
working day (08:30–17:30 with a lunch break 12:30–13:30, Monday to Friday) and
close on Turkish public holidays. Religious holidays (Ramazan Bayramı, Kurban
Bayramı) move every year with the Hijri calendar, so holidays come from the
``holidays`` package instead of a hand-written list.

Some days are *half days*: the afternoon of the eve ("arife") of Ramazan and
Kurban Bayramı, and of 28 October (eve of Republic Day), is off from 13:00.
On those days only morning slots are offered.

The day is cut into 30-minute slots. Each slot is identified by a readable,
stable string (``"34-fatih@2026-03-02T08:30"``) that the rest of the system
uses as a key.

Everything is computed in Istanbul time (Türkiye has been on UTC+3 all year
since 2016); datetimes returned here are always timezone-aware.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


from chalicelib.domain.catalogue import Directorate

__all__ = [
    "ISTANBUL",
    "SLOT_MINUTES",
    "Period",
    "WorkingHours",
    "WORKING_HOURS",
    "is_public_holiday",
    "is_half_day",
    "is_working_day",
    "slot_starts",
    "SlotSpec",
    "slot_id_for",
    "parse_slot_id",
    "slots_for_day",
    "horizon_days",
]

ISTANBUL = ZoneInfo("Europe/Istanbul")

#: Length of one appointment slot. Every service fits in one slot.
SLOT_MINUTES = 30


# ---------------------------------------------------------------------------
# Working hours
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A stretch of the day when desks are staffed: ``start`` inclusive, ``end`` exclusive."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise ValueError(f"a period must end after it starts: {self.start}–{self.end}")


@dataclass(frozen=True)
class WorkingHours:
    """Public-office hours: a morning and an afternoon, with the lunch break between.

    Slots never straddle lunch: the last morning slot ends at 12:30, the first
    afternoon slot starts at 13:30.
    """

    morning: Period = Period(time(8, 30), time(12, 30))
    afternoon: Period = Period(time(13, 30), time(17, 30))

    def periods(self, *, half_day: bool = False) -> tuple[Period, ...]:
        """The periods open on a day; a half day keeps only the morning."""
        return (self.morning,) if half_day else (self.morning, self.afternoon)


#: The hours every directorate keeps.
WORKING_HOURS = WorkingHours()


# ---------------------------------------------------------------------------
# Holidays
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _YearHolidays:
    """The closed and half days of one year, as plain sets of dates."""

    public: frozenset[date]
    half_days: frozenset[date]


@functools.lru_cache(maxsize=32)
def _holidays_in(year: int) -> _YearHolidays:
    """Build one year's holiday calendar from the ``holidays`` package, once.

    The package computes Hijri-based dates on the fly, which is too slow to
    repeat for every slot, so each year is computed on first use and cached.
    The package's Turkey calendar has two categories: ``public`` (full days
    off) and ``half_day`` (afternoon off from 13:00: the arife of both Bayrams
    and 28 October). They are asked for separately so the two never mix.
    Frozen sets keep the cached value immutable and safe to share.
    """
    import holidays  # loaded on first use: only slot generation needs the holiday calendar

    public = holidays.country_holidays("TR", years=year, categories=("public",))
    half = holidays.country_holidays("TR", years=year, categories=("half_day",))
    return _YearHolidays(public=frozenset(public), half_days=frozenset(half))


def is_public_holiday(day: date) -> bool:
    """Whether ``day`` is a full Turkish public holiday (national or religious)."""
    return day in _holidays_in(day.year).public


def is_half_day(day: date) -> bool:
    """Whether ``day`` is a half day (afternoon off): a Bayram arife or 28 October.

    This only says what the calendar marks; a half day falling on a weekend or
    on a full holiday is still closed (see ``is_working_day``).
    """
    return day in _holidays_in(day.year).half_days


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a full public holiday (half days are working days)."""
    return day.weekday() < 5 and not is_public_holiday(day)


def slot_starts(day: date) -> tuple[datetime, ...]:
    """Start times of all slots on ``day``, as aware datetimes in Istanbul time.

    16 on a normal working day (08:30 … 12:00 and 13:30 … 17:00), 8 on a half
    day (morning only), none on a weekend or public holiday.
    """
    if not is_working_day(day):
        return ()
    step = timedelta(minutes=SLOT_MINUTES)
    starts: list[datetime] = []
    for period in WORKING_HOURS.periods(half_day=is_half_day(day)):
        start = datetime.combine(day, period.start, tzinfo=ISTANBUL)
        end = datetime.combine(day, period.end, tzinfo=ISTANBUL)
        # Only whole slots: a slot must finish by the end of the period.
        while start + step <= end:
            starts.append(start)
            start += step
    return tuple(starts)


# ---------------------------------------------------------------------------
# Slots
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotSpec:
    """A bookable slot at one directorate, as defined by the calendar.

    ``capacity`` is the number of people who can be booked into it (one per
    desk); ``services`` are the service codes the directorate offers. How many
    places are already taken is not the calendar's business: that lives in
    storage.
    """

    slot_id: str
    directorate_id: str
    start: datetime
    end: datetime
    capacity: int
    services: frozenset[str]


_SLOT_TIME_FORMAT = "%Y-%m-%dT%H:%M"


def local_day(moment: datetime) -> date:
    """The date in Istanbul at `moment`: the day an appointment, a notification or "today" belongs to."""
    return moment.astimezone(ISTANBUL).date()


def wall_time(moment: datetime) -> str:
    """Istanbul wall time to the minute, "YYYY-MM-DDTHH:MM": how a slot is named and keyed
    (it sorts by time, and an instant always gives the same text whatever its timezone)."""
    return f"{moment.astimezone(ISTANBUL):{_SLOT_TIME_FORMAT}}"


def from_wall_time(text: str) -> datetime:
    """The aware instant of a `wall_time` text (stored keys; for untrusted input use parse_slot_id)."""
    return datetime.strptime(text, _SLOT_TIME_FORMAT).replace(tzinfo=ISTANBUL)

# Directorate ids are ASCII slugs ("34-fatih"); being strict here guarantees
# the "@" separator can never be ambiguous.
_DIRECTORATE_ID = r"[A-Za-z0-9][A-Za-z0-9_-]*"
# "<directorate id>@YYYY-MM-DDTHH:MM". re.ASCII so that \d does not accept
# e.g. Arabic-Indic digits, which int() would happily convert.
_SLOT_ID = re.compile(
    rf"(?P<directorate>{_DIRECTORATE_ID})"
    r"@(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"T(?P<hour>\d{2}):(?P<minute>\d{2})",
    re.ASCII,
)


def slot_id_for(directorate_id: str, start: datetime) -> str:
    """The id of the slot starting at ``start`` at a directorate.

    The time is written in Istanbul local time to the minute, so ids are
    readable by staff and the same instant always gives the same id whatever
    timezone ``start`` was expressed in. A naive datetime is refused, because
    guessing its timezone is exactly how appointments end up three hours off;
    so is a directorate id that is not an ASCII slug, because its slot id could
    not be parsed back.
    """
    if not re.fullmatch(_DIRECTORATE_ID, directorate_id, re.ASCII):
        raise ValueError(f"not a directorate id: {directorate_id!r}")
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("slot start must be a timezone-aware datetime")
    return f"{directorate_id}@{wall_time(start)}"


def parse_slot_id(slot_id: str) -> tuple[str, datetime] | None:
    """Split a slot id into (directorate id, aware start in Istanbul time).

    Returns None for anything malformed (slot ids arrive from URLs and request
    bodies, so garbage must be rejected quietly, never raise). It checks the
    shape only: whether the directorate exists and the slot is open on that
    day is for the caller to check (e.g. against ``slots_for_day``).
    """
    if not isinstance(slot_id, str):
        return None
    match = _SLOT_ID.fullmatch(slot_id)
    if match is None:
        return None
    try:
        start = datetime(
            int(match["year"]),
            int(match["month"]),
            int(match["day"]),
            int(match["hour"]),
            int(match["minute"]),
            tzinfo=ISTANBUL,
        )
    except ValueError:  # e.g. month 13, 30 February, hour 24, year 0000
        return None
    return match["directorate"], start


def slots_for_day(directorate: Directorate, day: date) -> tuple[SlotSpec, ...]:
    """All slots a directorate opens on ``day`` (none on closed days)."""
    step = timedelta(minutes=SLOT_MINUTES)
    return tuple(
        SlotSpec(
            slot_id=slot_id_for(directorate.id, start),
            directorate_id=directorate.id,
            start=start,
            end=start + step,
            capacity=directorate.desks,
            services=directorate.services,
        )
        for start in slot_starts(day)
    )


def horizon_days(today: date, horizon_days: int) -> tuple[date, ...]:
    """The working days people may book: from tomorrow through ``today + horizon_days``.

    Today is never bookable (same-day appointments cannot be prepared for).
    ``today`` must be the date in Istanbul, not in UTC: between 00:00 and 03:00
    Istanbul time the UTC date is still yesterday. A horizon of 0 gives no
    days; a negative horizon is a configuration error and raises ValueError.
    """
    if horizon_days < 0:
        raise ValueError(f"horizon_days must not be negative, got {horizon_days}")
    candidates = (today + timedelta(days=offset) for offset in range(1, horizon_days + 1))
    return tuple(day for day in candidates if is_working_day(day))
