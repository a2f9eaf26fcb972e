"""A recorded purchase revalues its customer at once with the last fit: the same figures the models
give directly and a whole-base scoring with that fit gives; first buyers get a value; rolled-back
purchases change nothing; bursts are queued once per customer when the cache is shared."""
from __future__ import annotations

import base64
import datetime as dt
import json
import os
from decimal import Decimal

import numpy as np
import pytest
from django.db import transaction
from django.utils import timezone

from fidelia.clv import methods as M
from fidelia.clv import rescoring, selectors, services
from fidelia.clv.models import CustomerValue
from fidelia.clv.summaries import score, summaries_from_days
from fidelia.clv.tests.factories import AS_OF, base, product
from fidelia.parties.tests.factories import person
from fidelia.sales import services as sales
from fidelia.sales.models import Transaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def valued(personas):
    item = product(personas.admin)
    parties = base(personas.alice, item)
    run = services.value_model_run(as_of=AS_OF, actor=personas.analyst)
    return personas, parties, run, item


def _by_hand(party_id: int, today: dt.date) -> tuple[float, float, float]:
    """x, t_x, T in weeks from the customer's purchase days (same-day purchases are one)."""
    days = sorted({d for d, in Transaction.objects.filter(party_id=party_id, amount__gt=0, date__lte=today)
                   .values_list("date")})
    first, last = days[0], days[-1]
    return float(len(days) - 1), (last - first).days / 7.0, (today - first).days / 7.0


def _whole_base(run, today: dt.date):
    """What a run with the same fit gives every customer on `today` (no refit)."""
    days = selectors.customer_days(until=today)
    s = summaries_from_days(days.party, days.day, days.amount, days.margin, end_day=today.toordinal(),
                            include_new=True)
    fit, spend = services._fits_of(run)
    return s, score(fit, spend, s, horizon_months=run.horizon_months, monthly_discount=run.monthly_discount)


def test_a_purchase_revalues_its_customer_with_the_last_fit(valued, django_capture_on_commit_callbacks) -> None:
    personas, parties, run, item = valued
    party = parties[3]
    before = CustomerValue.objects.get(party=party)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        sales.transaction_record(party=party, actor=personas.alice, product=item, date=today,
                                 amount=Decimal("120"), channel="branch")
    after = CustomerValue.objects.get(party=party)
    assert after.run_id == run.pk and after.computed_at > before.computed_at
    x, t_x, T = _by_hand(party.pk, today)
    assert (after.frequency, after.recency_weeks, after.age_weeks) == (x, t_x, T)
    assert after.frequency == before.frequency + 1 and after.expected_purchases_52w != before.expected_purchases_52w
    fit = M.BgNbdFit(**run.params, loglik=0.0, se={}, converged=True, n_customers=0, n_repeat_buyers=0)
    one = (np.array([x]), np.array([t_x]), np.array([T]))
    assert after.p_alive == pytest.approx(float(M.bgnbd_p_alive(fit, *one)[0]), rel=1e-12)
    assert after.expected_purchases_52w == pytest.approx(float(M.bgnbd_expected_purchases(fit, 52.0, *one)[0]),
                                                         rel=1e-12)
    s, sc = _whole_base(run, today)
    i = int(np.flatnonzero(s.party_ids == party.pk)[0])
    assert after.p_alive == sc.p_alive[i] and after.expected_purchases_52w == sc.expected_purchases_52w[i]
    assert after.clv_12m == services._money(sc.clv_12m[i:i + 1])[0]
    assert after.capital == after.clv_horizon == services._money(sc.clv_horizon[i:i + 1])[0]
    # the other customers keep the figures of the run
    other = CustomerValue.objects.get(party=parties[4])
    assert other.computed_at < after.computed_at


def test_a_first_purchase_gives_the_customer_a_value(valued, django_capture_on_commit_callbacks) -> None:
    personas, _parties, run, item = valued
    newcomer = person(owner=personas.alice)
    assert not CustomerValue.objects.filter(party=newcomer).exists()
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        sales.transaction_record(party=newcomer, actor=personas.alice, product=item, date=today,
                                 amount=Decimal("60"), channel="web")
    value = CustomerValue.objects.get(party=newcomer)
    assert (value.frequency, value.recency_weeks, value.age_weeks, value.p_alive) == (0, 0.0, 0.0, 1.0)
    fit = M.BgNbdFit(**run.params, loglik=0.0, se={}, converged=True, n_customers=0, n_repeat_buyers=0)
    expected = float(M.bgnbd_expected_purchases(fit, 52.0, np.zeros(1), np.zeros(1), np.zeros(1))[0])
    assert value.expected_purchases_52w == pytest.approx(expected, rel=1e-12) and value.clv_12m > 0
    s, sc = _whole_base(run, today)  # the nightly run values today's first buyers the same way
    i = int(np.flatnonzero(s.party_ids == newcomer.pk)[0])
    assert value.clv_12m == services._money(sc.clv_12m[i:i + 1])[0]


