"""Placing appointments on the day/week grid: pure functions, no database.

Times are wall-clock times in the display time zone, so a day with a daylight-saving change still
reads 08:00 at the 08:00 line (the grid shows 23 or 25 hours of real time on those two Sundays).
Overlapping appointments are laid side by side: each cluster of transitively overlapping events
gets as many lanes as it needs at most at once; each event takes the first lane free at its start.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

GRID_START_HOUR = 7
GRID_END_HOUR = 21
MIN_HEIGHT_MINUTES = 20  # a 5-minute call stays clickable


@dataclass(frozen=True)
class Placed:
    """Where one event sits in its day column, in percent of the column."""

    key: int
    top: float
    height: float
    left: float
    width: float
    lane: int
    lanes: int


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s week."""
    return day - dt.timedelta(days=day.weekday())


def local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """The aware instant a local day starts (midnight exists every day in Europe/Paris: changes happen at 2-3 am)."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz)


def day_bounds(day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a local day as aware instants: 23 h in March, 25 h in October."""
    return local_midnight(day, tz), local_midnight(day + dt.timedelta(days=1), tz)


def wall_minutes(when: dt.datetime, day: dt.date, tz: ZoneInfo) -> int:
    """Minutes since local midnight of `day` on the wall clock, clamped to [0, 1440]."""
    local = when.astimezone(tz)
    if local.date() < day:
        return 0
    if local.date() > day:
        return 24 * 60
    return local.hour * 60 + local.minute


def lay_out(events: list[tuple[int, int, int]], *, start_hour: int = GRID_START_HOUR,
            end_hour: int = GRID_END_HOUR) -> dict[int, Placed]:
    """Place (key, start minute, end minute) events of one day column on a grid from `start_hour`
    to `end_hour`; events outside the grid are pinned to its edges."""
    lo, hi = start_hour * 60, end_hour * 60
    span = hi - lo
    items = sorted(((max(lo, min(s, hi - MIN_HEIGHT_MINUTES)), max(min(hi, max(e, s + MIN_HEIGHT_MINUTES)),
                    max(lo, min(s, hi - MIN_HEIGHT_MINUTES)) + MIN_HEIGHT_MINUTES), k) for k, s, e in events))
    placed: dict[int, Placed] = {}
    cluster: list[tuple[int, int, int, int]] = []  # (start, end, key, lane)
    cluster_end = -1

    def flush() -> None:
        lanes = max((lane for *_, lane in cluster), default=-1) + 1
        for s, e, k, lane in cluster:
            placed[k] = Placed(key=k, top=round((s - lo) / span * 100, 3), height=round((e - s) / span * 100, 3),
                               left=round(lane / lanes * 100, 3), width=round(100 / lanes, 3), lane=lane, lanes=lanes)

    for s, e, k in items:
        if cluster and s >= cluster_end:
            flush()
            cluster, cluster_end = [], -1
        busy = {lane for cs, ce, _k, lane in cluster if ce > s}
        lane = next(i for i in range(len(cluster) + 1) if i not in busy)
        cluster.append((s, e, k, lane))
        cluster_end = max(cluster_end, e)
    if cluster:
        flush()
    return placed
