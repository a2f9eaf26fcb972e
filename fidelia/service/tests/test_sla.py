"""Business-time arithmetic: weekends, French holidays, pauses, DST, bad specs."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fidelia.service.sla import (
    BusinessCalendar,
    add_business_seconds,
    business_seconds_between,
    parse_weekly_hours,
)

PARIS = ZoneInfo("Europe/Paris")
CAL = BusinessCalendar.from_spec("mon-fri 09:00-12:30,13:30-18:00")
H = 3600


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=PARIS)


def test_parse_weekly_hours():
    week = parse_weekly_hours("mon-fri 09:00-12:30,13:30-18:00; sat 09:00-12:00")
    assert sorted(week) == [0, 1, 2, 3, 4, 5]
    assert week[5] == ((dt.time(9), dt.time(12)),)
    assert parse_weekly_hours("mon,wed 08:00-24:00")[2][0][1] == dt.time.max


@pytest.mark.parametrize("spec, word", [
    ("lun-ven 09:00-18:00", "unknown day"), ("mon-fri 18:00-09:00", "end after"),
    ("mon-fri 09:00-13:00,12:00-18:00", "overlap"), ("mon-fri 9h-18h", "interval"),
    ("fri-mon 09:00-18:00", "backwards"), ("mon-fri 25:00-26:00", "impossible"), ("09:00-18:00", "expected days"),
])
def test_parse_weekly_hours_refuses_bad_specs(spec, word):
    with pytest.raises(ValueError, match=word):
        parse_weekly_hours(spec)


def test_within_a_day_and_over_lunch():
    assert add_business_seconds(CAL, at(2026, 3, 2, 9), 2 * H) == at(2026, 3, 2, 11)
    # 3 h from 11:00: 1.5 h before lunch, 1.5 h after it
    assert add_business_seconds(CAL, at(2026, 3, 2, 11), 3 * H) == at(2026, 3, 2, 15)


def test_weekend_is_skipped():
    # Friday 17:00 + 2 h = Monday 10:00
    assert add_business_seconds(CAL, at(2026, 3, 6, 17), 2 * H) == at(2026, 3, 9, 10)
    assert business_seconds_between(CAL, at(2026, 3, 6, 17), at(2026, 3, 9, 10)) == 2 * H


def test_start_outside_hours_counts_from_next_opening():
    assert add_business_seconds(CAL, at(2026, 3, 7, 23), 1 * H) == at(2026, 3, 9, 10)
    assert add_business_seconds(CAL, at(2026, 3, 2, 12, 45), 0.5 * H) == at(2026, 3, 2, 14)


def test_bastille_day_is_closed():
    # Monday 13 July 2026 17:00 + 2 h: 14 July is a holiday → Wednesday 15 July 10:00
    assert add_business_seconds(CAL, at(2026, 7, 13, 17), 2 * H) == at(2026, 7, 15, 10)


def test_ascension_bridge():
    # Ascension 2026 is Thursday 14 May: Wednesday 17:00 + 8 h (1 h + Friday 7 h) ends Friday 17:00
    assert add_business_seconds(CAL, at(2026, 5, 13, 17), 8 * H) == at(2026, 5, 15, 17, 0)


def test_holidays_can_be_switched_off():
    cal = BusinessCalendar.from_spec("mon-fri 09:00-18:00", with_holidays=False)
    assert add_business_seconds(cal, at(2026, 7, 13, 17), 2 * H) == at(2026, 7, 14, 10)


def test_dst_spring_and_autumn_keep_wall_clock_hours():
    # Sunday 29 March 2026 clocks go forward; a 24/7 calendar counts the short day as 23 h
    always = BusinessCalendar.from_spec("mon-sun 00:00-24:00", with_holidays=False)
    assert business_seconds_between(always, at(2026, 3, 29), at(2026, 3, 30)) == 23 * H
    assert business_seconds_between(always, at(2026, 10, 25), at(2026, 10, 26)) == 25 * H
    # office hours are the same 8 h on the Monday after the change
    assert business_seconds_between(CAL, at(2026, 3, 30), at(2026, 3, 31)) == 8 * H
    assert add_business_seconds(CAL, at(2026, 3, 27, 17), 2 * H) == at(2026, 3, 30, 10)


def test_negative_interval_is_time_overdue():
    assert business_seconds_between(CAL, at(2026, 3, 2, 11), at(2026, 3, 2, 10)) == -H


def test_naive_datetimes_and_empty_calendars_are_refused():
    with pytest.raises(ValueError, match="aware"):
        add_business_seconds(CAL, dt.datetime(2026, 3, 2, 9), 10)
    with pytest.raises(ValueError, match="no opening hours"):
        add_business_seconds(BusinessCalendar.from_spec(""), at(2026, 3, 2, 9), 10)
    with pytest.raises(ValueError, match="negative"):
        add_business_seconds(CAL, at(2026, 3, 2, 9), -1)


@settings(max_examples=150, deadline=None)
@given(start=st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 12, 1)),
       hours=st.floats(min_value=0.01, max_value=200))
def test_adding_then_measuring_gives_back_the_duration(start, hours):
    begin = start.replace(tzinfo=PARIS)
    due = add_business_seconds(CAL, begin, hours * H)
    assert due >= begin
    assert abs(business_seconds_between(CAL, begin, due) - hours * H) <= 1


@settings(max_examples=100, deadline=None)
@given(start=st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 12, 1)),
       a=st.floats(min_value=0, max_value=100), b=st.floats(min_value=0, max_value=100))
def test_adding_is_additive(start, a, b):
    """A pause split in two moves a due date exactly as much as the whole pause."""
    begin = start.replace(tzinfo=PARIS)
    one = add_business_seconds(CAL, add_business_seconds(CAL, begin, a * H), b * H)
    both = add_business_seconds(CAL, begin, (a + b) * H)
    assert abs((one - both).total_seconds()) <= 0.01 or business_seconds_between(CAL, min(one, both), max(one, both)) == 0
