"""Writes of customer value: model runs, on-demand rescoring and retention efforts.

A run fetches customer-days (selectors), turns them into summaries and fits the models (pure
functions), then replaces the stored `CustomerValue` rows in one transaction: a failed run leaves
the previous results in place. Rescoring re-applies the last run's parameters to some customers
(after new purchases or efforts) without refitting.
"""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fidelia.accounts.models import User
from fidelia.clv import methods as M
from fidelia.clv import selectors
from fidelia.clv.enums import CountModel, EffortKind, RunStatus
from fidelia.clv.models import CustomerValue, RetentionEffort, ValueModelRun
from fidelia.clv.summaries import (
    Summaries,
    calibration_report,
    fit_counts,
    holdout_counts,
    score,
    summaries_from_days,
)
from fidelia.core import events
from fidelia.core.errors import StaleVersion, ValidationFailed
from fidelia.parties.models import Party

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")
EFFORT_WINDOW_DAYS = 365
Progress = Callable[[str], None]


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def _money(values: np.ndarray) -> list[Decimal]:
    clipped = np.clip(np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0), -9.99e11, 9.99e11)
    return [Decimal(repr(round(float(v), 2))).quantize(CENT, rounding=ROUND_HALF_UP) for v in clipped]


def _validate_options(*, count_model: str, horizon_months: int, monthly_discount: float) -> None:
    fields: dict[str, list[str]] = {}
    if count_model not in CountModel.values:
        fields["count_model"] = [_("Choose BG/NBD or Pareto/NBD.")]
    if not (1 <= horizon_months <= 120):
        fields["horizon_months"] = [_("The horizon must be between 1 and 120 months.")]
    if not (0 <= monthly_discount < 1):
        fields["monthly_discount"] = [_("The monthly discount rate must be between 0 and 1 (e.g. 0.01).")]
    if fields:
        raise ValidationFailed(_("The model options are not valid."), fields=fields)


def _fit_payload(fit: M.BgNbdFit | M.ParetoNbdFit, spend: M.GammaGammaFit | None) -> dict[str, Any]:
    def clean(d: dict[str, float]) -> dict[str, float | None]:
        return {k: (None if not np.isfinite(v) else float(v)) for k, v in d.items()}

    return {"params": fit.params(), "se": clean(fit.se), "loglik": fit.loglik,
            "spend_params": spend.params() if spend else {}, "spend_se": clean(spend.se) if spend else {},
            "spend_loglik": spend.loglik if spend else None,
            "converged": fit.converged and (spend is None or spend.converged),
            "warnings": list(fit.warnings) + (list(spend.warnings) if spend else [])}


def _calibration(days: selectors.CustomerDays, *, end_day: int, count_model: str, holdout_weeks: int,
                 warnings: list[str]) -> dict[str, Any]:
    """Refit on the history before the holdout and compare predicted and actual holdout purchases."""
    cut = end_day - holdout_weeks * 7
    cal = summaries_from_days(days.party, days.day, days.amount, days.margin, end_day=cut)
    if len(cal) < 50 or np.count_nonzero(cal.x > 0) < 10:
        warnings.append(_("Not enough history before the last %(weeks)d weeks for a calibration/holdout check.")
                        % {"weeks": holdout_weeks})
        return {}
    try:
        fit = fit_counts(count_model, cal.x, cal.t_x, cal.T)
    except ValueError:
        return {}
    actual = holdout_counts(days.party, days.day, cal.party_ids, start_day=cut, end_day=end_day)
    report = calibration_report(fit, cal.x, cal.t_x, cal.T, actual, holdout_weeks=holdout_weeks)
    report["params"] = fit.params()
    return report


