"""Pages of the agenda: the day/week grid with its calendar switcher, the appointment form, its
detail with cancel and complete, sharing and the private feed, and the customer-file panel.

Everything a user may not read answers 404 (`selectors`); booking needs write access to the chosen
calendar (own, delegated with write rights, or administrator).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fidelia.accounts import policies
from fidelia.agenda import grid as grids
from fidelia.agenda import ical, selectors, services
from fidelia.agenda.forms import AppointmentForm, CancelForm, CompleteForm, FeedForm, ShareForm
from fidelia.agenda.models import Appointment
from fidelia.core.errors import DomainError
from fidelia.parties.selectors import parties_for_user, party_get_for_user, party_search
from fidelia.sales.selectors import opportunity_get_for_user


def _require_agenda(request: HttpRequest) -> None:
    if not policies.can_use_agenda(request.user):
        raise Http404


def _calendar_id(request: HttpRequest, calendars: list[selectors.CalendarChoice]) -> selectors.CalendarChoice:
    raw = request.GET.get("calendar", "")
    chosen = next((c for c in calendars if str(c.user_id) == raw), None)
    if raw and chosen is None:
        raise Http404
    return chosen or calendars[0]


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The week (or `?view=day`) of one calendar, navigable by `?date=`, with the switcher."""
    _require_agenda(request)
    tz, now = timezone.get_current_timezone(), timezone.now()
    view = "day" if request.GET.get("view") == "day" else "week"
    anchor = grids.parse_day(request.GET.get("date"), now.astimezone(tz).date())
    calendars = selectors.calendars_for_user(request.user)
    calendar = _calendar_id(request, calendars)
    days = grids.grid_days(anchor, view)
    start, end = grids.layout.day_bounds(days[0], tz)[0], grids.layout.day_bounds(days[-1], tz)[1]
    rows = selectors.calendar_appointments(user=request.user, owner_id=calendar.user_id, start=start, end=end)
    step = dt.timedelta(days=1 if view == "day" else 7)
    return render(request, "agenda/index.html", {
        "grid": grids.build_grid(days=days, appointments=rows, tz=tz, now=now), "view": view, "anchor": anchor,
        "previous": anchor - step, "next": anchor + step, "today": now.astimezone(tz).date(),
        "calendars": calendars, "calendar": calendar, "here": "agenda"})


def _form(request: HttpRequest, *, data: Any = None, initial: dict[str, Any] | None = None,
          party: Any = None, opportunity: Any = None) -> AppointmentForm:
    return AppointmentForm(data, initial=initial, user=request.user, calendars=selectors.calendars_for_user(request.user),
                           colleagues=selectors.attendee_candidates(user=request.user), party=party,
                           opportunity=opportunity)


def _save(request: HttpRequest, form: AppointmentForm, appointment: Appointment | None) -> Appointment | None:
    """Run the create/update service from a valid form; errors go back onto the form."""
    owner = get_user_model().objects.filter(pk=form.cleaned_data["calendar"]).first()
    party = form.party_for(owner) if owner else None
    opportunity = form.opportunity_for(party)
    if form.errors:
        return None
    values = {"title": form.cleaned_data["title"], "start": form.cleaned_data["start"],
              "end": form.cleaned_data["end"], "channel": form.cleaned_data["channel"],
              "place": form.cleaned_data["place"], "party": party, "notes": form.cleaned_data["notes"],
              "attendees": form.cleaned_data["attendee_users"],
              "customer_attends": form.cleaned_data["customer_attends"], "opportunity": opportunity}
    try:
        if appointment is None:
            return services.appointment_create(actor=request.user, owner=owner, **values)
        if owner is None or owner.pk != appointment.owner_id:
            form.add_error("calendar", _("An appointment cannot move to another calendar; cancel it and book again."))
            return None
        return services.appointment_update(appointment=appointment, actor=request.user,
                                           version=form.cleaned_data["version"] or 0, **values)
    except DomainError as exc:
        for name, errs in exc.fields.items():
            for err in errs:
                form.add_error(name if name in form.fields else None, err)
        if not exc.fields:
            form.add_error(None, exc.message)
        return None


def _after_save(request: HttpRequest, row: Appointment) -> HttpResponse:
    people = [row.owner_id, *row.attendees.values_list("pk", flat=True)]
    clashes = selectors.appointment_conflicts(people=people, start=row.start, end=row.end, exclude_pk=row.pk)
    if clashes and row.is_active:
        messages.warning(request, _("Double booking: this overlaps %(titles)s.")
                         % {"titles": ", ".join(f"“{c.title}” ({c.owner})" for c in clashes[:5])})
    else:
        messages.success(request, _("Appointment saved."))
    return redirect(f"{reverse('agenda:index')}?calendar={row.owner_id}&date={timezone.localtime(row.start).date()}")


