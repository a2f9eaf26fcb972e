"""`fidelia analytics run|show` and the scheduled task."""
from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from fidelia.analytics.models import AnalysisRun
from fidelia.analytics.tasks import analytics_run_task
from fidelia.analytics.tests.factories import customers_with_revenues

pytestmark = pytest.mark.django_db


def test_run_then_show(personas) -> None:
    customers_with_revenues([100, 200, 300])
    out = io.StringIO()
    call_command("analytics", "run", "--reference-date", "2026-06-30", stdout=out, stderr=io.StringIO())
    assert "3 customers analysed" in out.getvalue()
    run = AnalysisRun.objects.get()
    assert run.trigger == "command" and run.actor is None and str(run.date_from) == "2025-07-01"
    shown = io.StringIO()
    call_command("analytics", "show", stdout=shown)
    assert "Customers: 3" in shown.getvalue() and "ABC: A 0 customers" in shown.getvalue()


def test_bad_arguments_are_clear_errors(personas) -> None:
    with pytest.raises(CommandError, match="not a date"):
        call_command("analytics", "run", "--reference-date", "30/06/2026")
    with pytest.raises(CommandError, match="between 1 and 120"):
        call_command("analytics", "run", "--period-months", "0", stderr=io.StringIO())
    with pytest.raises(CommandError, match="No analytics run"):
        call_command("analytics", "show")


def test_the_task_is_safe_to_run_twice(personas) -> None:
    customers_with_revenues([100, 200])
    first = analytics_run_task(reference_date="2026-06-30")
    second = analytics_run_task(reference_date="2026-06-30")
    assert first != second
    assert AnalysisRun.objects.get(pk=second).trigger == "schedule"
    assert AnalysisRun.objects.get(pk=second).customers == 2
