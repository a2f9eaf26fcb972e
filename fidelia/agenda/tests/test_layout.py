"""Placing appointments on the grid (no database): lanes for overlaps, DST days, wall-clock minutes."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from fidelia.agenda import layout
from fidelia.agenda.forms import local_datetime

PARIS = ZoneInfo("Europe/Paris")
SPRING = dt.date(2026, 3, 29)   # last Sunday of March: 02:00 → 03:00
AUTUMN = dt.date(2026, 10, 25)  # last Sunday of October: 03:00 → 02:00


def test_separate_events_take_the_full_width() -> None:
    placed = layout.lay_out([(1, 9 * 60, 10 * 60), (2, 10 * 60, 11 * 60)])
    assert placed[1].width == placed[2].width == 100
    assert abs(placed[1].top - 2 / 14 * 100) < 0.01


def test_overlapping_events_sit_side_by_side() -> None:
    placed = layout.lay_out([(1, 9 * 60, 11 * 60), (2, 10 * 60, 12 * 60), (3, 11 * 60, 12 * 60)])
    assert placed[1].lanes == placed[2].lanes == placed[3].lanes == 2
    assert placed[1].lane == 0 and placed[2].lane == 1 and placed[3].lane == 0  # 3 reuses the lane freed by 1
    assert placed[2].left == 50


@given(st.lists(st.tuples(st.integers(0, 1439), st.integers(5, 600)), min_size=1, max_size=30))
def test_events_never_overlap_in_the_same_lane(spans: list[tuple[int, int]]) -> None:
    events = [(i, s, min(s + d, 1440)) for i, (s, d) in enumerate(spans)]
    placed = layout.lay_out(events)
    assert set(placed) == {k for k, _s, _e in events}
    for a in placed.values():
        assert 0 <= a.top <= 100 and a.top + a.height <= 100.001 and a.lane < a.lanes
        for b in placed.values():
            if a.key < b.key and a.lane == b.lane and a.left == b.left:
                assert a.top + a.height <= b.top + 0.001 or b.top + b.height <= a.top + 0.001


def test_days_with_a_clock_change_last_23_and_25_hours() -> None:
    for day, hours in ((SPRING, 23), (AUTUMN, 25), (dt.date(2026, 6, 1), 24)):
        start, end = layout.day_bounds(day, PARIS)
        assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(hours=hours)


def test_wall_clock_minutes_on_dst_days() -> None:
    # 08:00 local is at the 08:00 line, whatever the offset that day.
    for day in (SPRING, AUTUMN):
        assert layout.wall_minutes(dt.datetime.combine(day, dt.time(8), tzinfo=PARIS), day, PARIS) == 480
    # 01:30 UTC on the spring day is 03:30 summer time.
    assert layout.wall_minutes(dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC), SPRING, PARIS) == 210


def test_skipped_time_does_not_exist_and_repeated_time_is_the_first() -> None:
    assert local_datetime(SPRING, dt.time(2, 30), PARIS) is None
    first = local_datetime(AUTUMN, dt.time(2, 30), PARIS)
    assert first is not None and first.utcoffset() == dt.timedelta(hours=2)
    assert local_datetime(SPRING, dt.time(3, 0), PARIS).utcoffset() == dt.timedelta(hours=2)


def test_week_starts_on_monday() -> None:
    assert layout.week_start(dt.date(2026, 3, 29)) == dt.date(2026, 3, 23)