@login_required
@require_http_methods(["GET", "POST"])
def appointment_new(request: HttpRequest) -> HttpResponse:
    """Book an appointment; `?calendar=`, `?date=`, `?time=`, `?party=` and `?opportunity=` (the
    deal's customer too) prefill the form."""
    _require_agenda(request)
    opportunity = opportunity_get_for_user(user=request.user, pk=request.GET["opportunity"]) \
        if request.GET.get("opportunity") else None
    party = party_get_for_user(user=request.user, pk=request.GET["party"]) if request.GET.get("party") else None
    party = party or (opportunity.party if opportunity else None)
    form = _form(request, data=request.POST or None, party=party, opportunity=opportunity, initial=_initial(request))
    if request.method == "POST" and form.is_valid() and (row := _save(request, form, None)) is not None:
        return _after_save(request, row)
    return render(request, "agenda/form.html", {"form": form, "here": "agenda"})


def _initial(request: HttpRequest) -> dict[str, Any]:
    tz = timezone.get_current_timezone()
    day = grids.parse_day(request.GET.get("date"), timezone.now().astimezone(tz).date())
    try:
        start = dt.time.fromisoformat(request.GET.get("time", "09:00"))
    except ValueError:
        start = dt.time(9)
    end = (dt.datetime.combine(day, start) + dt.timedelta(hours=1)).time()
    return {"calendar": request.GET.get("calendar") or request.user.pk, "day": day, "start_time": start,
            "end_time": end if end > start else dt.time(23, 59), "party": request.GET.get("party")}


@login_required
@require_http_methods(["GET", "POST"])
def appointment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a planned appointment; a stale form is refused with the current values reloaded."""
    row = selectors.appointment_get_for_user(user=request.user, pk=pk, for_write=True)
    local_start, local_end = timezone.localtime(row.start), timezone.localtime(row.end)
    initial = {"calendar": row.owner_id, "title": row.title, "day": local_start.date(), "start_time": local_start.time(),
               "end_time": local_end.time(), "channel": row.channel, "place": row.place, "notes": row.notes,
               "customer_attends": row.customer_attends, "version": row.version,
               "attendees": [u.pk for u in row.attendees.all()]}
    form = _form(request, data=request.POST or None, initial=initial, party=row.party, opportunity=row.opportunity)
    if request.method == "POST" and form.is_valid() and (saved := _save(request, form, row)) is not None:
        return _after_save(request, saved)
    return render(request, "agenda/form.html", {"form": form, "appointment": row, "here": "agenda"})


@login_required
@require_GET
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = selectors.appointment_get_for_user(user=request.user, pk=pk)
    people = [row.owner_id, *[u.pk for u in row.attendees.all()]]
    return render(request, "agenda/detail.html", {
        "appointment": row, "writable": selectors.appointment_writable(request.user, row),
        "conflicts": selectors.appointment_conflicts(people=people, start=row.start, end=row.end, exclude_pk=row.pk)
        if row.is_active else [],
        "party_readable": row.party_id is not None and policies.can_read_parties(request.user)
        and parties_for_user(request.user).filter(pk=row.party_id).exists(),
        "complete_form": CompleteForm(initial={"version": row.version}),
        "cancel_form": CancelForm(initial={"version": row.version}), "here": "agenda"})


@login_required
@require_POST
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    row = selectors.appointment_get_for_user(user=request.user, pk=pk, for_write=True)
    form = CancelForm(request.POST)
    try:
        if not form.is_valid():
            raise services.ValidationFailed(_("Some fields are not valid."))
        services.appointment_cancel(appointment=row, actor=request.user, version=form.cleaned_data["version"],
                                    reason=form.cleaned_data["reason"])
        messages.success(request, _("Appointment cancelled."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("agenda:detail", pk=row.pk)


@login_required
@require_POST
def appointment_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Close as held or no-show; a report on a held appointment goes to the customer's timeline."""
    row = selectors.appointment_get_for_user(user=request.user, pk=pk, for_write=True)
    form = CompleteForm(request.POST)
    try:
        if not form.is_valid():
            raise services.ValidationFailed(_("Some fields are not valid."))
        services.appointment_complete(appointment=row, actor=request.user, version=form.cleaned_data["version"],
                                      status=form.cleaned_data["status"], outcome=form.cleaned_data["outcome"],
                                      report=form.cleaned_data["report"])
        messages.success(request, _("Appointment closed."))
    except DomainError as exc:
        messages.error(request, "; ".join([exc.message, *[e for errs in exc.fields.values() for e in errs]]))
    return redirect("agenda:detail", pk=row.pk)


