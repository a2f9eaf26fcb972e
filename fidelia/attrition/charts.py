"""Chart data of the attrition pages (pure: results → the JSON a chart kind of attrition.js reads)."""
from __future__ import annotations

from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from fidelia.attrition.enums import LoyaltyType
from fidelia.attrition.models import ModelRun
from fidelia.attrition.selectors import Rates

TYPE_COLOURS = ["#dc2626", "#7c3aed", "#f59e0b", "#64748b"]


def rates_chart(rates: Rates, top: int = 8) -> dict[str, Any]:
    """One line per group (the `top` largest by customers), rates in %; None where the base is empty."""
    rate = rates.rate()
    order = np.argsort(-rates.base.sum(axis=0), kind="stable")[:top]
    return {"months": rates.months, "series": [
        {"name": rates.groups[g], "rates": [None if np.isnan(v) else round(float(v), 2) for v in rate[:, g]],
         "base": rates.base[:, g].tolist(), "churned": rates.churned[:, g].tolist()} for g in order]}


def bars_chart(pairs: list[tuple[str, int]], series: str, colours: list[str] | None = None) -> dict[str, Any]:
    return {"labels": [p[0] for p in pairs], "values": [p[1] for p in pairs], "series": series, "colors": colours}


def roc_chart(run: ModelRun) -> dict[str, Any]:
    series = [{"name": _("Risk model"), "points": run.curves.get("roc", [])}]
    if run.curves.get("baseline_roc"):
        series.append({"name": _("BG/NBD 1 − P(alive)"), "points": run.curves["baseline_roc"]})
    return {"series": series, "x": _("False positive rate"), "y": _("True positive rate"),
            "diagonal": _("Chance"), "symbols": False}


def calibration_chart(run: ModelRun) -> dict[str, Any]:
    series = [{"name": _("Risk model"), "points": run.curves.get("calibration", [])}]
    if run.curves.get("baseline_calibration"):
        series.append({"name": _("BG/NBD 1 − P(alive)"), "points": run.curves["baseline_calibration"]})
    return {"series": series, "x": _("Predicted risk"), "y": _("Observed attrition"), "diagonal": _("Perfect calibration"),
            "symbols": True}


def histogram_chart(run: ModelRun, high: float) -> dict[str, Any]:
    return {"labels": [f"{10 * i}–{10 * (i + 1)}" for i in range(10)],
            "counts": run.curves.get("risk_histogram", [0] * 10), "series": _("Customers"),
            "axis": _("Risk (%)"), "high_from": int(high * 10)}


def loyalty_chart(summary: list[dict[str, Any]], settings: Any) -> dict[str, Any]:
    place = {LoyaltyType.TRUE: (1, 1), LoyaltyType.LATENT: (0, 1), LoyaltyType.SPURIOUS: (1, 0),
             LoyaltyType.NONE: (0, 0)}
    cells = [{"key": row["key"], "label": row["label"], "count": row["count"], "risk": round(100 * row["risk"], 1),
              "x": place[row["key"]][0], "y": place[row["key"]][1]} for row in summary if row["key"] in place]
    return {
        "cells": cells, "risk_label": _("mean risk"),
        "x": [_("Repurchase rate < %(t)s %%") % {"t": round(settings.repurchase_rate * 100)},
              _("Repurchase rate ≥ %(t)s %%") % {"t": round(settings.repurchase_rate * 100)}],
        "y": [_("Unfavourable attitude"), _("Favourable attitude")],
        "x_name": _("Behaviour"), "y_name": _("Attitude"),
    }
