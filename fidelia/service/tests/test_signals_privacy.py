"""Complaint signals and facts, the SLA watch (breach, escalation, pause), CSAT on resolve, privacy hooks
and retention lines."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from fidelia.actions.facts import registered_facts
from fidelia.actions.models import Action
from fidelia.parties.models import Party
from fidelia.privacy.models import RetentionPolicy
from fidelia.service import privacy, reports
from fidelia.service.enums import CaseKind, CaseStatus
from fidelia.service.inbound import inbound_email_process
from fidelia.service.models import Case, CaseMessage, InboundEmail
from fidelia.service.selectors import complaint_signals
from fidelia.service.services import case_add_note, case_change_status, case_create, sla_check

PARIS = dt.timezone(dt.timedelta(hours=1))


def at(y: int, m: int, d: int, hh: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, tzinfo=PARIS)


def test_complaint_signals(personas, customer, policies_sla):
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        a = case_create(actor=personas.service, party=customer, subject="A", kind=CaseKind.COMPLAINT, category="price")
    with time_machine.travel(at(2026, 3, 4, 10), tick=False):
        case_change_status(case=a, status=CaseStatus.RESOLVED, actor=personas.service)
        case_create(actor=personas.service, party=customer, subject="B", kind=CaseKind.COMPLAINT,
                    category="core_failure")
        case_create(actor=personas.service, party=customer, subject="C", kind=CaseKind.REQUEST)
    s = complaint_signals(as_of=dt.date(2026, 3, 10))[customer.pk]
    assert (s.open_complaints, s.complaints_365d, s.last_category) == (1, 2, "core_failure")
    assert s.mean_resolution_hours == pytest.approx(48)
    # as it stood on 3 March: one open complaint, not resolved yet
    before = complaint_signals(as_of=dt.date(2026, 3, 3))[customer.pk]
    assert (before.open_complaints, before.complaints_365d, before.mean_resolution_hours) == (1, 1, None)
    assert complaint_signals(as_of=dt.date(2026, 3, 1)) == {}


def test_facts_are_registered_and_evaluate(personas, customer, policies_sla):
    case_create(actor=personas.service, party=customer, subject="A", kind=CaseKind.COMPLAINT)
    facts = registered_facts()
    assert {"service.open_complaints", "service.complaints_365d", "service.sla_breached"} <= set(facts)
    row = Party.objects.filter(pk=customer.pk).annotate(
        n=facts["service.open_complaints"].annotation(), y=facts["service.complaints_365d"].annotation(),
        late=facts["service.sla_breached"].annotation()).get()
    assert (row.n, row.y, row.late) == (1, 1, False)


def test_waiting_pauses_the_resolution_clock(personas, customer, policies_sla):
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):  # Monday, normal priority: 40 business hours
        case = case_create(actor=personas.service, party=customer, subject="Pause")
    due = case.resolution_due
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        case = case_change_status(case=case, status=CaseStatus.WAITING, actor=personas.service)
    with time_machine.travel(at(2026, 3, 3, 10), tick=False):  # a business day (8 h) waiting
        case = case_change_status(case=case, status=CaseStatus.OPEN, actor=personas.service)
    assert case.paused_seconds == 8 * 3600
    from fidelia.service.services import business_calendar
    from fidelia.service.sla import business_seconds_between

    assert business_seconds_between(business_calendar(), due, case.resolution_due) == 8 * 3600


def test_sla_check_flags_and_escalates_once(personas, customer, policies_sla):
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        case = case_create(actor=personas.service, party=customer, subject="Urgent", priority="urgent",
                           kind=CaseKind.COMPLAINT)
    with time_machine.travel(at(2026, 3, 4, 9), tick=False):
        counts = sla_check()
        again = sla_check()
    case.refresh_from_db()
    assert counts == {"first_response": 1, "resolution": 1, "escalated": 1} and again["escalated"] == 0
    assert case.first_response_breached and case.resolution_breached and case.escalated_at
    escalation = Action.objects.get(source_key=f"service:case:{case.pk}:escalated")
    assert escalation.owner == personas.manager  # the manager of the customer's team (Lyon)


def test_resolving_asks_for_csat_when_surveys_offer_it(personas, customer, policies_sla, django_capture_on_commit_callbacks):
    case = case_create(actor=personas.service, party=customer, subject="CSAT")
    with django_capture_on_commit_callbacks(execute=True):
        case_change_status(case=case, status=CaseStatus.RESOLVED, actor=personas.service)
    try:
        from fidelia.surveys.services import survey_send_csat  # noqa: F401
    except ImportError:
        pytest.skip("surveys does not offer survey_send_csat yet")


def test_export_and_erase(personas, customer, policies_sla):
    out = inbound_email_process(b"From: claire.dupont@example.fr\r\nSubject: Facture fausse\r\n\r\nMon IBAN...")
    case = Case.objects.get(pk=out.case_id)
    case_add_note(case=case, body="Cliente mécontente", actor=personas.service)
    data = privacy.export(customer.pk)
    assert data["service_cases"][0]["subject"] == "Facture fausse" and len(data["service_messages"]) == 2
    assert privacy.erase(customer.pk) == 1
    case.refresh_from_db()
    assert case.erased_at and "Facture" not in case.subject
    assert not CaseMessage.objects.filter(body_text__contains="IBAN").exists()
    assert InboundEmail.objects.get().raw in (b"", memoryview(b""))


def test_retention_lines_and_hooks(personas, customer, policies_sla):
    cases = RetentionPolicy.objects.get(key="service_cases")
    raw = RetentionPolicy.objects.get(key="service_inbound_raw")
    assert (cases.duration, cases.action, raw.duration) == (60, "anonymise", 12)
    with time_machine.travel(at(2019, 3, 2, 10), tick=False):
        old = inbound_email_process(b"From: claire.dupont@example.fr\r\nSubject: Vieux\r\n\r\nTexte").case_id
        case_change_status(case=Case.objects.get(pk=old), status=CaseStatus.RESOLVED, actor=personas.service)
    recent = case_create(actor=personas.service, party=customer, subject="Récent")
    case_change_status(case=recent, status=CaseStatus.RESOLVED, actor=personas.service)
    now = timezone.now()
    assert privacy.cases_to_anonymise(cases, now=now, apply=False).matched == 1
    assert privacy.cases_to_anonymise(cases, now=now, apply=True).acted == 1
    assert Case.objects.get(pk=old).erased_at and not Case.objects.get(pk=recent.pk).erased_at
    assert privacy.raw_to_delete(raw, now=now, apply=True).acted == 1 and not InboundEmail.objects.exists()


def test_dashboard_figures_are_pure():
    t0 = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    rows = [
        reports.CaseRow(1, "complaint", "core_failure", "email", t0, t0 + dt.timedelta(hours=2),
                        t0 + dt.timedelta(hours=20), 0, True, False, 10),
        reports.CaseRow(2, "complaint", "price", "phone", t0, None, t0 + dt.timedelta(days=10), 1, True, True, 11),
        reports.CaseRow(3, "request", "information", "email", t0, t0 + dt.timedelta(minutes=30), None, 0, False,
                        False, None),
    ]
    board = reports.compute(rows, lost={11: [dt.date(2026, 3, 1)]}, former=set(),
                            csat=[(t0, 4, "case:1"), (t0 + dt.timedelta(days=40), 2, "case:2")])
    assert board.total == 3 and board.complaints == 2
    assert board.sla_compliance == 50 and board.reopen_rate == 50
    shares = {c: o for c, o, _r in board.incident_shares}
    assert shares["core_failure"] == 50 and shares["price"] == 50 and shares["ethical"] == 0
    speed = {label: (n, k) for label, n, k, _p in board.speed_vs_lost}
    assert speed["≤ 1 d"] == (1, 0) and speed["> 7 d"] == (1, 1)
    assert board.csat_by_month == [("2026-01", 4.0, 1), ("2026-02", 2.0, 1)]
    assert board.first_response_hist[0] == 1 and board.median_first_response_h == pytest.approx(1.25)




def test_an_internal_note_is_in_the_timeline_but_is_no_contact(personas, customer, policies_sla, client):
    from fidelia.interactions.models import Interaction

    case = case_create(actor=personas.service, party=customer, subject="Prélèvement en double")
    customer.refresh_from_db()
    before = (customer.last_inbound_at, customer.last_outbound_at)
    case_add_note(case=case, body="Cliente mécontente, rappeler lundi", actor=personas.service)
    customer.refresh_from_db()
    assert (customer.last_inbound_at, customer.last_outbound_at) == before
    note = Interaction.objects.get(party=customer, report__contains="rappeler lundi")
    assert note.is_internal
    client.force_login(personas.service)
    from django.urls import reverse

    html = client.get(reverse("parties:detail", args=[customer.pk])).content.decode()
    assert "rappeler lundi" in html and html.count('data-testid="internal-note"') == 1
