"""The private iCalendar feed (read back with the icalendar parser), its revocation, and .ics downloads."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from fidelia.agenda import services
from fidelia.agenda.models import CalendarFeed
from fidelia.agenda.tests.factories import PARIS, book
from fidelia.parties.tests.factories import person

pytestmark = pytest.mark.django_db


def feed_url(raw: str) -> str:
    return reverse("agenda:feed", args=[raw])


def events(body: bytes) -> dict[str, object]:
    return {str(e["summary"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


def test_feed_round_trip_and_privacy_choices(personas) -> None:
    customer = person(owner=personas.alice, last_name="Lambert")
    soon = timezone.localdate() + dt.timedelta(days=3)
    row = book(personas.alice, soon, 10, party=customer, title="Bilan", place="Agence Part-Dieu",
               notes="Secret: dossier de surendettement")
    cancelled = book(personas.alice, soon, 15, title="Annulé")
    services.appointment_cancel(appointment=cancelled, actor=personas.alice, version=1)
    raw = services.feed_rotate(user=personas.alice)
    assert CalendarFeed.objects.get().token_hash != raw  # only the hash is stored
    response = Client().get(feed_url(raw))  # no sign-in
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    found = events(response.content)
    event = found["Bilan"]
    assert str(event["uid"]) == f"appointment-{row.pk}@fidelia.invalid"
    assert event.decoded("dtstart") == row.start and event.decoded("dtend") == row.end
    assert event.decoded("dtstart").tzinfo is not None and str(event["location"]) == "Agence Part-Dieu"
    assert int(event["sequence"]) == 1 and str(event["status"]) == "CONFIRMED" and "dtstamp" in event
    assert "lambert" not in response.content.decode().lower() and "surendettement" not in response.content.decode()
    assert str(found["Annulé"]["status"]) == "CANCELLED" and int(found["Annulé"]["sequence"]) == 2
    raw = services.feed_rotate(user=personas.alice, include_customers=True)
    assert "lambert" in str(events(Client().get(feed_url(raw)).content)["Bilan"]["description"]).lower()


def test_rotating_and_revoking_invalidate_the_url_at_once(personas) -> None:
    first = services.feed_rotate(user=personas.alice)
    second = services.feed_rotate(user=personas.alice)
    assert Client().get(feed_url(first)).status_code == 404
    assert Client().get(feed_url(second)).status_code == 200
    services.feed_revoke(user=personas.alice)
    assert Client().get(feed_url(second)).status_code == 404
    assert Client().get(feed_url("x" * 300)).status_code == 404
    assert Client().post(feed_url(second)).status_code == 405


def test_deactivated_users_feed_stops(personas) -> None:
    raw = services.feed_rotate(user=personas.alice)
    personas.alice.is_active = False
    personas.alice.save()
    assert Client().get(feed_url(raw)).status_code == 404


def test_feed_through_the_pages(personas) -> None:
    client = Client()
    client.force_login(personas.alice)
    client.post(reverse("agenda:feed_rotate"), {"include_customers": "on"})
    html = client.get(reverse("agenda:sharing")).content.decode()
    url = re.search(r'data-testid="feed-url">([^<]+)<', html).group(1)
    assert Client().get(url.replace("http://testserver", "")).status_code == 200
    assert CalendarFeed.objects.get().include_customers
    client.post(reverse("agenda:feed_revoke"))
    assert Client().get(url.replace("http://testserver", "")).status_code == 404


def test_dst_appointments_keep_their_wall_clock_in_the_feed(personas) -> None:
    spring = book(personas.alice, dt.date(2026, 3, 29), 9, title="Printemps")
    autumn = book(personas.alice, dt.date(2026, 10, 25), 9, title="Automne")
    client = Client()
    client.force_login(personas.alice)
    for row, utc_hour in ((spring, 7), (autumn, 8)):
        body = client.get(reverse("agenda:ics", args=[row.pk])).content
        event = events(body)[row.title]
        start = event.decoded("dtstart")
        assert start.astimezone(dt.UTC).hour == utc_hour and start.astimezone(PARIS).hour == 9


def test_single_ics_download(personas) -> None:
    customer = person(owner=personas.alice, last_name="Lambert")
    row = book(personas.alice, dt.date(2026, 6, 2), 10, party=customer, title="Signature")
    client = Client()
    client.force_login(personas.alice)
    response = client.get(reverse("agenda:ics", args=[row.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="appointment-{row.pk}.ics"'
    assert len(events(response.content)) == 1
