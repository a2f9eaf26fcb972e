"""Forms of the customer value pages: a retention effort, the options of a model run."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fidelia.clv.enums import CountModel, EffortKind


class EffortForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EffortKind.choices)
    amount = forms.DecimalField(label=_("Amount (€)"), min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"),
                                max_digits=12, decimal_places=2)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def clean_date(self) -> dt.date:
        value = self.cleaned_data["date"]
        if value > timezone.localdate() + dt.timedelta(days=366) or value.year < 1900:
            raise forms.ValidationError(_("The date is out of range."))
        return value


class RunForm(forms.Form):
    count_model = forms.ChoiceField(label=_("Purchase model"), choices=CountModel.choices, initial=CountModel.BGNBD)
    horizon_months = forms.IntegerField(label=_("Capital horizon (months)"), min_value=1, max_value=120, initial=36)
    monthly_discount = forms.FloatField(label=_("Monthly discount rate"), min_value=0, max_value=0.5, initial=0.01)
