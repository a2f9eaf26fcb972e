"""Business-time arithmetic for SLAs: pure functions, no database.

A `BusinessCalendar` is a set of opening intervals per weekday in local wall-clock time (so a 9:00–18:00
day lasts nine hours on the days clocks change) minus public holidays (French ones from the `holidays`
package by default). Times in and out are timezone-aware datetimes; naive ones are refused.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# The longest stretch searched for opening hours before giving up (a calendar with no hours at all).
MAX_DAYS = 3 * 366
_DAY_SPEC = re.compile(r"^(?P<days>[a-z]{3}(?:-[a-z]{3})?(?:,[a-z]{3}(?:-[a-z]{3})?)*)\s+(?P<hours>.+)$")
_INTERVAL = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")

Interval = tuple[dt.time, dt.time]


@lru_cache(maxsize=64)
def french_holidays(year: int) -> frozenset[dt.date]:
    """Public holidays of metropolitan France in `year` (New Year, Easter Monday, 1 and 8 May, Ascension,
    Whit Monday, 14 July, 15 August, 1 and 11 November, Christmas)."""
    import holidays

    return frozenset(holidays.France(years=year).keys())


def parse_weekly_hours(spec: str) -> dict[int, tuple[Interval, ...]]:
    """Parse "mon-fri 09:00-12:30,13:30-18:00; sat 09:00-12:00" into weekday (0 = Monday) → intervals.

    Raises ValueError naming the faulty part: unknown day, bad time, an interval that does not end
    after it starts or overlaps another of the same day. Days not named are closed."""
    week: dict[int, list[Interval]] = {}
    for part in (p.strip() for p in spec.lower().split(";")):
        if not part:
            continue
        m = _DAY_SPEC.match(part)
        if not m:
            raise ValueError(f"'{part}': expected days then hours, e.g. 'mon-fri 09:00-18:00'")
        days = _parse_days(m.group("days"), part)
        intervals = [_parse_interval(x.strip(), part) for x in m.group("hours").split(",")]
        for d in days:
            week.setdefault(d, []).extend(intervals)
    out: dict[int, tuple[Interval, ...]] = {}
    for d, intervals in week.items():
        intervals.sort()
        for (_, end), (start, _) in zip(intervals, intervals[1:], strict=False):
            if start < end:
                raise ValueError(f"{DAYS[d]}: opening intervals overlap")
        out[d] = tuple(intervals)
    return out


def _parse_days(text: str, part: str) -> list[int]:
    days: list[int] = []
    for chunk in text.split(","):
        first, _, last = chunk.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ValueError(f"'{part}': unknown day in '{chunk}' (use mon, tue, wed, thu, fri, sat, sun)")
        a, b = DAYS.index(first), DAYS.index(last or first)
        if b < a:
            raise ValueError(f"'{part}': day range '{chunk}' goes backwards")
        days.extend(range(a, b + 1))
    return days


def _parse_interval(text: str, part: str) -> Interval:
    m = _INTERVAL.match(text)
    if not m:
        raise ValueError(f"'{part}': '{text}' is not an interval like 09:00-18:00")
    h1, m1, h2, m2 = (int(x) for x in m.groups())
    try:
        # "24:00" is the midnight ending the day, kept as time.max (see BusinessCalendar._end)
        start, end = dt.time(h1, m1), (dt.time.max if (h2, m2) == (24, 0) else dt.time(h2, m2))
    except ValueError as exc:
        raise ValueError(f"'{part}': '{text}' has an impossible time") from exc
    if end <= start:
        raise ValueError(f"'{part}': '{text}' must end after it starts")
    return start, end


@dataclass(frozen=True)
class BusinessCalendar:
    weekly: dict[int, tuple[Interval, ...]]
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Paris"))
    holidays: Callable[[int], Iterable[dt.date]] = french_holidays

    @classmethod
    def from_spec(cls, spec: str, tz: str = "Europe/Paris", *, with_holidays: bool = True) -> BusinessCalendar:
        return cls(parse_weekly_hours(spec), ZoneInfo(tz), french_holidays if with_holidays else (lambda y: ()))

    def is_holiday(self, day: dt.date) -> bool:
        return day in set(self.holidays(day.year))

    def windows(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The day's opening windows as aware datetimes (empty on a closed day or holiday)."""
        if self.is_holiday(day):
            return []
        # in UTC: arithmetic between aware datetimes sharing a tzinfo is wall-clock arithmetic in Python,
        # which would count a 00:00–24:00 day as 24 h on the days clocks change
        return [(dt.datetime.combine(day, a, tzinfo=self.tz).astimezone(dt.UTC), self._end(day, b))
                for a, b in self.weekly.get(day.weekday(), ())]

    def _end(self, day: dt.date, end: dt.time) -> dt.datetime:
        if end == dt.time.max:  # "24:00": the next midnight
            return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=self.tz).astimezone(dt.UTC)
        return dt.datetime.combine(day, end, tzinfo=self.tz).astimezone(dt.UTC)


def _aware(value: dt.datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def business_seconds_between(cal: BusinessCalendar, start: dt.datetime, end: dt.datetime) -> int:
    """Business seconds in [start, end); negative when end is before start (time left overdue)."""
    _aware(start, "start")
    _aware(end, "end")
    if end < start:
        return -business_seconds_between(cal, end, start)
    start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    total = 0.0
    day = start.astimezone(cal.tz).date()
    last = end.astimezone(cal.tz).date()
    while day <= last:
        for a, b in cal.windows(day):
            lo, hi = max(a, start), min(b, end)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += dt.timedelta(days=1)
    return int(total)


def add_business_seconds(cal: BusinessCalendar, start: dt.datetime, seconds: float) -> dt.datetime:
    """The instant at which `seconds` business seconds have elapsed since `start` (start itself when
    seconds is 0; a start outside opening hours counts from the next opening). Raises ValueError when
    the calendar has no opening hours in the next three years."""
    _aware(start, "start")
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    if not seconds:
        return start
    start = start.astimezone(dt.UTC)
    remaining = float(seconds)
    day = start.astimezone(cal.tz).date()
    for _ in range(MAX_DAYS):
        for a, b in cal.windows(day):
            lo = max(a, start)
            if b <= lo:
                continue
            available = (b - lo).total_seconds()
            if remaining <= available:
                return lo + dt.timedelta(seconds=remaining)
            remaining -= available
        day += dt.timedelta(days=1)
    raise ValueError("the business calendar has no opening hours")
