"""The NumPy grouping PostgreSQL runs uses equals the SQL aggregate's definition (checked line by line in Python)."""
import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fidelia.analytics.selectors import rows_from_lines

START = dt.date(2026, 1, 1)
# small ids take the dense index; one huge id makes them sparse (the sorted index)
line = st.tuples(st.one_of(st.integers(1, 6), st.just(10**9)), st.integers(0, 30), st.integers(-5_000, 20_000), st.integers(-2_000, 8_000),
                 st.integers(0, 1))


def expected(lines: list[tuple[int, int, int, int, int]]) -> dict[int, tuple[int, ...]]:
    """Per party: revenue, margin, orders, first day, last day, last order, gross, strategic — as the SQL."""
    days: dict[tuple[int, int], list[int]] = {}
    for party, day, amount, margin, strategic in lines:
        net, mrg, pos, strat = days.setdefault((party, day), [0, 0, 0, 0])
        positive = max(amount, 0)
        days[(party, day)] = [net + amount, mrg + margin, pos + positive, strat + (positive if strategic else 0)]
    out: dict[int, tuple[int, ...]] = {}
    for party in {p for p, _ in days}:
        mine = sorted((d, v) for (p, d), v in days.items() if p == party)
        bought = [(d, v) for d, v in mine if v[2] > 0]
        out[party] = (sum(v[0] for _, v in mine), sum(v[1] for _, v in mine), len(bought),
                      START.toordinal() + bought[0][0] if bought else 0,
                      START.toordinal() + bought[-1][0] if bought else 0,
                      bought[-1][1][2] if bought else 0, sum(v[2] for _, v in mine), sum(v[3] for _, v in mine))
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(line, min_size=1, max_size=60))
def test_grouping_lines_in_numpy_matches_the_aggregate(lines: list[tuple[int, int, int, int, int]]) -> None:
    cols = [np.array(c, dtype=np.int64) for c in zip(*lines, strict=True)]
    rows = rows_from_lines(*cols, date_from=START)
    got = {int(p): (int(r), int(m), int(o), int(f), int(la), int(lo), int(g), int(s)) for p, r, m, o, f, la, lo, g, s in zip(
        rows.party_ids, rows.revenue, rows.margin, rows.orders, rows.first_day, rows.last_day, rows.last_order,
        rows.gross, rows.strategic, strict=True)}
    assert got == expected(lines)
