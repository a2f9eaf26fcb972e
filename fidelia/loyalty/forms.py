from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fidelia.loyalty.models import Club, Programme, Reward, Tier


class ProgrammeForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = Programme
        fields = ["name", "is_active", "points_per_euro", "validity_months", "referrer_points", "referred_points"]


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

    def __init__(self, *args: Any, rewards: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rewards is not None:
            self.fields["reward"].queryset = rewards


class ReferralForm(forms.Form):
    code = forms.CharField(label=_("Referrer's code"), max_length=12)


class ClubJoinForm(forms.Form):
    club = forms.ModelChoiceField(label=_("Club"), queryset=Club.objects.filter(is_active=True))
    consent = forms.BooleanField(label=_("The customer agreed to join and to receive the club's communications"))
