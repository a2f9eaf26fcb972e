"""Targets other than parties: each writes through its app's service and is idempotent."""
import pytest
from django.utils.timezone import localtime

from fidelia.imports.enums import RunStatus
from fidelia.imports.models import ImportedRecord
from fidelia.imports.tests.helpers import full_import, upload
from fidelia.interactions.models import Interaction
from fidelia.parties.models import ConsentRecord, Email, HouseholdMember, Party, Phone
from fidelia.privacy.suppression import suppression_add
from fidelia.sales.models import Contract, Product, Transaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(personas):
    full_import(personas.manager, "Code client;Nom;Email\nC1;Dupont;c1@example.fr\nC2;Martin;c2@example.fr\n",
                config={"source": "crm"})
    return {p.last_name: p for p in Party.objects.all()}


def _again(actor, csv, **kw):
    first = full_import(actor, csv, **kw)
    second = full_import(actor, csv, **kw)
    assert second.counts.get("create", 0) == 0 and second.counts.get("update", 0) == 0
    return first


def test_consents_need_their_proof(personas, customers):
    run = full_import(personas.manager, "Code client;Canal;Finalité;Consentement\nC1;email;newsletter;oui\n",
                      target="consents", config={"source": "crm"})
    assert run.counts["error"] == 1 and ConsentRecord.objects.count() == 0
    assert any("proves it" in m for _r, _c, _v, m in run.errors)
    csv = ("Code client;Canal;Finalité;Consentement;Source;Date;Texte\n"
           "C1;email;newsletter;oui;formulaire;12/03/2024 10:30;J'accepte de recevoir la lettre d'information\n"
           "C2;SMS;prospection;non;agence;3 janvier 2024;Refus exprimé en agence\n")
    run = _again(personas.manager, csv, target="consents", config={"source": "crm"})
    assert run.counts["create"] == 2
    consent = ConsentRecord.objects.get(party=customers["Dupont"])
    assert consent.granted and consent.source == "web_form" and localtime(consent.recorded_at).hour == 10
    assert "lettre" in consent.wording


def test_a_consent_of_a_suppressed_person_is_skipped(personas, customers):
    suppression_add(kind="email", value="c1@example.fr")
    csv = "Code client;Canal;Finalité;Consentement;Source;Date;Texte\nC1;email;newsletter;oui;web;12/03/2024;Oui\n"
    run = full_import(personas.manager, csv, target="consents", config={"source": "crm"})
    assert run.counts["skipped"] == 1 and ConsentRecord.objects.count() == 0


def test_contact_points_and_household(personas, customers):
    run = _again(personas.manager, "Email client;Téléphone;Email\nc1@example.fr;06 12 34 56 78;autre@example.fr\n",
                 target="contact_points", config={"mapping": {"Email client": "party_email", "Téléphone": "phone", "Email": "email"}})
    assert run.counts["create"] == 1
    assert Phone.objects.filter(party=customers["Dupont"], number="+33612345678").exists()
    assert Email.objects.filter(party=customers["Dupont"]).count() == 2
    run = _again(personas.manager, "Code client;Lien;Prénom;Date de naissance\nC1;enfant;Léo;12/05/2015\n",
                 target="household_members", config={"source": "crm"})
    assert HouseholdMember.objects.get().role == "child"


def test_children_birth_dates_need_the_right(personas, customers):
    full_import(personas.admin, "Code client;Nom\nM1;Marketing\n", config={"source": "mk"})
    run = full_import(personas.marketing, "Code client;Lien;Prénom;Date de naissance\nM1;enfant;Léo;12/05/2015\n",
                      target="household_members", config={"source": "mk"})
    assert run.counts.get("create", 0) == 0 and HouseholdMember.objects.count() == 0


def test_catalogue_contracts_transactions_interactions(personas, customers):
    run = _again(personas.manager, "Code produit;Libellé;Famille;Prix;Taux de marge\nASSUR-1;Assurance auto;Assurance;1 200,00;0,25\n",
                 target="products")
    product = Product.objects.get(code="ASSUR-1")
    assert str(product.price) == "1200.00" and product.family.name == "Assurance"
    run = _again(personas.manager, "Code client;N° contrat;Code produit;Date de début;Montant annuel\n"
                                   "C1;CT-1;ASSUR-1;01/02/2024;480,00\n", target="contracts", config={"source": "crm"})
    assert Contract.objects.get().party == customers["Dupont"]
    customers["Dupont"].refresh_from_db()
    assert customers["Dupont"].stage == "customer"
    changed = full_import(personas.manager, "Code client;N° contrat;Code produit;Date de début;Montant annuel\n"
                                            "C1;CT-1;ASSUR-1;01/02/2024;500,00\n", target="contracts", config={"source": "crm"})
    assert changed.counts["update"] == 1 and str(Contract.objects.get().annual_amount) == "500.00"
    run = _again(personas.manager, "Code client;Code produit;Date;Montant;Quantité\nC2;ASSUR-1;15/03/2024;99,90;1\n"
                                   "C2;ASSUR-1;15/03/2024;99,90;1\nC2;ASSUR-1;16/03/2024;0;1\n",
                 target="transactions", config={"source": "crm"})
    assert Transaction.objects.count() == 2  # two identical lines stay two purchases; a zero amount is refused
    assert run.counts["error"] == 1
    run = _again(personas.manager, "Code client;Date;Canal;Sens;Objet\nC1;12/03/2024 14:00;téléphone;entrant;Question tarif\n",
                 target="interactions", config={"source": "crm"})
    assert Interaction.objects.get().subject == "Question tarif"


def test_dependent_rows_only_reach_the_importers_portfolio(personas, customers):
    full_import(personas.admin, "Code client;Nom\nP1;Parisien\n", config={"source": "paris"})
    Party.objects.filter(last_name="Parisien").update(owner=personas.outsider, team=personas.paris)
    ImportedRecord.objects.filter(external_id="P1").update(source="crm")
    run = full_import(personas.manager, "Code client;Date;Canal;Objet\nP1;12/03/2024;phone;Appel\n",
                      target="interactions", config={"source": "crm"})
    assert run.counts["error"] == 1 and Interaction.objects.count() == 0
    assert any("No customer you may change" in m for _r, _c, _v, m in run.errors)


def test_transactions_need_the_right_to_see_them(personas):
    from fidelia.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        upload(personas.marketing, "Code client;Date;Montant\nC1;01/01/2024;1\n", target="transactions")


def test_the_cdnow_template_maps_the_log(personas):
    from fidelia.imports.testing import ensure_cdnow_product

    ensure_cdnow_product()
    data = b" customer_id  date number_of_cds  dollar_value\n 00001 19970101  1   11.77\n 00002 19970112  5   77.00\n"
    run = full_import(personas.admin, data, filename="CDNOW_master.txt", target="transactions",
                      template="CDNOW transaction log")
    assert run.status == RunStatus.DONE and Transaction.objects.count() == 2
    assert Party.objects.filter(last_name="cdnow 00002", stage="customer").exists()
