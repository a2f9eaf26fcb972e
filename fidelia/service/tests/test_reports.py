"""The dashboard computed by the database equals the Python reference (`compute` on `fetch`), edge cases
included: no case, no SLA, unresolved, reopened, resolved before opened, complaints without a customer,
durations exactly on a bucket limit, contracts ended on the last day of the window, CSAT outside the period."""
from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from typing import Any

import pytest
from django.db.models import Q

from fidelia.parties.tests.factories import person
from fidelia.sales.models import Contract
from fidelia.sales.tests.factories import product
from fidelia.service import reports
from fidelia.service.models import Case

T0 = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
SINCE, UNTIL = dt.datetime(2025, 12, 1, tzinfo=dt.UTC), dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
_refs = itertools.count(1)


def _case(*, opened: dt.datetime = T0, first: dt.timedelta | None = None, resolved: dt.timedelta | None = None,
          kind: str = "complaint", category: str = "core_failure", channel: str = "email", party: Any = None,
          sla: Any = None, breached: tuple[bool, bool] = (False, False), reopen: int = 0) -> Case:
    return Case.objects.create(
        reference=f"CAS-T-{next(_refs):06d}", kind=kind, category=category, channel=channel, party=party,
        subject="Test", opened_at=opened, first_response_at=None if first is None else opened + first,
        resolved_at=None if resolved is None else opened + resolved, reopen_count=reopen, sla_policy=sla,
        first_response_breached=breached[0], resolution_breached=breached[1])


def _answer(survey: Any, party: Any, reference: str, when: dt.datetime, csat: int | None) -> None:
    from fidelia.surveys.models import SurveyInvitation, SurveyResponse

    invitation = SurveyInvitation.objects.create(survey=survey, party=party, token_hash=f"t{next(_refs)}",
                                                 reference=reference, expires_at=when + dt.timedelta(days=30),
                                                 answered_at=when)
    SurveyResponse.objects.create(survey=survey, invitation=invitation, party=party, answered_at=when,
                                  reference=reference, csat=csat)


def _plain(board: reports.Dashboard) -> Any:
    """The dashboard with floats rounded (percentile_cont and Python may differ in the last bits)."""
    def walk(value: Any) -> Any:
        if isinstance(value, float):
            return round(value, 6)
        if isinstance(value, list | tuple):
            return [walk(v) for v in value]
        return value
    return {k: walk(v) for k, v in dataclasses.asdict(board).items()}


def _reference(scope: Q) -> reports.Dashboard:
    rows, lost, former, csat = reports.fetch(scope, since=SINCE, until=UNTIL)
    return reports.compute(rows, lost=lost, former=former, csat=csat)


def test_sql_dashboard_of_no_case_equals_the_reference(db):
    board = reports.dashboard(Q(), since=SINCE, until=UNTIL)
    assert _plain(board) == _plain(_reference(Q()))
    assert board.total == 0 and board.median_resolution_h is None and board.sla_compliance is None


