"""Forms of the service desk: new case, reply, note, status, classification, SLA policy."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fidelia.service.enums import (
    STATUS_FLOW,
    CaseCategory,
    CaseChannel,
    CaseKind,
    CasePriority,
    CaseStatus,
)
from fidelia.service.models import Case, ReplyTemplate, SlaPolicy


class CaseForm(forms.Form):
    party = forms.IntegerField(label=_("Customer number"), min_value=1, max_value=2**31 - 1,
                               help_text=_("The number shown on the customer file (#…)."))
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices, initial=CaseKind.REQUEST)
    category = forms.ChoiceField(label=_("Category"), choices=CaseCategory.choices, initial=CaseCategory.INFORMATION)
    priority = forms.ChoiceField(label=_("Priority"), choices=CasePriority.choices, initial=CasePriority.NORMAL)
    channel = forms.ChoiceField(label=_("Channel"), choices=CaseChannel.choices, initial=CaseChannel.PHONE)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=20000,
                                  widget=forms.Textarea(attrs={"rows": 5}))


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply to the customer"), max_length=50000,
                           widget=forms.Textarea(attrs={"rows": 8, "id": "reply-body"}))
    then = forms.ChoiceField(label=_("Then"), required=False, choices=[
        ("", _("Leave the status as it is")), (CaseStatus.WAITING, _("Wait for the customer's answer")),
        (CaseStatus.RESOLVED, _("Mark as resolved"))])
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Internal note"), max_length=20000,
                           widget=forms.Textarea(attrs={"rows": 3, "id": "note-body"}))


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = STATUS_FLOW[case.status]
        self.fields["status"].choices = [(v, label) for v, label in CaseStatus.choices if v in allowed]


class ClassifyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices)
    category = forms.ChoiceField(label=_("Category"), choices=CaseCategory.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=CasePriority.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class MacroForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Canned answer"), queryset=ReplyTemplate.objects.filter(is_active=True),
                                      required=False, empty_label=_("— choose a canned answer —"))


class SlaPolicyForm(forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = ["name", "priority", "segment", "first_response_hours", "resolution_hours", "is_active"]
