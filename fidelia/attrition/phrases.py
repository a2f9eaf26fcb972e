"""Plain-language reasons: stored as codes with figures, rendered in the reader's language."""
from __future__ import annotations

from typing import Any

import numpy as np
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fidelia.attrition.methods import FEATURE_NAMES


def _f(X: np.ndarray, name: str) -> np.ndarray:
    return X[:, FEATURE_NAMES.index(name)]


def reason_params(code: str, X: np.ndarray, i: int) -> dict[str, Any]:
    """The figures a reason's sentence quotes, taken from customer i's features."""
    def v(name: str) -> float | None:
        x = float(_f(X, name)[i])
        return None if np.isnan(x) else round(x, 1)

    return {
        "overdue": lambda: {"gap": v("mean_gap_days"), "days": v("days_since_last")},
        "frequency_drop": lambda: {"recent": v("purchases_180d"), "before": v("purchases_prev_180d")},
        "spend_drop": lambda: {"recent": v("spend_180d"), "before": v("spend_prev_180d")},
        "fewer_products": lambda: {"held": v("products_held"), "change": v("products_change_180d")},
        "contracts_ended": lambda: {"n": v("contracts_ended_365d")},
        "tenure": lambda: {"months": round((v("tenure_days") or 0) / 30.4)},
        "complaints": lambda: {"open": v("open_complaints"), "year": v("complaints_365d"),
                               "breached": v("breached_365d")},
        "slow_resolution": lambda: {"hours": v("mean_resolution_hours")},
        "low_satisfaction": lambda: {"nps": v("last_nps"), "csat": v("last_csat")},
        "unanswered_campaigns": lambda: {"n": max(0, (v("contacted_365d") or 0) - (v("responded_365d") or 0))},
    }[code]()


def _n(value: Any) -> int:
    return int(round(value or 0))


def reason_text(code: str, p: dict[str, Any]) -> str:
    """One sentence for a stored reason, e.g. "Purchases every 21 days on average, none for 95 days"."""
    if code == "overdue":
        if p.get("gap") is None:
            return _("No purchase for %(days)s days") % {"days": _n(p.get("days"))}
        return _("Purchases every %(gap)s days on average, none for %(days)s days") % {
            "gap": _n(p["gap"]), "days": _n(p.get("days"))}
    if code == "frequency_drop":
        return _("%(recent)s purchases in the last 6 months, %(before)s in the 6 months before") % {
            "recent": _n(p.get("recent")), "before": _n(p.get("before"))}
    if code == "spend_drop":
        return _("Spending of %(recent)s € in the last 6 months against %(before)s € before") % {
            "recent": number_format(_n(p.get("recent")), force_grouping=True),
            "before": number_format(_n(p.get("before")), force_grouping=True)}
    if code == "fewer_products":
        return _("%(held)s products held (%(change)+d in 6 months)") % {"held": _n(p.get("held")),
                                                                        "change": _n(p.get("change"))}
    if code == "contracts_ended":
        n = _n(p.get("n"))
        return ngettext("%(n)s contract ended in the last 12 months", "%(n)s contracts ended in the last 12 months",
                        n) % {"n": n}
    if code == "tenure":
        months = _n(p.get("months"))
        return ngettext("Customer for %(n)s month only", "Customer for %(n)s months only", months) % {"n": months}
    if code == "complaints":
        n = _n(p.get("open"))
        if n:
            return ngettext("%(n)s open complaint", "%(n)s open complaints", n) % {"n": n}
        year = _n(p.get("year"))
        return ngettext("%(n)s complaint in 12 months", "%(n)s complaints in 12 months", year) % {"n": year}
    if code == "slow_resolution":
        return _("Complaints took %(hours)s hours on average to resolve") % {"hours": _n(p.get("hours"))}
    if code == "low_satisfaction":
        if p.get("nps") is not None:
            return _("Last recommendation score %(score)s/10") % {"score": _n(p["nps"])}
        if p.get("csat") is not None:
            return _("Last satisfaction score %(score)s/5") % {"score": _n(p["csat"])}
        return _("No satisfaction answer")
    if code == "unanswered_campaigns":
        n = _n(p.get("n"))
        return ngettext("%(n)s campaign unanswered in 12 months", "%(n)s campaigns unanswered in 12 months",
                        n) % {"n": n}
    return code


def reasons_text(stored: list[dict[str, Any]]) -> list[str]:
    return [reason_text(r.get("code", ""), r.get("params", {})) for r in stored or []]


def reason_label(code: str) -> str:
    """Short name of a reason group (the model-quality table)."""
    return {
        "overdue": _("Time since the last purchase vs the customer's rhythm"),
        "frequency_drop": _("Falling purchase frequency"), "spend_drop": _("Falling spending"),
        "fewer_products": _("Fewer products held"), "contracts_ended": _("Contracts ended, not renewed"),
        "tenure": _("Short relationship"), "complaints": _("Complaints"),
        "slow_resolution": _("Slow complaint resolution"), "low_satisfaction": _("Low satisfaction or NPS"),
        "unanswered_campaigns": _("Unanswered campaigns"),
    }.get(code, code)
