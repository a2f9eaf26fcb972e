"""Chart data (JSON for static/js/charts/clv.js) and display rows built from selectors' results."""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from fidelia.analytics.enums import RfmSegment
from fidelia.clv.models import ValueModelRun


def param_help() -> dict[str, str]:
    """What each parameter describes, for the diagnostics table."""
    return {
        "r": _("purchase rate: Gamma shape"), "alpha": _("purchase rate: Gamma scale (weeks)"),
        "a": _("dropout after a purchase: Beta a"), "b": _("dropout after a purchase: Beta b"),
        "s": _("lifetime: Gamma shape"), "beta": _("lifetime: Gamma scale (weeks)"),
        "p": _("spend: Gamma shape per transaction"), "q": _("spend: shape of the customers' spend scale"),
        "gamma": _("spend: scale of the customers' spend scale"),
    }


def _f(value: Any) -> float:
    return round(float(value or 0), 2)


def dashboard_charts(data: dict[str, Any]) -> dict[str, Any]:
    """Histogram of CLV, CLV and capital by RFM segment, ABC class and owner, P(alive) heatmap."""
    segments = dict(RfmSegment.choices)
    labels = {"clv": _("CLV 12 months"), "capital": _("Customer capital"), "customers": _("Customers")}

    def bars(rows: list[dict[str, Any]], name: Any) -> dict[str, Any]:
        return {"labels": labels, "categories": [str(name(r)) for r in rows],
                "clv": [_f(r["clv"]) for r in rows], "capital": [_f(r["capital"]) for r in rows],
                "customers": [r["customers"] for r in rows]}

    def owner(r: dict[str, Any]) -> str:
        return f"{r['first'] or ''} {r['last'] or ''}".strip() or r["username"] or _("No owner")

    return {
        "histogram": {**data["histogram"], "series": _("Customers"), "axis": _("CLV 12 months (€)")},
        "segment": bars(data["by_segment"], lambda r: segments.get(r["segment"], r["segment"])),
        "abc": bars(data["by_abc"], lambda r: _("Class %(c)s") % {"c": r["abc"]}),
        "owner": bars(data["by_owner"], owner),
        "heatmap": {**data["heatmap"], "labels": {
            "x": _("Weeks since the last purchase"), "y": _("Repeat purchases"),
            "value": _("P(alive)"), "customers": _("Customers")}},
    }


def parameter_rows(run: ValueModelRun) -> list[dict[str, Any]]:
    """Parameter, value, standard error, relative SE and meaning, count model then spend model."""
    rows, meaning = [], param_help()
    for group, params, se in ((run.get_count_model_display(), run.params, run.se),
                              (_("Gamma-Gamma"), run.spend_params, run.spend_se)):
        for name, value in params.items():
            err = se.get(name)
            rows.append({"model": group, "name": name, "value": value, "se": err,
                         "rel": (err / value) if err is not None and value else None,
                         "help": meaning.get(name, "")})
    return rows


def calibration_chart(run: ValueModelRun) -> dict[str, Any]:
    """Mean actual vs predicted holdout purchases per calibration purchase-count class."""
    classes = run.calibration.get("classes", [])
    return {"classes": [c["class"] for c in classes], "actual": [c["actual"] for c in classes],
            "predicted": [c["predicted"] for c in classes], "customers": [c["customers"] for c in classes],
            "labels": {"actual": _("Actual"), "predicted": run.get_count_model_display(),
                       "x": _("Repeat purchases in the calibration period"),
                       "y": _("Mean purchases in the holdout"), "customers": _("Customers")}}
