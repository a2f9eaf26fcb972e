"""Forms of marketing: the segment editor and the campaign form (services validate the whole)."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fidelia.marketing.enums import CampaignChannel, WinnerRule
from fidelia.marketing.models import Campaign, Segment
from fidelia.parties.enums import ConsentPurpose

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class SegmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, max_length=300)
    definition = forms.JSONField(
        label=_("Criteria"), initial=dict,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "class": "mono"}),
        help_text=_('{"all": [...]} (AND) or {"any": [...]} (OR) of clauses {"fact": ..., "operator": ..., '
                    '"value": ...} or nested groups; see the facts on the right.'))


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "channel", "segment", "purpose", "subject_fr", "subject_en", "body_fr", "body_en",
                  "variant_b_subject", "winner_rule", "script", "starts_on", "ends_on", "wave_size", "send_from",
                  "send_until", "control_share", "seed", "fixed_cost", "cost_per_message", "margin_rate",
                  "attribution_days"]
        widgets = {"starts_on": DATE, "ends_on": DATE, "send_from": TIME, "send_until": TIME,
                   "body_fr": forms.Textarea(attrs={"rows": 6}), "body_en": forms.Textarea(attrs={"rows": 6}),
                   "script": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"body_fr": _("Personalisation: {{ civility }}, {{ first_name }}, {{ last_name }}, "
                                   "{{ display_name }}, {{ city }}, {{ owner_name }}, {{ tracked_url }}, "
                                   "{{ unsubscribe_url }}."),
                      "control_share": _("Share held out as the control group (0 to 0.5), drawn per owner × kind.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = Segment.objects.order_by("name")
        self.fields["channel"].choices = CampaignChannel.choices
        self.fields["purpose"] = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices,
                                                   initial=ConsentPurpose.PROSPECTING)
        self.fields["winner_rule"].choices = WinnerRule.choices


class ResponseForm(forms.Form):
    party = forms.IntegerField(min_value=1, max_value=2**62)
    kind = forms.ChoiceField(choices=[("reply", _("Reply")), ("refusal", _("Refusal"))])
