"""Leads in the privacy register: retention line with its hook, export and erasure; opportunities and
quotes follow the party; the `sales.open_opportunities` fact counts open deals."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fidelia.actions.facts import fact
from fidelia.parties.models import Party
from fidelia.parties.tests.factories import person
from fidelia.privacy.models import RetentionPolicy
from fidelia.privacy.registry import retention_hook
from fidelia.sales import privacy, services
from fidelia.sales.enums import LeadSource
from fidelia.sales.models import Lead, LostReason
from fidelia.sales.tests.factories import opportunity, stage

pytestmark = pytest.mark.django_db


def test_unconverted_leads_are_deleted_36_months_after_the_last_contact(personas):
    policy = RetentionPolicy.objects.get(key="sales_leads")
    assert policy.duration == 36 and retention_hook("sales_leads") is not None
    now = timezone.now()
    old = services.lead_create(actor=personas.alice, source=LeadSource.EVENT, last_name="Ancien",
                               last_contact_at=now - dt.timedelta(days=365 * 3 + 40))
    recent = services.lead_create(actor=personas.alice, source=LeadSource.EVENT, last_name="Récent",
                                  last_contact_at=now - dt.timedelta(days=300))
    converted = services.lead_create(actor=personas.alice, source=LeadSource.EVENT, last_name="Converti",
                                     email="converti@example.fr", last_contact_at=now - dt.timedelta(days=365 * 4))
    services.lead_convert(lead=converted, actor=personas.alice, version=converted.version, allow_duplicate=True)
    dry = privacy.leads_to_delete(policy, now=now, apply=False)
    assert (dry.matched, dry.acted) == (1, 0) and Lead.objects.count() == 3
    done = privacy.leads_to_delete(policy, now=now, apply=True)
    assert done.acted == 1 and not Lead.objects.filter(pk=old.pk).exists()
    assert Lead.objects.filter(pk__in=[recent.pk, converted.pk]).count() == 2


def test_export_and_erase_cover_leads_opportunities_and_quotes(personas):
    lead = services.lead_create(actor=personas.alice, source=LeadSource.REFERRAL, last_name="Export",
                                email="export@example.fr", message="Mon projet personnel")
    opp = services.lead_convert(lead=lead, actor=personas.alice, version=lead.version, allow_duplicate=True)
    services.opportunity_update(opportunity=opp, actor=personas.alice, version=opp.version, next_step="Appeler Mme Export")
    lead_party_before = opp.party_id
    exported = privacy.export(opp.party_id)
    assert exported["leads"][0]["message"] == "Mon projet personnel"
    assert exported["opportunities"][0]["next_step"] == "Appeler Mme Export"
    privacy.erase(opp.party_id)
    lead.refresh_from_db()
    opp.refresh_from_db()
    assert (lead.last_name, lead.email, lead.message, lead.party_id) == ("", "", "", None)
    assert opp.next_step == "" and opp.party_id == lead_party_before


def test_open_opportunities_fact(personas):
    party = person(owner=personas.alice)
    opportunity(party=party, actor=personas.alice)
    lost = opportunity(party=party, actor=personas.alice)
    services.opportunity_move_stage(opportunity=lost, stage=stage("lost"), actor=personas.alice, version=lost.version,
                                    lost_reason=LostReason.objects.first())
    open_deals = fact("sales.open_opportunities")
    assert open_deals is not None and open_deals.type == "number"
    counted = dict(Party.objects.annotate(n=open_deals.annotation()).values_list("pk", "n"))
    assert counted[party.pk] == 1
