"""Pipeline settings: stages and lost reasons are edited by managers and administrators only, and the
rules that keep the board meaningful hold (outcome probabilities, stages holding deals, one stage in
use per outcome). Refusals write nothing and never answer 500."""
from __future__ import annotations

import pytest
from django.urls import reverse

from fidelia.core.errors import PermissionDenied, ValidationFailed
from fidelia.core.models import ActivityEvent
from fidelia.parties.tests.factories import person
from fidelia.sales import services
from fidelia.sales.models import LostReason, PipelineStage
from fidelia.sales.tests.factories import opportunity, stage

pytestmark = pytest.mark.django_db


def stage_post(prefix: str, **values) -> dict[str, str]:
    data = {"name": "Démonstration", "probability": "40", "outcome": "open", "position": "25", "is_active": "on"}
    data.update(values)
    return {f"{prefix}-{k}": v for k, v in data.items() if v is not None}


def test_only_configurers_reach_the_page(client, personas) -> None:
    for user, status in ((personas.alice, 404), (personas.analyst, 404), (personas.manager, 200), (personas.admin, 200)):
        client.force_login(user)
        assert client.get(reverse("sales:pipeline_settings")).status_code == status, user.username
        assert ('data-testid="pipeline-settings"' in client.get(reverse("sales:pipeline_board")).content.decode()) \
            == (status == 200) or user == personas.analyst
    client.force_login(personas.alice)
    assert client.post(reverse("sales:pipeline_stage_new"), stage_post("stage-new")).status_code == 404
    assert not PipelineStage.objects.filter(name="Démonstration").exists()
    with pytest.raises(PermissionDenied):
        services.lost_reason_save(actor=personas.alice, label="Trop cher")


def test_a_manager_adds_renames_and_retires_a_stage(client, personas) -> None:
    client.force_login(personas.manager)
    response = client.post(reverse("sales:pipeline_stage_new"), stage_post("stage-new"))
    assert response.status_code == 302
    added = PipelineStage.objects.get(name="Démonstration")
    assert (added.probability, added.outcome, added.position, added.is_active) == (40, "open", 25, True)
    assert added.code == "demonstration"
    assert ActivityEvent.objects.filter(action="sales.stage_created", object_id=str(added.pk)).exists()
    assert 'data-testid="stage-demonstration"' in client.get(reverse("sales:pipeline_board")).content.decode()
    client.post(reverse("sales:pipeline_stage_save", args=[added.pk]),
                stage_post(f"stage-{added.pk}", name="Démo produit", is_active=None))
    added.refresh_from_db()
    assert added.name == "Démo produit" and not added.is_active
    assert 'data-testid="stage-demonstration"' not in client.get(reverse("sales:pipeline_board")).content.decode()


def test_rules_that_keep_the_board_meaningful(personas) -> None:
    actor = personas.manager
    won = stage("won")
    cases = [
        ({"name": "Signée", "probability": 90, "outcome": "won", "position": 70}, "probability"),
        ({"name": "Abandon", "probability": 10, "outcome": "lost", "position": 80}, "probability"),
        ({"name": stage("qualification").name.upper(), "probability": 10, "outcome": "open", "position": 5}, "name"),
        ({"name": "", "probability": 10, "outcome": "open", "position": 5}, "name"),
        ({"name": "X", "probability": 101, "outcome": "open", "position": 5}, "probability"),
        ({"name": "X", "probability": 10, "outcome": "maybe", "position": 5}, "outcome"),
        ({"name": "X", "probability": 10, "outcome": "open", "position": -1}, "position"),
    ]
    for values, field in cases:
        with pytest.raises(ValidationFailed) as err:
            services.stage_save(actor=actor, **values)
        assert field in err.value.fields, values
    # the only won stage in use cannot be retired nor become an open one
    with pytest.raises(ValidationFailed) as err:
        services.stage_save(actor=actor, stage=won, name=won.name, probability=100, outcome="won",
                            position=won.position, is_active=False)
    assert "is_active" in err.value.fields
    # a stage holding a deal keeps its outcome and stays in use
    first = stage("qualification")
    opportunity(party=person(owner=personas.alice), actor=personas.alice)
    with pytest.raises(ValidationFailed) as err:
        services.stage_save(actor=actor, stage=first, name=first.name, probability=0, outcome="lost",
                            position=first.position)
    assert "outcome" in err.value.fields
    with pytest.raises(ValidationFailed) as err:
        services.stage_save(actor=actor, stage=first, name=first.name, probability=first.probability,
                            outcome="open", position=first.position, is_active=False)
    assert "is_active" in err.value.fields
    first.refresh_from_db()
    assert first.is_active and first.outcome == "open"


def test_bad_input_on_the_page_is_shown_in_its_row(client, personas) -> None:
    client.force_login(personas.admin)
    before = PipelineStage.objects.count()
    for data in (stage_post("stage-new", probability="abc"), stage_post("stage-new", outcome="won", probability="50"),
                 stage_post("stage-new", name="x" * 200), {"stage-new-name": "Sans rien"}):
        response = client.post(reverse("sales:pipeline_stage_new"), data)
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()
    assert PipelineStage.objects.count() == before
    assert client.post(reverse("sales:pipeline_stage_save", args=[999999]), stage_post("stage-999999")).status_code == 404


def test_lost_reasons_are_added_renamed_and_retired(client, personas) -> None:
    client.force_login(personas.manager)
    assert client.post(reverse("sales:pipeline_reason_new"),
                       {"reason-new-label": "Délai de livraison", "reason-new-is_active": "on"}).status_code == 302
    reason = LostReason.objects.get(label="Délai de livraison")
    response = client.post(reverse("sales:pipeline_reason_new"), {"reason-new-label": "délai de livraison"})
    assert response.status_code == 400 and LostReason.objects.filter(label__iexact="délai de livraison").count() == 1
    client.post(reverse("sales:pipeline_reason_save", args=[reason.pk]), {f"reason-{reason.pk}-label": "Délai"})
    reason.refresh_from_db()
    assert reason.label == "Délai" and not reason.is_active
    assert ActivityEvent.objects.filter(action="sales.lost_reason_changed", object_id=str(reason.pk)).exists()
