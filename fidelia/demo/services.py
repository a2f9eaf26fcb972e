"""Demo and benchmark data: reference data through the apps' services, the bulk through COPY.

`seed_reference_data` creates (if missing) the agencies, one login per role, the sales reps who
own portfolios and the product catalogue. `seed_customers` then generates N customers with
everything attached (see fidelia.demo.generator) and bulk-loads them. Both are idempotent in the
sense that a second run adds N more customers after the existing ones and reuses the rest.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from tqdm import tqdm

from fidelia.accounts.enums import Role, TeamKind
from fidelia.accounts.models import Team, User
from fidelia.accounts.services import user_create
from fidelia.core.errors import ValidationFailed
from fidelia.demo import reference as ref
from fidelia.demo.generator import Generator, ProductInfo, Staff
from fidelia.demo.loader import TABLES, PostgresSink, SqliteSink, model_for
from fidelia.parties.vocabulary import vocabulary_rebuild
from fidelia.sales.models import Product
from fidelia.sales.services import family_create, product_create

# Demo only: every login printed by `fidelia demo` uses it. Never seed a production database.
DEMO_PASSWORD = "demo-Fidelia-2026"
MAX_CUSTOMERS = 20_000_000
DEFAULT_BATCH = 20_000
# From this many new customers on, PostgreSQL loads without secondary indexes and rebuilds them.
DEFER_INDEXES_FROM = 50_000


@dataclass
class SeedReport:
    customers: int
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds else 0.0


def validate_seed_options(*, customers: int, transactions_per_customer: float, batch: int) -> None:
    """Raise ValidationFailed naming each bad option (the CLI prints it without a traceback)."""
    errors: dict[str, list[str]] = {}
    if customers < 1 or customers > MAX_CUSTOMERS:
        errors["customers"] = [
            f"--customers must be between 1 and {MAX_CUSTOMERS:,}, got {customers}."
        ]
    if not 0 <= transactions_per_customer <= 200:
        errors["transactions_per_customer"] = [
            f"--transactions-per-customer must be between 0 and 200, got {transactions_per_customer}."
        ]
    if not 100 <= batch <= 1_000_000:
        errors["batch"] = [f"--batch must be between 100 and 1,000,000, got {batch}."]
    if errors:
        raise ValidationFailed(" ".join(m for ms in errors.values() for m in ms), fields=errors)


@transaction.atomic
def seed_reference_data(*, seed: int = 0) -> tuple[User, Staff, list[ProductInfo]]:
    """Agencies, one login per role (demo password), reps per agency, and the catalogue."""
    teams = []
    for name, city, kind in ref.TEAMS:
        team, _ = Team.objects.get_or_create(
            name=name, defaults={"city": city, "kind": TeamKind(kind)}
        )
        teams.append(team)
    logins = {}
    for username, role, first, last, team_index in ref.DEMO_LOGINS:
        logins[username] = User.objects.filter(username=username).first() or user_create(
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            first_name=first,
            last_name=last,
            email=f"{username}@fidelia.example",
            team=teams[team_index] if team_index is not None else None,
            check_password=False,
        )
    admin = (
        User.objects.filter(role=Role.ADMIN, is_active=True).order_by("id").first()
        or logins["admin"]
    )
    _ensure_sales_force(teams, seed=seed)
    _ensure_catalogue(admin)
    reps = list(
        User.objects.filter(role=Role.SALES_REP, team__isnull=False, is_active=True).order_by("id")
    )
    staff = Staff(rep_ids=tuple(r.pk for r in reps), rep_team_ids=tuple(r.team_id for r in reps))
    products = [
        ProductInfo(
            id=p.pk,
            code=p.code,
            name=p.name,
            family=p.family.name,
            margin_bp=int(p.margin_rate * 10_000),
            price_cents=int(p.price * 100),
            held_as_contract=_held_as_contract(p.code),
            term_years=_term_years(p.code),
        )
        for p in Product.objects.select_related("family").filter(is_active=True).order_by("id")
    ]
    return admin, staff, products


def _catalogue_rows() -> dict[str, tuple[str, str, bool, str, str, bool, int]]:
    return {row[0]: row for rows in ref.CATALOGUE.values() for row in rows}


def _held_as_contract(code: str) -> bool:
    row = _catalogue_rows().get(code)
    return bool(row[5]) if row else False


def _term_years(code: str) -> int:
    row = _catalogue_rows().get(code)
    return int(row[6]) if row else 0


def _ensure_sales_force(teams: list[Team], *, seed: int) -> None:
    """A manager and reps per agency, with French names; their passwords are random (not logins)."""
    from faker import Faker

    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    for team in teams:
        if (
            team.kind != TeamKind.AGENCY
            or team.members.filter(role=Role.SALES_REP).count() >= ref.REPS_PER_AGENCY
        ):
            continue
        for position in range(ref.REPS_PER_AGENCY + 1):
            first, last = fake.first_name(), fake.last_name()
            username = f"{first[0]}.{last}{team.pk}{position}".lower().replace(" ", "")
            if User.objects.filter(username=username).exists():
                continue
            user_create(
                username=username,
                password=secrets.token_urlsafe(24),
                role=Role.SALES_MANAGER if position == 0 else Role.SALES_REP,
                team=team,
                first_name=first,
                last_name=last,
                email=f"{username}@fidelia.example",
                check_password=False,
            )


def _ensure_catalogue(admin: User) -> None:
    existing = set(Product.objects.values_list("code", flat=True))
    for family_name, rows in ref.CATALOGUE.items():
        family = family_create(
            actor=admin, name=family_name, description=ref.FAMILY_DESCRIPTIONS[family_name]
        )
        for code, name, strategic, price, margin, _contract, _term in rows:
            if code in existing:
                continue
            product_create(
                actor=admin,
                code=code,
                name=name,
                family=family,
                kind="strategic" if strategic else "tactical",
                price=Decimal(price),
                margin_rate=Decimal(margin),
                is_active=True,
                description="",
            )


def _first_ids() -> dict[str, int]:
    return {
        table: (model_for(table).objects.aggregate(m=Max("id"))["m"] or 0) + 1 for table in TABLES
    }


def seed_customers(
    *,
    customers: int,
    seed: int = 0,
    transactions_per_customer: float = 10.0,
    batch: int = DEFAULT_BATCH,
    progress: bool = True,
    on_status: Callable[[str], None] | None = None,
) -> SeedReport:
    """Generate and bulk-load `customers` parties with their files; return row counts and timing.

    All-or-nothing: one transaction. Deterministic for the same seed, batch, existing data and
    day (dates are laid out relative to today).
    """
    validate_seed_options(
        customers=customers, transactions_per_customer=transactions_per_customer, batch=batch
    )
    say = on_status or (lambda message: None)
    started = time.perf_counter()
    _admin, staff, products = seed_reference_data(seed=seed)
    generator = Generator(
        seed=seed,
        transactions_per_customer=transactions_per_customer,
        today=timezone.localdate(),
        products=products,
        staff=staff,
        first_ids=_first_ids(),
    )
    report = SeedReport(customers=customers, rows={t: 0 for t in TABLES})
    postgres = connection.vendor == "postgresql"
    with transaction.atomic():
        connection.ensure_connection()
        sink = (
            PostgresSink(defer_indexes=customers >= DEFER_INDEXES_FROM, on_status=say)
            if postgres
            else SqliteSink()
        )
        if isinstance(sink, PostgresSink):
            sink.prepare()
        with tqdm(
            total=customers,
            unit=" customers",
            disable=not progress,
            dynamic_ncols=True,
            desc="Generating",
        ) as bar:
            done = 0
            for index, start in enumerate(range(0, customers, batch)):
                size = min(batch, customers - start)
                data = generator.chunk(index, size)
                for table in TABLES:
                    report.rows[table] += data.rows(table)
                sink.write(data)
                done += size
                bar.update(size)
                bar.set_postfix(transactions=f"{report.rows['sales_transaction']:,}")
        say("finishing: waiting for the last batch, then rebuilding indexes and constraints")
        sink.flush()
        sink.finish()
        # What the services do name by name (vocabulary_add), done once for the whole load.
        say("search vocabulary")
        vocabulary_rebuild()
    if isinstance(sink, PostgresSink):
        sink.analyze()
    report.seconds = time.perf_counter() - started
    return report


def demo_is_empty() -> bool:
    """True when the database holds no customer yet (the demo seeds only then)."""
    from fidelia.parties.models import Party

    return not Party.objects.exists()


def demo_analyse(*, months: int = 6, today: dt.date | None = None) -> None:
    """Fill the analytics and portfolio pages of a fresh demo: one run per month-end of the last
    `months` months (so trajectories and migration tables have a history), then today's, and a
    duplicate scan. The nightly jobs do the same on a real installation."""
    from fidelia.analytics.services import analytics_run
    from fidelia.dedup.services import duplicate_scan_request
    from fidelia.portfolio.services import portfolio_run

    today = today or timezone.localdate()
    month_ends = [today.replace(day=1) - dt.timedelta(days=1)]
    while len(month_ends) < months:
        month_ends.append(month_ends[-1].replace(day=1) - dt.timedelta(days=1))
    for day in [*reversed(month_ends), today]:
        analytics_run(actor=None, reference_date=day, trigger="schedule")
        portfolio_run(as_of=day)
    duplicate_scan_request(actor=None)
    demo_enrich(today=today)


# Apps that add their own demo data, in dependency order: each `fidelia.<app>.demo.seed_demo(today=)`
# runs once on a fresh demo, after the customers and their analytics exist (actions come last:
# their rules read what the others seeded).
DEMO_APPS = ("portfolio", "sales", "agenda", "service", "knowledge", "surveys", "marketing", "clv", "attrition", "loyalty",
             "actions")


def demo_enrich(*, today: dt.date) -> None:
    """Leads, opportunities, appointments, cases, articles, surveys, campaigns, value and risk
    scores and the actions to take of the demo, each from its own app's `demo.py`."""
    import importlib
    import importlib.util

    for app in DEMO_APPS:
        if importlib.util.find_spec(f"fidelia.{app}.demo") is None:
            continue
        importlib.import_module(f"fidelia.{app}.demo").seed_demo(today=today)
