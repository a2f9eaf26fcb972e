"""Erasure completeness: after `subject_erase`, no trace of the person is left anywhere in the database.

Every personal value of the subject — identity, notes, contact points, household, life events,
consent wording, timeline, tags, the search vocabulary, each old and new value of the change
history, and the audit rows the services wrote — holds a unique canary. The whole database is
then read back (SQLite: `iterdump()`; PostgreSQL: every text, JSON and date column of every table,
found through information_schema) and no canary may remain.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from fidelia.core.models import ActivityEvent
from fidelia.interactions.services import interaction_log
from fidelia.parties import services
from fidelia.parties.models import Party, SearchTerm
from fidelia.parties.services import AddressInput
from fidelia.parties.tests import factories
from fidelia.privacy.models import AuditEntry
from fidelia.privacy.reads import audit_sensitive_read
from fidelia.privacy.services import subject_erase
from fidelia.sales.services import (
    contract_create,
    family_create,
    product_create,
    transaction_record,
)

pytestmark = pytest.mark.django_db(transaction=True)

BIRTH = dt.date(1933, 3, 3)
CHILD_BIRTH = dt.date(2009, 7, 13)
PHONES = ("+33619283746", "+33472000009")


def canary(name: str) -> str:
    """A value found nowhere else: letters only, so folding and lower-casing keep it recognisable."""
    return f"qzx{name}canary"


CANARIES = [canary(n) for n in (
    "first", "last", "renamed", "renamedagain", "job", "notes", "notestwo", "notesthree", "mail", "mailtwo",
    "street", "streettwo", "city", "road", "kid", "kidlast", "spouse", "event", "wording", "subject", "report",
    "tag", "tagtwo", "relative",
)]


def make_subject(personas) -> Party:
    """The subject, built and changed several times through the services, as users would."""
    alice = personas.alice
    party = services.party_create(
        actor=alice, kind="person", civility="mrs", first_name=canary("first"), last_name=canary("last"),
        birth_date=BIRTH, email=f"{canary('mail')}@exemple.fr", phone=PHONES[0],
        address=AddressInput(line1=f"1 rue {canary('street')}", line2=canary("streettwo"), postcode="69001",
                             city=canary("city")),
        job_title=canary("job"), notes=canary("notes"), tags=[canary("tag")], allow_duplicate=True, stage="prospect",
    )
    for last_name, notes, tags in ((canary("renamed"), canary("notestwo"), [canary("tag"), canary("tagtwo")]),
                                   (canary("renamedagain"), canary("notesthree"), [canary("tagtwo")])):
        party.refresh_from_db()
        party = services.party_update(party=party, actor=alice, version=party.version, last_name=last_name,
                                      notes=notes, tags=tags)
    services.email_add(party=party, actor=alice, address=f"{canary('mailtwo')}@travail.fr")
    services.phone_add(party=party, actor=alice, number=PHONES[1])
    services.address_add(party=party, actor=alice, address=AddressInput(line1=canary("road"), postcode="69003",
                                                                        city="Lyon"))
    child = services.household_member_add(party=party, actor=alice, role="child", first_name=canary("kid"),
                                          last_name=canary("kidlast"), birth_date=CHILD_BIRTH)
    services.household_member_add(party=party, actor=alice, role="spouse", first_name=canary("spouse"))
    services.life_event_add(party=party, actor=alice, kind="higher_education", date=dt.date(2027, 9, 1),
                            details=canary("event"), member=child)
    services.consent_record(party=party, actor=alice, channel="email", purpose="prospecting", granted=True,
                            wording=canary("wording"))
    interaction_log(party=party, actor=alice, channel="visit", direction="inbound", subject=canary("subject"),
                    report=canary("report"))
    family = family_create(actor=personas.admin, name="Crédits")
    product = product_create(actor=personas.admin, code="PAUTO", name="Prêt auto", family=family, kind="strategic",
                             price=Decimal("15000"), margin_rate=Decimal("0.05"))
    contract_create(party=party, actor=alice, product=product, start_date=dt.date(2024, 1, 1))
    transaction_record(party=party, actor=alice, product=product, date=dt.date(2024, 1, 1), amount=Decimal("15000"),
                       channel="branch")
    audit_sensitive_read(user=personas.manager, fields=["income_bracket"], party_id=party.pk)
    # The subject is also listed, by name, in a relative's household.
    relative = factories.person(owner=alice, last_name="Témoin", first_name="Paul")
    services.household_member_add(party=relative, actor=alice, role="parent", first_name=canary("relative"),
                                  member_party=party)
    return party


def dump_database() -> str:
    """Every value of every table, as one lower-cased text."""
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump()).lower()
    chunks: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type IN "
            "('text', 'character varying', 'character', 'json', 'jsonb', 'date', 'ARRAY')")
        columns = cursor.fetchall()
        assert len(columns) > 50  # the query really found the schema
        for table, column in columns:
            cursor.execute(f'SELECT "{column}"::text FROM "{table}" WHERE "{column}" IS NOT NULL')  # noqa: S608
            chunks.extend(row[0] for row in cursor.fetchall())
    return "\n".join(chunks).lower()


def traces(text: str) -> list[str]:
    found = [c for c in CANARIES if c in text]
    found += [p for p in PHONES if p in text or p[3:] in text]
    found += [d.isoformat() for d in (BIRTH, CHILD_BIRTH) if d.isoformat() in text]
    return found


def test_erasure_leaves_no_canary_anywhere_in_the_database(personas):
    party = make_subject(personas)
    before = traces(dump_database())
    # every canary was really written somewhere, history included, so the check below can fail
    assert sorted(before) == sorted([*CANARIES, *PHONES, BIRTH.isoformat(), CHILD_BIRTH.isoformat()])
    assert ActivityEvent.objects.filter(party_id=party.pk).count() >= 10
    assert SearchTerm.objects.filter(key__contains="qzx").exists()
    assert AuditEntry.objects.filter(party_id=party.pk).exists()

    subject_erase(party_id=party.pk)

    assert traces(dump_database()) == []
    erased = Party.objects.get(pk=party.pk)
    assert erased.erased_at is not None and erased.kind == "person"
    assert ActivityEvent.objects.filter(party_id=party.pk).count() >= 10  # the facts of the changes stay
