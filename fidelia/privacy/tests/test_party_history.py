"""A customer's change history: who changed what, old → new, newest first; sensitive changes only
for those who may read them (and then audited as one sensitive read); 404 for outsiders."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from fidelia.core.testing import Personas
from fidelia.parties import services
from fidelia.parties.models import Party
from fidelia.parties.tests import factories as f
from fidelia.privacy.enums import AuditAction
from fidelia.privacy.models import AuditEntry
from fidelia.sales.models import Product, ProductFamily
from fidelia.sales.services import transaction_record

INCOME_OLD, INCOME_NEW = "Under €20,000", "€50,000–80,000"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def party(personas: Personas) -> Party:
    """Alice's customer whose income bracket and job title changed."""
    party = f.person(owner=personas.alice, income_bracket="lt20")
    return services.party_update(party=party, actor=personas.alice, version=party.version,
                                 income_bracket="50_80", job_title="Pharmacienne")


def _history(user, party: Party, **headers: str):
    return _client(user).get(reverse("privacy:party_history", args=[party.pk]), headers=headers)


def _sensitive_reads(user) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=AuditAction.READ_SENSITIVE, actor_id=user.pk))


@pytest.mark.parametrize("role", ["marketing", "service"])
def test_income_bracket_changes_are_absent_for_roles_without_the_right(personas: Personas, party: Party,
                                                                       role: str) -> None:
    user = personas.by_role()[role]
    response = _history(user, party)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Pharmacienne" in body  # the rest of the change is shown
    assert INCOME_NEW not in body and INCOME_OLD not in body and "50_80" not in body
    assert "ncome bracket" not in body
    assert _sensitive_reads(user) == []


def test_the_owner_sees_income_bracket_changes_and_one_sensitive_read_is_audited(personas: Personas,
                                                                                 party: Party) -> None:
    response = _history(personas.alice, party)
    body = response.content.decode()
    assert response.status_code == 200
    assert INCOME_OLD in body and INCOME_NEW in body and "Pharmacienne" in body
    reads = _sensitive_reads(personas.alice)
    assert len(reads) == 1
    assert (reads[0].party_id, reads[0].fields) == (party.pk, ["income_bracket"])
    assert "50_80" not in str(reads[0].fields)


def test_items_are_newest_first_with_who_and_a_translated_label(personas: Personas, party: Party) -> None:
    response = _history(personas.manager, party)
    items = response.context["items"]
    assert [i.event.action for i in items] == ["party.updated", "party.created"]
    assert items[0].label == "Customer file changed"
    assert items[0].event.actor == personas.alice
    labels = {c.label: (c.old, c.new) for c in items[0].changes}
    assert labels["job title"] == ("—", "Pharmacienne")


@pytest.mark.parametrize("role", ["outsider", "analyst"])
def test_who_may_not_read_the_customer_gets_404(personas: Personas, party: Party, role: str) -> None:
    assert _history(personas.by_role()[role], party).status_code == 404
    assert _client(personas.alice).get(reverse("privacy:party_history", args=[999999])).status_code == 404


def test_htmx_gets_the_partial_and_a_plain_request_the_full_page(personas: Personas, party: Party) -> None:
    partial = _history(personas.alice, party, **{"HX-Request": "true"}).content.decode()
    page = _history(personas.alice, party).content.decode()
    assert 'id="party-history"' in partial and "<html" not in partial
    assert "<html" in page and 'id="party-history"' in page


def test_the_history_is_paginated_by_25(personas: Personas, party: Party) -> None:
    for i in range(30):
        party = services.party_update(party=party, actor=personas.alice, version=party.version, job_title=f"Poste {i}")
    first = _history(personas.manager, party)
    assert len(first.context["items"]) == 25
    second = _client(personas.manager).get(reverse("privacy:party_history", args=[party.pk]), {"page": 2})
    assert len(second.context["items"]) == 32 - 25


def test_transaction_amounts_follow_the_transactions_right(personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    family = ProductFamily.objects.create(name="Épargne")
    product = Product.objects.create(code="LIVA", name="Livret A", family=family, kind="strategic",
                                     price=Decimal("10.00"), margin_rate=Decimal("0.1000"))
    transaction_record(party=party, actor=personas.alice, product=product, date=dt.date.today(),
                       amount=Decimal("4321.98"), channel="branch")
    assert "4321.98" not in _history(personas.marketing, party).content.decode()
    assert _sensitive_reads(personas.marketing) == []
    assert "4321.98" in _history(personas.service, party).content.decode()
    assert [r.fields for r in _sensitive_reads(personas.service)] == [["transactions"]]


def test_no_sensitive_value_shown_no_sensitive_read_written(personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    services.party_update(party=party, actor=personas.alice, version=party.version, job_title="Notaire")
    assert _history(personas.alice, party).status_code == 200
    assert _sensitive_reads(personas.alice) == []


def test_the_query_count_does_not_grow_with_the_history(personas: Personas, party: Party) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(personas.alice)
    url = reverse("privacy:party_history", args=[party.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(20):
        party = services.party_update(party=party, actor=personas.bob if i % 2 else personas.alice,
                                      version=party.version, job_title=f"Poste {i}", income_bracket="lt20" if i % 2 else "gt120")
    assert count() == few


def test_a_new_owner_is_named_but_a_related_customer_stays_a_number(personas: Personas, party: Party) -> None:
    services.party_update(party=party, actor=personas.manager, version=party.version, owner=personas.bob)
    response = _history(personas.manager, party)
    changes = {c.label: (c.old, c.new) for c in response.context["items"][0].changes}
    assert changes["owner"] == ("Alice Martin", "Bob Bernard")
    other = f.organisation(owner=personas.outsider, actor=personas.admin, legal_name="Secrète SARL")
    fresh = Party.objects.get(pk=party.pk)
    services.party_update(party=fresh, actor=personas.admin, version=fresh.version, organisation=other)
    body = _history(personas.manager, party).content.decode()
    assert f"#{other.pk}" in body and "Secrète" not in body


def test_the_date_of_a_birth_life_event_is_a_childs_birth_date(personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    services.life_event_add(party=party, actor=personas.alice, kind="birth", date=dt.date(2024, 3, 17))
    services.life_event_add(party=party, actor=personas.alice, kind="move", date=dt.date(2023, 9, 1))
    body = _history(personas.marketing, party).content.decode()
    assert "2024-03-17" not in body and "2023-09-01" in body
    assert "Birth of a child" in body  # the kind stays: it is not the date
    assert _sensitive_reads(personas.marketing) == []
    assert "2024-03-17" in _history(personas.alice, party).content.decode()
    assert [r.fields for r in _sensitive_reads(personas.alice)] == [["children_birth_dates"]]


def test_internal_notes_and_keys_that_are_not_fields_are_shown(personas: Personas, party: Party) -> None:
    """An internal note's event names `is_internal`; older events name keys that are no model field:
    the history shows both instead of failing."""
    from fidelia.core.models import ActivityEvent
    from fidelia.interactions.services import interaction_log

    interaction_log(party=party, actor=personas.alice, channel="phone", direction="outbound",
                    subject="Note de suivi", internal=True)
    event = ActivityEvent.objects.filter(party_id=party.pk, object_type="interactions.interaction").latest("pk")
    assert event.changes["is_internal"] is True
    ActivityEvent.objects.filter(pk=event.pk).update(changes={**event.changes, "internal": True})
    response = _history(personas.alice, party)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Internal note:</span>" in body  # the field's label
    assert "Internal:</span>" in body       # the bare key, capitalised
