"""`fidelia seed`: counts, valid identifiers, derived fields as the services compute them, structure."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from io import StringIO
from pathlib import Path

import numpy as np
import phonenumbers
import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max, Sum
from django.utils import timezone
from email_validator import validate_email
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret

from fidelia.accounts.enums import Role
from fidelia.accounts.models import User
from fidelia.demo.generator import Generator, ProductInfo, Staff, luhn_check_digits, sirens_for
from fidelia.demo.reference import DEMO_LOGINS
from fidelia.demo.services import DEMO_PASSWORD, seed_customers
from fidelia.interactions.models import Interaction
from fidelia.parties.models import Email, HouseholdMember, LifeEvent, Party, Phone, SearchTerm
from fidelia.parties.services import _refresh_derived
from fidelia.parties.vocabulary import terms_of
from fidelia.sales.models import Contract, Transaction

CUSTOMERS = 400
DERIVED = ("display_name", "sort_name", "email", "phone", "postcode", "city", "search_text")


@pytest.fixture
def seeded(db):
    return seed_customers(customers=CUSTOMERS, seed=7, progress=False)


def test_counts_and_report(seeded):
    assert Party.objects.count() == CUSTOMERS
    assert seeded.rows["parties_party"] == CUSTOMERS
    assert seeded.rows["sales_transaction"] == Transaction.objects.count()
    # ~10 purchases per customer on average over the base (default), within sampling noise.
    assert 6 * CUSTOMERS < Transaction.objects.count() < 14 * CUSTOMERS
    assert Interaction.objects.exists() and Contract.objects.exists()
    shares = {
        kind: Party.objects.filter(kind=kind).count() / CUSTOMERS
        for kind in ("person", "organisation")
    }
    assert 0.78 < shares["person"] < 0.92
    assert {"suspect", "prospect", "customer", "former"} <= set(
        Party.objects.values_list("stage", flat=True)
    )


def test_one_login_per_role_with_the_demo_password(seeded):
    for role in Role.values:
        user = User.objects.filter(role=role, is_active=True).exclude(email="").first()
        assert user is not None, role
    assert User.objects.get(username="admin").check_password(DEMO_PASSWORD)
    # Every party is owned by a rep of a team, and the party's team is the owner's.
    owners = dict(User.objects.filter(role=Role.SALES_REP).values_list("id", "team_id"))
    for owner_id, team_id in Party.objects.values_list("owner_id", "team_id")[:200]:
        assert owners[owner_id] == team_id


def test_identifiers_and_contact_points_are_valid(seeded):
    orgs = Party.objects.filter(kind="organisation")
    assert orgs.exists()
    for org in orgs:
        assert fr_siren.is_valid(org.siren), org.siren
        assert fr_siret.is_valid(org.siret) and org.siret.startswith(org.siren)
        assert eu_vat.is_valid(org.vat_number)
    assert len(set(orgs.values_list("siren", flat=True))) == orgs.count()
    for number in Phone.objects.values_list("number", flat=True):
        parsed = phonenumbers.parse(number)
        assert phonenumbers.is_valid_number(parsed) and number == phonenumbers.format_number(
            parsed, phonenumbers.PhoneNumberFormat.E164
        )
    for address, normalized in Email.objects.values_list("address", "normalized"):
        assert validate_email(address, check_deliverability=False).normalized == address
        assert normalized == address.lower()


def test_derived_fields_are_what_the_services_compute(seeded):
    for party in Party.objects.order_by("id")[:: max(1, CUSTOMERS // 80)]:
        stored = {name: getattr(party, name) for name in DERIVED}
        _refresh_derived(party)
        assert stored == {name: getattr(party, name) for name in DERIVED}, party.pk


def test_search_vocabulary_holds_the_seeded_names(seeded):
    stored = set(SearchTerm.objects.values_list("key", "phrase"))
    for name in Party.objects.values_list("sort_name", flat=True)[:100]:
        assert terms_of(name) <= stored, name


def test_households_life_events_and_companies(seeded):
    assert HouseholdMember.objects.filter(role="child", birth_date__isnull=False).exists()
    assert HouseholdMember.objects.filter(role="spouse").exists()
    vehicles = LifeEvent.objects.filter(kind="vehicle_purchase")
    assert vehicles.exists() and vehicles.exclude(details="").exists()
    assert Party.objects.filter(kind="person", organisation__isnull=False).exists()
    for member in HouseholdMember.objects.select_related("party")[:100]:
        assert member.party.kind == "person"
        assert member.birth_date <= timezone.localdate()


def test_margins_follow_the_product_margin_rate(seeded):
    for row in Transaction.objects.select_related("product")[:300]:
        assert row.margin == (row.amount * row.product.margin_rate).quantize(Decimal("0.01"))
        assert row.date <= timezone.localdate()


def test_purchase_histories_have_structure(seeded):
    """Repeat buying, customers who stop, and a revenue concentration analytics can find."""
    today = timezone.localdate()
    last = dict(
        Transaction.objects.values("party_id").annotate(m=Max("date")).values_list("party_id", "m")
    )
    former = Party.objects.filter(stage="former")
    assert former.exists()
    assert all(
        today - last[pk] > dt.timedelta(days=365) for pk in former.values_list("id", flat=True)
    )
    customers = Party.objects.filter(stage="customer").values_list("id", flat=True)
    recent = sum(1 for pk in customers if today - last[pk] < dt.timedelta(days=365))
    assert recent > 0.5 * len(customers)
    counts = defaultdict(int)
    for pk in Transaction.objects.values_list("party_id", flat=True):
        counts[pk] += 1
    assert max(counts.values()) >= 10 and min(counts.values()) == 1
    revenue = np.sort(
        np.array(
            [
                float(v)
                for _, v in Transaction.objects.values("party_id")
                .annotate(s=Sum("amount"))
                .values_list("party_id", "s")
            ]
        )
    )[::-1]
    top20 = revenue[: max(1, len(revenue) // 5)].sum() / revenue.sum()
    assert 0.4 < top20 < 0.95  # Pareto-like, not uniform
    assert not Transaction.objects.filter(party__stage__in=["suspect", "prospect"]).exists()


def test_stale_contracts_wait_for_the_refresh_job(seeded):
    today = timezone.localdate()
    assert Contract.objects.filter(status="active", end_date__lt=today).exists()
    assert Contract.objects.filter(status="active", renewal_date__gte=today).exists()


def test_a_second_run_adds_after_the_existing_rows(seeded):
    seed_customers(customers=50, seed=8, progress=False)
    assert Party.objects.count() == CUSTOMERS + 50


def _generator(seed: int) -> Generator:
    products = [
        ProductInfo(
            id=1,
            code="A",
            name="Compte courant",
            family="Comptes",
            margin_bp=8000,
            price_cents=250,
            held_as_contract=True,
            term_years=0,
        ),
        ProductInfo(
            id=2,
            code="B",
            name="Prêt auto",
            family="Crédits",
            margin_bp=3000,
            price_cents=0,
            held_as_contract=True,
            term_years=5,
        ),
        ProductInfo(
            id=3,
            code="C",
            name="Chéquier",
            family="Services",
            margin_bp=5000,
            price_cents=0,
            held_as_contract=False,
            term_years=0,
        ),
    ]
    return Generator(
        seed=seed,
        transactions_per_customer=10,
        today=dt.date(2026, 6, 1),
        products=products,
        staff=Staff(rep_ids=(1, 2, 3), rep_team_ids=(1, 1, 2)),
        first_ids={
            t: 1
            for t in (
                "parties_party",
                "parties_email",
                "parties_phone",
                "parties_address",
                "parties_householdmember",
                "parties_lifeevent",
                "parties_consentrecord",
                "sales_contract",
                "sales_transaction",
                "interactions_interaction",
            )
        },
    )


def test_generation_is_deterministic_for_a_seed():
    first, again, other = (
        _generator(3).chunk(0, 300),
        _generator(3).chunk(0, 300),
        _generator(4).chunk(0, 300),
    )
    assert first.tables == again.tables
    assert (
        first.tables["parties_party"]["display_name"]
        != other.tables["parties_party"]["display_name"]
    )


def test_sirens_are_luhn_valid_and_distinct():
    ids = np.arange(1, 50_001)
    sirens = sirens_for(ids, salt=11)
    assert len(set(sirens.tolist())) == len(ids)
    assert all(fr_siren.is_valid(f"{s:09d}") for s in sirens[:2000].tolist())
    assert luhn_check_digits(np.array([[7, 3, 2, 8, 2, 9, 3, 2]])).tolist() == [0]  # 732829320


@pytest.mark.parametrize(
    "args, message",
    [
        (["--customers", "0"], "--customers must be between 1"),
        (["--customers", "10", "--transactions-per-customer", "-1"], "--transactions-per-customer"),
        (["--customers", "10", "--batch", "5"], "--batch must be between"),
    ],
)
def test_bad_arguments_are_refused_clearly(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("seed", *args)


def test_bad_arguments_exit_non_zero_without_traceback(tmp_path):
    env = {
        **os.environ,
        "FIDELIA_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
    }
    script = Path(sys.executable).parent / "fidelia"
    command = (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "from fidelia.cli import main; main()"]
    )
    done = subprocess.run(
        [*command, "seed", "--customers", "-5"], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode != 0
    assert "--customers must be between 1" in done.stderr
    assert "Traceback" not in done.stderr


def test_demo_seeds_an_empty_database_and_prints_one_login_per_role(db):
    out = StringIO()
    call_command("demo", customers=30, no_serve=True, stdout=out)
    text = out.getvalue()
    assert Party.objects.count() == 30
    for username, *_ in DEMO_LOGINS:
        assert username in text
    assert DEMO_PASSWORD in text and "http://127.0.0.1:8000/" in text
    call_command("demo", customers=30, no_serve=True, stdout=StringIO())
    assert Party.objects.count() == 30  # a database with customers is left as it is


def test_analytics_families_answer_under_fidelia_analytics(db, capsys):
    """`fidelia analytics value …` is `fidelia value …`; an unknown family is an error, not a crash."""
    from fidelia.cli import main

    outputs = []
    for argv in (["analytics", "value", "--help"], ["value", "--help"], ["analytics", "attrition", "--help"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] and "value" in outputs[0] and "attrition" in outputs[2]
    with pytest.raises(SystemExit) as exc:
        main(["analytics", "retention", "run"])
    assert exc.value.code != 0
    assert "invalid choice" in capsys.readouterr().err
