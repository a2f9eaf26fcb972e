"""The day and week grids of a calendar: which days, which hours, where each appointment sits."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from fidelia.agenda import layout
from fidelia.agenda.models import Appointment


@dataclass
class DayColumn:
    day: dt.date
    is_today: bool
    events: list[tuple[Appointment, layout.Placed]] = field(default_factory=list)
    early_or_late: list[Appointment] = field(default_factory=list)  # outside the grid's hours


@dataclass
class Grid:
    days: list[DayColumn]
    hours: list[int]
    start: dt.datetime
    end: dt.datetime
    now_top: float | None  # the today marker, in percent of the column
    conflicts: int


def grid_days(anchor: dt.date, view: str) -> list[dt.date]:
    if view == "day":
        return [anchor]
    monday = layout.week_start(anchor)
    return [monday + dt.timedelta(days=i) for i in range(7)]


def build_grid(*, days: list[dt.date], appointments: list[Appointment], tz: ZoneInfo, now: dt.datetime) -> Grid:
    """Place `appointments` (already limited to the days' span) in one column per day."""
    lo, hi = layout.GRID_START_HOUR * 60, layout.GRID_END_HOUR * 60
    today = now.astimezone(tz).date()
    columns = []
    for day in days:
        start, end = layout.day_bounds(day, tz)
        rows = [a for a in appointments if a.start < end and a.end > start]
        spans = {a.pk: (layout.wall_minutes(a.start, day, tz), layout.wall_minutes(a.end, day, tz)) for a in rows}
        inside = [a for a in rows if spans[a.pk][1] > lo and spans[a.pk][0] < hi]
        placed = layout.lay_out([(a.pk, *spans[a.pk]) for a in inside])
        columns.append(DayColumn(day=day, is_today=day == today,
                                 events=[(a, placed[a.pk]) for a in inside],
                                 early_or_late=[a for a in rows if a not in inside]))
    minutes = layout.wall_minutes(now, today, tz)
    now_top = (minutes - lo) / (hi - lo) * 100 if today in days and lo <= minutes <= hi else None
    return Grid(days=columns, hours=list(range(layout.GRID_START_HOUR, layout.GRID_END_HOUR)),
                start=layout.day_bounds(days[0], tz)[0], end=layout.day_bounds(days[-1], tz)[1],
                now_top=now_top, conflicts=sum(1 for a in appointments if getattr(a, "conflicts", None)))


def parse_day(raw: Any, default: dt.date) -> dt.date:
    """A ?date=YYYY-MM-DD parameter; anything unreadable or out of range means `default`."""
    try:
        day = dt.date.fromisoformat(str(raw))
    except (TypeError, ValueError):
        return default
    return day if dt.date(1900, 1, 8) <= day <= dt.date(2999, 12, 24) else default
