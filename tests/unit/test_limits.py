"""The arithmetic behind the daily limits on one-time codes (README: "Codes and guesses")."""

from datetime import datetime, timezone

from chalicelib.domain import limits


def test_guessing_a_reset_code_within_30_days_stays_below_one_in_ten_thousand():
    # The README's arithmetic, from the numbers: 31 Istanbul days × the day's guesses over 10^6 codes.
    assert limits.chance_of_guessing(30) == 31 * 3 / 10**6 < 1 / 10_000 == limits.TARGET
    # A code does not buy guesses: at most as many tries per code as per day.
    assert limits.ATTEMPTS_PER_CODE <= limits.GUESSES_PER_DAY


def test_one_more_guess_a_day_would_break_the_bound():
    assert limits.chance_of_guessing(30, limits.GUESSES_PER_DAY + 1) >= limits.TARGET


def test_a_day_ends_at_midnight_in_istanbul():
    late = datetime(2026, 12, 1, 20, 59, 0, tzinfo=timezone.utc)  # 23:59 in Istanbul
    assert limits.day_of(late).isoformat() == "2026-12-01"
    assert limits.seconds_until_next_day(late) == 61
    assert limits.day_of(datetime(2026, 12, 1, 21, 0, tzinfo=timezone.utc)).isoformat() == "2026-12-02"
