"""Writes of attrition: the model run (train, validate, score, store, propose actions), lost-customer
records (captured, suggested by the daily check, confirmed) and the settings."""
from __future__ import annotations

import datetime as dt
import logging
import pickle
import time
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fidelia.attrition import fetch, methods
from fidelia.attrition.enums import AttritionType, LossReason, RecordStatus, RunStatus
from fidelia.attrition.models import AttritionRecord, AttritionRisk, AttritionSettings, ModelRun
from fidelia.attrition.phrases import reason_params, reasons_text
from fidelia.core import events
from fidelia.core.errors import StaleVersion, ValidationFailed
from fidelia.parties.enums import LifeEventKind
from fidelia.parties.models import LifeEvent, Party
from fidelia.parties.services import party_mark_former
from fidelia.sales.models import Contract

Progress = Callable[[str], None]
log = logging.getLogger(__name__)
# Reasons are computed for customers at 10 % risk or more: below, there is nothing worth explaining
# (and the ten extra predictions per customer are most of the scoring time).
REASONS_FROM = 0.10
SETTING_FIELDS = ("inactivity_days", "horizon_days", "high_risk", "nps_favourable", "csat_favourable",
                  "repurchase_rate")


def settings_get() -> AttritionSettings:
    return AttritionSettings.objects.get_or_create(pk=1)[0]


@transaction.atomic
def settings_update(*, actor: Any, version: int, **values: Any) -> AttritionSettings:
    """Change the churn definition, horizon and loyalty thresholds; refuses a stale `version`."""
    current = settings_get()
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown setting."), fields={k: [_("Unknown setting.")] for k in unknown})
    for key, value in values.items():
        setattr(current, key, value)
    try:
        current.full_clean(exclude=["version"])
    except Exception as exc:  # django ValidationError → one domain error with every field
        raise ValidationFailed(_("Check the settings."), fields=getattr(exc, "message_dict", {})) from exc
    old = AttritionSettings.objects.get(pk=1)
    updated = AttritionSettings.objects.filter(pk=1, version=version).update(version=version + 1, **values)
    if not updated:
        raise StaleVersion(_("The settings were changed meanwhile; reload them."))
    current.version = version + 1
    events.record(actor=actor, action="attrition.settings_changed", obj=current, party_id=None,
                  changes={k: [getattr(old, k), v] for k, v in values.items() if getattr(old, k) != v})
    return current


def _date(d: int) -> dt.date:
    return dt.date.fromordinal(int(d))


def model_run(*, today: dt.date, actor: Any = None, progress: Progress | None = None) -> ModelRun:
    """Train on an earlier cut-off (today − 2H), test on a later one (today − H) against the BG/NBD
    baseline, retrain on the later one and score every active customer as of `today`.

    Stores the metrics and curves on the run, one AttritionRisk per active customer (risks of
    customers no longer active are removed) and proposes a call for high risk × high value."""
    cfg = settings_get()
    H = cfg.horizon_days
    now = today.toordinal()
    run = ModelRun.objects.create(reference_date=today, train_cutoff=_date(now - 2 * H), test_cutoff=_date(now - H),
                                  horizon_days=H, actor=actor if getattr(actor, "pk", None) else None)
    step = progress or (lambda _label: None)
    clock: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        ids = fetch.customer_ids()
        h = fetch.load_history(ids)
        step("fetch")
        clock["fetch"] = time.perf_counter() - t0
        result = _train_validate_score(h, ids, cfg, now, step, clock)
    except ValueError as exc:
        run.status, run.error, run.finished_at = RunStatus.FAILED, str(exc), timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        return run
    t1 = time.perf_counter()
    _store(run, ids, result, cfg, today)
    step("store")
    clock["store"] = time.perf_counter() - t1
    run.status, run.finished_at = RunStatus.DONE, timezone.now()
    run.metrics, run.curves, run.importances = result["metrics"], result["curves"], result["importances"]
    run.customers, run.durations = int(result["active"].sum()), {k: round(v, 3) for k, v in clock.items()}
    run.model = _dump(result["model"], result["reference"])
    run.save()
    # Only the latest fit rescores customers: the older ones' models are dead weight.
    ModelRun.objects.filter(model__isnull=False).exclude(pk=run.pk).update(model=None)
    return run


