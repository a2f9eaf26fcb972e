"""Pages and API of actions to take: rights (own, team, outsider 404), the buttons with stale
versions refused, the timeline entry of a done action, rules CRUD and preview, query-count pins."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fidelia.actions import services
from fidelia.actions.enums import ActionStatus
from fidelia.actions.models import Action, ActionRule
from fidelia.actions.tests import factories as f
from fidelia.core.testing import make_token
from fidelia.interactions.models import Interaction
from fidelia.parties.tests.factories import person

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {make_token(user)}"})


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def propose(party, n: int = 0, owner=None) -> Action:
    action, _ = services.action_propose(party=party, kind="call", title=f"Appeler {n}", source="manual",
                                        source_key=f"t:{party.pk}:{n}", due_on=timezone.localdate(), owner=owner,
                                        priority=float(n))
    return action


@pytest.fixture
def world(personas):
    alice_party = person(owner=personas.alice)
    bob_party = person(owner=personas.bob)
    return {"a": propose(alice_party, 1), "b": propose(bob_party, 2), "alice_party": alice_party}


def test_rep_sees_own_manager_team_outsider_nothing(personas, world):
    ids = lambda user: {r["id"] for r in api(user).get("/api/actions").json()["items"]}  # noqa: E731
    assert ids(personas.alice) == {world["a"].pk}
    assert ids(personas.manager) == {world["a"].pk, world["b"].pk}
    assert ids(personas.outsider) == set()
    assert api(personas.outsider).get(f"/api/actions/{world['a'].pk}").status_code == 404
    assert api(personas.bob).get(f"/api/actions/{world['a'].pk}").status_code == 404
    assert api(personas.analyst).get("/api/actions").status_code == 404
    assert web(personas.outsider).get(reverse("actions:party_panel", args=[world["alice_party"].pk])).status_code == 404
    assert web(personas.analyst).get(reverse("actions:index")).status_code == 404


def test_list_order_overdue_first_then_priority(personas):
    party = person(owner=personas.alice)
    low_overdue = propose(party, 1)
    Action.objects.filter(pk=low_overdue.pk).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    high, mid = propose(party, 5), propose(party, 3)
    items = api(personas.alice).get("/api/actions").json()["items"]
    assert [i["id"] for i in items] == [low_overdue.pk, high.pk, mid.pk]


def test_complete_logs_interaction_and_refuses_stale(personas, world):
    client, action = api(personas.alice), world["a"]
    url = f"/api/actions/{action.pk}/complete"
    assert client.post(url, {"outcome": "interested"}, content_type="application/json").status_code == 428
    stale = client.post(url, {"outcome": "interested"}, content_type="application/json", headers={"If-Match": '"9"'})
    assert stale.status_code == 412
    done = client.post(url, {"outcome": "interested", "note": "Rappeler en mai"}, content_type="application/json",
                       headers={"If-Match": f'"{action.version}"'})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done" and done["ETag"] == f'"{action.version + 1}"'
    logged = Interaction.objects.get(party=action.party)
    assert logged.outcome == "interested" and logged.report == "Rappeler en mai" and logged.direction == "outbound"
    again = client.post(url, {"outcome": "done"}, content_type="application/json", headers={"If-Match": done["ETag"]})
    assert again.status_code == 422 and Interaction.objects.filter(party=action.party).count() == 1


def test_snooze_and_dismiss_validate(personas, world):
    client, action = api(personas.alice), world["a"]
    head = {"If-Match": f'"{action.version}"'}
    past = client.post(f"/api/actions/{action.pk}/snooze", {"until": "2000-01-01"}, content_type="application/json",
                       headers=head)
    assert past.status_code == 422 and "until" in past.json()["error"]["fields"]
    blank = client.post(f"/api/actions/{action.pk}/dismiss", {"reason": "  "}, content_type="application/json",
                        headers=head)
    assert blank.status_code == 422
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    snoozed = client.post(f"/api/actions/{action.pk}/snooze", {"until": tomorrow}, content_type="application/json",
                          headers=head)
    assert snoozed.json()["status"] == "snoozed"
    services.actions_housekeep(as_of=timezone.localdate() + dt.timedelta(days=1))
    assert Action.objects.get(pk=action.pk).status == ActionStatus.OPEN


def test_web_buttons(personas, world):
    client, action = web(personas.alice), world["a"]
    page = client.get(reverse("actions:index"))
    assert page.status_code == 200 and action.title in page.content.decode()
    response = client.post(reverse("actions:dismiss", args=[action.pk]), {"version": action.version, "reason": "Déjà fait"})
    assert response.status_code == 302
    assert Action.objects.get(pk=action.pk).status == ActionStatus.DISMISSED
    stale = client.post(reverse("actions:done", args=[action.pk]), {"version": action.version, "outcome": "done"},
                        follow=True)
    assert Action.objects.get(pk=action.pk).status == ActionStatus.DISMISSED
    assert "changed by someone else" in stale.content.decode()


def test_party_panel_and_manual_action(personas, world):
    client, party = web(personas.alice), world["alice_party"]
    panel = client.get(reverse("actions:party_panel", args=[party.pk]))
    assert panel.status_code == 200 and world["a"].title in panel.content.decode()
    due = timezone.localdate().isoformat()
    created = client.post(reverse("actions:new", args=[party.pk]),
                          {"kind": "meeting", "title": "Bilan patrimonial", "due_on": due, "priority": 4})
    assert created.status_code == 302
    assert Action.objects.get(title="Bilan patrimonial").owner == personas.alice
    bad = client.post(reverse("actions:new", args=[party.pk]), {"kind": "meeting", "title": "", "due_on": "x"})
    assert bad.status_code == 422


def test_list_query_count_is_pinned(personas, django_assert_max_num_queries):
    party = person(owner=personas.alice)
    for n in range(15):
        propose(party, n)
    with django_assert_max_num_queries(6):
        assert api(personas.alice).get("/api/actions").json()["count"] == 15
    client = web(personas.alice)
    client.get(reverse("actions:index"))
    with django_assert_max_num_queries(12):
        client.get(reverse("actions:index"))


def test_rules_crud_preview_and_rights(personas):
    manager, rep = api(personas.manager), api(personas.alice)
    f.product("AV")
    body = {"name": "Seniors sans assurance vie", "title_template": "Proposer une assurance vie à {name}",
            "condition": {"all": [{"fact": "parties.age", "operator": "gte", "value": 60},
                                  {"fact": "sales.product_held", "operator": "not_held", "value": ["AV"]}]}}
    assert rep.post("/api/action-rules", body, content_type="application/json").status_code == 404
    bad = manager.post("/api/action-rules", {**body, "condition": {"all": [{"fact": "parties.age", "operator": "held",
                                                                            "value": 1}]}},
                       content_type="application/json")
    assert bad.status_code == 422 and "Clause 1" in bad.json()["error"]["fields"]["condition"][0]
    created = manager.post("/api/action-rules", body, content_type="application/json")
    assert created.status_code == 201, created.content
    rule_id = created.json()["id"]
    senior = person(owner=personas.alice, birth_date=dt.date(1950, 1, 1))
    preview = manager.post("/api/action-rules/preview", {"condition": body["condition"]}, content_type="application/json")
    assert preview.json()["count"] >= 1 and senior.pk in {p["id"] for p in preview.json()["sample"]}
    patch = manager.patch(f"/api/action-rules/{rule_id}", {"priority": 5}, content_type="application/json",
                          headers={"If-Match": created["ETag"]})
    assert patch.status_code == 200 and patch.json()["priority"] == 5
    stale = manager.patch(f"/api/action-rules/{rule_id}", {"priority": 2}, content_type="application/json",
                          headers={"If-Match": created["ETag"]})
    assert stale.status_code == 412
    ran = manager.post("/api/action-rules/refresh", {"rule_key": created.json()["key"]}, content_type="application/json")
    assert ran.status_code == 200 and ran.json()["created"] >= 1
    assert api(personas.outsider).post("/api/action-rules/refresh", {}, content_type="application/json").status_code == 404


def test_rule_editor_page_and_live_preview(personas):
    client = web(personas.manager)
    assert client.get(reverse("actions:rule_new")).status_code == 200
    assert web(personas.alice).get(reverse("actions:rule_new")).status_code == 404
    preview = client.post(reverse("actions:rule_preview"),
                          {"condition": '{"all": [{"fact": "parties.stage", "operator": "eq", "value": "customer"}]}'})
    assert preview.status_code == 200 and "match" in preview.content.decode()
    error = client.post(reverse("actions:rule_preview"), {"condition": '{"all": [{"fact": "x.y"}]}'})
    assert "Clause 1: unknown fact" in error.content.decode()
    before = ActionRule.objects.count()
    saved = client.post(reverse("actions:rule_new"), {
        "name": "Test", "kind": "call", "title_template": "Appeler {name}", "priority": 3, "due_days": 7,
        "action_valid_days": 30, "period": "year", "is_active": "on", "automatic": "on",
        "condition": '{"all": [{"fact": "parties.age", "operator": "gte", "value": "old"}]}'})
    assert saved.status_code == 422 and ActionRule.objects.count() == before
    builtin = ActionRule.objects.get(key="vehicule-ancien")
    assert client.get(reverse("actions:rule_edit", args=[builtin.pk])).status_code == 200


def test_stats_for_managers(personas, world):
    services.action_dismiss(action=world["b"], actor=personas.bob, version=world["b"].version, reason="Non")
    response = web(personas.manager).get(reverse("actions:stats"))
    assert response.status_code == 200 and "completion-bars" in response.content.decode()
    assert web(personas.alice).get(reverse("actions:stats")).status_code == 404


def test_privacy_export_erase_and_retention(personas, world):
    from fidelia.actions import privacy

    party = world["alice_party"]
    assert privacy.export(party.pk)["actions_to_take"][0]["title"] == world["a"].title
    services.action_dismiss(action=world["b"], actor=personas.bob, version=world["b"].version, reason="Non")
    Action.objects.filter(pk=world["b"].pk).update(closed_at=timezone.now() - dt.timedelta(days=800))

    class Policy:
        key = privacy.RETENTION_KEY

        @staticmethod
        def cutoff(now):
            return now - dt.timedelta(days=730)

    outcome = privacy.closed_actions_to_delete(Policy, now=timezone.now(), apply=True)
    assert outcome.matched == 1 and not Action.objects.filter(pk=world["b"].pk).exists()
    assert Action.objects.filter(pk=world["a"].pk).exists()  # open: kept
    assert privacy.erase(party.pk) == 1


def test_refresh_command(personas, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    party = person(owner=personas.alice)
    f.contract(party, renewal=timezone.localdate() + dt.timedelta(days=5))
    call_command("actions", "refresh", "--rule", "renouvellement-contrat", "--dry-run")
    assert not Action.objects.exists()
    call_command("actions", "refresh")
    created = Action.objects.count()
    call_command("actions", "refresh")
    assert created >= 1 and Action.objects.count() == created
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("actions", "refresh", "--date", "31/12/2026")
    with pytest.raises(CommandError, match="no rule"):
        call_command("actions", "refresh", "--rule", "nope")


def test_customer_file_loads_the_panel_lazily(personas, world):
    page = web(personas.alice).get(reverse("parties:detail", args=[world["alice_party"].pk]))
    assert page.status_code == 200
    assert reverse("actions:party_panel", args=[world["alice_party"].pk]) in page.content.decode()
