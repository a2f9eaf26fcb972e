"""Data-subject requests: the statutory clock, the extension rules, history and audit, and what
completing an objection or an erasure does to the customer's data."""
import datetime as dt

import pytest
from django.utils import timezone

from fidelia.core.errors import DomainError, PermissionDenied, StaleVersion, ValidationFailed
from fidelia.parties.models import Email, Party
from fidelia.parties.services import email_add, phone_add
from fidelia.parties.tests import factories
from fidelia.privacy.enums import AuditAction, SubjectRequestStatus
from fidelia.privacy.models import AuditEntry, SubjectRequestEvent, SuppressionEntry
from fidelia.privacy.selectors import (
    DeadlineState,
    deadline_state,
    open_requests_by_deadline,
    subject_request_list,
)
from fidelia.privacy.services import (
    add_months,
    subject_request_complete,
    subject_request_create,
    subject_request_due_on,
    subject_request_extend,
    subject_request_refuse,
    subject_request_start,
)
from fidelia.privacy.suppression import is_suppressed


@pytest.mark.parametrize(("received", "due", "extended_due"), [
    (dt.date(2026, 3, 15), dt.date(2026, 4, 15), dt.date(2026, 6, 15)),
    (dt.date(2027, 1, 31), dt.date(2027, 2, 28), dt.date(2027, 4, 30)),   # clamped to the month's end
    (dt.date(2028, 1, 31), dt.date(2028, 2, 29), dt.date(2028, 4, 30)),   # leap year
    (dt.date(2028, 2, 29), dt.date(2028, 3, 29), dt.date(2028, 5, 29)),
    (dt.date(2026, 11, 30), dt.date(2026, 12, 30), dt.date(2027, 2, 28)),  # over the year's end
    (dt.date(2026, 12, 31), dt.date(2027, 1, 31), dt.date(2027, 3, 31)),
    (dt.date(2026, 8, 31), dt.date(2026, 9, 30), dt.date(2026, 11, 30)),
])
def test_deadline_is_one_calendar_month_and_three_once_extended(received, due, extended_due):
    assert subject_request_due_on(received_on=received) == due
    assert subject_request_due_on(received_on=received, extended=True) == extended_due


def test_add_months_never_overflows_a_month():
    day = dt.date(2024, 1, 1)
    for offset in range(0, 31):
        start = day + dt.timedelta(days=offset)
        for months in range(1, 25):
            result = add_months(start, months)
            assert result.day <= start.day and (result.year * 12 + result.month) - (start.year * 12 + start.month) == months


def new_request(personas, *, kind="access", party=None, received_on=None, **extra):
    return subject_request_create(actor=personas.dpo, kind=kind, requester_name="Jeanne Durand",
                                  requester_contact="jeanne@exemple.fr", channel="letter",
                                  received_on=received_on or timezone.localdate(),
                                  party_id=party.pk if party else None, **extra)


@pytest.mark.django_db
def test_create_sets_the_deadline_and_writes_history_and_audit(personas):
    received = timezone.localdate() - dt.timedelta(days=3)
    request = new_request(personas, received_on=received)
    assert request.status == SubjectRequestStatus.RECEIVED
    assert request.due_on == add_months(received, 1)
    assert [e.action for e in request.events.all()] == ["created"]
    audit = AuditEntry.objects.filter(action=AuditAction.REQUEST, object_id=request.pk).get()
    assert "step:created" in audit.fields and audit.actor_id == personas.dpo.pk


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "values"), [
    ("requester_name", {"requester_name": "  "}),
    ("kind", {"kind": "complaint"}),
    ("channel", {"channel": "pigeon"}),
    ("received_on", {"received_on": timezone.localdate() + dt.timedelta(days=1)}),
])
def test_create_refuses_bad_input_and_writes_nothing(personas, field, values):
    base = {"actor": personas.dpo, "kind": "access", "requester_name": "X", "channel": "email",
            "received_on": timezone.localdate()}
    with pytest.raises(ValidationFailed) as error:
        subject_request_create(**{**base, **values})
    assert field in error.value.fields
    assert not SubjectRequestEvent.objects.exists() and not AuditEntry.objects.filter(action=AuditAction.REQUEST).exists()


@pytest.mark.django_db
def test_extension_once_before_the_deadline_with_reason_and_notice(personas):
    received = timezone.localdate() - dt.timedelta(days=10)
    request = new_request(personas, received_on=received)
    request = subject_request_start(request=request, actor=personas.dpo, version=request.version)
    with pytest.raises(ValidationFailed) as no_reason:
        subject_request_extend(request=request, actor=personas.dpo, reason=" ", notified_on=timezone.localdate())
    assert "reason" in no_reason.value.fields
    with pytest.raises(ValidationFailed) as no_notice:
        subject_request_extend(request=request, actor=personas.dpo, reason="Many contracts", notified_on=None)
    assert "notified_on" in no_notice.value.fields
    with pytest.raises(ValidationFailed):
        subject_request_extend(request=request, actor=personas.dpo, reason="Many contracts",
                               notified_on=received - dt.timedelta(days=1))
    request.refresh_from_db()
    assert not request.extended and request.due_on == add_months(received, 1)

    request = subject_request_extend(request=request, actor=personas.dpo, reason="Many contracts",
                                     notified_on=timezone.localdate(), version=request.version)
    assert request.extended and request.status == SubjectRequestStatus.EXTENDED
    assert request.due_on == add_months(received, 3)
    with pytest.raises(DomainError, match="already been extended"):
        subject_request_extend(request=request, actor=personas.dpo, reason="Again", notified_on=timezone.localdate())
    assert [e.action for e in request.events.all()] == ["created", "started", "extended"]