@pytest.fixture
def varied(personas: Any, policies_sla: Any) -> dict[str, Any]:
    from fidelia.surveys.tests.factories import survey

    sla = policies_sla[1]
    lost_contract, former, kept, edge, early = (person(owner=personas.alice) for _ in range(5))
    type(former).objects.filter(pk=former.pk).update(stage="former")
    item = product(actor=personas.admin)
    for party, end, status in [(lost_contract, dt.date(2026, 3, 1), "ended"),
                               (kept, dt.date(2026, 1, 5), "active"),       # still active: not lost
                               (edge, dt.date(2026, 7, 17), "cancelled"),   # 7 d case resolved + 183 days: lost
                               (early, dt.date(2026, 1, 4), "ended")]:      # the day before the resolution
        Contract.objects.create(party=party, product=item, reference=f"CT-{party.pk}-{end}", status=status,
                                start_date=dt.date(2020, 1, 1), end_date=end)
    cases = [
        _case(first=2 * H, resolved=20 * H, party=lost_contract, sla=sla),
        _case(resolved=dt.timedelta(days=10), category="price", channel="phone", party=former, sla=sla,
              breached=(False, True), reopen=1),
        _case(first=dt.timedelta(minutes=30), kind="request", category="information"),      # unresolved, no SLA
        _case(first=H, resolved=24 * H, party=kept, sla=sla, breached=(True, False)),       # on bucket limits
        _case(first=4 * H, resolved=72 * H, party=None, category="ethical", channel="web"),  # complaint, nobody
        _case(first=-H, resolved=-2 * H, party=edge, category="competitor"),                # resolved "before"
        _case(resolved=168 * H, party=edge, opened=T0 + dt.timedelta(days=3)),               # exactly 7 days
        _case(reopen=2, kind="incident", channel="phone", category="technical"),            # reopened, open
        _case(first=8 * H, resolved=30 * H, party=early, category="inconvenience", opened=T0 + H),
        _case(first=3 * H, resolved=5 * H, kind="request", category="other", party=kept, sla=sla),
        _case(first=H, resolved=H, opened=dt.datetime(2025, 11, 20, tzinfo=dt.UTC), party=former),  # before
        _case(first=H, resolved=H, opened=UNTIL, party=former),                                     # the period
    ]
    csat = survey(actor=personas.admin)
    for ref, when, score in [(f"case:{cases[0].pk}", T0 + 2 * H, 4),
                             (f"case:{cases[1].pk}", dt.datetime(2026, 1, 31, 23, 30, tzinfo=dt.UTC), 2),
                             (f"case:{cases[1].pk}", T0 + dt.timedelta(days=40), 5),
                             (f"case:{cases[3].pk}", T0 + dt.timedelta(days=41), 3),
                             (f"case:{cases[3].pk}", T0 + dt.timedelta(days=42), None),
                             (f"case:{cases[10].pk}", T0, 1),          # a case outside the period
                             ("case:999999", T0, 1), (f"opp:{cases[0].pk}", T0, 1)]:
        _answer(csat, lost_contract, ref, when, score)
    return {"cases": cases}


@pytest.mark.parametrize("scope", [Q(), Q(kind="complaint"), Q(channel="phone"), Q(pk__in=[])],
                         ids=["all", "complaints", "phone", "nothing"])
def test_sql_dashboard_equals_the_python_reference(varied, scope):
    board = reports.dashboard(scope, since=SINCE, until=UNTIL)
    assert _plain(board) == _plain(_reference(scope))


def test_sql_dashboard_figures(varied):
    board = reports.dashboard(Q(), since=SINCE, until=UNTIL)
    assert board.total == 10 and board.complaints == 7
    assert board.first_response_hist == [2, 3, 1, 1, 0, 0, 0]  # −1 h and 30 min | 1 h, 2 h, 3 h | 4 h | 8 h
    assert board.resolution_hist == [1, 0, 1, 1, 2, 1, 2]
    assert board.sla_compliance == 50 and board.reopen_rate == pytest.approx(200 / 9)
    speed = {label: (n, k) for label, n, k, _p in board.speed_vs_lost}
    assert speed == {"≤ 1 d": (2, 1), "1–3 d": (2, 0), "3–7 d": (0, 0), "> 7 d": (2, 2)}
    assert board.csat_by_month == [("2026-01", 3.0, 2), ("2026-02", 4.0, 2)]


def test_sql_dashboard_query_count_does_not_grow_with_the_cases(varied, personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        reports.dashboard(Q(), since=SINCE, until=UNTIL)
    for i in range(5):
        _case(first=i * H, resolved=(i + 30) * H, party=person(owner=personas.bob), category="price")
    with CaptureQueriesContext(connection) as many:
        reports.dashboard(Q(), since=SINCE, until=UNTIL)
    assert len(many) == len(few) <= 8
