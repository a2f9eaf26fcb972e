"""Access/portability export and erasure, gathered through every app's privacy hooks."""
import datetime as dt
import json
import subprocess
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from fidelia.interactions.models import Interaction
from fidelia.interactions.services import interaction_log
from fidelia.parties import services
from fidelia.parties.models import Party
from fidelia.parties.services import AddressInput
from fidelia.parties.tests import factories
from fidelia.privacy.services import subject_erase, subject_export
from fidelia.sales.models import Transaction
from fidelia.sales.services import (
    contract_create,
    family_create,
    product_create,
    transaction_record,
)

CANARY = "Zqxcanary"


def canary_subject(personas) -> Party:
    """A customer whose every personal field, note, history value and timeline entry holds a canary."""
    alice = personas.alice
    party = services.party_create(
        actor=alice, kind="person", civility="mrs", first_name=f"{CANARY}first", last_name=f"{CANARY}last",
        birth_date=dt.date(1980, 1, 2), email=f"{CANARY.lower()}@exemple.fr", phone="06 19 28 37 46",
        address=AddressInput(line1=f"1 rue {CANARY}street", postcode="69001", city=f"{CANARY}ville"),
        job_title=f"{CANARY}job", notes=f"{CANARY}notes", tags=[f"{CANARY}tag"], allow_duplicate=True,
    )
    party = services.party_update(party=party, actor=alice, version=party.version, last_name=f"{CANARY}renamed",
                                  notes=f"{CANARY}notes2")
    services.email_add(party=party, actor=alice, address=f"{CANARY.lower()}2@travail.fr")
    services.phone_add(party=party, actor=alice, number="04 72 00 00 09")
    services.address_add(party=party, actor=alice, address=AddressInput(line1=f"{CANARY}road", postcode="69003", city="Lyon"))
    child = services.household_member_add(party=party, actor=alice, role="child", first_name=f"{CANARY}kid",
                                          birth_date=dt.date(2010, 5, 5))
    services.life_event_add(party=party, actor=alice, kind="higher_education", date=dt.date(2028, 9, 1),
                            details=f"{CANARY}event", member=child)
    services.consent_record(party=party, actor=alice, channel="email", purpose="prospecting", granted=True,
                            wording=f"{CANARY}wording")
    interaction_log(party=party, actor=alice, channel="visit", direction="inbound", subject=f"{CANARY}subject",
                    report=f"{CANARY}report")
    family = family_create(actor=personas.admin, name="Crédits")
    product = product_create(actor=personas.admin, code="PAUTO", name="Prêt auto", family=family, kind="strategic",
                             price=Decimal("15000"), margin_rate=Decimal("0.05"))
    contract_create(party=party, actor=alice, product=product, start_date=dt.date(2024, 1, 1))
    transaction_record(party=party, actor=alice, product=product, date=dt.date(2024, 1, 1), amount=Decimal("15000"),
                       channel="branch")
    return party


def dump_database() -> str:
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump())
    settings = connection.settings_dict
    return subprocess.run(
        ["pg_dump", "--data-only", "-h", settings["HOST"] or "127.0.0.1", "-p", str(settings["PORT"] or 5432),
         "-U", settings["USER"] or "postgres", settings["NAME"]],
        check=True, capture_output=True, text=True,
    ).stdout


@pytest.mark.django_db(transaction=True)
def test_erasure_leaves_no_trace_of_the_person_anywhere_in_the_database(personas):
    party = canary_subject(personas)
    other = factories.person(owner=personas.alice, last_name="Témoin")
    assert CANARY.lower() in dump_database().lower()

    report = subject_erase(party_id=party.pk)

    assert CANARY.lower() not in dump_database().lower()
    assert report.rows["parties"] > 0 and report.rows["interactions"] == 1
    erased = Party.objects.get(pk=party.pk)
    assert erased.erased_at is not None and erased.display_name == f"#{party.pk}"
    # the facts stay: the visit happened, the sale was made (accounting duty)
    visit = Interaction.objects.get(party=party)
    assert (visit.channel, visit.subject, visit.report) == ("visit", "", "")
    assert Transaction.objects.get(party=party).amount == Decimal("15000.00")
    assert Party.objects.get(pk=other.pk).last_name == "Témoin"


def test_export_gathers_every_app_and_no_other_persons_data(personas):
    party = canary_subject(personas)
    colleague = factories.person(owner=personas.alice, first_name="Voisin", last_name="Autre",
                                 email="voisin.autre@exemple.fr")
    services.household_member_add(party=party, actor=personas.alice, role="spouse", first_name="Conjoint",
                                  member_party=colleague)
    data = subject_export(party_id=party.pk)
    text = json.dumps(data, ensure_ascii=False)
    assert set(data["data"]) >= {"parties.identity", "parties.emails", "parties.consents", "parties.household",
                                 "interactions.interactions", "sales.contracts", "sales.transactions"}
    for value in ("first", "renamed", "street", "kid", "event", "wording", "subject", "report", "tag"):
        assert f"{CANARY}{value}" in text
    assert "+33619283746" in text and "Prêt auto" in text
    assert "voisin.autre@exemple.fr" not in text and "alice" not in text.lower()


def test_commands_check_rights_and_erase_only_with_apply(personas, capsys):
    party = canary_subject(personas)
    with pytest.raises(CommandError):
        call_command("subject_erase", party.pk, "--as", "alice")
    with pytest.raises(CommandError):
        call_command("subject_export", party.pk, "--as", "analyst")
    with pytest.raises(CommandError):
        call_command("subject_export", 999999, "--as", "dpo")
    call_command("subject_erase", party.pk, "--as", "dpo")
    assert "Dry run" in capsys.readouterr().out
    assert Party.objects.get(pk=party.pk).erased_at is None
    call_command("subject_export", party.pk, "--as", "dpo")
    assert f"{CANARY}first" in capsys.readouterr().out
    call_command("subject_erase", party.pk, "--as", "dpo", "--apply")
    assert Party.objects.get(pk=party.pk).erased_at is not None