@pytest.mark.django_db
def test_extension_refused_after_the_deadline(personas):
    received = timezone.localdate() - dt.timedelta(days=40)
    request = new_request(personas, received_on=received)
    assert deadline_state(request, today=timezone.localdate()) == DeadlineState.OVERDUE
    with pytest.raises(DomainError, match="has passed"):
        subject_request_extend(request=request, actor=personas.dpo, reason="Late", notified_on=received)
    request.refresh_from_db()
    assert not request.extended


@pytest.mark.django_db
def test_stale_version_and_closed_requests_are_refused(personas):
    request = new_request(personas)
    with pytest.raises(StaleVersion):
        subject_request_start(request=request, actor=personas.dpo, version=request.version + 5)
    request = subject_request_refuse(request=request, actor=personas.dpo, reason="Identity not proven")
    assert request.status == SubjectRequestStatus.REFUSED and request.closed_on == timezone.localdate()
    with pytest.raises(DomainError, match="closed"):
        subject_request_complete(request=request, actor=personas.dpo, outcome="Sent")
    with pytest.raises(ValidationFailed):
        subject_request_refuse(request=new_request(personas), actor=personas.dpo, reason="")


@pytest.mark.django_db
def test_history_is_append_only(personas):
    request = new_request(personas)
    event = request.events.get()
    event.note = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        request.events.all().update(note="rewritten")
    with pytest.raises(PermissionError):
        request.events.all().delete()


@pytest.mark.django_db
def test_completing_an_objection_suppresses_every_email_and_phone_of_the_subject(personas):
    party = factories.person(owner=personas.alice, email="Paul.Objecteur@Exemple.fr", phone="06 11 22 33 44")
    email_add(party=party, actor=personas.alice, address="paul.pro@travail.fr")
    phone_add(party=party, actor=personas.alice, number="04 72 10 20 30")
    other = factories.person(owner=personas.alice, email="voisin@exemple.fr")
    request = new_request(personas, kind="objection", party=party)

    request = subject_request_complete(request=request, actor=personas.dpo, outcome="No more prospecting")

    assert request.status == SubjectRequestStatus.COMPLETED
    assert SuppressionEntry.objects.filter(request=request).count() == 4
    assert is_suppressed(email="  paul.objecteur@EXEMPLE.FR ")
    assert is_suppressed(email="PAUL.PRO@travail.fr")
    assert is_suppressed(phone="+33611223344") and is_suppressed(phone="04.72.10.20.30")
    assert not is_suppressed(email=other.email)
    last = AuditEntry.objects.filter(action=AuditAction.REQUEST).order_by("-id").first()
    assert "suppressed:4" in last.fields


@pytest.mark.django_db
def test_completing_an_erasure_anonymises_the_subject_dpo_only(personas):
    party = factories.person(owner=personas.alice, last_name="Effacé", email="efface@exemple.fr")
    request = new_request(personas, kind="erasure", party=party)

    with pytest.raises(PermissionDenied):
        subject_request_complete(request=request, actor=personas.admin, outcome="Erased")
    party.refresh_from_db()
    assert party.last_name == "Effacé" and request.events.count() == 1

    subject_request_complete(request=request, actor=personas.dpo, outcome="Erased on request")
    party = Party.objects.get(pk=party.pk)
    assert party.last_name == "" and party.erased_at is not None
    assert not Email.objects.filter(party=party).exists()
    assert AuditEntry.objects.filter(action=AuditAction.ERASE, party_id=party.pk).count() == 1


@pytest.mark.django_db
def test_register_filters_and_deadline_buckets(personas):
    today = timezone.localdate()
    overdue = new_request(personas, received_on=today - dt.timedelta(days=40))
    soon = new_request(personas, received_on=add_months(today, -1) + dt.timedelta(days=3), kind="erasure")
    later = new_request(personas, received_on=today)
    closed = subject_request_refuse(request=new_request(personas, received_on=today - dt.timedelta(days=60)),
                                    actor=personas.dpo, reason="Unfounded")

    buckets = open_requests_by_deadline(today=today)
    assert [r.pk for r in buckets[DeadlineState.OVERDUE]] == [overdue.pk]
    assert [r.pk for r in buckets[DeadlineState.DUE_SOON]] == [soon.pk]
    assert [r.pk for r in buckets[DeadlineState.LATER]] == [later.pk]
    dpo = personas.dpo
    assert list(subject_request_list(user=dpo, deadline="overdue")) == [overdue]
    assert list(subject_request_list(user=dpo, kind="erasure")) == [soon]
    assert list(subject_request_list(user=dpo, status="refused")) == [closed]
    assert closed not in subject_request_list(user=dpo, status="open")
    for name in ("manager", "alice", "outsider", "marketing", "service", "analyst"):
        assert not subject_request_list(user=getattr(personas, name)).exists()


@pytest.mark.django_db
def test_erase_command_dry_runs_then_erases_and_audits(personas):
    from django.core.management import call_command

    party = factories.person(owner=personas.alice, last_name="Commandeffacee")
    call_command("subject_erase", party.pk, "--as", "dpo")
    assert Party.objects.get(pk=party.pk).last_name == "Commandeffacee"
    assert not AuditEntry.objects.filter(action=AuditAction.ERASE).exists()
    call_command("subject_erase", party.pk, "--as", "dpo", "--apply")
    assert Party.objects.get(pk=party.pk).last_name == ""
    entry = AuditEntry.objects.get(action=AuditAction.ERASE, party_id=party.pk)
    assert entry.actor_id == personas.dpo.pk and entry.channel == "cli" and "subject_erase" in entry.fields
