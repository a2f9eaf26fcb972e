"""The feed's own tables (customers, transactions, products, contracts) and the placeholders later
features fill (scores, segments, campaigns). Registered by `BiConfig.ready()`.

What the tables hold, and why:
- no direct identifier: no name, e-mail, phone, street, city, birth date, contract reference or
  free text; a customer is its pseudonymous id, its postcode is reduced to the department and its
  birth date to an age band (none of them for an erased customer);
- margins are included: the feed is read by administrators and analysts (`can_read_bi_feed`),
  who may all read margins (`SENSITIVE_READ_ROLES`); a test keeps the two rules in step;
- the income bracket is not: analysts may not read it;
- archived contracts (legal proof, DPO only) are left out; transactions of erased customers stay
  (the accounts must add up) under an unlinkable pseudonymous id.
"""
from __future__ import annotations

from typing import Any

from django.db.models import Case, CharField, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import Func
from django.db.models.functions import Cast, Left, TruncDate

from fidelia.bi.columns import Column
from fidelia.bi.registry import empty_sql, register_table
from fidelia.parties.models import Party
from fidelia.sales.models import Contract, Product, Transaction

PSEUDO = "bi_pseudonym__pseudo_id"
AGE_BANDS = ((18, "<18"), (25, "18-24"), (35, "25-34"), (45, "35-44"), (55, "45-54"), (65, "55-64"), (75, "65-74"))


class AgeYears(Func):
    """Whole years between a date and today, computed by the database (so a view stays current)."""

    output_field = IntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="CAST(date_part('year', age(CURRENT_DATE, %(expressions)s)) AS integer)", **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        template = ("(CAST(strftime('%%Y', 'now') AS integer) - CAST(strftime('%%Y', {0}) AS integer)"
                    " - (strftime('%%m-%%d', 'now') < strftime('%%m-%%d', {0})))")
        return template.format(sql), [*params, *params]


def age_band() -> Case:
    whens = [When(age__lt=limit, then=Value(label)) for limit, label in AGE_BANDS]
    return Case(When(Q(birth_date__isnull=True) | Q(erased_at__isnull=False), then=Value(None)), *whens,
                default=Value("75+"), output_field=CharField())


def department() -> Case:
    """The French department of the postcode: 2 characters, 3 overseas (97x, 98x), 2A/2B in Corsica."""
    return Case(
        When(Q(postcode="") | Q(erased_at__isnull=False), then=Value(None)),
        When(Q(postcode__startswith="97") | Q(postcode__startswith="98"), then=Left("postcode", 3)),
        When(postcode__startswith="20", then=Case(When(postcode__lt="20200", then=Value("2A")), default=Value("2B"))),
        default=Left("postcode", 2), output_field=CharField(),
    )


def customers() -> QuerySet[Party]:
    # A file merged into another is a forwarding address, not a customer: its data moved to the survivor.
    return (Party.objects.order_by().filter(merged_into__isnull=True).annotate(age=AgeYears("birth_date"))
            .annotate(customer_id=F(PSEUDO), department=department(), age_band=age_band(),
                      created_on=TruncDate("created_at"),
                      is_erased=Case(When(erased_at__isnull=False, then=Value(True)), default=Value(False))))


def transactions() -> QuerySet[Transaction]:
    return Transaction.objects.order_by().annotate(
        transaction_id=F("id"), customer_id=F(f"party__{PSEUDO}"), product_code=F("product__code"),
        family_name=F("product__family__name"))


def products() -> QuerySet[Product]:
    return Product.objects.order_by().annotate(product_code=F("code"), family_name=F("family__name"),
                                               product_kind=F("kind"), on_sale=F("is_active"), price_eur=F("price"),
                                               margin_share=Cast("margin_rate", output_field=FloatField()))


def contracts() -> QuerySet[Contract]:
    return Contract.objects.order_by().filter(archived_at__isnull=True).annotate(
        contract_id=F("id"), customer_id=F(f"party__{PSEUDO}"), product_code=F("product__code"),
        family_name=F("product__family__name"))


CUSTOMER_ID = Column("customer_id", "string", description="Pseudonymous customer id (keyed hash; stable across exports, not reversible).")

