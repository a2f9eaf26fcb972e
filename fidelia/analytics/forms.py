"""Forms of the analytics dashboards: they parse the filters and the methods' options.

Invalid values are dropped (and shown as "ignored"), so a hand-edited address never leads to a
500: the dashboard falls back to the default for that filter.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from fidelia.accounts.enums import Role
from fidelia.accounts.models import Team
from fidelia.analytics.enums import MigrationDimension
from fidelia.analytics.results import AnalysisOptions
from fidelia.sales.models import ProductFamily

DEFAULT_ABC = (10, 30)
PERIODS = [(12, _("12 months (default)")), (3, _("3 months")), (6, _("6 months")), (24, _("24 months")),
           (36, _("36 months"))]
MAX_PERIOD_DAYS = 3660


# Where the course leaves the quintile tie rule open, the page states the rule applied and lets
# the user pick another one.
TIE_RULES = [("midrank", _("Mid-rank (default)")), ("lower", _("Lower")), ("upper", _("Upper"))]
# What the page states about the rule applied
TIE_RULE_NAMES = {
    "midrank": _("Mid-rank: a group of equal values gets the score of its middle position (default)"),
    "lower": _("Lower: a group of equal values gets the score of its worst position"),
    "upper": _("Upper: a group of equal values gets the score of its best position"),
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # the browser's date picker sends and expects ISO dates whatever the language
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class _FilterForm(forms.Form):
    def valid_values(self) -> dict[str, Any]:
        """The values that passed validation; invalid or empty ones are left out."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class AnalysisFilterForm(_FilterForm):
    """Period, scope (team, owner, product family) and the options of the methods."""

    months = forms.TypedChoiceField(label=_("Period"), choices=PERIODS, coerce=int, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput(attrs={"class": "filters__short"}),
                                help_text=_("Overrides the period's length"))
    date_to = forms.DateField(label=_("To (reference date)"), required=False,
                              widget=DateInput(attrs={"class": "filters__short"}))
    team = forms.ModelChoiceField(label=_("Team / agency"), queryset=Team.objects.none(), required=False,
                                  empty_label=_("All teams"))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=get_user_model().objects.none(), required=False,
                                   empty_label=_("All owners"))
    family = forms.ModelChoiceField(label=_("Product family"), queryset=ProductFamily.objects.all(), required=False,
                                    empty_label=_("All families"))
    abc_a = forms.IntegerField(label=_("Class A (% of customers)"), required=False, min_value=1, max_value=98,
                               widget=forms.NumberInput(attrs={"class": "filters__tiny", "placeholder": "10"}))
    abc_b = forms.IntegerField(label=_("Class B (% of customers)"), required=False, min_value=1, max_value=98,
                               widget=forms.NumberInput(attrs={"class": "filters__tiny", "placeholder": "30"}))
    ties = forms.ChoiceField(label=_("RFM tie rule"), choices=TIE_RULES, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # Reps see their own portfolio only: narrowing it by team or owner would say nothing new.
        if user.role == Role.SALES_REP:
            del self.fields["team"], self.fields["owner"]
            return
        teams = Team.objects.order_by("name")
        owners = get_user_model().objects.filter(is_active=True, role__in=[Role.SALES_REP, Role.SALES_MANAGER])
        if user.role == Role.SALES_MANAGER and user.team_id:
            teams, owners = teams.filter(pk=user.team_id), owners.filter(team_id=user.team_id)
        self.fields["team"].queryset = teams
        self.fields["owner"].queryset = owners.order_by("last_name", "first_name", "username")
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if isinstance(start, dt.date) and isinstance(end, dt.date):
            if end < start:
                self.add_error("date_to", _("The end of the period is before its start."))
            elif (end - start).days > MAX_PERIOD_DAYS:
                self.add_error("date_from", _("The period may not be longer than ten years."))
        a, b = data.get("abc_a"), data.get("abc_b")
        if a is not None or b is not None:
            a, b = a or DEFAULT_ABC[0], b or DEFAULT_ABC[1]
            if a + b >= 100:
                self.add_error("abc_b", _("Classes A and B together must leave some customers to class C "
                                          "(%(a)s %% + %(b)s %% ≥ 100 %%).") % {"a": a, "b": b})
        return data

    def options(self) -> AnalysisOptions:
        """The analysis options; the defaults (stored results) when nothing valid was chosen."""
        v = self.valid_values()
        a, b = v.get("abc_a", DEFAULT_ABC[0]), v.get("abc_b", DEFAULT_ABC[1])
        cutoffs = (a / 100, b / 100, round(1 - (a + b) / 100, 6)) if (a, b) != DEFAULT_ABC else (0.10, 0.30, 0.60)
        return AnalysisOptions(date_from=v.get("date_from"), date_to=v.get("date_to"), period_months=v.get("months", 12),
                               reference_date=v.get("date_to"),
                               team_id=v["team"].pk if "team" in v else None,
                               owner_id=v["owner"].pk if "owner" in v else None,
                               family_id=v["family"].pk if "family" in v else None,
                               abc_cutoffs=cutoffs, tie_rule=v.get("ties", "midrank"))

    def tie_rule(self) -> str:
        return self.valid_values().get("ties", "midrank")

    def abc_percentages(self) -> tuple[int, int, int]:
        """The class sizes in % of customers, as the page states them."""
        a, b, _c = self.options().abc_cutoffs
        a, b = round(a * 100), round(b * 100)
        return a, b, 100 - a - b


class MigrationForm(_FilterForm):
    """Two months of snapshots and the dimension compared (ABC class or RFM segment)."""

    dimension = forms.ChoiceField(label=_("Compare"), choices=MigrationDimension.choices, required=False)
    month_from = forms.TypedChoiceField(label=_("From month"), choices=(), required=False, coerce=dt.date.fromisoformat)
    month_to = forms.TypedChoiceField(label=_("To month"), choices=(), required=False, coerce=dt.date.fromisoformat)

    def __init__(self, *args: Any, months: list[dt.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(m.isoformat(), m.strftime("%Y-%m")) for m in months]
        self.fields["month_from"].choices = self.fields["month_to"].choices = choices
        self.months = months

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("month_from"), data.get("month_to")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end <= start:
            self.add_error("month_to", _("Choose a month after the first one."))
        return data

    def choice(self) -> tuple[str, dt.date | None, dt.date | None]:
        """(dimension, from month, to month); by default the last month against the same month a year
        earlier, or the earliest month available."""
        v = self.valid_values()
        dimension = v.get("dimension", MigrationDimension.ABC)
        end = v.get("month_to", self.months[-1] if self.months else None)
        start = v.get("month_from")
        if start is None and end is not None:
            earlier = [m for m in self.months if m < end]
            year_before = end.replace(year=end.year - 1)
            start = year_before if year_before in earlier else (earlier[0] if earlier else None)
        return dimension, start, end

