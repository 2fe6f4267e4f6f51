"""Tests for working days, holidays, slots and slot ids."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.calendar import (
    ISTANBUL,
    SLOT_MINUTES,
    WORKING_HOURS,
    SlotSpec,
    WorkingHours,
    horizon_days,
    is_half_day,
    is_public_holiday,
    is_working_day,
    parse_slot_id,
    slot_id_for,
    slot_starts,
    slots_for_day,
)
from chalicelib.domain.catalogue import DIRECTORATES, find_directorate

MONDAY = date(2026, 3, 2)  # an ordinary working Monday
MORNING = ["08:30", "09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00"]
AFTERNOON = ["13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00"]


def hhmm(starts):
    return [s.strftime("%H:%M") for s in starts]


# --- working hours ------------------------------------------------------------


def test_working_hours_are_public_office_hours():
    assert WORKING_HOURS == WorkingHours()
    assert (WORKING_HOURS.morning.start, WORKING_HOURS.morning.end) == (time(8, 30), time(12, 30))
    assert (WORKING_HOURS.afternoon.start, WORKING_HOURS.afternoon.end) == (time(13, 30), time(17, 30))
    assert SLOT_MINUTES == 30


# --- holidays -------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 1),  # Yılbaşı
        date(2026, 4, 23),  # Ulusal Egemenlik ve Çocuk Bayramı
        date(2026, 5, 1),  # Emek ve Dayanışma Günü
        date(2026, 5, 19),  # Atatürk'ü Anma, Gençlik ve Spor Bayramı
        date(2026, 7, 15),  # Demokrasi ve Millî Birlik Günü
        date(2026, 10, 29),  # Cumhuriyet Bayramı
        date(2027, 1, 1),
        date(2027, 4, 23),
        date(2027, 10, 29),
    ],
)
def test_national_holidays_are_closed(day):
    assert is_public_holiday(day)
    assert not is_working_day(day)
    assert slot_starts(day) == ()


# Dates as given by holidays==0.108 (checked against the package, which follows
# the Diyanet calendar): Ramazan Bayramı 20–22 March 2026, Kurban Bayramı
# 27–30 May 2026.
@pytest.mark.parametrize(
    "day",
    [date(2026, 3, 20), date(2026, 3, 21), date(2026, 3, 22)]
    + [date(2026, 5, 27), date(2026, 5, 28), date(2026, 5, 29), date(2026, 5, 30)],
)
def test_religious_holidays_2026_are_closed(day):
    assert is_public_holiday(day)
    assert slot_starts(day) == ()


def test_religious_holidays_agree_with_the_package():
    tr_2026 = holidays.country_holidays("TR", years=2026, language="en_US")
    fitr = sorted(d for d, name in tr_2026.items() if "Eid al-Fitr" in name)
    adha = sorted(d for d, name in tr_2026.items() if "Eid al-Adha" in name)
    assert fitr == [date(2026, 3, 20), date(2026, 3, 21), date(2026, 3, 22)]
    assert adha == [date(2026, 5, 27), date(2026, 5, 28), date(2026, 5, 29), date(2026, 5, 30)]


def test_days_around_bayram_are_open():
    assert is_working_day(date(2026, 3, 23))  # Monday after Ramazan Bayramı
    assert len(slot_starts(date(2026, 3, 23))) == 16
    assert is_working_day(date(2026, 5, 25))  # Monday before Kurban arife


# Half days from the package's "half_day" category: the arife of both Bayrams
# (19 March and 26 May 2026) and 28 October.
@pytest.mark.parametrize("day", [date(2026, 3, 19), date(2026, 5, 26), date(2026, 10, 28)])
def test_half_days_have_only_morning_slots(day):
    assert is_half_day(day)
    assert not is_public_holiday(day)
    assert is_working_day(day)
    assert hhmm(slot_starts(day)) == MORNING


def test_half_days_match_the_package_half_day_category():
    expected = set(holidays.country_holidays("TR", years=2026, categories=("half_day",)))
    assert expected == {date(2026, 3, 19), date(2026, 5, 26), date(2026, 10, 28)}
    for day in expected:
        assert is_half_day(day)


def test_ordinary_days_are_not_half_days_or_holidays():
    assert not is_half_day(MONDAY)
    assert not is_public_holiday(MONDAY)


def test_half_day_on_a_weekend_is_closed():
    # 2025's Ramazan arife fell on Saturday 29 March.
    day = date(2025, 3, 29)
    assert is_half_day(day)
    assert slot_starts(day) == ()


def test_years_far_from_today_do_not_break():
    assert not is_public_holiday(date(1, 1, 2))
    assert is_working_day(date(9999, 12, 31))  # a Friday


# --- slot starts ------------------------------------------------------------------


def test_normal_weekday_has_16_slots_without_lunch():
    starts = slot_starts(MONDAY)
    assert len(starts) == 16
    assert hhmm(starts) == MORNING + AFTERNOON
    assert all(s.tzinfo is ISTANBUL for s in starts)
    assert all(s.utcoffset() == timedelta(hours=3) for s in starts)
    assert all(s.date() == MONDAY for s in starts)
    assert starts[0].astimezone(timezone.utc).time() == time(5, 30)


def test_no_slot_overlaps_lunch_or_runs_past_closing():
    for start in slot_starts(MONDAY):
        end = (start + timedelta(minutes=SLOT_MINUTES)).time()
        assert not (time(12, 30) <= start.time() < time(13, 30))
        assert end <= time(12, 30) or start.time() >= time(13, 30)
        assert end <= time(17, 30)


@pytest.mark.parametrize("day", [date(2026, 3, 7), date(2026, 3, 8)])
def test_weekends_are_empty(day):
    assert not is_working_day(day)
    assert slot_starts(day) == ()


def test_a_whole_year_of_slot_counts():
    day = date(2026, 1, 1)
    while day.year == 2026:
        count = len(slot_starts(day))
        if not is_working_day(day):
            assert count == 0
        elif is_half_day(day):
            assert count == 8
        else:
            assert count == 16
        day += timedelta(days=1)


# --- slot specs -------------------------------------------------------------------


def test_slots_for_day_uses_directorate_desks_and_services():
    fatih = find_directorate("34-fatih")
    slots = slots_for_day(fatih, MONDAY)
    assert len(slots) == 16
    first = slots[0]
    assert isinstance(first, SlotSpec)
    assert first.slot_id == "34-fatih@2026-03-02T08:30"
    assert first.directorate_id == "34-fatih"
    assert first.start == datetime(2026, 3, 2, 8, 30, tzinfo=ISTANBUL)
    assert first.end - first.start == timedelta(minutes=SLOT_MINUTES)
    for slot in slots:
        assert slot.capacity == fatih.desks
        assert slot.services == fatih.services
    assert len({s.slot_id for s in slots}) == 16


def test_slots_for_day_closed_and_half_days():
    merkez = find_directorate("06-merkez")
    assert slots_for_day(merkez, date(2026, 3, 20)) == ()
    assert len(slots_for_day(merkez, date(2026, 10, 28))) == 8


# --- slot ids ---------------------------------------------------------------------


def test_slot_id_format_and_round_trip():
    start = datetime(2026, 3, 2, 13, 30, tzinfo=ISTANBUL)
    slot_id = slot_id_for("34-kadikoy", start)
    assert slot_id == "34-kadikoy@2026-03-02T13:30"
    assert parse_slot_id(slot_id) == ("34-kadikoy", start)


def test_slot_id_is_written_in_istanbul_time():
    utc_start = datetime(2026, 3, 2, 5, 30, tzinfo=timezone.utc)
    assert slot_id_for("06-merkez", utc_start) == "06-merkez@2026-03-02T08:30"


def test_slot_id_refuses_naive_datetimes_and_bad_ids():
    with pytest.raises(ValueError):
        slot_id_for("06-merkez", datetime(2026, 3, 2, 8, 30))
    with pytest.raises(ValueError):
        slot_id_for("06@merkez", datetime(2026, 3, 2, 8, 30, tzinfo=ISTANBUL))


def test_every_catalogue_slot_round_trips():
    for directorate in DIRECTORATES:
        for slot in slots_for_day(directorate, MONDAY):
            assert parse_slot_id(slot.slot_id) == (directorate.id, slot.start)


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "@",
        "34-fatih",
        "34-fatih@",
        "@2026-03-02T08:30",
        "34-fatih@2026-03-02",
        "34-fatih@2026-03-02T08:30:00",
        "34-fatih@2026-03-02T08:30\n",
        "34-fatih@2026-3-2T8:30",
        "34-fatih@2026-13-02T08:30",
        "34-fatih@2026-02-30T08:30",
        "34-fatih@2026-03-02T24:00",
        "34-fatih@0000-01-01T08:30",
        "34-fatih@٢٠٢٦-03-02T08:30",  # Arabic-Indic digits
        "34 fatih@2026-03-02T08:30",
        "34-fatih@@2026-03-02T08:30",
        "İst@2026-03-02T08:30",
        None,
        42,
    ],
)
def test_parse_slot_id_rejects_garbage(garbage):
    assert parse_slot_id(garbage) is None


@given(st.text())
def test_parse_slot_id_never_raises_on_any_text(text):
    result = parse_slot_id(text)
    if result is not None:
        directorate_id, start = result
        assert slot_id_for(directorate_id, start) == text


@given(
    st.from_regex(r"[a-z0-9]{1,3}-[a-z0-9]{1,10}", fullmatch=True),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 12, 31)),
)
def test_slot_id_round_trip_property(directorate_id, naive):
    start = naive.replace(second=0, microsecond=0, tzinfo=ISTANBUL)
    parsed = parse_slot_id(slot_id_for(directorate_id, start))
    assert parsed == (directorate_id, start)


# --- booking horizon ----------------------------------------------------------------


def test_horizon_never_includes_today_and_skips_weekends_and_holidays():
    today = date(2026, 3, 18)  # Wednesday before Ramazan Bayramı
    days = horizon_days(today, 7)
    # Thu 19 (arife, half day: still bookable), Fri 20–Sun 22 Bayram/weekend,
    # Mon 23, Tue 24, Wed 25.
    assert days == (date(2026, 3, 19), date(2026, 3, 23), date(2026, 3, 24), date(2026, 3, 25))
    assert today not in days


def test_horizon_is_inclusive_of_the_last_day():
    assert horizon_days(date(2026, 3, 1), 1) == (date(2026, 3, 2),)  # Sunday -> Monday
    assert horizon_days(date(2026, 3, 6), 2) == ()  # Friday -> Sat, Sun
    assert horizon_days(date(2026, 3, 6), 3) == (date(2026, 3, 9),)


def test_horizon_zero_is_empty_and_negative_is_an_error():
    assert horizon_days(MONDAY, 0) == ()
    with pytest.raises(ValueError):
        horizon_days(MONDAY, -1)


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)), st.integers(0, 60))
def test_horizon_property(today, n):
    days = horizon_days(today, n)
    assert list(days) == sorted(set(days))
    for day in days:
        assert today < day <= today + timedelta(days=n)
        assert day.weekday() < 5 and not is_public_holiday(day)
    skipped = {today + timedelta(days=k) for k in range(1, n + 1)} - set(days)
    assert all(not is_working_day(day) for day in skipped)