def _train_validate_score(h: methods.History, ids: np.ndarray, cfg: AttritionSettings, now: int,
                          step: Progress, clock: dict[str, float]) -> dict[str, Any]:
    H, W = cfg.horizon_days, cfg.inactivity_days
    t = time.perf_counter()
    c1, c2 = now - 2 * H, now - H
    s1, _a = fetch.load_signals(ids, _date(c1))
    s2, _a = fetch.load_signals(ids, _date(c2))
    s3, sources = fetch.load_signals(ids, _date(now))
    X1, a1, y1 = methods.build_features(h, c1, s1), methods.active_at(h, c1, W), methods.churn_labels(h, c1, H)
    X2, a2, y2 = methods.build_features(h, c2, s2), methods.active_at(h, c2, W), methods.churn_labels(h, c2, H)
    step("features")
    if a1.sum() < 50 or a2.sum() < 50:
        raise ValueError(_("Too few active customers to train the model (at least 50 at each cut-off)."))
    model = methods.fit_model(X1[a1], y1[a1])
    score = model.predict_proba(X2[a2])[:, 1]
    clock["train"] = time.perf_counter() - t
    try:
        baselines = methods.bgnbd_baseline(h, c2, H)
    except Exception:  # noqa: BLE001 — a baseline that does not fit must not stop the scoring
        baselines = None
    ev = methods.evaluate(y2[a2], score)
    ev_base = methods.evaluate(y2[a2], baselines["p_alive"][a2]) if baselines else None
    ev_expected = methods.evaluate(y2[a2], baselines["expected"][a2]) if baselines else None
    step("validate")
    t = time.perf_counter()
    final = methods.fit_model(X2[a2], y2[a2])
    X3, a3 = methods.build_features(h, now, s3), methods.active_at(h, now, W)
    risk = final.predict_proba(X3[a3])[:, 1]
    ref = methods.typical_values(X2[a2])
    why = methods.reasons(final, X3[a3], ref, risk, from_risk=REASONS_FROM)
    clock["score"] = time.perf_counter() - t
    step("score")
    impact: dict[str, float] = {code: 0.0 for code in methods.REASON_GROUPS}
    for row in why:
        for code, value in row:
            impact[code] += value
    pos = np.flatnonzero(a3)
    return {
        "model": final, "reference": ref,
        "active": a3, "risk": risk, "reasons": why, "X": X3[a3], "positions": pos,
        "rate": methods.repurchase_rate(h, now)[a3],
        "metrics": {"model": {k: v for k, v in ev.items() if k not in ("roc", "calibration")},
                    "baseline": {k: v for k, v in ev_base.items() if k not in ("roc", "calibration")} if ev_base else None,
                    "baseline_expected": ({k: v for k, v in ev_expected.items() if k not in ("roc", "calibration")}
                                          if ev_expected else None),
                    "train_customers": int(a1.sum()), "test_customers": int(a2.sum()), "sources": sources,
                    "train_churn_rate": float(y1[a1].mean()), "inactivity_days": W},
        "curves": {"roc": ev["roc"], "calibration": ev["calibration"],
                   "baseline_roc": ev_base["roc"] if ev_base else [],
                   "baseline_calibration": ev_base["calibration"] if ev_base else [],
                   "risk_histogram": np.histogram(risk, bins=10, range=(0, 1))[0].tolist()},
        "importances": sorted(([code, round(v / max(len(why), 1), 4)] for code, v in impact.items()),
                              key=lambda r: -r[1]),
    }


def _risk_rows(run: ModelRun, ids: np.ndarray, r: dict[str, Any], cfg: AttritionSettings) -> list[AttritionRisk]:
    """One AttritionRisk per scored customer: risk, reasons, loyalty type (the nightly run and rescoring)."""
    X = r["X"]
    nps, csat = X[:, methods.FEATURE_NAMES.index("last_nps")], X[:, methods.FEATURE_NAMES.index("last_csat")]
    attitude, favourable = methods.attitude_scores(nps, csat, nps_favourable=cfg.nps_favourable,
                                                   csat_favourable=cfg.csat_favourable)
    loyalty = methods.loyalty_types(attitude, favourable, r["rate"], cfg.repurchase_rate)
    stamp = timezone.now()
    return [AttritionRisk(
        party_id=int(ids[p]), run=run, risk=round(float(r["risk"][i]), 4), computed_at=stamp,
        reasons=[{"code": c, "impact": v, "params": reason_params(c, X, i)} for c, v in r["reasons"][i]],
        loyalty_type=loyalty[i], attitude=None if np.isnan(attitude[i]) else float(attitude[i]),
        repurchase_rate=float(r["rate"][i])) for i, p in enumerate(r["positions"])]