@transaction.atomic
def value_model_run(*, as_of: dt.date, actor: User | None, count_model: str = CountModel.BGNBD,
                    horizon_months: int | None = None, monthly_discount: float | None = None,
                    progress: Progress | None = None) -> ValueModelRun:
    """Fit the models on every customer's history up to `as_of` and store each customer's value.

    Raises ValidationFailed on bad options. A fit that cannot be made (no repeat buyers) is stored
    as a FAILED run with its warnings and the previous customer values are kept.
    """
    horizon = horizon_months if horizon_months is not None else _setting("FIDELIA_CLV_HORIZON_MONTHS", 36)
    discount = monthly_discount if monthly_discount is not None else _setting("FIDELIA_CLV_MONTHLY_DISCOUNT", 0.01)
    _validate_options(count_model=count_model, horizon_months=horizon, monthly_discount=discount)
    step = progress or (lambda _label: None)
    started = time.monotonic()
    step("fetch")
    days = selectors.customer_days(until=as_of)
    end_day = as_of.toordinal()
    scored = summaries_from_days(days.party, days.day, days.amount, days.margin, end_day=end_day,
                                 default_margin_rate=_setting("FIDELIA_CLV_DEFAULT_MARGIN_RATE", 0.3),
                                 include_new=True)
    s = scored.subset(scored.T > 0)  # first bought on `as_of`: valued, but nothing to learn from yet
    run = ValueModelRun(as_of=as_of, count_model=count_model, horizon_months=horizon, monthly_discount=discount,
                        started_by=actor if getattr(actor, "pk", None) else None, n_customers=len(scored),
                        n_repeat_buyers=int(np.count_nonzero(s.x > 0)) if len(s) else 0)
    step("fit")
    try:
        fit = fit_counts(count_model, s.x, s.t_x, s.T)
        spend = M.gamma_gamma_fit(s.x, s.m)
    except ValueError as exc:
        run.status, run.warnings = RunStatus.FAILED, [_("The models could not be fitted: %(error)s") % {"error": exc}]
        run.duration_ms = int((time.monotonic() - started) * 1000)
        run.save()
        return run
    for key, value in _fit_payload(fit, spend).items():
        setattr(run, key, value)
    step("calibration")
    run.calibration = _calibration(days, end_day=end_day, count_model=count_model,
                                   holdout_weeks=_setting("FIDELIA_CLV_HOLDOUT_WEEKS", 26), warnings=run.warnings)
    run.status = RunStatus.OK if run.converged and not run.warnings else RunStatus.WARNING
    run.save()
    step("score")
    _store(run, fit, spend, scored, as_of=as_of, replace=True)
    run.totals = {k: float(v or 0) for k, v in CustomerValue.objects.filter(run=run).aggregate(
        clv_12m=Sum("clv_12m"), clv_horizon=Sum("clv_horizon"), effort=Sum("retention_effort"),
        capital=Sum("capital")).items()}
    run.duration_ms = int((time.monotonic() - started) * 1000)
    run.save(update_fields=["totals", "duration_ms"])
    events.record(actor=actor, action="clv.run", obj=run, party_id=None,
                  changes={"customers": run.n_customers, "model": count_model})
    return run


def _fits_of(run: ValueModelRun) -> tuple[M.BgNbdFit | M.ParetoNbdFit, M.GammaGammaFit]:
    """Rebuild the fitted models from a stored run (for rescoring without refitting)."""
    common = {"loglik": run.loglik or 0.0, "se": {}, "converged": run.converged, "n_customers": run.n_customers}
    if run.count_model == CountModel.PARETO_NBD:
        fit: M.BgNbdFit | M.ParetoNbdFit = M.ParetoNbdFit(**run.params, n_repeat_buyers=run.n_repeat_buyers, **common)
    else:
        fit = M.BgNbdFit(**run.params, n_repeat_buyers=run.n_repeat_buyers, **common)
    spend = M.GammaGammaFit(**run.spend_params, loglik=run.spend_loglik or 0.0, se={}, converged=True,
                            n_customers=run.n_repeat_buyers)
    return fit, spend


def _store(run: ValueModelRun, fit: M.BgNbdFit | M.ParetoNbdFit, spend: M.GammaGammaFit, s: Summaries, *,
           as_of: dt.date, replace: bool, party_ids: list[int] | None = None) -> int:
    """Score the summaries and upsert their CustomerValue rows (bulk, batches of 2,000).

    `party_ids`: the customers being rescored (their efforts only are read), else the whole base."""
    sc = score(fit, spend, s, horizon_months=run.horizon_months, monthly_discount=run.monthly_discount)
    efforts = selectors.efforts_by_party(since=as_of - dt.timedelta(days=EFFORT_WINDOW_DAYS), party_ids=party_ids)
    now = timezone.now()
    mean_spend, exp_spend, clv, clv_h = (_money(a) for a in (s.m, sc.expected_spend, sc.clv_12m, sc.clv_horizon))
    rows = []
    for i, pid in enumerate(s.party_ids.tolist()):
        effort = efforts.get(pid, Decimal("0")).quantize(CENT)
        rows.append(CustomerValue(
            party_id=pid, run=run, frequency=int(s.x[i]), recency_weeks=float(s.t_x[i]), age_weeks=float(s.T[i]),
            mean_spend=mean_spend[i], margin_rate=float(s.margin_rate[i]), p_alive=float(sc.p_alive[i]),
            expected_purchases_52w=float(sc.expected_purchases_52w[i]), expected_spend=exp_spend[i],
            clv_12m=clv[i], clv_horizon=clv_h[i], retention_effort=effort, capital=clv_h[i] - effort,
            computed_at=now))
    fields = [f.name for f in CustomerValue._meta.concrete_fields if f.name != "party"]
    CustomerValue.objects.bulk_create(rows, batch_size=2000, update_conflicts=True, unique_fields=["party"],
                                      update_fields=fields)
    if replace:  # customers no longer scored (no purchase left, erased) lose their stale value
        CustomerValue.objects.exclude(run=run).delete()
    return len(rows)


def last_run() -> ValueModelRun | None:
    """The run whose parameters value the customers: the latest one that could be fitted."""
    return ValueModelRun.objects.exclude(status=RunStatus.FAILED).order_by("-created_at", "-id").first()


