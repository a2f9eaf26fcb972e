"""Setting up programmes: earning rules per product family, bonus events, several programmes. Each bad
input is refused with its field and writes nothing; only marketing and administrators may change the
settings; every settings form acts on the programme shown; the customer panel shows every membership."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from fidelia.core.errors import ValidationFailed
from fidelia.core.models import ActivityEvent
from fidelia.core.testing import verified_login
from fidelia.loyalty import services
from fidelia.loyalty.models import (
    BonusEvent,
    FamilyRule,
    LedgerEntry,
    Membership,
    Programme,
    Redemption,
    Tier,
)
from fidelia.loyalty.tests import factories as f
from fidelia.parties.tests import factories

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def prog(personas):
    return f.programme(actor=personas.admin)


@pytest.fixture
def family(personas):
    return f.product(actor=personas.admin, code="MRH", family="IARD").family


def _field_error(call, field):
    before = (FamilyRule.objects.count(), BonusEvent.objects.count(), Programme.objects.count(),
              ActivityEvent.objects.count())
    with pytest.raises(ValidationFailed) as caught:
        call()
    assert field in caught.value.fields, caught.value.fields
    assert (FamilyRule.objects.count(), BonusEvent.objects.count(), Programme.objects.count(),
            ActivityEvent.objects.count()) == before


# --- services ----------------------------------------------------------------------------------

def test_family_rule_validation(personas, prog, family):
    def make(**kw):
        return lambda: services.family_rule_create(**{"programme": prog, "family": family, "points_per_euro": Decimal("2"),
                                                      "actor": personas.marketing, **kw})
    _field_error(make(family=999999), "family")
    _field_error(make(family="x"), "family")
    _field_error(make(points_per_euro=Decimal("-1")), "points_per_euro")
    _field_error(make(points_per_euro=Decimal("100.01")), "points_per_euro")
    _field_error(make(points_per_euro=Decimal("1.005")), "points_per_euro")
    _field_error(make(points_per_euro="NaN"), "points_per_euro")
    rule = make()()
    assert rule.points_per_euro == Decimal("2")
    assert ActivityEvent.objects.filter(action="loyalty.family_rule_created", object_id=rule.pk).exists()
    _field_error(make(points_per_euro=Decimal("3")), "family")  # one rule per family per programme
    other = services.programme_create(actor=personas.marketing, name="Partenaires")
    assert services.family_rule_create(programme=other, family=family, points_per_euro=Decimal(0),
                                       actor=personas.marketing).points_per_euro == 0
    _field_error(lambda: services.family_rule_update(rule=rule, points_per_euro=Decimal("101"),
                                                     actor=personas.marketing), "points_per_euro")
    services.family_rule_update(rule=rule, points_per_euro=Decimal("3.5"), actor=personas.marketing)
    assert FamilyRule.objects.get(pk=rule.pk).points_per_euro == Decimal("3.5")
    services.family_rule_delete(rule=rule, actor=personas.marketing)
    assert not FamilyRule.objects.filter(pk=rule.pk).exists()
    assert ActivityEvent.objects.filter(action="loyalty.family_rule_deleted").count() == 1


def test_bonus_event_validation(personas, prog):
    good = {"programme": prog, "name": "Double points", "starts_on": TODAY, "ends_on": TODAY + dt.timedelta(days=14),
            "multiplier": Decimal("2"), "actor": personas.marketing}
    for field, bad in [("name", "  "), ("name", "x" * 121), ("starts_on", None), ("ends_on", "demain"),
                       ("ends_on", TODAY - dt.timedelta(days=1)), ("multiplier", Decimal("1")),
                       ("multiplier", Decimal("0.5")), ("multiplier", Decimal("10.01")), ("multiplier", "abc"),
                       ("multiplier", Decimal("1.555"))]:
        _field_error(lambda field=field, bad=bad: services.bonus_event_create(**{**good, field: bad}), field)
    event = services.bonus_event_create(**good)
    one_day = services.bonus_event_create(**{**good, "name": "Triple", "starts_on": TODAY, "ends_on": TODAY,
                                             "multiplier": Decimal("3")})  # overlapping: allowed
    assert event.pk and one_day.pk
    _field_error(lambda: services.bonus_event_update(event=event, actor=None, ends_on=TODAY - dt.timedelta(days=3)),
                 "ends_on")
    services.bonus_event_update(event=event, actor=None, multiplier=Decimal("2.5"))
    assert BonusEvent.objects.get(pk=event.pk).multiplier == Decimal("2.5")
    services.bonus_event_delete(event=one_day, actor=None)
    assert list(BonusEvent.objects.values_list("name", flat=True)) == ["Double points"]


def test_the_best_of_overlapping_bonus_events_applies_to_future_earning_only(personas, prog, family):
    party = factories.person(owner=personas.alice)
    member = f.member(prog, party)
    product = f.product(actor=personas.admin, code="MRH2", family="IARD")
    f.purchase(party, product, "10", TODAY - dt.timedelta(days=2))
    services.points_earn_for_transactions(since=TODAY - dt.timedelta(days=7))
    assert services.balance_of(member.pk) == 10
    services.family_rule_create(programme=prog, family=family, points_per_euro=Decimal("2"), actor=None)
    services.bonus_event_create(programme=prog, name="×2", starts_on=TODAY - dt.timedelta(days=5), ends_on=TODAY,
                                multiplier=Decimal("2"), actor=None)
    services.bonus_event_create(programme=prog, name="×3", starts_on=TODAY, ends_on=TODAY, multiplier=Decimal("3"),
                                actor=None)
    f.purchase(party, product, "10", TODAY)
    services.points_earn_for_transactions(since=TODAY - dt.timedelta(days=7))
    assert sorted(LedgerEntry.objects.filter(membership=member).values_list("points", flat=True)) == [10, 60]


def test_programme_create_validation(personas, prog):
    good = {"actor": personas.marketing, "name": "Club Partenaires", "points_per_euro": Decimal("0.5"),
            "validity_months": 12, "referrer_points": 100, "referred_points": 50}
    for field, bad in [("name", ""), ("name", "fidelia club"), ("points_per_euro", Decimal("-0.5")),
                       ("points_per_euro", Decimal("1000")), ("validity_months", 0), ("validity_months", 121),
                       ("referrer_points", -1), ("referred_points", 10**7), ("referred_points", "12")]:
        _field_error(lambda field=field, bad=bad: services.programme_create(**{**good, field: bad}), field)
    created = services.programme_create(**good)
    assert created.validity_months == 12 and created.is_active
    assert ActivityEvent.objects.filter(action="loyalty.programme_created", object_id=created.pk).exists()
    with pytest.raises(ValidationFailed) as caught:
        services.programme_update(programme=created, actor=personas.marketing, version=created.version,
                                  name="Fidelia Club")
    assert "name" in caught.value.fields


# --- pages -------------------------------------------------------------------------------------

def test_reps_and_managers_cannot_change_settings(client, personas, prog, family):
    rule = services.family_rule_create(programme=prog, family=family, points_per_euro=Decimal("2"), actor=None)
    event = services.bonus_event_create(programme=prog, name="×2", starts_on=TODAY, ends_on=TODAY,
                                        multiplier=Decimal("2"), actor=None)
    posts = [("loyalty:family_rule_add", [], {"family": family.pk, "points_per_euro": "5", "programme": prog.pk}),
             ("loyalty:family_rule_edit", [rule.pk], {"points_per_euro": "9"}),
             ("loyalty:family_rule_remove", [rule.pk], {}),
             ("loyalty:bonus_add", [], {"name": "X", "starts_on": "2026-01-01", "ends_on": "2026-01-02", "multiplier": "2"}),
             ("loyalty:bonus_edit", [event.pk], {f"bonus-{event.pk}-name": "Y"}),
             ("loyalty:bonus_remove", [event.pk], {}),
             ("loyalty:programme_add", [], {"new-name": "Pirate", "new-points_per_euro": "1", "new-validity_months": "1",
                                            "new-referrer_points": "1", "new-referred_points": "1"})]
    for user in (personas.alice, personas.manager):
        client.force_login(user)
        for name, args, data in posts:
            assert client.post(reverse(name, args=args), data).status_code == 404, (user, name)
    assert FamilyRule.objects.get().points_per_euro == Decimal("2") and BonusEvent.objects.get().name == "×2"
    assert Programme.objects.count() == 1
    client.force_login(personas.manager)
    page = client.get(reverse("loyalty:index")).content.decode()
    assert "IARD" in page and "×2" in page and "Add a rule" not in page  # managers read the rules


def test_manager_sets_up_family_rules_and_bonus_events(client, personas, prog, family):
    verified_login(client, personas.marketing)
    url = reverse("loyalty:index")
    done = client.post(reverse("loyalty:family_rule_add"), {"family": family.pk, "points_per_euro": "2.5",
                                                              "programme": prog.pk})
    assert done.status_code == 302 and done["Location"] == f"{url}?programme={prog.pk}"
    rule = FamilyRule.objects.get(programme=prog)
    refused = client.post(reverse("loyalty:family_rule_add"), {"family": family.pk, "points_per_euro": "3",
                                                                 "programme": prog.pk}, follow=True)
    assert "already has a rule" in refused.content.decode() and FamilyRule.objects.count() == 1
    too_much = client.post(reverse("loyalty:family_rule_edit", args=[rule.pk]), {"points_per_euro": "250"}, follow=True)
    assert "from 0 to 100" in too_much.content.decode()
    client.post(reverse("loyalty:family_rule_edit", args=[rule.pk]), {"points_per_euro": "4"})
    assert FamilyRule.objects.get().points_per_euro == Decimal("4")
    bad = client.post(reverse("loyalty:bonus_add"), {"name": "Soldes", "starts_on": "2026-03-10", "ends_on": "2026-03-01",
                                                     "multiplier": "2", "programme": prog.pk}, follow=True)
    assert "cannot end before it starts" in bad.content.decode() and not BonusEvent.objects.exists()
    garbage = client.post(reverse("loyalty:bonus_add"), {"name": "Soldes", "starts_on": "hier", "ends_on": "",
                                                         "multiplier": "beaucoup", "programme": prog.pk}, follow=True)
    assert garbage.status_code == 200 and "Some fields are not valid" in garbage.content.decode()
    client.post(reverse("loyalty:bonus_add"), {"name": "Soldes", "starts_on": "2026-03-01", "ends_on": "2026-03-10",
                                               "multiplier": "2", "programme": prog.pk})
    event = BonusEvent.objects.get()
    client.post(reverse("loyalty:bonus_edit", args=[event.pk]), {
        f"bonus-{event.pk}-name": "Soldes d'hiver", f"bonus-{event.pk}-starts_on": "2026-03-01",
        f"bonus-{event.pk}-ends_on": "2026-03-15", f"bonus-{event.pk}-multiplier": "3"})
    event.refresh_from_db()
    assert (event.name, event.ends_on, event.multiplier) == ("Soldes d'hiver", dt.date(2026, 3, 15), Decimal("3"))
    page = client.get(url, {"programme": prog.pk}).content.decode()
    assert "Soldes d&#x27;hiver" in page and "IARD" in page and "points already in the ledger never change" in page
    client.post(reverse("loyalty:bonus_remove", args=[event.pk]))
    client.post(reverse("loyalty:family_rule_remove", args=[rule.pk]))
    assert not BonusEvent.objects.exists() and not FamilyRule.objects.exists()
    assert client.post(reverse("loyalty:family_rule_remove", args=[rule.pk])).status_code == 404


def test_programme_switcher_and_forms_act_on_the_selected_programme(client, personas, prog, family,
                                                                    django_assert_max_num_queries):
    verified_login(client, personas.marketing)
    created = client.post(reverse("loyalty:programme_add"), {
        "new-name": "Club Partenaires", "new-points_per_euro": "0.5", "new-validity_months": "12",
        "new-referrer_points": "100", "new-referred_points": "50"})
    other = Programme.objects.get(name="Club Partenaires")
    assert created["Location"].endswith(f"?programme={other.pk}")
    bad = client.post(reverse("loyalty:programme_add"), {"new-name": "Fidelia Club", "new-points_per_euro": "1",
                                                         "new-validity_months": "12", "new-referrer_points": "1",
                                                         "new-referred_points": "1"}, follow=True)
    assert "already has this name" in bad.content.decode() and Programme.objects.count() == 2
    client.post(reverse("loyalty:tier_add"), {"name": "Bronze", "threshold": "0", "benefits": "", "programme": other.pk})
    client.post(reverse("loyalty:family_rule_add"), {"family": family.pk, "points_per_euro": "1", "programme": other.pk})
    client.post(reverse("loyalty:programme_edit"), {
        "programme": other.pk, "version": other.version, "name": "Club Partenaires", "is_active": "on",
        "points_per_euro": "0.75", "validity_months": "12", "referrer_points": "100", "referred_points": "50"})
    assert Tier.objects.get(name="Bronze").programme == other
    assert FamilyRule.objects.get().programme == other
    other.refresh_from_db()
    prog.refresh_from_db()
    assert other.points_per_euro == Decimal("0.75") and prog.points_per_euro == Decimal("1")
    default = client.get(reverse("loyalty:index")).content.decode()
    assert "Platine" in default and "Bronze" not in default and "Club Partenaires" in default  # tab
    for day in range(5):
        services.bonus_event_create(programme=other, name=f"Bonus {day}", starts_on=TODAY, ends_on=TODAY,
                                    multiplier=Decimal("2"), actor=None)
    with django_assert_max_num_queries(20):  # as many events and rules as wanted: no query per row
        chosen = client.get(reverse("loyalty:index"), {"programme": other.pk}).content.decode()
    assert "Bronze" in chosen and "Platine" not in chosen and 'aria-current="page">Club Partenaires' in chosen
    assert client.get(reverse("loyalty:index"), {"programme": 999999}).status_code == 404
    assert client.get(reverse("loyalty:index"), {"programme": "abc"}).status_code == 200


def test_panel_lists_every_membership_enrols_and_redeems_in_the_chosen_one(client, personas, prog,
                                                                          django_assert_max_num_queries):
    party = factories.person(owner=personas.alice)
    first = f.member(prog, party)
    services.points_adjust(membership=first, points=1200, reason="Reprise", actor=None)
    other = services.programme_create(actor=None, name="Club Partenaires")
    services.reward_create(programme=other, name="Café offert", cost=100, actor=None)
    client.force_login(personas.alice)
    panel = client.get(reverse("loyalty:party_panel", args=[party.pk])).content.decode()
    assert panel.count('data-testid="loyalty-membership"') == 1 and "Enrol in Club Partenaires" in panel
    enrolled = client.post(reverse("loyalty:enrol", args=[party.pk]), {"programme": other.pk})
    assert enrolled.status_code == 200
    second = Membership.objects.get(party=party, programme=other)
    services.points_adjust(membership=second, points=150, reason="Bienvenue", actor=None)
    second.refresh_from_db()
    with django_assert_max_num_queries(25):
        body = client.get(reverse("loyalty:party_panel", args=[party.pk])).content.decode()
    assert body.count('data-testid="loyalty-membership"') == 2 and "Enrol" not in body
    assert body.index("Fidelia Club") < body.index("Club Partenaires") and "1,200" in body and "150" in body
    coffee = other.rewards.get()
    wrong = client.post(reverse("loyalty:redeem", args=[party.pk]), {"reward": coffee.pk, "version": first.version,
                                                                     "programme": prog.pk})
    assert wrong.status_code == 422 and not Redemption.objects.exists()
    done = client.post(reverse("loyalty:redeem", args=[party.pk]), {"reward": coffee.pk, "version": second.version,
                                                                    "programme": other.pk})
    assert done.status_code == 200 and Redemption.objects.get().membership == second
    assert services.balance_of(second.pk) == 50 and services.balance_of(first.pk) == 1200
    assert client.post(reverse("loyalty:redeem", args=[party.pk]), {"reward": coffee.pk, "version": 1,
                                                                    "programme": "9" * 30}).status_code == 404
    client.force_login(personas.outsider)
    assert client.post(reverse("loyalty:enrol", args=[party.pk]), {"programme": other.pk}).status_code == 404


def test_api_with_several_programmes(client, personas, prog):
    from fidelia.core.testing import make_token

    auth = {"HTTP_AUTHORIZATION": f"Bearer {make_token(personas.alice)}"}
    party = factories.person(owner=personas.alice)
    first = f.member(prog, party)
    services.points_adjust(membership=first, points=1200, reason="Reprise", actor=None)
    other = services.programme_create(actor=None, name="Club Partenaires")
    coffee = services.reward_create(programme=other, name="Café offert", cost=100, actor=None)
    listed = client.get("/api/loyalty/programmes", **auth).json()
    assert [p["name"] for p in listed] == ["Fidelia Club", "Club Partenaires"]
    enrolled = client.post("/api/loyalty/members", {"party_id": party.pk, "programme_id": other.pk},
                           content_type="application/json", **auth)
    assert enrolled.status_code == 201 and enrolled.json()["programme_id"] == other.pk
    unknown = client.post("/api/loyalty/members", {"party_id": party.pk, "programme_id": 999999},
                          content_type="application/json", **auth)
    assert unknown.status_code == 422 and "programme_id" in unknown.json()["error"]["fields"]
    assert client.get(f"/api/loyalty/members?party_id={party.pk}", **auth).json()["count"] == 2
    assert client.get(f"/api/loyalty/members?programme_id={other.pk}", **auth).json()["count"] == 1
    assert client.get(f"/api/loyalty/members/{party.pk}", **auth).json()["balance"] == 1200  # the default programme
    mine = client.get(f"/api/loyalty/members/{party.pk}?programme_id={other.pk}", **auth).json()
    assert mine["balance"] == 0 and mine["programme"] == "Club Partenaires"
    rewards = client.get(f"/api/loyalty/rewards?programme_id={other.pk}", **auth).json()
    assert [r["name"] for r in rewards] == ["Café offert"]
    short = client.post(f"/api/loyalty/members/{party.pk}/redemptions", {"reward_id": coffee.pk, "version": mine["version"]},
                        content_type="application/json", **auth)
    assert short.status_code == 422  # the partner programme's balance, not the 1,200 of the first
    assert client.get(f"/api/loyalty/members/{party.pk}?programme_id={other.pk}",
                      **{"HTTP_AUTHORIZATION": f"Bearer {make_token(personas.outsider)}"}).status_code == 404


def test_the_first_programme_is_created_from_the_empty_page(client, personas):
    verified_login(client, personas.marketing)
    empty = client.get(reverse("loyalty:index")).content.decode()
    assert 'data-testid="loyalty-first-programme"' in empty and "No programme yet." in empty
    client.post(reverse("loyalty:programme_add"), {"new-name": "Fidelia Privilèges", "new-points_per_euro": "1",
                                                   "new-validity_months": "24", "new-referrer_points": "500",
                                                   "new-referred_points": "250"})
    created = Programme.objects.get()
    page = client.get(reverse("loyalty:index")).content.decode()
    assert created.name in page and 'data-testid="loyalty-first-programme"' not in page
    assert 'data-testid="loyalty-family-rules"' in page and 'data-testid="loyalty-bonus-events"' in page


def test_command_shows_the_membership_of_a_chosen_programme(personas, prog):
    import json
    from io import StringIO

    from django.core.management import CommandError, call_command

    party = factories.person(owner=personas.alice)
    services.points_adjust(membership=f.member(prog, party), points=300, reason="Reprise", actor=None)
    other = services.programme_create(actor=None, name="Club Partenaires")
    services.membership_enrol(programme=other, party=party, actor=None)
    out = StringIO()
    call_command("loyalty", "show", "--party", str(party.pk), stdout=out)
    shown = json.loads(out.getvalue())
    assert (shown["programme"], shown["balance"], shown["other_programmes"]) == ("Fidelia Club", 300, ["Club Partenaires"])
    out = StringIO()
    call_command("loyalty", "show", "--party", str(party.pk), "--programme", str(other.pk), stdout=out)
    assert json.loads(out.getvalue())["balance"] == 0
    with pytest.raises(CommandError, match="not a loyalty member of programme"):
        call_command("loyalty", "show", "--party", str(party.pk), "--programme", "999999")
