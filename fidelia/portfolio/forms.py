"""Forms of the portfolio pages: a grid and its criteria (a formset), matrix filters, scores, potentials."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fidelia.core.errors import DomainError
from fidelia.portfolio.enums import Coefficient, CriterionGroup, CriterionSource, Metric, RuleMethod
from fidelia.portfolio.services import CriterionInput


class GridForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, max_length=2000, widget=forms.Textarea(
        attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Criterion"), max_length=120)
    code = forms.SlugField(label=_("Code"), max_length=40, required=False,
                           help_text=_("Keeps the entered scores when the criterion is renamed."))
    group = forms.ChoiceField(label=_("Group"), choices=CriterionGroup.choices)
    coefficient = forms.IntegerField(label=_("Coefficient"), min_value=1, max_value=100, initial=Coefficient.IMPORTANT,
                                     help_text=_("3 very important, 2 important, 1 fairly important."))
    source = forms.ChoiceField(label=_("Source"), choices=CriterionSource.choices)
    metric = forms.ChoiceField(label=_("Metric"), choices=[("", "—"), *Metric.choices], required=False)
    method = forms.ChoiceField(label=_("Rule"), choices=[("", "—"), *RuleMethod.choices], required=False)
    thresholds = forms.CharField(label=_("Thresholds"), required=False, max_length=200,
                                 help_text=_("Four ascending limits separated by semicolons, e.g. 1; 3; 5; 10."))

    def clean_thresholds(self) -> tuple[float, ...]:
        raw = self.cleaned_data.get("thresholds") or ""
        try:
            return tuple(float(part.replace(",", ".")) for part in raw.split(";") if part.strip())
        except ValueError:
            raise forms.ValidationError(_("Limits must be numbers separated by semicolons.")) from None

    def to_input(self) -> CriterionInput:
        d = self.cleaned_data
        return CriterionInput(name=d["name"], code=d.get("code") or "", group=d["group"], coefficient=d["coefficient"],
                              source=d["source"], metric=d.get("metric") or "", method=d.get("method") or "",
                              thresholds=d.get("thresholds") or ())


CriterionFormSet = forms.formset_factory(CriterionForm, extra=2, can_delete=True, max_num=50, validate_max=True)


def criteria_from(formset: Any) -> list[CriterionInput]:
    return [f.to_input() for f in formset.forms
            if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")]


def criterion_initial(grid: Any) -> list[dict[str, Any]]:
    return [{"name": c.name, "code": c.code, "group": c.group, "coefficient": c.coefficient, "source": c.source,
             "metric": c.metric, "method": c.method, "thresholds": "; ".join(f"{t:g}" for t in c.thresholds)}
            for c in grid.criteria.all()]


def apply_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form: field errors where they belong, the message on top."""
    form.add_error(None, error.message)


class PotentialForm(forms.Form):
    family = forms.ModelChoiceField(label=_("Product family"), queryset=None)  # type: ignore[arg-type]
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100,
                              initial=lambda: dt.date.today().year - 1)
    amount = forms.DecimalField(label=_("Total purchases, all suppliers (€)"), required=False, min_value=0,
                                max_digits=14, decimal_places=2, help_text=_("Leave empty to clear."))

    def __init__(self, *args: Any, families: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["family"].queryset = families  # type: ignore[attr-defined]
