"""Renewal date arithmetic in Tehran time and Jalali years: never a day lost or gained."""
from datetime import datetime, timedelta, timezone

import jdatetime
from hypothesis import given
from hypothesis import strategies as st

from seal_server.iran.calendar import TEHRAN
from seal_server.renewals import rules


def tehran(year, month, day, hour=12, minute=0):
    """A moment given by its Jalali date and Tehran clock time."""
    g = jdatetime.date(year, month, day).togregorian()
    return datetime(g.year, g.month, g.day, hour, minute, tzinfo=TEHRAN).astimezone(timezone.utc)


def jalali(moment):
    local = moment.astimezone(TEHRAN)
    j = jdatetime.date.fromgregorian(date=local.date())
    return (j.year, j.month, j.day, local.hour, local.minute)


def leap_days_between(start, end):
    """How many 30 Esfands (the leap day) fall on the Tehran days from start's day up to, not including, end's."""
    day, last, count = rules.tehran_day(start), rules.tehran_day(end), 0
    while day < last:
        j = jdatetime.date.fromgregorian(date=day)
        count += j.month == 12 and j.day == 30
        day += timedelta(days=1)
    return count


moments = st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2060, 1, 1),
                       timezones=st.just(timezone.utc))


@given(moments)
def test_two_jalali_years_are_730_days_plus_each_leap_day_crossed(start):
    end = rules.add_jalali_years(start, 2)
    assert (end - start) == timedelta(days=730 + leap_days_between(start, end))
    assert end.astimezone(TEHRAN).time() == start.astimezone(TEHRAN).time()


@given(moments)
def test_the_same_jalali_day_comes_back_except_after_a_leap_day(start):
    year, month, day, _, _ = jalali(start)
    end = jalali(rules.add_jalali_years(start, 2))
    if (month, day) == (12, 30) and not jdatetime.date(year + 2, 1, 1).isleap():
        assert end[:3] == (year + 3, 1, 1)
    else:
        assert end[:3] == (year + 2, month, day)


@given(moments, st.integers(min_value=1, max_value=4))
def test_renewals_in_a_row_leave_no_gap_and_no_overlap(first_expiry, times):
    """Renewed on time each period, the seal's validity is one unbroken run of Jalali years."""
    expiry = first_expiry
    for _ in range(times):
        paid_at = expiry - timedelta(days=10)
        start, end = rules.new_period(expiry, paid_at)
        assert start == expiry
        expiry = end
    assert (expiry - first_expiry) == timedelta(days=730 * times + leap_days_between(first_expiry, expiry))


@given(moments, st.integers(min_value=0, max_value=2000))
def test_an_expired_seal_starts_again_at_payment(expiry, late_minutes):
    paid_at = expiry + timedelta(minutes=late_minutes + 1)
    start, end = rules.new_period(expiry, paid_at)
    assert start == paid_at and end == rules.add_jalali_years(paid_at, 2)


def test_a_period_across_nowruz_keeps_the_day():
    # expires on 25 Esfand 1404, renewed on time: until 25 Esfand 1406, across two Nowruz
    old = tehran(1404, 12, 25, 10, 30)
    start, end = rules.new_period(old, tehran(1404, 12, 1))
    assert start == old and jalali(end) == (1406, 12, 25, 10, 30)
    assert (end - start).days == 730  # 1405 and 1406 are not leap years


def test_a_period_across_a_jalali_leap_year_gets_the_extra_day():
    # 1403 is a leap year: 30 Esfand 1403 exists and lies inside a period from 1402
    assert jdatetime.date(1403, 1, 1).isleap()
    start = tehran(1402, 6, 10)
    end = rules.add_jalali_years(start, 2)
    assert jalali(end)[:3] == (1404, 6, 10) and (end - start).days == 731


def test_a_period_starting_on_the_leap_day_ends_the_day_after_29_esfand():
    start = tehran(1403, 12, 30, 9)
    end = rules.add_jalali_years(start, 2)
    assert jalali(end) == (1406, 1, 1, 9, 0) and (end - start).days == 731


def test_the_window_opens_30_tehran_days_before_expiry():
    expiry = tehran(1405, 9, 30, 1, 0)  # 01:00 in Tehran is still the day before in UTC
    opens = rules.window_opens_at(expiry)
    assert jalali(opens) == (1405, 8, 30, 0, 0)
    assert not rules.window_open(expiry, opens - timedelta(seconds=1))
    assert rules.window_open(expiry, opens)
    assert rules.window_open(expiry, expiry + timedelta(days=400))  # and after expiry, for good


