"""Booking, changing, cancelling and closing appointments; double bookings; stale versions;
the meeting report in the timeline; privacy hooks, retention line and the actions fact."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fidelia.actions.facts import fact
from fidelia.agenda import privacy, selectors, services
from fidelia.agenda.enums import AppointmentStatus, ShareLevel
from fidelia.agenda.models import Appointment
from fidelia.agenda.tests.factories import at, book
from fidelia.core.errors import StaleVersion, ValidationFailed
from fidelia.interactions.models import Interaction
from fidelia.parties.models import Party
from fidelia.parties.tests.factories import person
from fidelia.privacy.models import RetentionPolicy

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 5, 12)


def test_book_in_own_calendar_and_audit(personas) -> None:
    customer = person(owner=personas.alice)
    row = book(personas.alice, DAY, 10, party=customer, channel="phone", place="06 12 34 56 78")
    assert row.owner == personas.alice and row.team == personas.lyon and row.version == 1
    assert row.customer_attends and row.party == customer
    from fidelia.core.models import ActivityEvent
    assert ActivityEvent.objects.filter(action="appointment.created", object_id=row.pk, party_id=customer.pk).exists()


@pytest.mark.parametrize("field,kwargs", [
    ("title", {"title": "  "}),
    ("end", {"minutes": 0}),
    ("end", {"minutes": 60 * 24 * 15}),
    ("channel", {"channel": "pigeon"}),
    ("title", {"title": "x" * 201}),
])
def test_bad_input_is_refused_and_nothing_is_written(personas, field, kwargs) -> None:
    with pytest.raises(ValidationFailed) as err:
        book(personas.alice, DAY, 10, **kwargs)
    assert field in err.value.fields
    assert not Appointment.objects.exists()


def test_naive_datetimes_are_refused(personas) -> None:
    with pytest.raises(ValidationFailed) as err:
        services.appointment_create(actor=personas.alice, owner=personas.alice, title="x",
                                    start=dt.datetime(2026, 5, 1, 9), end=dt.datetime(2026, 5, 1, 10))
    assert "start" in err.value.fields


def test_a_customer_outside_both_portfolios_is_refused(personas) -> None:
    stranger = person(owner=personas.outsider)
    with pytest.raises(ValidationFailed) as err:
        book(personas.alice, DAY, 10, party=stranger)
    assert "party" in err.value.fields


def test_double_booking_is_allowed_and_flagged(personas) -> None:
    first = book(personas.alice, DAY, 10, minutes=90)
    second = book(personas.bob, DAY, 11, attendees=[personas.alice])  # alice attends bob's meeting
    book(personas.alice, DAY, 12)  # touching, not overlapping (11:30 end vs 12:00)
    clashes = selectors.appointment_conflicts(people=[personas.alice.pk], start=first.start, end=first.end,
                                              exclude_pk=first.pk)
    assert [c.pk for c in clashes] == [second.pk]
    rows = selectors.calendar_appointments(user=personas.alice, owner_id=personas.alice.pk,
                                           start=at(DAY, 0), end=at(DAY, 23))
    flagged = {r.pk: r.conflicts for r in rows}
    assert flagged[first.pk] == [second.pk] and flagged[second.pk] == [first.pk]
    services.appointment_cancel(appointment=second, actor=personas.bob, version=second.version)
    assert not selectors.appointment_conflicts(people=[personas.alice.pk], start=first.start, end=first.end,
                                               exclude_pk=first.pk)


def test_stale_update_is_refused_and_changes_nothing(personas) -> None:
    row = book(personas.alice, DAY, 10)
    fields = {"title": "Nouveau", "start": row.start, "end": row.end, "channel": "visit"}
    services.appointment_update(appointment=row, actor=personas.alice, version=1, **fields)
    with pytest.raises(StaleVersion):
        services.appointment_update(appointment=row, actor=personas.alice, version=1, **{**fields, "title": "Vieux"})
    row.refresh_from_db()
    assert row.title == "Nouveau" and row.version == 2


def test_completing_with_a_report_logs_the_meeting_in_the_timeline(personas) -> None:
    customer = person(owner=personas.alice)
    day = timezone.localdate() - dt.timedelta(days=1)
    row = book(personas.alice, day, 10, party=customer, channel="visit", title="Bilan épargne")
    done = services.appointment_complete(appointment=row, actor=personas.alice, version=1, outcome="interested",
                                         report="Intéressée par une assurance-vie.")
    assert done.status == AppointmentStatus.DONE and done.interaction is not None
    logged = Interaction.objects.get(pk=done.interaction.pk)
    assert (logged.party, logged.channel, logged.subject, logged.author) == (customer, "visit", "Bilan épargne",
                                                                            personas.alice)
    assert logged.report == "Intéressée par une assurance-vie."
    with pytest.raises(ValidationFailed):
        services.appointment_complete(appointment=done, actor=personas.alice, version=done.version)


def test_future_appointment_cannot_be_closed_and_no_show_logs_nothing(personas) -> None:
    customer = person(owner=personas.alice)
    future = book(personas.alice, timezone.localdate() + dt.timedelta(days=3), 10, party=customer)
    with pytest.raises(ValidationFailed):
        services.appointment_complete(appointment=future, actor=personas.alice, version=1)
    past = book(personas.alice, timezone.localdate() - dt.timedelta(days=2), 10, party=customer)
    services.appointment_complete(appointment=past, actor=personas.alice, version=1, status="no_show", report="Absent")
    assert not Interaction.objects.filter(party=customer).exists()


def test_write_delegate_books_for_the_colleagues_customer(personas) -> None:
    customer = person(owner=personas.alice)  # bob cannot read alice's customers (team reading off)
    services.calendar_share_set(owner=personas.alice, delegate=personas.bob, level=ShareLevel.WRITE, actor=personas.alice)
    row = book(personas.alice, DAY, 14, actor=personas.bob, party=customer)
    assert row.owner == personas.alice and row.created_by == personas.bob
    services.calendar_share_set(owner=personas.alice, delegate=personas.bob, level=ShareLevel.READ, actor=personas.alice)
    with pytest.raises(ValidationFailed):
        book(personas.alice, DAY, 16, actor=personas.bob)
    with pytest.raises(ValidationFailed):
        services.appointment_cancel(appointment=row, actor=personas.bob, version=row.version)


def test_sharing_rules(personas) -> None:
    with pytest.raises(ValidationFailed):
        services.calendar_share_set(owner=personas.alice, delegate=personas.alice, level="read", actor=personas.alice)
    with pytest.raises(ValidationFailed):
        services.calendar_share_set(owner=personas.alice, delegate=personas.analyst, level="read", actor=personas.alice)
    with pytest.raises(ValidationFailed):
        services.calendar_share_set(owner=personas.alice, delegate=personas.bob, level="read", actor=personas.bob)
    share = services.calendar_share_set(owner=personas.alice, delegate=personas.bob, level="read", actor=personas.alice)
    again = services.calendar_share_set(owner=personas.alice, delegate=personas.bob, level="write", actor=personas.alice)
    assert share.pk == again.pk and again.level == "write"


def test_privacy_export_erase_and_retention(personas) -> None:
    customer = person(owner=personas.alice)
    old = book(personas.alice, dt.date(2021, 1, 5), 10, party=customer, title="Signature prêt", place="12 rue X")
    recent = book(personas.alice, DAY, 10, party=customer, title="Suivi")
    exported = privacy.export(customer.pk)["appointments"]
    assert [r["title"] for r in exported] == ["Signature prêt", "Suivi"]
    policy = RetentionPolicy.objects.get(key=privacy.RETENTION_KEY)
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    dry = privacy.appointments_past_retention(policy, now=now, apply=False)
    assert (dry.matched, dry.acted) == (1, 0)
    done = privacy.appointments_past_retention(policy, now=now, apply=True)
    assert done.acted == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.party_id is None and old.place == "" and old.version == 2
    assert recent.party_id == customer.pk
    assert privacy.erase(customer.pk) == 1
    assert not Appointment.objects.filter(party=customer).exists()
    assert Appointment.objects.count() == 2  # the slots stay in the rep's calendar


def test_next_appointment_fact(personas) -> None:
    customer = person(owner=personas.alice)
    other = person(owner=personas.alice)
    day = timezone.localdate() + dt.timedelta(days=5)
    book(personas.alice, day, 10, party=customer)
    book(personas.alice, day + dt.timedelta(days=3), 10, party=customer)
    expression = fact("agenda.next_appointment_on").annotation()
    values = dict(Party.objects.filter(pk__in=[customer.pk, other.pk]).annotate(v=expression).values_list("pk", "v"))
    assert values == {customer.pk: day, other.pk: None}


def test_demo_seeds_calendars_with_reports_and_shares(personas) -> None:
    from fidelia.agenda.demo import seed_demo
    from fidelia.agenda.models import CalendarShare
    for _ in range(4):
        person(owner=personas.alice)
        person(owner=personas.bob)
    seed_demo(today=timezone.localdate())
    rows = Appointment.objects.all()
    assert rows.filter(status=AppointmentStatus.PLANNED, start__gt=timezone.now()).exists()
    assert rows.filter(status=AppointmentStatus.DONE).exclude(report="").exists()
    assert not rows.filter(status=AppointmentStatus.PLANNED, end__lt=timezone.now()).exists()
    assert Interaction.objects.filter(report__gt="").exists()
    assert CalendarShare.objects.exists() or rows.count() > 0
