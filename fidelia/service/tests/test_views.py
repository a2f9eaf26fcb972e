"""Pages: queues, workspace, actions, rights (the outsider gets 404), query pins, dashboards."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fidelia.interactions.models import Interaction
from fidelia.parties.tests.factories import person
from fidelia.service.enums import CaseKind, CaseStatus, MessageKind
from fidelia.service.models import Case, ReplyTemplate
from fidelia.service.services import case_create


@pytest.fixture
def case(personas: Any, customer: Any, policies_sla: Any) -> Case:
    return case_create(actor=personas.service, party=customer, subject="Erreur de facture", kind=CaseKind.COMPLAINT,
                       category="core_failure", priority="high")


def test_queue_lists_and_outsider_sees_nothing(client, personas, case):
    client.force_login(personas.service)
    page = client.get(reverse("service:index") + "?view=unassigned")
    assert page.status_code == 200 and case.reference in page.content.decode()
    client.force_login(personas.alice)  # the customer's owner reads the case
    assert case.reference in client.get(reverse("service:index") + "?view=all").content.decode()
    client.force_login(personas.outsider)
    assert case.reference not in client.get(reverse("service:index") + "?view=all").content.decode()
    assert client.get(reverse("service:case", args=[case.pk])).status_code == 404
    assert client.post(reverse("service:case_take", args=[case.pk])).status_code == 404
    client.force_login(personas.analyst)
    assert client.get(reverse("service:index")).status_code == 404
    assert client.get(reverse("service:dashboard")).status_code == 200


def test_queue_query_count_is_pinned(client, personas, customer, policies_sla):
    client.force_login(personas.service)
    for i in range(3):
        case_create(actor=personas.service, party=customer, subject=f"Demande {i}")
    url = reverse("service:index") + "?view=all"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(20):
        other = person(owner=personas.bob)
        case_create(actor=personas.service, party=other, subject=f"Autre {i}", owner=personas.bob)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_queue_search_count_is_bounded(client, personas, customer, policies_sla, monkeypatch):
    """A text search counts up to its own, lower cap and says "more than" beyond it; the queue keeps its cap."""
    from fidelia.service import views

    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", 2)
    client.force_login(personas.service)
    for i in range(3):
        case_create(actor=personas.service, party=customer, subject=f"Facture {i}")
    searched = client.get(reverse("service:index") + "?view=all&q=facture")
    assert searched.context["page"].paginator.is_capped and searched.context["page"].paginator.cap == 2
    assert "Facture 0" in searched.content.decode()
    listed = client.get(reverse("service:index") + "?view=all")
    assert listed.context["page"].paginator.count == 3 and not listed.context["page"].paginator.is_capped


@pytest.mark.parametrize("language", ["en", "fr"])
def test_queue_rows_show_what_the_model_displays(personas, customer, policies_sla, language):
    """The labels computed once per page equal `get_<field>_display` and the owner's full name, row by row."""
    from django.utils import translation

    from fidelia.service import selectors

    case_create(actor=personas.service, party=customer, subject="Sans agent", kind=CaseKind.INCIDENT)
    case_create(actor=personas.service, party=customer, subject="Avec agent", owner=personas.service,
                kind=CaseKind.COMPLAINT, category="price", priority="urgent")
    with translation.override(language):
        rows = selectors.case_queue_rows(list(selectors.case_queue(personas.service, view="all")))
        assert len(rows) == 2
        for case in rows:
            for name in selectors.QUEUE_LABELS:
                assert getattr(case, f"{name}_label") == getattr(case, f"get_{name}_display")()
            assert case.owner_name == (case.owner.get_full_name() if case.owner else "")
            assert case.sla.level == selectors.sla_state(case).level


def test_take_reply_note_and_resolve_from_the_workspace(client, personas, case, mail_server):
    client.force_login(personas.service)
    client.post(reverse("service:case_take", args=[case.pk]))
    case.refresh_from_db()
    assert case.owner == personas.service and case.status == CaseStatus.OPEN
    page = client.get(reverse("service:case", args=[case.pk]))
    assert page.status_code == 200 and "Erreur de facture" in page.content.decode()
    r = client.post(reverse("service:case_reply", args=[case.pk]),
                    {"body": "Bonjour {customer_name}, c'est corrigé.", "then": "", "version": case.version})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert "[" + case.reference + "]" in mail_server.messages[-1].message["Subject"]
    client.post(reverse("service:case_note", args=[case.pk]), {"body": "Avoir émis par la compta."})
    assert case.messages.filter(kind=MessageKind.NOTE).count() == 1
    notes = Interaction.objects.filter(party=case.party, subject__startswith="Internal note")
    assert notes.count() == 1
    case.refresh_from_db()
    r = client.post(reverse("service:case_status", args=[case.pk]), {"status": "resolved", "version": case.version})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and case.resolved_at


