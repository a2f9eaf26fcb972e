"""Pipeline services: stage moves and their history, stale refusal, lead conversion with the duplicate
check, quotes (totals, edits, e-mail with the PDF) and acceptance → order → contracts and transactions."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fidelia.core.errors import StaleVersion, ValidationFailed
from fidelia.interactions.models import Interaction
from fidelia.parties.models import ConsentRecord, Party
from fidelia.parties.services import PossibleDuplicate
from fidelia.parties.tests.factories import person
from fidelia.sales import selectors, services
from fidelia.sales.enums import LeadSource, LeadStatus, QuoteStatus
from fidelia.sales.models import Contract, LostReason, Opportunity, Order, Transaction
from fidelia.sales.tests.factories import opportunity, product, quote, stage

pytestmark = pytest.mark.django_db


def test_move_stage_writes_history_and_takes_the_stage_probability(personas):
    party = person(owner=personas.alice)
    opp = opportunity(party=party, actor=personas.alice)
    assert opp.probability == 10 and opp.owner == personas.alice and opp.team == personas.lyon
    version = opp.version
    moved = services.opportunity_move_stage(opportunity=opp, stage=stage("proposal"), actor=personas.alice,
                                            version=version)
    assert moved.probability == 50 and moved.version == version + 1 and moved.closed_on is None
    history = selectors.opportunity_history(opportunity=moved)
    assert [(h.from_stage and h.from_stage.code, h.to_stage.code) for h in history] == [
        (None, "qualification"), ("qualification", "proposal")]


def test_stale_move_is_refused_and_changes_nothing(personas):
    opp = opportunity(party=person(owner=personas.alice), actor=personas.alice)
    seen = opp.version  # what bob's board shows
    services.opportunity_move_stage(opportunity=opp, stage=stage("proposal"), actor=personas.alice, version=seen)
    with pytest.raises(StaleVersion):
        services.opportunity_move_stage(opportunity=opp, stage=stage("negotiation"), actor=personas.bob, version=seen)
    fresh = Opportunity.objects.get(pk=opp.pk)
    assert fresh.stage.code == "proposal" and fresh.stage_changes.count() == 2


def test_lost_needs_a_reason_and_reopening_clears_it(personas):
    opp = opportunity(party=person(owner=personas.alice), actor=personas.alice)
    with pytest.raises(ValidationFailed) as exc:
        services.opportunity_move_stage(opportunity=opp, stage=stage("lost"), actor=personas.alice, version=opp.version)
    assert "lost_reason" in exc.value.fields
    reason = LostReason.objects.first()
    lost = services.opportunity_move_stage(opportunity=opp, stage=stage("lost"), actor=personas.alice,
                                           version=opp.version, lost_reason=reason)
    assert lost.closed_on and lost.lost_reason == reason and lost.probability == 0
    back = services.opportunity_move_stage(opportunity=lost, stage=stage("proposal"), actor=personas.alice,
                                           version=lost.version)
    assert back.closed_on is None and back.lost_reason is None


@pytest.mark.parametrize("changes,field", [
    ({"amount": Decimal("-1")}, "amount"), ({"probability": 101}, "probability"), ({"name": "  "}, "name"),
    ({"next_step": "", "next_step_on": dt.date(2030, 1, 1)}, "next_step"),
])
def test_bad_opportunity_values_are_refused(personas, changes, field):
    opp = opportunity(party=person(owner=personas.alice), actor=personas.alice)
    with pytest.raises(ValidationFailed) as exc:
        services.opportunity_update(opportunity=opp, actor=personas.alice, version=opp.version, **changes)
    assert field in exc.value.fields
    assert Opportunity.objects.get(pk=opp.pk).version == opp.version


def test_outsider_cannot_read_opportunities_of_lyon(personas):
    opp = opportunity(party=person(owner=personas.alice), actor=personas.alice)
    assert not selectors.opportunities_for_user(personas.outsider).filter(pk=opp.pk).exists()
    assert selectors.opportunities_for_user(personas.manager).filter(pk=opp.pk).exists()
    assert not selectors.opportunities_for_user(personas.analyst).exists()


def test_lead_conversion_creates_party_opportunity_and_consent(personas):
    lead = services.lead_create(actor=personas.alice, source=LeadSource.EVENT, first_name="Jeanne",
                                last_name="Vasseur", email="jeanne.vasseur@example.fr", estimated_amount=Decimal("2500"),
                                consent_granted=True, consent_wording="J'accepte d'être recontactée.")
    opp = services.lead_convert(lead=lead, actor=personas.alice, version=lead.version, opportunity_name="Épargne retraite")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED and lead.party == opp.party
    assert opp.amount == Decimal("2500") and opp.is_new_business and opp.lead == lead
    assert opp.party.display_name == "Jeanne VASSEUR" and opp.party.owner == personas.alice
    assert ConsentRecord.objects.filter(party=opp.party, granted=True, purpose="prospecting").exists()


def test_lead_conversion_with_a_duplicate_offers_the_existing_party(personas):
    existing = person(owner=personas.alice, email="paul.roux@example.fr")
    lead = services.lead_create(actor=personas.alice, source=LeadSource.INBOUND_CALL, last_name="Roux",
                                email="paul.roux@example.fr")
    parties = Party.objects.count()
    with pytest.raises(PossibleDuplicate) as exc:
        services.lead_convert(lead=lead, actor=personas.alice, version=lead.version)
    assert [c.party_id for c in exc.value.candidates] == [existing.pk]
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW and Party.objects.count() == parties  # nothing half-done
    opp = services.lead_convert(lead=lead, actor=personas.alice, version=lead.version, attach_to=existing)
    assert opp.party == existing and Party.objects.count() == parties
    assert not opp.is_new_business  # the party was already a customer


def test_quote_totals_and_draft_only_edits(personas):
    p = product(actor=personas.admin, price="100")
    q = quote(party=person(owner=personas.alice), actor=personas.alice,
              items=[(p, 2, "10", "20"), (p, 1, "0", "5.5")])
    assert (q.total_excl_tax, q.total_tax, q.total_incl_tax) == (Decimal("280.00"), Decimal("41.50"), Decimal("321.50"))
    q = services.quote_update(quote=q, actor=personas.alice, version=q.version,
                              lines=[services.QuoteLineInput(product=p, quantity=1)])
    assert q.total_incl_tax == Decimal("120.00") and q.lines.count() == 1
    with pytest.raises(StaleVersion):
        services.quote_update(quote=q, actor=personas.alice, version=q.version - 1, notes="x")
    with pytest.raises(ValidationFailed) as exc:
        services.quote_update(quote=q, actor=personas.alice, version=q.version,
                              lines=[services.QuoteLineInput(product=p, quantity=1, discount_rate=Decimal("120"))])
    assert "lines.0.discount_rate" in exc.value.fields


def test_quote_sent_by_email_with_pdf_and_logged(personas, mail_server, django_capture_on_commit_callbacks):
    p = product(actor=personas.admin)
    party = person(owner=personas.alice, email="client@example.fr")
    q = quote(party=party, actor=personas.alice, items=[(p, 1, "0", "20")])
    with django_capture_on_commit_callbacks(execute=True):
        q = services.quote_send(quote=q, actor=personas.alice, version=q.version)
    assert q.status == QuoteStatus.SENT
    assert len(mail_server.messages) == 1
    message = mail_server.messages[0].message
    assert mail_server.messages[0].rcpt_tos == ["client@example.fr"]
    attachments = [part for part in message.walk() if part.get_filename()]
    assert attachments[0].get_filename() == f"{q.number}.pdf"
    assert attachments[0].get_payload(decode=True).startswith(b"%PDF")
    assert Interaction.objects.filter(party=party, subject__contains=q.number).exists()


def test_accepting_a_quote_creates_order_contracts_transactions_and_wins_the_deal(personas):
    livret, card = product(actor=personas.admin, code="LIV"), product(actor=personas.admin, code="CB", kind="tactical")
    party = person(owner=personas.alice, stage="prospect")
    opp = opportunity(party=party, actor=personas.alice, stage_code="proposal")
    q = quote(party=party, actor=personas.alice, opportunity=opp, items=[(livret, 1, "0", "20"), (card, 2, "50", "20")])
    equipment_before = selectors.party_equipment_rate(user=personas.alice, party=party)
    order = services.quote_accept(quote=q, actor=personas.alice, version=q.version)
    assert isinstance(order, Order) and order.total_incl_tax == q.total_incl_tax
    assert set(Contract.objects.filter(party=party).values_list("product__code", flat=True)) == {"LIV", "CB"}
    assert Transaction.objects.filter(party=party).count() == 2 and order.contracts.count() == 2
    opp.refresh_from_db()
    party.refresh_from_db()
    assert opp.stage.code == "won" and opp.closed_on and party.stage == "customer"
    assert selectors.party_equipment_rate(user=personas.alice, party=party).held > equipment_before.held
    q.refresh_from_db()
    with pytest.raises(ValidationFailed):
        services.quote_accept(quote=q, actor=personas.alice, version=q.version)


def test_expired_quote_cannot_be_accepted(personas):
    p = product(actor=personas.admin)
    q = quote(party=person(owner=personas.alice), actor=personas.alice, items=[(p, 1, "0", "20")],
              issued_on=dt.date.today() - dt.timedelta(days=40), valid_until=dt.date.today() - dt.timedelta(days=10))
    assert services.quotes_expire() == 1
    q.refresh_from_db()
    with pytest.raises(ValidationFailed):
        services.quote_accept(quote=q, actor=personas.alice, version=q.version)
    assert not Order.objects.exists()