@transaction.atomic
def value_rescore(*, party_ids: Iterable[int], actor: User | None, as_of: dt.date | None = None) -> int:
    """Re-apply the last fitted run to these customers (new purchases, new efforts); returns rows written.

    No refit: the parameters stay those of the last run, so the figures are exactly those a run with
    these parameters would give them on `as_of` (default today). A first purchase creates the
    customer's value; a customer with no purchase left (refunded, archived) loses it, as in a run.
    A few set-based queries and one vectorised scoring, whatever the number of customers.
    """
    ids = sorted({int(p) for p in party_ids})
    run = last_run()
    if run is None or not ids:
        return 0
    day = as_of or timezone.localdate()
    days = selectors.customer_days(until=day, party_ids=ids)
    s = summaries_from_days(days.party, days.day, days.amount, days.margin, end_day=day.toordinal(),
                            default_margin_rate=_setting("FIDELIA_CLV_DEFAULT_MARGIN_RATE", 0.3),
                            include_new=True)
    fit, spend = _fits_of(run)
    written = _store(run, fit, spend, s, as_of=day, replace=False, party_ids=ids) if len(s) else 0
    CustomerValue.objects.filter(party_id__in=ids).exclude(party_id__in=s.party_ids.tolist()).delete()
    return written


def _counted(effort: RetentionEffort | None) -> Decimal:
    """What an effort adds to the capital's retention effort: its amount within the 12-month window."""
    if effort is None or effort.date < timezone.localdate() - dt.timedelta(days=EFFORT_WINDOW_DAYS):
        return Decimal("0")
    return Decimal(effort.amount)


def _refresh_capital(party_id: int, delta: Decimal) -> None:
    """Keep the stored capital in step with a recorded effort (no refit, no whole-base read: the
    campaign costs counted by the last run stay as they were)."""
    if not delta:
        return
    value = CustomerValue.objects.select_for_update().filter(party_id=party_id).first()
    if value is None:
        return
    value.retention_effort = (value.retention_effort + delta).quantize(CENT)
    value.capital = value.clv_horizon - value.retention_effort
    value.save(update_fields=["retention_effort", "capital"])


def _validate_effort(*, kind: str, amount: Decimal, date: dt.date, note: str) -> None:
    fields: dict[str, list[str]] = {}
    if kind not in EffortKind.values:
        fields["kind"] = [_("Choose gift, discount or other.")]
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < CENT or amount > MAX_AMOUNT:
        fields["amount"] = [_("The amount must be between 0.01 and 9,999,999,999.99 €.")]
    elif amount.as_tuple().exponent < -2:  # type: ignore[operator]
        fields["amount"] = [_("The amount has at most two decimals.")]
    if date > timezone.localdate() + dt.timedelta(days=366) or date.year < 1900:
        fields["date"] = [_("The date is out of range.")]
    if len(note) > 300:
        fields["note"] = [_("The note has at most 300 characters.")]
    if fields:
        raise ValidationFailed(_("The retention effort is not valid."), fields=fields)


@transaction.atomic
def retention_effort_create(*, party: Party, kind: str, amount: Decimal, date: dt.date, note: str = "",
                            actor: User) -> RetentionEffort:
    """Record money spent to keep `party`; the stored capital is updated in the same transaction."""
    _validate_effort(kind=kind, amount=amount, date=date, note=note)
    effort = RetentionEffort.objects.create(party=party, kind=kind, amount=amount, date=date, note=note,
                                            recorded_by=actor)
    events.record(actor=actor, action="clv.effort_created", obj=effort, party_id=party.pk,
                  changes={"kind": kind, "amount": amount, "date": date})
    _refresh_capital(party.pk, _counted(effort))
    return effort


@transaction.atomic
def retention_effort_update(*, effort: RetentionEffort, version: int, actor: User, **values: Any) -> RetentionEffort:
    """Change kind/amount/date/note; refused (StaleVersion) when `version` is not the current one."""
    locked = RetentionEffort.objects.select_for_update().get(pk=effort.pk)
    if locked.version != version:
        raise StaleVersion(_("This effort was changed by someone else; reload it."))
    merged = {k: values.get(k, getattr(locked, k)) for k in ("kind", "amount", "date", "note")}
    _validate_effort(**merged)
    changes = events.diff(locked, merged)
    before = _counted(locked)
    for k, v in merged.items():
        setattr(locked, k, v)
    locked.version += 1
    locked.save()
    events.record(actor=actor, action="clv.effort_updated", obj=locked, party_id=locked.party_id, changes=changes)
    _refresh_capital(locked.party_id, _counted(locked) - before)
    return locked


@transaction.atomic
def retention_effort_delete(*, effort: RetentionEffort, actor: User) -> None:
    party_id = effort.party_id
    events.record(actor=actor, action="clv.effort_deleted", obj=effort, party_id=party_id,
                  changes={"amount": effort.amount, "date": effort.date})
    removed = _counted(effort)
    effort.delete()
    _refresh_capital(party_id, -removed)
