"""Privacy hooks (export, erase, retention of the monthly history), the CLI run and the nightly task."""
from __future__ import annotations

import datetime as dt
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from fidelia.parties.tests.factories import person
from fidelia.portfolio import privacy, services
from fidelia.portfolio.models import (
    EnteredScore,
    PortfolioPosition,
    PurchasePotential,
    RadarPosition,
)
from fidelia.portfolio.tasks import portfolio_run_task
from fidelia.portfolio.tests.factories import buy, course_grid, enter, product
from fidelia.privacy.registry import registered, retention_hook
from fidelia.sales import services as sales


@pytest.fixture
def scored(personas):
    grid = course_grid(personas.manager)
    family = sales.family_create(actor=personas.admin, name="Épargne")
    party = person(owner=personas.alice)
    enter(personas.alice, party, grid, [4] * 5, [3] * 5)
    buy(party, product(personas.admin, family), 50, dt.date.today())
    services.purchase_potential_set(actor=personas.alice, party=party, family=family, year=dt.date.today().year,
                                    amount=500)
    services.portfolio_run(grids=[grid])
    return grid, party


def test_export_and_erase(scored):
    _grid, party = scored
    assert "portfolio" in {h.app_label for h in registered()}
    data = privacy.export(party.pk)
    assert len(data["portfolio_scores"]) == 10 and data["purchase_potentials"][0]["amount"] == "500.00"
    assert data["portfolio_positions"][0]["potential"] == 4.0 and data["radar"][0]["tcc"] == 0.1
    assert privacy.erase(party.pk) == 10 + 1 + 1 + 1
    for model in (EnteredScore, PurchasePotential, PortfolioPosition, RadarPosition):
        assert not model.objects.filter(party=party).exists()


def test_retention_deletes_old_months_only(scored):
    grid, party = scored
    PortfolioPosition.objects.create(grid=grid, party=party, period=dt.date(2015, 1, 1))
    hook = retention_hook(privacy.RETENTION_KEY)
    policy = SimpleNamespace(key=privacy.RETENTION_KEY,
                             cutoff=lambda now: now - dt.timedelta(days=3 * 365))
    dry = hook(policy, now=timezone.now(), apply=False)
    assert (dry.matched, dry.acted) == (1, 0)
    done = hook(policy, now=timezone.now(), apply=True)
    assert done.acted == 1 and PortfolioPosition.objects.filter(party=party).count() == 1


def test_cli_run_prints_a_summary_and_rejects_unknown_grids(scored):
    out, err = StringIO(), StringIO()
    call_command("portfolio", "run", "--as-of", "2026-01-31", stdout=out, stderr=err)
    assert "2026-01" in out.getvalue() and "RADAR" in out.getvalue()
    assert PortfolioPosition.objects.filter(period=dt.date(2026, 1, 1)).exists()
    with pytest.raises(CommandError):
        call_command("portfolio", "run", "--grid", "nope", stdout=out, stderr=err)


def test_task_is_idempotent(scored):
    grid, party = scored
    first = portfolio_run_task.apply().get()
    again = portfolio_run_task.apply().get()
    assert first == again
    assert PortfolioPosition.objects.filter(grid=grid, party=party).count() == 1
