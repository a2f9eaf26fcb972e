"""Forms of the privacy office. They check types only; services own the rules."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_ID = 2**63 - 1  # what the BigInteger id columns hold


# ---------------------------------------------------------------- Data-subject requests
# (imports of this section kept here so the section can be appended and read on its own)
from django.utils import timezone  # noqa: E402

from fidelia.privacy.enums import (  # noqa: E402
    SubjectRequestChannel,
    SubjectRequestKind,
    SubjectRequestStatus,
    SuppressionKind,
)


class _IsoDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")  # the browser's date picker speaks ISO whatever the language


class SubjectRequestFilterForm(forms.Form):
    """Filters of the request register (GET); an invalid value is ignored, never an error page."""

    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), ("open", _("Open")), *SubjectRequestStatus.choices])
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *SubjectRequestKind.choices])
    deadline = forms.ChoiceField(label=_("Deadline"), required=False, choices=[
        ("", _("Any deadline")), ("overdue", _("Overdue")), ("due_soon", _("Due within 7 days")), ("later", _("Later"))])

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {"status": "open"} if not self.data else {}
        return {name: self.cleaned_data.get(name) or "" for name in ("status", "kind", "deadline")}


class SubjectRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of request"), choices=SubjectRequestKind.choices)
    requester_name = forms.CharField(label=_("Requester's name"), max_length=200)
    requester_contact = forms.CharField(label=_("Requester's contact (e-mail, address…)"), max_length=200, required=False)
    channel = forms.ChoiceField(label=_("Received through"), choices=SubjectRequestChannel.choices)
    received_on = forms.DateField(label=_("Received on"), widget=_IsoDateInput(),
                                  help_text=_("The one-month deadline runs from this date."))
    party = forms.IntegerField(label=_("Customer number"), required=False, min_value=1, max_value=MAX_ID,
                               help_text=_("The customer file concerned, if the person is known (number shown on the file)."))
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()


class _VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class SubjectRequestStartForm(_VersionedForm):
    pass


class SubjectRequestExtendForm(_VersionedForm):
    reason = forms.CharField(label=_("Reason for the extension"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    notified_on = forms.DateField(label=_("Person told on"), required=False, widget=_IsoDateInput())


class SubjectRequestCompleteForm(_VersionedForm):
    outcome = forms.CharField(label=_("Answer given"), max_length=4000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class SubjectRequestRefuseForm(_VersionedForm):
    reason = forms.CharField(label=_("Reason for the refusal"), max_length=4000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class SuppressionAddForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SuppressionKind.choices)
    value = forms.CharField(label=_("E-mail or phone"), max_length=254)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class SuppressionCheckForm(forms.Form):
    value = forms.CharField(label=_("E-mail or phone to check"), max_length=254)
