from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fidelia.loyalty.models import BonusEvent, Club, Programme, Reward, Tier
from fidelia.sales.models import ProductFamily


class ProgrammeForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = Programme
        fields = ["name", "is_active", "points_per_euro", "validity_months", "referrer_points", "referred_points"]


class ProgrammeCreateForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = ["name", "points_per_euro", "validity_months", "referrer_points", "referred_points"]


class FamilyRuleForm(forms.Form):
    """Bounds are the service's (0–100 points per euro, one rule per family): it says them by field."""

    family = forms.ModelChoiceField(label=_("Product family"), queryset=ProductFamily.objects.order_by("name"))
    points_per_euro = forms.DecimalField(label=_("Points per euro"), max_digits=8, decimal_places=2)


class FamilyRateForm(forms.Form):
    points_per_euro = forms.DecimalField(label=_("Points per euro"), max_digits=8, decimal_places=2)


class BonusEventForm(forms.ModelForm):
    class Meta:
        model = BonusEvent
        fields = ["name", "starts_on", "ends_on", "multiplier"]
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class TierForm(forms.ModelForm):
    class Meta:
        model = Tier
        fields = ["name", "threshold", "benefits"]
        widgets = {"benefits": forms.Textarea(attrs={"rows": 2})}


class RewardForm(forms.ModelForm):
    class Meta:
        model = Reward
        fields = ["name", "cost", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class ClubForm(forms.ModelForm):
    class Meta:
        model = Club
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def validate_unique(self) -> None:  # the service says it, in one message
        pass


class RedeemForm(forms.Form):
    reward = forms.ModelChoiceField(label=_("Reward"), queryset=Reward.objects.none())
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    programme = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, rewards: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rewards is not None:
            self.fields["reward"].queryset = rewards


class ReferralForm(forms.Form):
    code = forms.CharField(label=_("Referrer's code"), max_length=12)


class ClubJoinForm(forms.Form):
    club = forms.ModelChoiceField(label=_("Club"), queryset=Club.objects.filter(is_active=True))
    consent = forms.BooleanField(label=_("The customer agreed to join and to receive the club's communications"))
