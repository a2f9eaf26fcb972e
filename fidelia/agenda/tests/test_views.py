"""Pages: the week and day grids, the switcher, delegation rights (read, write, none → 404),
the booking form (DST, stale versions, conflicts), the customer-file panel, query-count pins."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fidelia.agenda import services
from fidelia.agenda.models import Appointment
from fidelia.agenda.tests.factories import book
from fidelia.parties.tests.factories import person
from fidelia.sales.tests.factories import opportunity

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 5, 12)  # a Tuesday


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def week_url(user, day=DAY, **extra) -> str:
    params = "&".join(f"{k}={v}" for k, v in {"calendar": user.pk, "date": day.isoformat(), **extra}.items())
    return f"{reverse('agenda:index')}?{params}"


def test_week_view_shows_overlaps_side_by_side_and_flags_them(personas) -> None:
    a = book(personas.alice, DAY, 10, minutes=90, title="Visite Dupont")
    b = book(personas.alice, DAY, 11, title="Appel Durand", channel="phone")
    response = client_for(personas.alice).get(week_url(personas.alice))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Visite Dupont" in html and "Appel Durand" in html
    assert f'data-appointment="{a.pk}"' in html and "has-conflict" in html
    assert "width: 50.0%" in html and 'data-testid="conflict-count"' in html
    assert b.pk


def test_today_marker_and_day_view(personas) -> None:
    today = timezone.localdate()
    book(personas.alice, today, 9)
    client = client_for(personas.alice)
    assert client.get(week_url(personas.alice, today, view="day")).status_code == 200
    html = client.get(f"{reverse('agenda:index')}?date={today.isoformat()}").content.decode()
    hour = timezone.localtime().hour
    assert ('data-testid="now-marker"' in html) == (7 <= hour < 21)
    assert "is-today" in html


def test_bad_dates_fall_back_to_today(personas) -> None:
    client = client_for(personas.alice)
    for raw in ("nope", "0001-01-01", "2026-02-30", "9999-12-31"):
        assert client.get(f"{reverse('agenda:index')}?date={raw}").status_code == 200


def test_week_view_query_count_does_not_grow_with_appointments(personas) -> None:
    customer = person(owner=personas.alice)
    client = client_for(personas.alice)
    book(personas.alice, DAY, 9, party=customer, attendees=[personas.bob])
    client.get(week_url(personas.alice))
    with CaptureQueriesContext(connection) as few:
        assert client.get(week_url(personas.alice)).status_code == 200
    for i in range(12):
        book(personas.alice, DAY + dt.timedelta(days=i % 5), 8 + i % 9, party=customer, attendees=[personas.bob])
    with CaptureQueriesContext(connection) as many:
        assert client.get(week_url(personas.alice)).status_code == 200
    assert len(many) == len(few) <= 14


def test_delegation_read_write_none(personas) -> None:
    customer = person(owner=personas.alice, last_name="Confidentiel")
    row = book(personas.alice, DAY, 10, party=customer, title="Visite annuelle")
    bob, outsider = client_for(personas.bob), client_for(personas.outsider)
    # none: 404 everywhere
    for client in (bob, outsider):
        assert client.get(week_url(personas.alice)).status_code == 404
        assert client.get(reverse("agenda:detail", args=[row.pk])).status_code == 404
        assert client.get(reverse("agenda:ics", args=[row.pk])).status_code == 404
    # read: sees the appointment and the customer's name, cannot change it
    services.calendar_share_set(owner=personas.alice, delegate=personas.bob, level="read", actor=personas.alice)
    html = bob.get(reverse("agenda:detail", args=[row.pk])).content.decode()
    assert "Visite annuelle" in html and "confidentiel" in html.lower()
    assert reverse("parties:detail", args=[customer.pk]) not in html  # the file itself stays closed
    assert bob.get(reverse("agenda:edit", args=[row.pk])).status_code == 404
    assert bob.post(reverse("agenda:cancel", args=[row.pk]), {"version": 1}).status_code == 404
    assert outsider.get(reverse("agenda:detail", args=[row.pk])).status_code == 404
    # write: edits in alice's calendar
    services.calendar_share_set(owner=personas.alice, delegate=personas.bob, level="write", actor=personas.alice)
    assert bob.get(reverse("agenda:edit", args=[row.pk])).status_code == 200
    response = bob.post(reverse("agenda:cancel", args=[row.pk]), {"version": 1, "reason": "Absente"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == "cancelled"


def test_manager_reads_the_team_calendars_but_not_others(personas) -> None:
    row = book(personas.alice, DAY, 10)
    paris = book(personas.outsider, DAY, 10)
    manager = client_for(personas.manager)
    assert manager.get(week_url(personas.alice)).status_code == 200
    assert manager.get(reverse("agenda:detail", args=[row.pk])).status_code == 200
    assert manager.get(reverse("agenda:edit", args=[row.pk])).status_code == 404
    assert manager.get(reverse("agenda:detail", args=[paris.pk])).status_code == 404
    assert client_for(personas.analyst).get(reverse("agenda:index")).status_code == 404


def form_data(user, **over) -> dict:
    return {"calendar": user.pk, "title": "Rendez-vous", "day": DAY.isoformat(), "start_time": "10:00",
            "end_time": "11:00", "channel": "visit", "place": "", "party": "", "notes": "", **over}


def test_booking_form_creates_and_warns_about_double_booking(personas) -> None:
    book(personas.alice, DAY, 10, title="Déjà là")
    client = client_for(personas.alice)
    customer = person(owner=personas.alice)
    response = client.post(reverse("agenda:new"), form_data(personas.alice, party=customer.pk), follow=True)
    assert response.status_code == 200
    assert "Double booking" in response.content.decode() and "Déjà là" in response.content.decode()
    row = Appointment.objects.get(title="Rendez-vous")
    assert row.party == customer and row.start.astimezone(dt.UTC).hour == 8  # 10:00 Paris summer time


def test_booking_form_refuses_the_skipped_hour_and_bad_input(personas) -> None:
    client = client_for(personas.alice)
    for data in (form_data(personas.alice, day="2026-03-29", start_time="02:30", end_time="03:30"),
                 form_data(personas.alice, end_time="09:00"),
                 form_data(personas.alice, title=""),
                 form_data(personas.alice, calendar=personas.bob.pk),
                 form_data(personas.alice, party=person(owner=personas.outsider).pk),
                 form_data(personas.alice, party="99999999999999999999"),
                 form_data(personas.alice, day="2026-13-01")):
        response = client.post(reverse("agenda:new"), data)
        assert response.status_code == 200, data
    assert not Appointment.objects.exists()


def select_of(page: str, name: str) -> str:
    """The HTML of the form's <select name=…> (ids of different tables may coincide)."""
    start = page.index(f'name="{name}"')
    return page[start:page.index("</select>", start)]


