"""Forms of the agenda pages. Times are typed in the display time zone (Europe/Paris)."""
from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fidelia.agenda.enums import AppointmentChannel, AppointmentStatus, ShareLevel
from fidelia.interactions.enums import Outcome
from fidelia.parties.models import Party
from fidelia.parties.selectors import parties_for_user
from fidelia.sales.enums import StageOutcome
from fidelia.sales.models import Opportunity


def local_datetime(day: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime | None:
    """The aware instant of a wall-clock time, or None when that time does not exist (the hour
    skipped on the last Sunday of March). An ambiguous time (the hour repeated in October) is
    the first one, still in summer time."""
    candidate = dt.datetime.combine(day, time, tzinfo=tz).replace(fold=0)
    round_trip = candidate.astimezone(dt.UTC).astimezone(tz)
    if (round_trip.date(), round_trip.time().replace(tzinfo=None)) != (day, time):
        return None
    return candidate


def _int(raw: Any) -> int | None:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**63 else None


class AppointmentForm(forms.Form):
    calendar = forms.TypedChoiceField(label=gettext_lazy("Calendar"), coerce=int)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    day = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start_time = forms.TimeField(label=gettext_lazy("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(label=gettext_lazy("To"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    channel = forms.ChoiceField(label=gettext_lazy("Where / how"), choices=AppointmentChannel.choices)
    place = forms.CharField(label=gettext_lazy("Place or link"), max_length=300, required=False)
    party = forms.TypedChoiceField(label=gettext_lazy("Customer"), coerce=int, required=False, empty_value=None)
    opportunity = forms.TypedChoiceField(label=gettext_lazy("Opportunity"), coerce=int, required=False,
                                         empty_value=None)
    customer_attends = forms.BooleanField(label=gettext_lazy("The customer attends"), required=False, initial=True)
    attendees = forms.TypedMultipleChoiceField(label=gettext_lazy("Colleagues attending"), coerce=int,
                                               required=False, widget=forms.CheckboxSelectMultiple)
    notes = forms.CharField(label=gettext_lazy("Preparation notes"), required=False, max_length=20_000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args: Any, user: Any, calendars: list[Any], colleagues: list[Any],
                 party: Party | None = None, opportunity: Opportunity | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["calendar"].choices = [(c.user_id, c.name) for c in calendars if c.writable]
        self.fields["attendees"].choices = [(u.pk, u.get_full_name() or u.username) for u in colleagues]
        self.colleagues = {u.pk: u for u in colleagues}
        raw = self.data.get("party") if self.is_bound else (party.pk if party else None)
        self.fields["party"].choices = [("", "—")] + self._party_choices(party, raw)
        self.fields["opportunity"].choices = [("", "—")] + self._opportunity_choices(party, raw, opportunity)
        if not self.is_bound:
            if party is not None:
                self.initial["party"] = party.pk
            if opportunity is not None:
                self.initial["opportunity"] = opportunity.pk

    def _party_choices(self, party: Party | None, raw: Any) -> list[tuple[int, str]]:
        if party is not None:
            return [(party.pk, party.display_name)]
        try:
            pk = int(raw)
        except (TypeError, ValueError):
            return []
        found = Party.objects.filter(pk=pk).values_list("pk", "display_name").first() if 0 < pk < 2**63 else None
        return [found] if found else []

    def _opportunity_choices(self, party: Party | None, raw_party: Any,
                             opportunity: Opportunity | None) -> list[tuple[int, str]]:
        """The customer's open deals, plus the one the appointment holds or the form sent (the
        service checks that it belongs to the customer and that the user may read it)."""
        party_id = party.pk if party is not None else _int(raw_party)
        open_deals = Opportunity.objects.filter(party_id=party_id, stage__outcome=StageOutcome.OPEN) \
            if party_id else Opportunity.objects.none()
        wanted = {pk for pk in (opportunity.pk if opportunity else None,
                                _int(self.data.get("opportunity")) if self.is_bound else None) if pk}
        rows = (open_deals | Opportunity.objects.filter(pk__in=wanted)).order_by("expected_close", "pk")
        return [(pk, name) for pk, name in rows.values_list("pk", "name")[:50]]

    def opportunity_for(self, party: Party | None) -> Opportunity | None:
        """The chosen deal (the service refuses one of another customer or out of reach)."""
        pk = self.cleaned_data.get("opportunity")
        return Opportunity.objects.filter(pk=pk).select_related("party").first() if pk else None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        tz = timezone.get_current_timezone()
        day, start, end = data.get("day"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            data["start"] = local_datetime(day, start, tz)
            data["end"] = local_datetime(day, end, tz)
            if data["start"] is None:
                self.add_error("start_time", _("This time does not exist on that day (the clocks move forward)."))
            if data["end"] is None:
                self.add_error("end_time", _("This time does not exist on that day (the clocks move forward)."))
            if data["start"] and data["end"] and data["end"] <= data["start"]:
                self.add_error("end_time", _("The end must come after the start."))
        data["attendee_users"] = [self.colleagues[pk] for pk in data.get("attendees") or [] if pk in self.colleagues]
        return data

    def party_for(self, owner: Any) -> Party | None:
        """The chosen customer, if the user or the calendar's owner may read it (else a form error)."""
        pk = self.cleaned_data.get("party")
        if pk is None:
            return None
        for reader in (self.user, owner):
            found = parties_for_user(reader).filter(pk=pk).first()
            if found is not None:
                return found
        self.add_error("party", _("Unknown customer."))
        return None


class CompleteForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("It was"), choices=[
        (AppointmentStatus.DONE, AppointmentStatus.DONE.label), (AppointmentStatus.NO_SHOW, AppointmentStatus.NO_SHOW.label)])
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=[("", "—"), *Outcome.choices], required=False)
    report = forms.CharField(label=gettext_lazy("Meeting report"), required=False, max_length=20_000,
                             widget=forms.Textarea(attrs={"rows": 6}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class ShareForm(forms.Form):
    delegate = forms.TypedChoiceField(label=gettext_lazy("Colleague"), coerce=int)
    level = forms.ChoiceField(label=gettext_lazy("Rights"), choices=ShareLevel.choices)

    def __init__(self, *args: Any, colleagues: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.colleagues = {u.pk: u for u in colleagues}
        self.fields["delegate"].choices = [(u.pk, u.get_full_name() or u.username) for u in colleagues]


class FeedForm(forms.Form):
    include_customers = forms.BooleanField(label=gettext_lazy("Show customer names in my calendar application"),
                                           required=False)