RISK_FIELDS = ["run", "risk", "reasons", "loyalty_type", "attitude", "repurchase_rate", "computed_at"]


def _store(run: ModelRun, ids: np.ndarray, r: dict[str, Any], cfg: AttritionSettings, today: dt.date) -> None:
    rows = _risk_rows(run, ids, r, cfg)
    with transaction.atomic():
        AttritionRisk.objects.bulk_create(rows, batch_size=5000, update_conflicts=True, unique_fields=["party"],
                                          update_fields=RISK_FIELDS)
        AttritionRisk.objects.exclude(run=run).delete()
    propose_calls(run=run, cfg=cfg, today=today)


# --- rescoring a few customers with the last fitted model --------------------------------------

_loaded: dict[tuple[int, Any], tuple[methods.RiskModel, np.ndarray]] = {}


def _dump(model: methods.RiskModel, reference: np.ndarray) -> bytes:
    import sklearn

    return pickle.dumps({"model": model, "reference": reference, "sklearn": sklearn.__version__,
                         "features": methods.FEATURE_NAMES}, protocol=pickle.HIGHEST_PROTOCOL)


def fitted_model(run: ModelRun) -> tuple[methods.RiskModel, np.ndarray] | None:
    """The run's classifier and reasons' reference (None when it has none or it was pickled by another
    scikit-learn or for other features: the next nightly run refits). Kept per process."""
    import sklearn

    key = (run.pk, run.finished_at)
    if key in _loaded:
        return _loaded[key]
    if not run.model:
        return None
    try:
        stored = pickle.loads(bytes(run.model))  # noqa: S301 — written by model_run into our own database
    except Exception:  # noqa: BLE001 — an unreadable model only postpones the new scores to the night
        log.exception("The attrition model of run %s cannot be read", run.pk)
        return None
    if stored.get("sklearn") != sklearn.__version__ or tuple(stored.get("features", ())) != methods.FEATURE_NAMES:
        log.warning("The attrition model of run %s was fitted by another version; rescoring waits for the "
                    "nightly run", run.pk)
        return None
    _loaded.clear()
    _loaded[key] = (stored["model"], stored["reference"])
    return _loaded[key]


def last_run() -> ModelRun | None:
    """The run whose scores are shown: the latest that succeeded (its model is read on first use only)."""
    return ModelRun.objects.filter(status=RunStatus.DONE).defer("model").order_by("-started_at", "-id").first()


def risk_rescore(*, party_ids: Iterable[int], today: dt.date | None = None) -> int:
    """Score these customers again with the last run's model, as of `today` (default today): after a
    purchase, a complaint or a survey answer. Writes their risk, reasons and loyalty type exactly as
    the nightly run would with that model (customers no longer active lose their score) and proposes
    the call for high risk × high value. No refit. Returns the number of customers scored."""
    ids = np.array(sorted({int(p) for p in party_ids}), dtype=np.int64)
    run = last_run()
    fitted = fitted_model(run) if run is not None and ids.size else None
    if fitted is None:
        return 0
    model, reference = fitted
    cfg = settings_get()
    day = today or timezone.localdate()
    now = day.toordinal()
    h = fetch.load_history(ids)
    signals, _sources = fetch.load_signals(ids, day, only=True)
    X, active = methods.build_features(h, now, signals), methods.active_at(h, now, cfg.inactivity_days)
    risk = model.predict_proba(X[active])[:, 1] if active.any() else np.zeros(0)
    why = methods.reasons(model, X[active], reference, risk, from_risk=REASONS_FROM) if active.any() else []
    result = {"X": X[active], "risk": risk, "reasons": why, "positions": np.flatnonzero(active),
              "rate": methods.repurchase_rate(h, now)[active]}
    rows = _risk_rows(run, ids, result, cfg)
    with transaction.atomic():
        AttritionRisk.objects.bulk_create(rows, batch_size=5000, update_conflicts=True, unique_fields=["party"],
                                          update_fields=RISK_FIELDS)
        AttritionRisk.objects.filter(party_id__in=ids[~active].tolist()).delete()
    propose_calls(run=run, cfg=cfg, today=day, party_ids=[r.party_id for r in rows])
    return len(rows)