def test_conditions_explain_why_not():
    assert not rules.renewable_status("revoked", "standard").holds
    assert not rules.renewable_status("active", "temporary").holds
    assert rules.renewable_status("expired", "gray").holds
    blocked = rules.licences(["پروانه کسب"])
    assert not blocked.holds and blocked.values == {"titles": "پروانه کسب"}
    assert rules.commitment("2026-01", "2026-01").holds and not rules.commitment(None, "2026-01").holds
    found = [rules.commitment(None, "v2"), rules.licences([])]
    assert rules.blocking(found, except_commitment=True) == []
    assert [c.name for c in rules.blocking(found)] == ["commitment"]


# --- filling the gaps: order, the window's edges, Nowruz and the leap day at midnight in Tehran -------------

@given(moments, moments)
def test_later_expiries_never_renew_to_earlier_ends(a, b):
    """Monotone: two seals' periods keep their order, so no renewal ends before an earlier one's."""
    first, second = sorted((a, b))
    assert rules.add_jalali_years(first, 2) <= rules.add_jalali_years(second, 2)


@given(moments, st.integers(min_value=1, max_value=3))
def test_whole_jalali_years_never_lose_or_gain_a_day(start, years):
    """Each year added is 365 days plus the leap day crossed, whatever the start."""
    end = rules.add_jalali_years(start, years)
    assert (end - start) == timedelta(days=365 * years + leap_days_between(start, end))


@given(moments)
def test_the_window_opens_on_the_tehran_day_thirty_days_before(expiry):
    opens = rules.window_opens_at(expiry)
    assert rules.calendar_days_left(expiry, opens) == rules.WINDOW_DAYS
    assert rules.calendar_days_left(expiry, opens - timedelta(seconds=1)) == rules.WINDOW_DAYS + 1
    assert opens.astimezone(TEHRAN).time().isoformat() == "00:00:00"
    assert not rules.window_open(expiry, opens - timedelta(microseconds=1)) and rules.window_open(expiry, opens)


def test_expiry_on_the_leap_day_of_1403_renewed_on_time():
    # 30 Esfand 1403, the last minute of the leap year; 1405 has no 30 Esfand, so the period runs to 1 Farvardin 1406
    expiry = tehran(1403, 12, 30, 23, 59)
    start, end = rules.new_period(expiry, tehran(1403, 12, 1))
    assert start == expiry and jalali(end) == (1406, 1, 1, 23, 59)
    assert (end - start).days == 731  # 730 days and the leap day itself, which the period does not lose


def test_nowruz_midnight_in_tehran_is_the_day_boundary():
    # a seal ending at the first moment of Nowruz 1404 (00:00 Tehran = 20:30 UTC the evening before)
    expiry = tehran(1404, 1, 1, 0, 0)
    assert expiry.hour == 20 and expiry.minute == 30 and expiry.tzinfo == timezone.utc
    last_minute_of_1403 = expiry - timedelta(minutes=1)
    assert rules.calendar_days_left(expiry, last_minute_of_1403) == 1
    assert rules.calendar_days_left(expiry, expiry) == 0
    assert rules.calendar_days_left(expiry, expiry + timedelta(hours=3, minutes=29)) == 0  # still UTC's 20 March
    assert jalali(rules.window_opens_at(expiry)) == (1403, 12, 1, 0, 0)  # 30 days back, across the leap day
    # paid a second before the end: two years from the old expiry; a second after: two years from payment
    on_time = rules.new_period(expiry, expiry - timedelta(seconds=1))
    assert on_time[0] == expiry and jalali(on_time[1]) == (1406, 1, 1, 0, 0)
    late = rules.new_period(expiry, expiry + timedelta(seconds=1))
    assert late[0] == expiry + timedelta(seconds=1) and (late[1] - late[0]).days == 730


def test_a_period_across_1407_and_1408_counts_the_next_leap_day():
    # jdatetime's calendar: 1408 is the leap year after 1403
    assert not jdatetime.date(1407, 1, 1).isleap() and jdatetime.date(1408, 1, 1).isleap()
    start = tehran(1407, 6, 1)
    end = rules.add_jalali_years(start, 2)
    assert jalali(end)[:3] == (1409, 6, 1) and (end - start).days == 731