CUSTOMERS = (
    CUSTOMER_ID,
    Column("kind", "string", description="person or organisation"),
    Column("stage", "string", description="suspect, prospect, customer, former"),
    Column("csp", "string", description="Socio-professional category (INSEE code), persons only"),
    Column("preferred_channel", "string", description="Preferred contact channel"),
    Column("sector", "string", description="NAF sector, organisations only"),
    Column("team_id", "int64", description="Team / agency id"),
    Column("owner_id", "int64", description="Id of the owning user (staff, not a customer)"),
    Column("department", "string", description="French department from the postcode (2A/2B, 97x)"),
    Column("age_band", "string", description="<18, 18-24, 25-34, 35-44, 45-54, 55-64, 65-74, 75+ (today)"),
    Column("customer_since", "date", description="First day as a customer"),
    Column("created_on", "date", description="Day the file was created"),
    Column("is_erased", "bool", description="The person was erased: no attribute left but kind and stage"),
)
TRANSACTIONS = (
    Column("transaction_id", "int64", description="Transaction id"),
    CUSTOMER_ID,
    Column("date", "date", description="Date of the purchase (or refund)"),
    Column("product_code", "string", description="Product code (products_v1)"),
    Column("family_name", "string", description="Product family"),
    Column("channel", "string", description="Sales channel"),
    Column("quantity", "int64", description="Quantity"),
    Column("amount", "decimal", description="Amount in euros (negative: refund)"),
    Column("margin", "decimal", description="Margin in euros (the feed's readers may read margins)"),
)
PRODUCTS = (
    Column("product_code", "string", description="Product code"),
    Column("name", "string", description="Product name"),
    Column("family_name", "string", description="Product family"),
    Column("product_kind", "string", description="strategic or tactical"),
    Column("price_eur", "decimal", description="List price in euros"),
    Column("margin_share", "float64", description="Share of the price that is margin (0–1)"),
    Column("on_sale", "bool", description="Still on sale"),
)
CONTRACTS = (
    Column("contract_id", "int64", description="Contract id (not its reference)"),
    CUSTOMER_ID,
    Column("product_code", "string", description="Product held"),
    Column("family_name", "string", description="Product family"),
    Column("status", "string", description="active, suspended, ended…"),
    Column("start_date", "date", description="Start date"),
    Column("end_date", "date", description="End date"),
    Column("renewal_date", "date", description="Next renewal date"),
    Column("annual_amount", "decimal", description="Annual amount in euros"),
)
SCORES = (CUSTOMER_ID, Column("score", "string", description="Score name (rfm, frat, potential, performance, churn_risk…)"),
          Column("value", "float64", description="Score value"), Column("label", "string", description="Class or segment label"),
          Column("computed_on", "date", description="Day computed"))
SEGMENTS = (CUSTOMER_ID, Column("segment", "string", description="Segment name"),
            Column("assigned_on", "date", description="Day the customer entered the segment"))
CAMPAIGNS = (Column("campaign_id", "int64", description="Campaign id"), Column("name", "string", description="Campaign name"),
             Column("channel", "string", description="Channel"), Column("started_on", "date", description="Start date"),
             Column("messages_sent", "int64", description="Messages sent"), Column("responses", "int64", description="Responses"),
             Column("orders", "int64", description="Orders"), Column("cost", "decimal", description="Total cost in euros"))


def register_core_tables() -> None:
    register_table("customers", 1, CUSTOMERS, customers, description="One row per party (customer file), pseudonymous.")
    register_table("transactions", 1, TRANSACTIONS, transactions, description="One row per purchase or refund.")
    register_table("products", 1, PRODUCTS, products, description="The catalogue.")
    register_table("contracts", 1, CONTRACTS, contracts, description="Products held (archived contracts excluded).")
    for name, columns, text in (("scores", SCORES, "Customer scores (filled by the analytics features)."),
                                ("segments", SEGMENTS, "Segment membership (filled by the marketing features)."),
                                ("campaigns", CAMPAIGNS, "Campaigns and their figures (filled by the marketing features).")):
        register_table(name, 1, columns, empty_sql(columns), description=text, placeholder=True)