@login_required
@require_GET
def appointment_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One appointment as an .ics file (customer name included: the reader is signed in and allowed)."""
    row = selectors.appointment_get_for_user(user=request.user, pk=pk)
    response = HttpResponse(ical.calendar_bytes([row], name=row.title, include_customers=True),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-{row.pk}.ics"'
    return response


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private iCalendar feed: no sign-in, the token is the key; unknown or revoked → 404."""
    if request.method not in {"GET", "HEAD"}:
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
    found = services.feed_resolve(token)
    if found is None:
        raise Http404
    now = timezone.now()
    rows = selectors.calendar_appointments(user=found.user, owner_id=found.user_id, start=now - dt.timedelta(days=90),
                                           end=now + dt.timedelta(days=400))
    body = ical.calendar_bytes(rows, name=_("Fidelia — %(name)s") % {"name": found.user.get_full_name()},
                               include_customers=found.include_customers)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def sharing(request: HttpRequest) -> HttpResponse:
    """Who reads or writes in my calendar, and my private feed URL (rotate, revoke)."""
    _require_agenda(request)
    colleagues = list(selectors.delegate_candidates(user=request.user))
    form = ShareForm(request.POST or None, colleagues=colleagues)
    if request.method == "POST" and form.is_valid():
        try:
            services.calendar_share_set(owner=request.user, delegate=form.colleagues[form.cleaned_data["delegate"]],
                                        level=form.cleaned_data["level"], actor=request.user)
            messages.success(request, _("Calendar shared."))
            return redirect("agenda:sharing")
        except DomainError as exc:
            form.add_error(None, exc.message)
    return render(request, "agenda/sharing.html", {
        "form": form, "shares": selectors.share_list(user=request.user), "feed": selectors.feed_for_user(request.user),
        "feed_form": FeedForm(), "feed_url": request.session.pop("agenda_feed_url", None), "here": "agenda"})


@login_required
@require_POST
def share_remove(request: HttpRequest, pk: int) -> HttpResponse:
    services.calendar_share_remove(share=selectors.share_get_for_user(user=request.user, pk=pk), actor=request.user)
    messages.success(request, _("Sharing stopped."))
    return redirect("agenda:sharing")


@login_required
@require_POST
def feed_rotate(request: HttpRequest) -> HttpResponse:
    """A new feed URL, shown once on the next page; the previous one stops working."""
    _require_agenda(request)
    form = FeedForm(request.POST)
    raw = services.feed_rotate(user=request.user, include_customers=form.is_valid() and form.cleaned_data["include_customers"])
    request.session["agenda_feed_url"] = request.build_absolute_uri(reverse("agenda:feed", args=[raw]))
    return redirect("agenda:sharing")


@login_required
@require_POST
def feed_revoke(request: HttpRequest) -> HttpResponse:
    _require_agenda(request)
    if services.feed_revoke(user=request.user):
        messages.success(request, _("The feed URL no longer works."))
    return redirect("agenda:sharing")


@login_required
@require_GET
def party_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """Fragment for the customer file: upcoming and past appointments (404 outside the portfolio)."""
    party = party_get_for_user(user=request.user, pk=pk)
    upcoming, past = selectors.party_appointments(party_id=party.pk, now=timezone.now())
    return render(request, "agenda/partials/party_panel_body.html", {
        "party": party, "upcoming": upcoming, "past": past, "can_book": policies.can_use_agenda(request.user)})


@login_required
@require_GET
def party_options(request: HttpRequest) -> HttpResponse:
    """`<option>`s of the customers matching `?q=` (the form's customer picker). Booking in a
    colleague's calendar with write delegation also finds that colleague's customers."""
    _require_agenda(request)
    q = request.GET.get("q", "").strip()[:100]
    readers = [request.user]
    owner_id = request.GET.get("calendar", "")
    if owner_id.isdigit() and len(owner_id) < 19 and int(owner_id) != request.user.pk \
            and selectors.calendar_access(request.user, int(owner_id)) == selectors.WRITE:
        readers.append(get_user_model().objects.get(pk=int(owner_id)))
    found = {p.pk: p for reader in readers if q for p in party_search(user=reader, q=q, limit=15)}
    return render(request, "agenda/partials/party_options.html", {"results": list(found.values())[:15]})