def _clv_cut() -> float | None:
    """The 90th percentile of the stored 12-month CLV (linear interpolation, as numpy's default),
    from the two values around it: no whole-base read. None when no value is stored."""
    try:
        from django.apps import apps

        value = apps.get_model("clv", "CustomerValue")
    except LookupError:
        return None
    n = value.objects.count()
    if not n:
        return None
    position = 0.9 * (n - 1)
    k = int(np.floor(position))  # the cut lies between the k-th and (k+1)-th smallest values
    # Read from the top (the index on clv_12m): the offset skips a tenth of the base, not nine.
    top = value.objects.order_by("-clv_12m").values_list("clv_12m", flat=True)
    if k + 1 > n - 1:
        return float(top[0])
    upper, lower = (float(v) for v in top[n - 2 - k:n - k])
    return float(np.quantile(np.array([lower, upper]), position - k))


def _high_value_ids(party_ids: list[int]) -> set[int]:
    """ABC class A, or the top CLV decile when customer values exist."""
    from django.apps import apps

    from fidelia.analytics.models import CustomerAnalytics

    found = set(CustomerAnalytics.objects.filter(party_id__in=party_ids, abc_class="A")
                .values_list("party_id", flat=True))
    cut = _clv_cut()
    if cut is not None:
        value = apps.get_model("clv", "CustomerValue")
        found |= {p for p, v in value.objects.filter(party_id__in=party_ids).values_list("party_id", "clv_12m")
                  if float(v) >= cut}
    return found


def propose_calls(*, run: ModelRun, cfg: AttritionSettings, today: dt.date, party_ids: list[int] | None = None) -> int:
    """A call for the owner of each high-risk, high-value customer (one proposal per customer per month);
    only among `party_ids` when given (rescoring)."""
    risky_rows = AttritionRisk.objects.filter(run=run, risk__gte=cfg.high_risk).select_related("party")
    if party_ids is not None:
        risky_rows = risky_rows.filter(party_id__in=party_ids)
    risky = list(risky_rows)
    valuable = _high_value_ids([r.party_id for r in risky])
    created = 0
    with translation.override(django_settings.LANGUAGE_CODE):
        from fidelia.actions.services import action_propose

        for row in risky:
            if row.party_id not in valuable:
                continue
            _a, new = action_propose(
                party=row.party, kind="call", source="attrition", source_key=f"attrition:{row.party_id}:{today:%Y-%m}",
                title=_("Call: risk of attrition %(risk)s %%") % {"risk": round(row.risk * 100)},
                reason="; ".join(reasons_text(row.reasons)), priority=min(3.0, 1 + row.risk * 2),
                due_on=today + dt.timedelta(days=7), valid_until=today + dt.timedelta(days=45))
            created += new
    return created


