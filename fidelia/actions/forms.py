"""Forms of actions to take: the rep's buttons, a manual action, the rule editor, the stats period."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fidelia.accounts.models import Team
from fidelia.actions.enums import ActionKind, RulePeriod
from fidelia.interactions.enums import Outcome
from fidelia.sales.models import Product

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VersionedForm(forms.Form):
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)


class CompleteForm(VersionedForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, initial=Outcome.DONE)
    note = forms.CharField(label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class SnoozeForm(VersionedForm):
    until = forms.DateField(label=_("Until"), widget=DATE)


class DismissForm(VersionedForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ActionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Action"), choices=ActionKind.choices, initial=ActionKind.CALL)
    title = forms.CharField(label=_("Title"), max_length=200)
    due_on = forms.DateField(label=_("Due on"), widget=DATE)
    priority = forms.IntegerField(label=_("Priority (1–5)"), min_value=1, max_value=5, initial=3)
    reason = forms.CharField(label=_("Why"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["due_on"].initial = timezone.localdate()


class RuleForm(forms.Form):
    """The rule editor; the service validates the whole (condition compiled) before saving."""

    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description (the action's “why”)"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    condition = forms.JSONField(label=_("Condition"), required=False, initial=dict,
                                widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "class": "mono"}),
                                help_text=_('{"all": [...]} or {"any": [...]} of clauses '
                                            '{"fact": ..., "operator": ..., "value": ...}; see the facts below.'))
    kind = forms.ChoiceField(label=_("Action"), choices=ActionKind.choices)
    product = forms.ModelChoiceField(label=_("Product to offer"), queryset=Product.objects.order_by("code"),
                                     required=False)
    title_template = forms.CharField(label=_("Title of the action"), max_length=200,
                                     help_text=_("{name} is replaced by the customer's name."))
    priority = forms.IntegerField(label=_("Priority (1–5)"), min_value=1, max_value=5, initial=3)
    due_days = forms.IntegerField(label=_("Due within (days)"), min_value=0, max_value=365, initial=7)
    action_valid_days = forms.IntegerField(label=_("Action stays valid (days)"), min_value=1, max_value=730, initial=30)
    period = forms.ChoiceField(label=_("Repeat"), choices=RulePeriod.choices, initial=RulePeriod.YEAR)
    valid_from = forms.DateField(label=_("Rule valid from"), required=False, widget=DATE)
    valid_to = forms.DateField(label=_("Rule valid until"), required=False, widget=DATE)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    automatic = forms.BooleanField(label=_("Run by the daily job"), required=False, initial=True)


class PeriodForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=DATE)
    until = forms.DateField(label=_("To"), required=False, widget=DATE)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.order_by("name"), required=False)

    def period(self) -> tuple[dt.date, dt.date, Any]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        until = data.get("until") or today
        since = data.get("since") or until - dt.timedelta(days=90)
        return min(since, until), max(since, until), data.get("team")