def test_the_capital_counts_the_customers_efforts_when_rescored(valued, django_capture_on_commit_callbacks) -> None:
    personas, parties, _run, item = valued
    party = parties[5]
    services.retention_effort_create(party=party, kind="gift", amount=Decimal("25.00"),
                                     date=timezone.localdate(), actor=personas.alice)
    services.retention_effort_create(party=parties[6], kind="gift", amount=Decimal("99.00"),
                                     date=timezone.localdate(), actor=personas.alice)
    with django_capture_on_commit_callbacks(execute=True):
        sales.transaction_record(party=party, actor=None, product=item, date=timezone.localdate(),
                                 amount=Decimal("50"), channel="branch")
    value = CustomerValue.objects.get(party=party)
    assert value.retention_effort == Decimal("25.00") and value.capital == value.clv_horizon - Decimal("25.00")


def test_a_customer_whose_purchases_are_gone_loses_the_value(valued) -> None:
    _personas, parties, _run, _item = valued
    Transaction.objects.filter(party=parties[0]).update(archived_at=timezone.now())
    assert services.value_rescore(party_ids=[parties[0].pk, parties[1].pk], actor=None) == 1
    assert not CustomerValue.objects.filter(party=parties[0]).exists()
    assert CustomerValue.objects.filter(party=parties[1]).exists()


def test_a_rolled_back_purchase_triggers_nothing(valued, django_capture_on_commit_callbacks) -> None:
    personas, parties, _run, item = valued
    party = parties[2]
    before = CustomerValue.objects.get(party=party)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            sales.transaction_record(party=party, actor=None, product=item, date=timezone.localdate(),
                                     amount=Decimal("70"), channel="branch")
            raise RuntimeError("the caller fails after recording")
    assert callbacks == []
    after = CustomerValue.objects.get(party=party)
    assert (after.computed_at, after.frequency, after.clv_12m) == (before.computed_at, before.frequency, before.clv_12m)


def test_without_a_fitted_run_nothing_is_written(personas) -> None:
    party = person(owner=personas.alice)
    assert services.value_rescore(party_ids=[party.pk], actor=None) == 0
    assert not CustomerValue.objects.exists()


def test_imports_are_queued_in_chunks() -> None:
    assert [len(c) for c in rescoring.chunks([*range(12_001), 5, 5])] == [5000, 5000, 2001]


# --- bursts, with a shared cache and a real broker (Redis) -------------------------------------

QUEUE_URL = os.environ.get("FIDELIA_TEST_RESCORE_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def redis_queue(settings):
    """The cache and the Celery broker on Redis (a database of their own), tasks queued, no worker."""
    import redis

    from config.celery import app
    from tests.test_celery_worker import _reset_connections

    client = redis.Redis.from_url(QUEUE_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {QUEUE_URL}: {exc}")
    client.flushdb()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": QUEUE_URL}}
    saved = {k: app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}
    _reset_connections(app)
    app.conf.update(broker_url=QUEUE_URL, result_backend=QUEUE_URL, task_always_eager=False)
    yield client
    _reset_connections(app)
    app.conf.update(**saved)
    client.flushdb()


def queued(client, task: str) -> list[list[int]]:
    """The party ids of the messages of `task` waiting in the default queue, oldest first."""
    found = []
    for raw in reversed(client.lrange("celery", 0, -1)):  # pushed on the left: oldest last
        message = json.loads(raw)
        if message["headers"]["task"] == task:
            args = json.loads(base64.b64decode(message["body"]))[0]
            found.append(args[0])
    return found


def test_a_burst_of_purchases_queues_one_rescoring_per_customer(valued, redis_queue,
                                                                 django_capture_on_commit_callbacks) -> None:
    from fidelia.clv.tasks import value_rescore_task

    _personas, parties, _run, item = valued
    party, other = parties[7], parties[8]
    value_task, risk_task = "fidelia.clv.tasks.value_rescore_task", "fidelia.attrition.tasks.risk_rescore_task"
    for amount in (10, 20, 30):
        with django_capture_on_commit_callbacks(execute=True):
            sales.transaction_record(party=party, actor=None, product=item, date=timezone.localdate(),
                                     amount=Decimal(amount), channel="web")
    assert queued(redis_queue, value_task) == [[party.pk]] and queued(redis_queue, risk_task) == [[party.pk]]
    with django_capture_on_commit_callbacks(execute=True):  # another customer is not held back
        sales.transaction_record(party=other, actor=None, product=item, date=timezone.localdate(),
                                 amount=Decimal("15"), channel="web")
    assert queued(redis_queue, value_task) == [[party.pk], [other.pk]]
    # The task claims its customers before reading: a purchase after that queues again.
    assert value_rescore_task(party_ids=[party.pk]) == 1
    with django_capture_on_commit_callbacks(execute=True):
        sales.transaction_record(party=party, actor=None, product=item, date=timezone.localdate(),
                                 amount=Decimal("40"), channel="web")
    assert queued(redis_queue, value_task) == [[party.pk], [other.pk], [party.pk]]
    assert queued(redis_queue, risk_task) == [[party.pk], [other.pk]]  # still waiting: not queued twice