def _validate_record(*, party: Party, date: dt.date, reason: str, type: str, note: str,
                     contract: Contract | None, today: dt.date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if date > today:
        errors["date"] = [_("The date of the loss cannot be in the future.")]
    elif date.year < 1900:
        errors["date"] = [_("Enter a date after 1900.")]
    if reason not in LossReason.values:
        errors["reason"] = [_("Choose a reason from the list.")]
    if type and type not in AttritionType.values:
        errors["type"] = [_("Choose a type from the list.")]
    if len(note) > 300:
        errors["note"] = [_("At most 300 characters.")]
    if contract is not None and contract.party_id != party.pk:
        errors["contract"] = [_("This contract belongs to another customer.")]
    return errors


def signals_before(*, party: Party, date: dt.date) -> dict[str, Any]:
    """The signals the type suggestion reads, as they stood on the day of the loss."""
    complaints = 0
    low = False
    try:
        from fidelia.service.selectors import complaint_signals

        sig = complaint_signals(as_of=date).get(party.pk)
        complaints = sig.complaints_365d if sig else 0
    except ImportError:
        pass
    try:
        from fidelia.surveys.selectors import satisfaction_signals  # type: ignore[import-not-found]

        sat = satisfaction_signals(as_of=date).get(party.pk)
        low = bool(sat and (sat.nps_detractor or (sat.last_csat is not None and sat.last_csat <= 2)))
    except ImportError:
        pass
    moved = LifeEvent.objects.filter(party=party, kind=LifeEventKind.MOVE,
                                     date__gt=date - dt.timedelta(days=365), date__lte=date).exists()
    return {"complaints_365d": complaints, "low_satisfaction": low, "moved": moved}


@transaction.atomic
def record_create(*, party: Party, date: dt.date, reason: str, actor: Any, type: str = "", note: str = "",
                  contract: Contract | None = None, today: dt.date | None = None) -> AttritionRecord:
    """Mark a customer lost (or confirm the suggestion waiting for them) with its reason and type.

    `type` empty: the type suggested from the reason and the signals before the loss is kept."""
    errors = _validate_record(party=party, date=date, reason=reason, type=type, note=note, contract=contract,
                              today=today or timezone.localdate())
    if errors:
        raise ValidationFailed(_("The lost customer could not be recorded."), fields=errors)
    signals = signals_before(party=party, date=date)
    suggested = methods.suggest_type(reason=reason, **signals)
    record = AttritionRecord.objects.select_for_update().filter(party=party, status=RecordStatus.SUGGESTED).first()
    record = record or AttritionRecord(party=party)
    record.date, record.reason, record.note = date, reason, note
    record.suggested_type, record.type = suggested, type or suggested
    record.contract = contract or record.contract
    record.status, record.signals = RecordStatus.CONFIRMED, signals
    record.recorded_by = actor if getattr(actor, "pk", None) else None
    record.save()
    events.record(actor=actor, action="attrition.recorded", obj=record, party_id=party.pk,
                  changes={"type": record.type, "reason": reason, "date": date})
    party_mark_former(party=party, actor=record.recorded_by)
    return record


@transaction.atomic
def record_dismiss(*, record: AttritionRecord, actor: Any) -> None:
    """Drop a suggestion the user says is wrong (the customer is not lost)."""
    if record.status != RecordStatus.SUGGESTED:
        raise ValidationFailed(_("Only a suggestion can be dismissed."))
    events.record(actor=actor, action="attrition.suggestion_dismissed", obj=record, party_id=record.party_id)
    record.delete()


def suggest_losses(*, today: dt.date, lookback_days: int = 90) -> int:
    """The daily check: customers whose contracts have all ended in the last `lookback_days` and who
    have no record yet get a suggested record to confirm (date = the last end). Returns how many."""
    since = today - dt.timedelta(days=lookback_days)
    in_force = Contract.objects.filter(start_date__lte=today).exclude(end_date__lte=today).filter(status="active")
    ended = (Contract.objects.filter(end_date__gt=since, end_date__lte=today)
             .exclude(party_id__in=in_force.values("party_id"))
             .exclude(party_id__in=AttritionRecord.objects.filter(date__gte=since).values("party_id"))
             .exclude(party_id__in=AttritionRecord.objects.filter(status=RecordStatus.SUGGESTED).values("party_id"))
             .order_by("party_id", "-end_date").select_related("party"))
    done: set[int] = set()
    for contract in ended:
        if contract.party_id in done:
            continue
        done.add(contract.party_id)
        with transaction.atomic():
            signals = signals_before(party=contract.party, date=contract.end_date)
            kind = methods.suggest_type(reason=LossReason.OTHER, **signals)
            record = AttritionRecord.objects.create(
                party=contract.party, date=contract.end_date, contract=contract, reason=LossReason.OTHER,
                type=kind, suggested_type=kind, status=RecordStatus.SUGGESTED, signals=signals)
            events.record(actor=None, action="attrition.suggested", obj=record, party_id=contract.party_id)
    return len(done)
