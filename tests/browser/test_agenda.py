"""A rep covering for an absent colleague in a real browser: Alice shared her calendar with Bob
(read and write); Bob opens it from the switcher, books a visit with one of Alice's customers
(whom he could not find in his own portfolio), sees the double booking warned, and the
appointment lands in Alice's calendar.

Needs Debian's Chromium (/usr/bin/chromium). Screenshots go to artifacts/screenshots/.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fidelia.agenda.models import Appointment
from fidelia.agenda.services import appointment_create, calendar_share_set
from fidelia.core.testing import PASSWORD, make_personas
from fidelia.parties.tests.factories import person
from tests.browser.conftest import SHOTS

pytestmark = pytest.mark.browser


def test_book_in_a_colleagues_shared_calendar(page, live_server) -> None:  # noqa: ANN001
    personas = make_personas()
    customer = person(owner=personas.alice, last_name="Vasseur", first_name="Hélène")
    calendar_share_set(owner=personas.alice, delegate=personas.bob, level="write", actor=personas.alice)
    day = timezone.localdate() + dt.timedelta(days=7)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time(10), tzinfo=tz)
    appointment_create(actor=personas.alice, owner=personas.alice, title="Appel déjà prévu", start=start,
                       end=start + dt.timedelta(minutes=30), channel="phone")
    base = live_server.url
    page.set_default_timeout(60_000)  # the shared test machine can be slow; nothing here waits on purpose

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/customers/")

    page.goto(f"{base}/agenda/?date={day.isoformat()}")
    page.select_option("[data-testid=calendar-switcher]", str(personas.alice.pk))
    page.click("[data-testid=calendar-show]")
    page.wait_for_url(f"**calendar={personas.alice.pk}**")
    assert "Agenda of Alice Martin" in page.content()
    page.screenshot(path=SHOTS / "agenda-01-shared-week.png", full_page=True)
    page.get_by_role("link", name="New appointment").click()

    form = page.locator("[data-testid=appointment-form]")
    assert form.locator("#id_calendar").input_value() == str(personas.alice.pk)
    form.locator("#id_title").fill("Reprise du dossier — visite")
    form.locator("#id_day").fill(day.isoformat())
    form.locator("#id_start_time").fill("10:00")
    form.locator("#id_end_time").fill("11:00")
    form.locator("#id_channel").select_option("visit")
    form.locator("input[name=q]").fill("Vasseur")
    page.wait_for_selector(f"#id_party option[value='{customer.pk}']", state="attached")
    assert form.locator("#id_party").input_value() == str(customer.pk)
    page.screenshot(path=SHOTS / "agenda-02-form.png", full_page=True)
    form.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/agenda/?calendar={personas.alice.pk}**")
    assert "Double booking" in page.content()
    page.screenshot(path=SHOTS / "agenda-03-booked.png", full_page=True)

    row = Appointment.objects.get(title="Reprise du dossier — visite")
    assert (row.owner, row.created_by, row.party) == (personas.alice, personas.bob, customer)
    event = page.locator(f"[data-appointment='{row.pk}']")
    assert event.count() == 1 and "has-conflict" in (event.get_attribute("class") or "")