def test_booking_from_an_opportunity_links_the_deal_and_its_customer(personas) -> None:
    customer = person(owner=personas.alice)
    deal = opportunity(party=customer, actor=personas.alice)
    other_deal = opportunity(party=person(owner=personas.alice), actor=personas.alice)
    client = client_for(personas.alice)
    assert f"{reverse('agenda:new')}?opportunity={deal.pk}" in client.get(
        reverse("sales:opportunity_detail", args=[deal.pk])).content.decode()
    page = client.get(reverse("agenda:new"), {"opportunity": deal.pk}).content.decode()
    assert f'<option value="{deal.pk}" selected>' in select_of(page, "opportunity")
    assert f'<option value="{customer.pk}" selected>' in select_of(page, "party")
    # a deal of another customer is refused, and nothing is booked
    response = client.post(reverse("agenda:new"), form_data(personas.alice, party=customer.pk, opportunity=other_deal.pk))
    assert response.status_code == 200 and "another customer" in response.content.decode()
    assert not Appointment.objects.exists()
    client.post(reverse("agenda:new"), form_data(personas.alice, party=customer.pk, opportunity=deal.pk))
    row = Appointment.objects.get()
    assert row.opportunity == deal and row.party == customer
    # the edit form keeps the deal, and may drop it
    client.post(reverse("agenda:edit", args=[row.pk]), form_data(personas.alice, party=customer.pk, opportunity="",
                                                                  version=row.version))
    row.refresh_from_db()
    assert row.opportunity is None
    # a deal the user may not read is not found
    hidden = opportunity(party=person(owner=personas.outsider), actor=personas.outsider)
    assert client.get(reverse("agenda:new"), {"opportunity": hidden.pk}).status_code == 404


