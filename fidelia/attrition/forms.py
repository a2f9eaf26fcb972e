"""Forms of attrition: recording a lost customer, the settings, the dashboard's options."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fidelia.attrition.enums import AttritionType, LossReason
from fidelia.attrition.models import AttritionSettings
from fidelia.attrition.selectors import DIMENSIONS
from fidelia.sales.models import Contract

DIMENSION_LABELS = {"all": _("All customers"), "segment": _("RFM segment"), "abc": _("ABC class"),
                    "owner": _("Owner"), "channel": _("Main channel"), "family": _("Main product family")}


class DashboardForm(forms.Form):
    months = forms.TypedChoiceField(label=_("Months"), coerce=int, initial=12, required=False,
                                    choices=[(6, "6"), (12, "12"), (24, "24")])
    dimension = forms.ChoiceField(label=_("Split by"), required=False, initial="all",
                                  choices=[(d, DIMENSION_LABELS[d]) for d in DIMENSIONS])

    def options(self) -> tuple[int, str]:
        if not self.is_valid():
            return 12, "all"
        return self.cleaned_data.get("months") or 12, self.cleaned_data.get("dimension") or "all"


class RecordForm(forms.Form):
    date = forms.DateField(label=_("Lost on"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.ChoiceField(label=_("Reason"), choices=LossReason.choices)
    type = forms.ChoiceField(label=_("Type"), required=False,
                             choices=[("", _("Suggested from the signals"))] + list(AttritionType.choices))
    contract = forms.ModelChoiceField(label=_("Contract ended"), required=False, queryset=Contract.objects.none())
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, party: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = Contract.objects.filter(party=party).select_related("product")
        self.fields["date"].initial = timezone.localdate()


class SettingsForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = AttritionSettings
        fields = ["inactivity_days", "horizon_days", "high_risk", "nps_favourable", "csat_favourable",
                  "repurchase_rate"]
