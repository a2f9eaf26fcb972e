"""Forms of the privacy office. They check types only; services own the rules."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from fidelia.privacy.enums import AuditAction
from fidelia.privacy.selectors import AuditFilters

MAX_ID = 2**63 - 1  # what the BigInteger id columns hold
EXPORT_FORMATS = (("csv", "CSV"), ("xlsx", "XLSX"))

# ---------------------------------------------------------------- Audit log filters


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # the browser's date picker sends and expects ISO dates whatever the language
        super().__init__(attrs={"class": "filters__short", **(attrs or {})}, format="%Y-%m-%d")


AUDITED_APPS = ("accounts", "parties", "interactions", "sales", "privacy")


def _record_types() -> list[tuple[str, str]]:
    """The kinds of record the log may name, by their name in the reader's language."""
    models = (m for m in apps.get_models() if m._meta.app_label in AUDITED_APPS)
    return sorted(((m._meta.label_lower, str(m._meta.verbose_name).capitalize()) for m in models),
                  key=lambda choice: choice[1])


class AuditFilterForm(forms.Form):
    """Filters of the audit viewer (GET). An invalid value is reported and ignored, never an error page."""

    user = forms.CharField(label=_("User"), required=False, max_length=150,
                           widget=forms.TextInput(attrs={"placeholder": _("Username")}))
    party = forms.IntegerField(label=_("Customer no."), required=False, min_value=1, max_value=MAX_ID,
                               widget=forms.NumberInput(attrs={"placeholder": _("Customer no."),
                                                               "class": "filters__short"}))
    object_type = forms.ChoiceField(label=_("Record type"), required=False)
    object_id = forms.IntegerField(label=_("Record no."), required=False, min_value=1, max_value=MAX_ID,
                                   widget=forms.NumberInput(attrs={"placeholder": _("Record no."),
                                                                   "class": "filters__short"}))
    action = forms.ChoiceField(label=_("Action"), required=False,
                               choices=[("", _("All actions")), *AuditAction.choices])
    date_from = forms.DateField(label=_("From"), required=False, widget=_DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=_DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", _("All record types")), *_record_types()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data

    def filters(self) -> AuditFilters:
        """The valid filters; invalid ones are left out (and shown as errors by the page)."""
        self.is_valid()
        v = {k: val for k, val in self.cleaned_data.items() if val not in (None, "")}
        return AuditFilters(username=v.get("user", ""), party_id=v.get("party"), object_type=v.get("object_type", ""),
                            object_id=v.get("object_id"), action=v.get("action", ""),
                            date_from=v.get("date_from"), date_to=v.get("date_to"))


class AuditExportForm(forms.Form):
    format = forms.ChoiceField(choices=EXPORT_FORMATS, required=False)

    def fmt(self) -> str:
        """"csv" or "xlsx"; anything else falls back to CSV."""
        if not self.is_valid():
            return "csv"
        return self.cleaned_data.get("format") or "csv"


# ---------------------------------------------------------------- Data-subject requests
# (imports of this section kept here so the section can be appended and read on its own)
from django.utils import timezone  # noqa: E402
from django.utils.text import capfirst  # noqa: E402

from fidelia.privacy.enums import (  # noqa: E402
    SubjectRequestChannel,
    SubjectRequestKind,
    SubjectRequestStatus,
    SuppressionKind,
)


def _capitalised(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    # the enums' labels are lower-case for use inside sentences; a menu starts each with a capital
    return [(value, capfirst(label)) for value, label in choices]


class _IsoDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")  # the browser's date picker speaks ISO whatever the language


class SubjectRequestFilterForm(forms.Form):
    """Filters of the request register (GET); an invalid value is ignored, never an error page."""

    status = forms.ChoiceField(label=_("Status"), required=False, initial="open",
                               choices=[("", _("All statuses")), ("open", _("Open")), *_capitalised(SubjectRequestStatus.choices)])
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("All kinds")), *_capitalised(SubjectRequestKind.choices)])
    deadline = forms.ChoiceField(label=_("Deadline"), required=False, choices=[
        ("", _("Any deadline")), ("overdue", _("Overdue")), ("due_soon", _("Due within 7 days")), ("later", _("Later"))])

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {"status": "open"} if not self.data else {}
        return {name: self.cleaned_data.get(name) or "" for name in ("status", "kind", "deadline")}


class SubjectRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of request"), choices=_capitalised(SubjectRequestKind.choices))
    requester_name = forms.CharField(label=_("Requester's name"), max_length=200)
    requester_contact = forms.CharField(label=_("Requester's contact (e-mail, address…)"), max_length=200, required=False)
    channel = forms.ChoiceField(label=_("Received through"), choices=_capitalised(SubjectRequestChannel.choices))
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
    kind = forms.ChoiceField(label=_("Kind"), choices=_capitalised(SuppressionKind.choices))
    value = forms.CharField(label=_("E-mail or phone"), max_length=254)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class SuppressionCheckForm(forms.Form):
    value = forms.CharField(label=_("E-mail or phone to check"), max_length=254)