def test_booking_on_the_repeated_hour_of_october(personas) -> None:
    client = client_for(personas.alice)
    client.post(reverse("agenda:new"), form_data(personas.alice, day="2026-10-25", start_time="01:30", end_time="03:30"))
    row = Appointment.objects.get()
    assert row.end - row.start == dt.timedelta(hours=3)  # 01:30 CEST → 03:30 CET crosses the repeated hour
    html = client.get(week_url(personas.alice, dt.date(2026, 10, 25))).content.decode()
    assert "01:30 Rendez-vous" in html  # before the grid's first hour: listed under the day's heading


def test_stale_edit_form_is_refused(personas) -> None:
    row = book(personas.alice, DAY, 10)
    client = client_for(personas.alice)
    assert client.post(reverse("agenda:edit", args=[row.pk]), form_data(personas.alice, title="Un", version=1)).status_code == 302
    response = client.post(reverse("agenda:edit", args=[row.pk]), form_data(personas.alice, title="Deux", version=1))
    assert response.status_code == 200 and "someone else" in response.content.decode()
    row.refresh_from_db()
    assert row.title == "Un"


def test_complete_from_the_detail_page(personas) -> None:
    customer = person(owner=personas.alice)
    row = book(personas.alice, timezone.localdate() - dt.timedelta(days=1), 10, party=customer)
    client = client_for(personas.alice)
    client.post(reverse("agenda:complete", args=[row.pk]), {"version": 1, "status": "done", "outcome": "sale",
                                                            "report": "Contrat signé."})
    row.refresh_from_db()
    assert row.status == "done" and row.interaction is not None
    # a second post with the old version changes nothing and answers with a message, not a 500
    assert client.post(reverse("agenda:complete", args=[row.pk]), {"version": 1, "status": "done"}).status_code == 302
    assert client.post(reverse("agenda:complete", args=[row.pk]), {"version": "x"}).status_code == 302


def test_party_panel_is_lazy_and_guarded(personas) -> None:
    customer = person(owner=personas.alice)
    book(personas.alice, timezone.localdate() + dt.timedelta(days=2), 10, party=customer, title="À venir")
    book(personas.alice, timezone.localdate() - dt.timedelta(days=2), 10, party=customer, title="Passé")
    url = reverse("agenda:party_panel", args=[customer.pk])
    html = client_for(personas.alice).get(url).content.decode()
    assert "À venir" in html and "Passé" in html
    assert client_for(personas.outsider).get(url).status_code == 404
    client = client_for(personas.alice)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert len(queries) <= 8  # session, user, team, party, upcoming, past


def test_party_picker_and_sharing_page(personas) -> None:
    person(owner=personas.alice, last_name="Zorglub")
    person(owner=personas.outsider, last_name="Zorglubien")
    client = client_for(personas.alice)
    html = client.get(reverse("agenda:party_options"), {"q": "Zorglub"}, HTTP_HX_REQUEST="true").content.decode()
    assert "zorglub" in html.lower() and "zorglubien" not in html.lower()
    assert client.get(reverse("agenda:sharing")).status_code == 200
    response = client.post(reverse("agenda:sharing"), {"delegate": personas.bob.pk, "level": "write"})
    assert response.status_code == 302
    assert client.post(reverse("agenda:sharing"), {"delegate": 10**30, "level": "write"}).status_code == 200
    share = personas.alice.calendar_shares_given.get()
    assert client_for(personas.bob).post(reverse("agenda:share_remove", args=[share.pk])).status_code == 404
    assert client.post(reverse("agenda:share_remove", args=[share.pk])).status_code == 302
