"""The run on a synthetic base (stored risks, reasons, calls proposed), lost-customer records (suggested
by the daily check, confirmed, dismissed), settings, privacy hooks, the command and the nightly task."""
from __future__ import annotations

import datetime as dt
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from fidelia.actions.models import Action
from fidelia.analytics.services import analytics_run
from fidelia.attrition import privacy, services
from fidelia.attrition.enums import AttritionType, LossReason, RecordStatus, RunStatus
from fidelia.attrition.models import AttritionRecord, AttritionRisk, ModelRun
from fidelia.attrition.phrases import reasons_text
from fidelia.attrition.tasks import attrition_nightly_task
from fidelia.attrition.tests.factories import base
from fidelia.core.errors import StaleVersion, ValidationFailed
from fidelia.parties.enums import Stage
from fidelia.privacy.registry import registered, retention_hook
from fidelia.sales.models import Contract

TODAY = timezone.localdate()


@pytest.fixture
def world(personas):
    return base(owners=[personas.alice, personas.bob, personas.outsider], today=TODAY)


def test_run_trains_validates_scores_and_proposes_calls(world, personas):
    analytics_run(actor=None, reference_date=TODAY)
    services.settings_update(actor=personas.admin, version=1, high_risk=0.3)
    run = services.model_run(today=TODAY)
    assert run.status == RunStatus.DONE, run.error
    m = run.metrics
    assert m["model"]["auc"] > 0.7 and m["baseline"] is not None and m["test_customers"] >= 50
    assert 0 <= m["model"]["precision_top10"] <= 1 and len(run.curves["calibration"]) >= 2
    assert sum(run.curves["risk_histogram"]) == run.customers == AttritionRisk.objects.count()
    risky = AttritionRisk.objects.order_by("-risk").first()
    assert risky.reasons and all(isinstance(t, str) and t for t in reasons_text(risky.reasons))
    assert {r["code"] for r in risky.reasons} <= set(run.importances[i][0] for i in range(len(run.importances)))
    calls = Action.objects.filter(source="attrition")
    assert calls.exists() and all(a.kind == "call" for a in calls)
    again = services.model_run(today=TODAY)  # idempotent: same month, same proposals
    assert Action.objects.filter(source="attrition").count() == calls.count()
    assert AttritionRisk.objects.exclude(run=again).count() == 0


def test_run_with_too_little_history_fails_cleanly(personas):
    run = services.model_run(today=TODAY)
    assert run.status == RunStatus.FAILED and "Too few" in run.error


def test_daily_check_suggests_then_user_confirms(world, personas):
    ended = Contract.objects.filter(status="ended", end_date__gt=TODAY - dt.timedelta(days=90)).first()
    if ended is None:  # make one end recently
        ended = Contract.objects.filter(status="active").first()
        Contract.objects.filter(pk=ended.pk).update(status="ended", end_date=TODAY - dt.timedelta(days=3))
        ended.refresh_from_db()
    assert services.suggest_losses(today=TODAY) >= 1
    suggestion = AttritionRecord.objects.get(party=ended.party)
    assert suggestion.status == RecordStatus.SUGGESTED and suggestion.type == AttritionType.ANECDOTAL
    assert services.suggest_losses(today=TODAY) == 0  # nothing twice
    record = services.record_create(party=ended.party, date=ended.end_date, reason=LossReason.COMPETITOR,
                                    actor=personas.alice, note="Parti chez un concurrent moins cher")
    assert record.pk == suggestion.pk and record.status == RecordStatus.CONFIRMED
    assert record.type == record.suggested_type == AttritionType.STRUCTURAL
    ended.party.refresh_from_db()
    assert ended.party.stage == Stage.FORMER, "a customer recorded as lost is a former customer"


def test_record_validation_leaves_nothing(world, personas):
    party = world[0]
    with pytest.raises(ValidationFailed) as err:
        services.record_create(party=party, date=TODAY + dt.timedelta(days=1), reason="nope", type="bad",
                               actor=personas.alice, note="x" * 301)
    assert set(err.value.fields) == {"date", "reason", "type", "note"}
    assert not AttritionRecord.objects.exists()
    party.refresh_from_db()
    assert party.stage != Stage.FORMER, "a refused record changes nothing"
    record = services.record_create(party=party, date=TODAY, reason=LossReason.OTHER, type=AttritionType.CONJUNCTURAL,
                                    actor=personas.alice)
    assert record.type == AttritionType.CONJUNCTURAL and record.suggested_type == AttritionType.ANECDOTAL
    with pytest.raises(ValidationFailed):
        services.record_dismiss(record=record, actor=personas.alice)


def test_settings_refuse_stale_and_bad_values(personas):
    services.settings_update(actor=personas.admin, version=1, inactivity_days=180)
    with pytest.raises(StaleVersion):
        services.settings_update(actor=personas.admin, version=1, inactivity_days=200)
    with pytest.raises(ValidationFailed):
        services.settings_update(actor=personas.admin, version=2, inactivity_days=5)
    assert services.settings_get().inactivity_days == 180


def test_privacy_export_erase_and_retention(world, personas):
    party = world[0]
    AttritionRisk.objects.create(party=party, risk=0.4, computed_at=timezone.now() - dt.timedelta(days=400))
    services.record_create(party=party, date=dt.date(2015, 1, 5), reason=LossReason.PRICE, actor=personas.alice)
    assert "attrition" in {h.app_label for h in registered()}
    data = privacy.export(party.pk)
    assert data["attrition_risk"][0]["risk"] == 0.4 and data["attrition_records"][0]["reason"] == "price"
    for key, model in (("attrition_risk", AttritionRisk), ("attrition_records", AttritionRecord)):
        policy = SimpleNamespace(key=key, cutoff=lambda now: now - dt.timedelta(days=300))
        hook = retention_hook(key)
        assert (hook(policy, now=timezone.now(), apply=False).matched, model.objects.count()) == (1, 1)
        assert hook(policy, now=timezone.now(), apply=True).acted == 1 and not model.objects.exists()
    services.record_create(party=party, date=TODAY, reason=LossReason.PRICE, actor=personas.alice)
    assert privacy.erase(party.pk) == 1


def test_command_and_task(world):
    out = StringIO()
    call_command("attrition", "train", stdout=out, stderr=StringIO())
    assert '"status": "done"' in out.getvalue()
    call_command("attrition", "report", stdout=out)
    with pytest.raises(CommandError):
        call_command("attrition", "train", "--as-of", "2026-13-01")
    with pytest.raises(CommandError):
        call_command("attrition", "train", "--as-of", (TODAY + dt.timedelta(days=2)).isoformat())
    result = attrition_nightly_task()
    assert result["status"] == "done" and ModelRun.objects.count() == 2