def test_stale_or_impossible_status_is_refused(client, personas, case):
    client.force_login(personas.service)
    r = client.post(reverse("service:case_status", args=[case.pk]), {"status": "open", "version": case.version + 5})
    assert r.status_code == 422 and "changed by someone else" in r.content.decode()
    r = client.post(reverse("service:case_status", args=[case.pk]), {"status": "closed", "version": case.version})
    assert r.status_code == 422
    assert Case.objects.get(pk=case.pk).status == CaseStatus.NEW


def test_empty_reply_and_bad_new_case_are_refused(client, personas, case, customer):
    client.force_login(personas.service)
    r = client.post(reverse("service:case_reply", args=[case.pk]), {"body": "", "version": case.version})
    assert r.status_code == 422
    r = client.post(reverse("service:case_new"), {"party": 999999, "kind": "request", "category": "other",
                                                   "priority": "normal", "channel": "phone", "subject": "x"})
    assert r.status_code == 200 and "No customer" in r.content.decode()
    client.force_login(personas.outsider)
    r = client.post(reverse("service:case_new"), {"party": customer.pk, "kind": "request", "category": "other",
                                                   "priority": "normal", "channel": "phone", "subject": "x"})
    assert "No customer" in r.content.decode() and Case.objects.count() == 1


def test_new_case_form_creates_a_case(client, personas, customer, policies_sla):
    client.force_login(personas.alice)
    r = client.post(reverse("service:case_new"), {"party": customer.pk, "kind": "complaint", "category": "price",
                                                   "priority": "normal", "channel": "phone", "subject": "Tarif"})
    assert r.status_code == 302
    assert Case.objects.get().reference.startswith(f"CAS-{timezone.now().year}-")


def test_macro_fills_the_reply_box(client, personas, case):
    t = ReplyTemplate.objects.create(name="Accusé", body="Bonjour {customer_name}, dossier {case_reference}.")
    client.force_login(personas.service)
    html = client.get(reverse("service:macro", args=[case.pk]) + f"?template={t.pk}").content.decode()
    assert case.reference in html and "Claire Dupont" in html


def test_party_panel_is_lazy_and_guarded(client, personas, case, customer):
    client.force_login(personas.alice)
    page = client.get(reverse("parties:detail", args=[customer.pk])).content.decode()
    assert reverse("service:party_panel", args=[customer.pk]) in page
    panel = client.get(reverse("service:party_panel", args=[customer.pk]))
    assert case.reference in panel.content.decode()
    client.force_login(personas.outsider)
    assert client.get(reverse("service:party_panel", args=[customer.pk])).status_code == 404


def test_dashboard_renders_with_figures(client, personas, case):
    from fidelia.service.services import case_change_status

    case_change_status(case=case, status=CaseStatus.RESOLVED, actor=personas.service,
                       at=case.opened_at + dt.timedelta(hours=5))
    client.force_login(personas.manager)
    page = client.get(reverse("service:dashboard") + "?months=3")
    assert page.status_code == 200 and "svc-shares" in page.content.decode()
    client.force_login(personas.outsider)
    assert client.get(reverse("service:dashboard")).status_code == 404


def test_sla_policy_page_for_admins_only(client, personas, policies_sla):
    client.force_login(personas.service)
    assert client.get(reverse("service:sla_policies")).status_code == 404
    client.force_login(personas.admin)
    assert client.get(reverse("service:sla_policies")).status_code == 200
    r = client.post(reverse("service:sla_policies"), {"name": "VIP", "priority": "high", "segment": "A",
                                                      "first_response_hours": "2", "resolution_hours": "1",
                                                      "is_active": "on"})
    assert r.status_code == 200 and "cannot be shorter" in r.content.decode()
