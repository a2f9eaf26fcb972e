"""Between nightly runs a purchase, a complaint or a survey answer rescores the customer's risk at once
with the last run's stored model: the same risk and reasons as scoring the whole base with that model,
the call for high risk × high value, nothing for a rolled-back change."""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from django.db import transaction
from django.utils import timezone

from fidelia.actions.models import Action
from fidelia.attrition import fetch, methods, services
from fidelia.attrition.enums import RunStatus
from fidelia.attrition.models import AttritionRisk, ModelRun
from fidelia.attrition.tests.factories import base, catalogue
from fidelia.parties.tests.factories import person
from fidelia.sales import services as sales
from fidelia.sales.models import Transaction
from fidelia.service.services import case_create

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def scored(personas):
    parties = base(owners=[personas.alice, personas.bob, personas.outsider], today=TODAY)
    run = services.model_run(today=TODAY)
    assert run.status == RunStatus.DONE, run.error
    return personas, parties, run


def full_scoring(run: ModelRun) -> dict[int, tuple[float, list[tuple[str, float]], np.ndarray]]:
    """party id → (risk, reasons, features) when the whole base is scored today with the run's model."""
    model, reference = services.fitted_model(run)
    ids = fetch.customer_ids()
    h = fetch.load_history(ids)
    signals, _sources = fetch.load_signals(ids, TODAY)
    now = TODAY.toordinal()
    X = methods.build_features(h, now, signals)
    active = methods.active_at(h, now, services.settings_get().inactivity_days)
    risk = model.predict_proba(X[active])[:, 1]
    why = methods.reasons(model, X[active], reference, risk, from_risk=services.REASONS_FROM)
    return {int(ids[p]): (round(float(risk[i]), 4), why[i], X[active][i])
            for i, p in enumerate(np.flatnonzero(active))}


def assert_scored_as_in_a_full_run(run: ModelRun, party_id: int) -> AttritionRisk:
    row = AttritionRisk.objects.get(party_id=party_id)
    risk, why, _x = full_scoring(run)[party_id]
    assert row.run_id == run.pk and row.risk == risk
    assert [(r["code"], r["impact"]) for r in row.reasons] == why
    return row


def feature(run: ModelRun, party_id: int, name: str) -> float:
    return float(full_scoring(run)[party_id][2][methods.FEATURE_NAMES.index(name)])


def test_only_the_latest_run_keeps_its_model(scored):
    _personas, _parties, first = scored
    assert services.fitted_model(first) is not None
    second = services.model_run(today=TODAY)
    first.refresh_from_db()
    assert first.model is None and second.model is not None
    assert services.last_run() == second and services.fitted_model(second) is not None


def test_a_purchase_rescores_the_customer_as_a_full_run_would(scored, django_capture_on_commit_callbacks):
    personas, _parties, run = scored
    before = AttritionRisk.objects.filter(reasons__isnull=False).exclude(reasons=[]).order_by("-risk").first()
    assert before is not None and before.risk >= services.REASONS_FROM
    with django_capture_on_commit_callbacks(execute=True):
        sales.transaction_record(party=before.party, actor=personas.alice, product=catalogue(), date=TODAY,
                                 amount=Decimal("80"), channel="branch")
    after = assert_scored_as_in_a_full_run(run, before.party_id)
    assert after.computed_at > before.computed_at and after.risk < before.risk
    assert feature(run, before.party_id, "days_since_last") == 0


def test_a_returning_customer_gets_a_score_again(scored, django_capture_on_commit_callbacks):
    personas, parties, run = scored
    gone = next(p for p in parties if not AttritionRisk.objects.filter(party=p).exists())
    with django_capture_on_commit_callbacks(execute=True):
        sales.transaction_record(party=gone, actor=None, product=catalogue(), date=TODAY, amount=Decimal("30"),
                                 channel="web")
    assert_scored_as_in_a_full_run(run, gone.pk)


def test_a_complaint_rescores_the_customer(scored, django_capture_on_commit_callbacks):
    personas, _parties, run = scored
    before = AttritionRisk.objects.order_by("risk").first()
    with django_capture_on_commit_callbacks(execute=True):
        case_create(actor=personas.service, subject="Frais prélevés deux fois", party=before.party,
                    kind="complaint", category="core_failure")
    after = assert_scored_as_in_a_full_run(run, before.party_id)
    assert after.computed_at > before.computed_at
    assert feature(run, before.party_id, "open_complaints") == 1


