"""Every change to customer data reaches the audit log: who, when, which record, which fields
(names only), channel and request id — through the ActivityEvent each service writes."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fidelia.core.errors import StaleVersion
from fidelia.core.models import ActivityEvent
from fidelia.core.testing import Personas
from fidelia.parties import services
from fidelia.parties.tests import factories as f
from fidelia.privacy.enums import AuditAction
from fidelia.privacy.models import AuditEntry
from fidelia.privacy.signals import audit_action_for


@pytest.mark.parametrize(("activity", "expected"), [
    ("party.created", AuditAction.CREATE), ("email.added", AuditAction.CREATE),
    ("consent.recorded", AuditAction.CREATE), ("interaction.logged", AuditAction.CREATE),
    ("party.updated", AuditAction.UPDATE), ("contract.changed", AuditAction.UPDATE),
    ("phone.removed", AuditAction.DELETE), ("party.deleted", AuditAction.DELETE),
    ("party.merged", AuditAction.UPDATE), ("oddity", AuditAction.UPDATE),
])
def test_the_verb_of_an_activity_decides_the_audit_action(activity: str, expected: str) -> None:
    assert audit_action_for(activity) == expected


def test_a_party_update_writes_one_update_row_with_field_names_and_no_values(personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    last_id = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    services.party_update(party=party, actor=personas.alice, version=party.version,
                          job_title="Chef-de-projet-XYZ", notes="Aime le golf QWERTY")
    rows = list(AuditEntry.objects.filter(id__gt=last_id))
    assert len(rows) == 1
    row = rows[0]
    assert (row.action, row.actor_id, row.actor_username) == (AuditAction.UPDATE, personas.alice.pk, "alice")
    assert (row.object_type, row.object_id, row.party_id) == ("parties.party", party.pk, party.pk)
    assert row.fields == ["job_title", "notes"]
    dumped = str(AuditEntry.objects.filter(pk=row.pk).values().get())
    assert "Chef-de-projet-XYZ" not in dumped and "QWERTY" not in dumped
    # the values stay in the change history
    event = ActivityEvent.objects.filter(party_id=party.pk, action="party.updated").latest("id")
    assert event.changes["job_title"][1] == "Chef-de-projet-XYZ"


def test_creations_and_removals_are_audited_as_such(personas: Personas) -> None:
    party = f.person(owner=personas.alice, email="", phone="")
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_type="parties.party", party_id=party.pk).count() == 1
    email = services.email_add(party=party, actor=personas.alice, address="jeanne.secret@example.org")
    created = AuditEntry.objects.filter(object_type="parties.email").get()
    assert (created.action, created.object_id, created.fields) == (AuditAction.CREATE, email.pk, ["address"])
    email_id = email.pk
    services.contact_point_remove(party=party, actor=personas.alice, row=email)
    removed = AuditEntry.objects.filter(object_type="parties.email").latest("id")
    assert (removed.action, removed.object_id, removed.party_id) == (AuditAction.DELETE, email_id, party.pk)
    assert "jeanne.secret" not in str(list(AuditEntry.objects.values()))


def test_a_refused_change_leaves_no_audit_row(personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    count = AuditEntry.objects.count()
    with pytest.raises(StaleVersion):
        services.party_update(party=party, actor=personas.alice, version=party.version + 7, job_title="Notaire")
    assert AuditEntry.objects.count() == count


def test_a_web_change_carries_the_request_id_of_the_response_and_the_web_channel(client: Client,
                                                                               personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    client.force_login(personas.alice)
    data = {"stage": party.stage, "civility": party.civility, "first_name": party.first_name,
            "last_name": party.last_name, "version": party.version, "tags": "", "job_title": "Notaire"}
    response = client.post(reverse("parties:edit", args=[party.pk]), data)
    assert response.status_code == 302
    row = AuditEntry.objects.filter(action=AuditAction.UPDATE, party_id=party.pk).get()
    assert row.request_id and row.request_id == response["X-Request-ID"]
    assert row.channel == "web"
    assert "job_title" in row.fields


def test_a_change_outside_any_request_has_no_request_id_but_is_audited(personas: Personas) -> None:
    party = f.person(owner=personas.alice)
    row = AuditEntry.objects.filter(action=AuditAction.CREATE, party_id=party.pk).get()
    assert (row.request_id, row.channel) == ("", "")


def test_an_api_change_is_audited_on_the_api_channel_with_its_request_id(personas: Personas) -> None:
    from fidelia.accounts.services import api_token_create

    party = f.person(owner=personas.alice)
    _token, raw = api_token_create(user=personas.alice, name="audit test")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    response = client.post(f"/api/parties/{party.pk}/emails", {"address": "api.secret@example.fr"},
                           content_type="application/json", headers={"X-Request-ID": "support-ticket-4242"})
    assert response.status_code == 201
    row = AuditEntry.objects.filter(object_type="parties.email").get()
    assert (row.action, row.channel, row.request_id) == (AuditAction.CREATE, "api", "support-ticket-4242")
    assert response["X-Request-ID"] == "support-ticket-4242"
    assert (row.actor_username, row.party_id, row.fields) == ("alice", party.pk, ["address"])
