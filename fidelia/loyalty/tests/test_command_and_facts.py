"""The `loyalty` command, the daily task and the facts segments use (club, tier, balance)."""
from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from fidelia.actions.facts import fact
from fidelia.loyalty import services
from fidelia.loyalty.models import Club
from fidelia.loyalty.tasks import loyalty_daily_task
from fidelia.loyalty.tests import factories as f
from fidelia.parties.models import Party
from fidelia.parties.tests import factories

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def test_command_earns_once_and_shows(personas):
    prog = f.programme(actor=personas.admin)
    party = factories.person(owner=personas.alice)
    f.member(prog, party)
    f.purchase(party, f.product(actor=personas.admin, code="LIV", family="Épargne"), "1200", TODAY - dt.timedelta(days=2))
    out = io.StringIO()
    call_command("loyalty", "earn", stdout=out, stderr=io.StringIO())
    assert json.loads(out.getvalue())["earned"] == 1
    out = io.StringIO()
    call_command("loyalty", "earn", "--since", (TODAY - dt.timedelta(days=30)).isoformat(), stdout=out,
                 stderr=io.StringIO())
    assert json.loads(out.getvalue())["earned"] == 0
    out = io.StringIO()
    call_command("loyalty", "show", "--party", str(party.pk), stdout=out)
    shown = json.loads(out.getvalue())
    assert shown["balance"] == 1200 and shown["tier"] == "Or"
    assert loyalty_daily_task()["earned"] == 0


def test_facts_select_by_club_tier_and_balance(personas):
    prog = f.programme(actor=personas.admin)
    rich, poor = factories.person(owner=personas.alice), factories.person(owner=personas.alice)
    services.points_adjust(membership=f.member(prog, rich), points=6000, reason="Reprise", actor=None)
    f.member(prog, poor)
    services.tiers_recompute(today=TODAY)
    club = Club.objects.create(name="Club Vins")
    services.club_enrol(club=club, party=poor, actor=None)
    balance = Party.objects.annotate(b=fact("loyalty.points_balance").annotation())
    assert dict(balance.filter(pk__in=[rich.pk, poor.pk]).values_list("pk", "b")) == {rich.pk: 6000, poor.pk: 0}
    tiers = Party.objects.annotate(t=fact("loyalty.tier").annotation()).filter(t="Platine")
    assert list(tiers.values_list("pk", flat=True)) == [rich.pk]
    rows, field = fact("loyalty.club").related()
    assert field == "club_id" and ("Platine", "Platine") in fact("loyalty.tier").choices()
    assert (str(club.pk), "Club Vins") in fact("loyalty.club").choices()