def test_a_rolled_back_complaint_rescores_nothing(scored, django_capture_on_commit_callbacks):
    personas, _parties, _run = scored
    before = AttritionRisk.objects.order_by("risk").first()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            case_create(actor=personas.service, subject="Erreur", party=before.party, kind="complaint")
            raise RuntimeError("the caller fails after opening the case")
    assert callbacks == []
    assert AttritionRisk.objects.get(party_id=before.party_id).computed_at == before.computed_at


def test_a_survey_answer_rescores_the_customer(scored, mail_server, django_capture_on_commit_callbacks):
    from fidelia.surveys import services as surveys
    from fidelia.surveys.tests.factories import survey, tokens_from

    personas, _parties, run = scored
    customer = person(owner=personas.alice)
    Transaction.objects.bulk_create([
        Transaction(party=customer, product=catalogue(), date=TODAY - timezone.timedelta(days=d), quantity=1,
                    amount=Decimal("40"), margin=Decimal("8"), channel="web") for d in (20, 80, 140)])
    services.risk_rescore(party_ids=[customer.pk])
    assert AttritionRisk.objects.get(party=customer).loyalty_type == "unknown"
    csat = survey(actor=personas.service, kind="csat")
    surveys.survey_send_csat(party=customer, reference="case:7", actor=personas.service)
    [token] = tokens_from(mail_server)
    rating = csat.questions.all()[0]
    with django_capture_on_commit_callbacks(execute=True):
        surveys.response_submit(token=token, answers={str(rating.pk): "1"})
    row = assert_scored_as_in_a_full_run(run, customer.pk)
    assert row.attitude == 2.0 and row.loyalty_type != "unknown"
    assert feature(run, customer.pk, "last_csat") == 1


def test_high_risk_and_high_value_proposes_the_call_at_once(scored, django_capture_on_commit_callbacks):
    from fidelia.clv.models import CustomerValue
    from fidelia.clv.services import value_model_run

    personas, _parties, run = scored
    value_model_run(as_of=TODAY, actor=None)
    values = [float(v) for v in CustomerValue.objects.values_list("clv_12m", flat=True)]
    assert services._clv_cut() == pytest.approx(float(np.quantile(values, 0.9)), abs=1e-9)
    services.settings_update(actor=personas.admin, version=1, high_risk=0.05)
    target = next(r for r in AttritionRisk.objects.filter(risk__gte=0.05).order_by("-risk")
                  if float(r.party.customer_value.clv_12m) >= services._clv_cut())
    Action.objects.filter(source="attrition").delete()
    with django_capture_on_commit_callbacks(execute=True):
        case_create(actor=personas.service, subject="Retard", party=target.party, kind="complaint")
    call = Action.objects.get(source="attrition")
    assert call.party_id == target.party_id and call.kind == "call"
    assert call.source_key == f"attrition:{target.party_id}:{TODAY:%Y-%m}"


def test_without_a_usable_model_nothing_is_rescored(scored):
    _personas, parties, run = scored
    row = AttritionRisk.objects.first()
    ModelRun.objects.filter(pk=run.pk).update(model=None)
    services._loaded.clear()
    assert services.risk_rescore(party_ids=[row.party_id]) == 0
    assert AttritionRisk.objects.get(party_id=row.party_id).computed_at == row.computed_at
    import pickle

    import sklearn
    stored = {"model": None, "reference": None, "sklearn": sklearn.__version__ + "-other",
              "features": methods.FEATURE_NAMES}
    ModelRun.objects.filter(pk=run.pk).update(model=pickle.dumps(stored))
    assert services.risk_rescore(party_ids=[row.party_id]) == 0


def test_a_new_contract_rescores_the_customer(scored, django_capture_on_commit_callbacks):
    personas, parties, run = scored
    gone = [p for p in parties if not AttritionRisk.objects.filter(party=p).exists()][1]
    with django_capture_on_commit_callbacks(execute=True):
        sales.contract_create(party=gone, actor=personas.admin, product=catalogue(), start_date=TODAY)
    assert_scored_as_in_a_full_run(run, gone.pk)  # a contract in force: active again, scored
    assert feature(run, gone.pk, "products_held") == 1
