"""Reads on the catalogue, contracts and transactions. Every read for a user goes through the policy filter."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.http import Http404
from django.utils import timezone

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.parties.models import Party
from fidelia.parties.selectors import parties_for_user
from fidelia.sales.enums import ContractStatus, ProductKind, StageOutcome
from fidelia.sales.models import (
    Contract,
    Lead,
    Opportunity,
    OpportunityStageChange,
    PipelineStage,
    Product,
    ProductFamily,
    Quote,
    Transaction,
)


def products_for_user(user: User) -> QuerySet[Product]:
    """The catalogue is readable by every active user."""
    if not (user and user.is_authenticated and user.is_active):
        return Product.objects.none()
    return Product.objects.select_related("family")


def contracts_for_user(user: User) -> QuerySet[Contract]:
    """Contracts of the parties `user` reads; archived ones only for the DPO (`contracts_visible`)."""
    qs = Contract.objects.filter(party__in=parties_for_user(user).values("pk")).select_related("product", "party")
    return contracts_visible(qs, user=user)


def transactions_for_user(user: User) -> QuerySet[Transaction]:
    return Transaction.objects.filter(party__in=parties_for_user(user).values("pk")).select_related("product", "party")


def _pk(value: Any) -> int | None:
    """An integer primary key, or None for anything else (bad input in a URL is not an error)."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk < 2**63 else None


def writable_party_ids(*, user: User, party_ids: Any) -> set[int]:
    """Those of `party_ids` whose sales the user may change (one query): pages show edit links only for them."""
    ids = {pk for pk in (_pk(x) for x in party_ids) if pk}
    if not ids:
        return set()
    return set(parties_for_user(user, for_write=True).filter(pk__in=ids).values_list("pk", flat=True))


# --- catalogue ---------------------------------------------------------------------------------


def families_for_user(user: User) -> QuerySet[ProductFamily]:
    """Families are part of the catalogue: readable by every active user."""
    if not policies.can_read_catalogue(user):
        return ProductFamily.objects.none()
    return ProductFamily.objects.all()


@dataclass(frozen=True)
class ProductFilters:
    family: int | None = None
    kind: str = ""
    active: bool | None = None


def product_catalogue(*, user: User, filters: ProductFilters) -> QuerySet[Product]:
    """Products ordered by family then name, each annotated with `holders`.

    `holders` counts the distinct parties *the user may read* that hold the product through an
    active contract: the figure never discloses anything about customers outside the user's
    portfolio (an analyst, who reads no individual party, sees 0 everywhere).
    """
    qs = products_for_user(user)
    if filters.family:
        qs = qs.filter(family_id=filters.family)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    readable = parties_for_user(user).values("pk")
    holders = Count("contracts__party", distinct=True,
                    filter=Q(contracts__status=ContractStatus.ACTIVE, contracts__party__in=readable))
    return qs.annotate(holders=holders).order_by("family__name", "family_id", "name", "id")


def product_get_for_user(*, user: User, pk: Any) -> Product:
    """The product if the user may read the catalogue; Http404 otherwise or when it does not exist."""
    product = products_for_user(user).filter(pk=_pk(pk)).first() if _pk(pk) else None
    if product is None:
        raise Http404
    return product


@dataclass(frozen=True)
class ProductHolding:
    """What the user's portfolio holds of one product: active contracts, holders, annual amount."""

    holders: int
    active_contracts: int
    annual_amount: Decimal
    recent_contracts: list[Contract]


def product_holding(*, user: User, product: Product, limit: int = 20) -> ProductHolding:
    """Figures over the contracts of `product` held by the parties the user may read (two queries)."""
    qs = contracts_for_user(user).filter(product=product)
    figures = qs.filter(status=ContractStatus.ACTIVE).aggregate(
        holders=Count("party", distinct=True), active=Count("id"), amount=Sum("annual_amount"),
    )
    return ProductHolding(
        holders=figures["holders"], active_contracts=figures["active"],
        annual_amount=figures["amount"] or Decimal("0"),
        recent_contracts=list(qs.order_by("-start_date", "-id")[:limit]),
    )


# --- contracts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractFilters:
    status: str = ""
    product: int | None = None
    party: int | None = None
    renewal_within: int | None = None  # days from today; contracts renewing in [today, today + N]


def contract_list(*, user: User, filters: ContractFilters, today: dt.date | None = None) -> QuerySet[Contract]:
    """Contracts of the parties the user may read, filtered; the soonest renewals first when asked."""
    qs = contracts_for_user(user).select_related("product__family")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.product:
        qs = qs.filter(product_id=filters.product)
    if filters.party:
        qs = qs.filter(party_id=filters.party)
    if filters.renewal_within is not None:
        day = today or timezone.localdate()
        qs = qs.filter(renewal_date__gte=day, renewal_date__lte=day + dt.timedelta(days=filters.renewal_within))
        return qs.order_by("renewal_date", "id")
    return qs.order_by("-start_date", "-id")


def contract_get_for_user(*, user: User, pk: Any, for_write: bool = False) -> Contract:
    """The contract if the user may read (or change) its party; Http404 otherwise."""
    parties = parties_for_user(user, for_write=for_write).values("pk")
    contract = (
        Contract.objects.filter(pk=_pk(pk), party__in=parties).select_related("product__family", "party").first()
        if _pk(pk) else None
    )
    if contract is None:
        raise Http404
    return contract


# --- transactions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransactionFilters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    product: int | None = None
    channel: str = ""
    party: int | None = None


@dataclass(frozen=True)
class TransactionTotals:
    count: int
    amount: Decimal
    margin: Decimal

    @property
    def margin_rate(self) -> Decimal | None:
        """Margin over amount, or None when the amount is zero (nothing to divide by)."""
        return (self.margin / self.amount) if self.amount else None


def transaction_list(*, user: User, filters: TransactionFilters) -> QuerySet[Transaction]:
    """Transactions of the parties the user may read, newest first, filtered (bounds inclusive)."""
    qs = transactions_for_user(user)
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    if filters.product:
        qs = qs.filter(product_id=filters.product)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.party:
        qs = qs.filter(party_id=filters.party)
    return qs.order_by("-date", "-id")


def transaction_totals(qs: QuerySet[Transaction]) -> TransactionTotals:
    """Count and sums of amount and margin over a (filtered) transaction list, in one query."""
    figures = qs.order_by().aggregate(count=Count("id"), amount=Sum("amount"), margin=Sum("margin"))
    return TransactionTotals(count=figures["count"], amount=figures["amount"] or Decimal("0"),
                             margin=figures["margin"] or Decimal("0"))


# --- equipment rate ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FamilyEquipment:
    family_id: int
    family: str
    held: int
    relevant: int


@dataclass(frozen=True)
class EquipmentRate:
    held: int
    relevant: int
    families: tuple[FamilyEquipment, ...]

    @property
    def rate(self) -> float | None:
        """Held over relevant, between 0 and 1; None when nothing is relevant."""
        return self.held / self.relevant if self.relevant else None

    @property
    def families_held(self) -> int:
        return sum(1 for f in self.families if f.held)


def party_equipment_rate(*, user: User, party: Party | int) -> EquipmentRate:
    """A customer's equipment rate (*taux d'équipement*): products held / products relevant.

    The rule:
    - *relevant* products are the active (on sale) **strategic** products of the families the
      customer's kind (person or organisation) can hold. The catalogue does not say which kinds a
      family serves, so a family counts as holdable by a kind when at least one party of that kind
      holds or held a contract on one of its products (a bank's "business loans" family is thus
      irrelevant to persons until a person holds one);
    - *held* products are the relevant products the customer holds through an **active** contract
      (tactical, withdrawn or ended products do not count, so the rate stays within 0–1);
    - the rate is None when nothing is relevant.
    The per-family breakdown lets a page show which families are held.
    Http404 if the user may not read the party. Three queries besides the access check.
    """
    party_pk = party.pk if isinstance(party, Party) else _pk(party)
    row = parties_for_user(user).filter(pk=party_pk).values("pk", "kind").first() if party_pk else None
    if row is None:
        raise Http404
    holdable = Contract.objects.filter(party__kind=row["kind"]).values("product__family_id")
    relevant = list(
        Product.objects.filter(is_active=True, kind=ProductKind.STRATEGIC, family_id__in=holdable)
        .values_list("id", "family_id", "family__name").order_by("family__name", "family_id")
    )
    held_ids = set(
        Contract.objects.filter(party_id=row["pk"], status=ContractStatus.ACTIVE).values_list("product_id", flat=True)
    )
    return equipment_from_rows(relevant, held_ids)


def equipment_from_rows(relevant: list[tuple[int, int, str]], held_ids: set[int]) -> EquipmentRate:
    """Pure: (product id, family id, family name) rows and the ids held → the equipment rate."""
    per_family: dict[int, list[Any]] = {}
    for product_id, family_id, family_name in relevant:
        entry = per_family.setdefault(family_id, [family_name, 0, 0])
        entry[1] += product_id in held_ids
        entry[2] += 1
    families = tuple(FamilyEquipment(family_id=fid, family=name, held=held, relevant=total)
                     for fid, (name, held, total) in per_family.items())
    return EquipmentRate(held=sum(f.held for f in families), relevant=sum(f.relevant for f in families),
                         families=families)


def contracts_visible(qs: QuerySet[Contract], *, user: User) -> QuerySet[Contract]:
    """Legal archiving restricts access: archived contracts (ended, or of an erased customer) are kept
    as proof only and are listed to the DPO alone; everyone else sees the active base.

    `contracts_for_user` applies it, so every list, page and API of contracts inherits it.
    """
    if policies.can_manage_retention(user):
        return qs
    return qs.filter(archived_at__isnull=True)


# --- Sales force automation: leads, opportunities, pipeline board, quotes, reports -------------------

BOARD_COLUMN_LIMIT = 50  # cards drawn per column; the totals always cover every opportunity of the column
CLOSED_DAYS = 90         # won/lost columns show deals closed this many days back unless a period is chosen


def leads_for_user(user: User) -> QuerySet[Lead]:
    rule = policies.lead_read_filter(user)
    if rule is None:
        return Lead.objects.none()
    return Lead.objects.filter(rule).select_related("owner", "team", "interest", "party")


def lead_get_for_user(*, user: User, pk: Any) -> Lead:
    """The lead if the user may read it; Http404 otherwise."""
    lead = leads_for_user(user).filter(pk=_pk(pk)).first() if _pk(pk) else None
    if lead is None:
        raise Http404
    return lead


@dataclass(frozen=True)
class LeadFilters:
    status: str = ""
    source: str = ""
    owner: int | None = None
    q: str = ""


def lead_list(*, user: User, filters: LeadFilters) -> QuerySet[Lead]:
    qs = leads_for_user(user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(Q(last_name__icontains=q) | Q(first_name__icontains=q) | Q(company__icontains=q)
                       | Q(email__icontains=q))
    return qs.order_by("-created_at", "-id")


def opportunities_for_user(user: User) -> QuerySet[Opportunity]:
    rule = policies.pipeline_read_filter(user)
    if rule is None:
        return Opportunity.objects.none()
    return Opportunity.objects.filter(rule).select_related("party", "owner", "team", "stage", "lost_reason")


def opportunity_get_for_user(*, user: User, pk: Any) -> Opportunity:
    """The opportunity if the user may read it; Http404 otherwise."""
    opportunity = opportunities_for_user(user).filter(pk=_pk(pk)).first() if _pk(pk) else None
    if opportunity is None:
        raise Http404
    return opportunity


@dataclass(frozen=True)
class PipelineFilters:
    owner: int | None = None
    team: int | None = None
    date_from: dt.date | None = None  # expected close (open deals) or close date (won/lost)
    date_to: dt.date | None = None
    stage: int | None = None
    q: str = ""


def _period(qs: QuerySet[Opportunity], filters: PipelineFilters, *, today: dt.date) -> QuerySet[Opportunity]:
    open_q = Q(stage__outcome=StageOutcome.OPEN)
    closed_q = ~open_q
    if filters.date_from:
        open_q &= Q(expected_close__gte=filters.date_from)
        closed_q &= Q(closed_on__gte=filters.date_from)
    else:
        closed_q &= Q(closed_on__gte=today - dt.timedelta(days=CLOSED_DAYS))
    if filters.date_to:
        open_q &= Q(expected_close__lte=filters.date_to)
        closed_q &= Q(closed_on__lte=filters.date_to)
    return qs.filter(open_q | closed_q)


def opportunity_list(*, user: User, filters: PipelineFilters) -> QuerySet[Opportunity]:
    qs = opportunities_for_user(user)
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.team:
        qs = qs.filter(team_id=filters.team)
    if filters.stage:
        qs = qs.filter(stage_id=filters.stage)
    if filters.date_from:
        qs = qs.filter(expected_close__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(expected_close__lte=filters.date_to)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q.strip()) | Q(party__display_name__icontains=filters.q.strip()))
    return qs.order_by("expected_close", "id")


@dataclass
class BoardColumn:
    stage: PipelineStage
    count: int = 0
    amount: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)
    cards: list[dict[str, Any]] = field(default_factory=list)

    @property
    def hidden(self) -> int:
        return self.count - len(self.cards)


@dataclass(frozen=True)
class Board:
    columns: list[BoardColumn]
    count: int         # open opportunities (won and lost columns excluded)
    amount: Decimal
    weighted: Decimal


CARD_FIELDS = ("id", "version", "name", "amount", "probability", "expected_close", "next_step", "next_step_on",
               "stage_id", "party_id", "party__display_name", "owner__first_name", "owner__last_name")


def pipeline_board(*, user: User, filters: PipelineFilters, today: dt.date | None = None,
                   limit: int = BOARD_COLUMN_LIMIT) -> Board:
    """The kanban: one column per active stage with its totals (count, amount, weighted amount) over all
    the visible opportunities of the filters, and its first `limit` cards by expected close.

    Queries: the stages, one aggregate grouped by stage, and one windowed query for the cards
    (ROW_NUMBER per stage) — a constant number whatever the size of the pipeline.
    """
    day = today or timezone.localdate()
    stages = list(PipelineStage.objects.filter(is_active=True).order_by("position", "id"))
    columns = {s.pk: BoardColumn(stage=s) for s in stages}
    qs = _period(opportunity_list(user=user, filters=PipelineFilters(
        owner=filters.owner, team=filters.team, stage=filters.stage, q=filters.q)), filters, today=day)
    qs = qs.filter(stage__in=stages).order_by()
    for row in qs.values("stage_id").annotate(n=Count("id"), total=Sum("amount"),
                                               weighted=Sum(F("amount") * F("probability"))):
        column = columns[row["stage_id"]]
        column.count, column.amount = row["n"], row["total"] or Decimal(0)
        column.weighted = (Decimal(row["weighted"] or 0) / 100).quantize(Decimal("0.01"))
    rank = Window(RowNumber(), partition_by=[F("stage_id")], order_by=[F("expected_close").asc(), F("id").asc()])
    cards = qs.annotate(rank=rank).values(*CARD_FIELDS, "rank")
    for card in _first_ranks(cards, limit):
        card["weighted"] = (card["amount"] * card["probability"] / Decimal(100)).quantize(Decimal("0.01"))
        card["owner_name"] = f"{card['owner__first_name']} {card['owner__last_name']}".strip()
        columns[card["stage_id"]].cards.append(card)
    ordered = [columns[s.pk] for s in stages]
    # The headline figures are the open pipeline's: won and lost deals are no longer a forecast.
    still_open = [c for c in ordered if c.stage.outcome == StageOutcome.OPEN]
    return Board(columns=ordered, count=sum(c.count for c in still_open),
                 amount=sum((c.amount for c in still_open), Decimal(0)),
                 weighted=sum((c.weighted for c in still_open), Decimal(0)))


def _first_ranks(cards: QuerySet[Any], limit: int) -> list[dict[str, Any]]:
    """Rows whose window rank is within `limit` (filtering on a window needs Django ≥ 4.2: done in SQL)."""
    return sorted(cards.filter(rank__lte=limit), key=lambda c: (c["stage_id"], c["rank"]))


def opportunity_history(*, opportunity: Opportunity) -> list[OpportunityStageChange]:
    return list(opportunity.stage_changes.select_related("from_stage", "to_stage", "changed_by").order_by("changed_at", "id"))


def quotes_for_user(user: User) -> QuerySet[Quote]:
    rule = policies.pipeline_read_filter(user)
    if rule is None:
        return Quote.objects.none()
    return Quote.objects.filter(rule).select_related("party", "owner", "opportunity")


def quote_get_for_user(*, user: User, pk: Any) -> Quote:
    """The quote if the user may read it; Http404 otherwise."""
    quote = quotes_for_user(user).filter(pk=_pk(pk)).first() if _pk(pk) else None
    if quote is None:
        raise Http404
    return quote


@dataclass(frozen=True)
class QuoteFilters:
    status: str = ""
    party: int | None = None
    q: str = ""


def quote_list(*, user: User, filters: QuoteFilters) -> QuerySet[Quote]:
    qs = quotes_for_user(user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.party:
        qs = qs.filter(party_id=filters.party)
    if filters.q:
        qs = qs.filter(Q(number__icontains=filters.q.strip()) | Q(party__display_name__icontains=filters.q.strip()))
    return qs.order_by("-issued_on", "-id")


def party_sales_panel(*, user: User, party: Party) -> dict[str, Any]:
    """The customer file's panel: the party's opportunities and quotes the user may read (two queries)."""
    return {
        "opportunities": list(opportunities_for_user(user).filter(party=party).order_by("-created_at")[:20]),
        "quotes": list(quotes_for_user(user).filter(party=party).order_by("-issued_on", "-id")[:20]),
    }


# --- reports (fetch here, compute in fidelia.sales.reports) ---


def _report_base(user: User, *, owner: int | None = None, team: int | None = None) -> QuerySet[Opportunity]:
    rule = policies.sales_report_filter(user)
    if rule is None:
        return Opportunity.objects.none()
    qs = Opportunity.objects.filter(rule)
    if owner:
        qs = qs.filter(owner_id=owner)
    if team:
        qs = qs.filter(team_id=team)
    return qs.order_by()


def forecast_rows(*, user: User, date_from: dt.date, date_to: dt.date, owner: int | None = None,
                  team: int | None = None) -> list[dict[str, Any]]:
    """Open opportunities closing in the period: (month, owner) → count, amount, Σ amount × probability."""
    return list(_report_base(user, owner=owner, team=team)
                .filter(stage__outcome=StageOutcome.OPEN, expected_close__gte=date_from, expected_close__lte=date_to)
                .annotate(month=TruncMonth("expected_close"))
                .values("month", "owner_id", "owner__first_name", "owner__last_name")
                .annotate(n=Count("id"), total=Sum("amount"), weighted=Sum(F("amount") * F("probability"))))


def closed_rows(*, user: User, date_from: dt.date, date_to: dt.date, owner: int | None = None,
                team: int | None = None) -> list[dict[str, Any]]:
    """Deals closed in the period, one row each: outcome, owner, amount, new business, opened and closed dates."""
    return list(_report_base(user, owner=owner, team=team)
                .filter(closed_on__gte=date_from, closed_on__lte=date_to)
                .exclude(stage__outcome=StageOutcome.OPEN)
                .values("stage__outcome", "owner_id", "owner__first_name", "owner__last_name", "amount",
                        "is_new_business", "created_at", "closed_on"))


def funnel_rows(*, user: User, date_from: dt.date, date_to: dt.date, owner: int | None = None,
                team: int | None = None) -> tuple[list[PipelineStage], list[int]]:
    """For deals opened in the period: the stages, and for each deal the furthest non-lost stage position reached."""
    stages = list(PipelineStage.objects.exclude(outcome=StageOutcome.LOST).filter(is_active=True).order_by("position"))
    opened = _report_base(user, owner=owner, team=team).filter(created_at__date__gte=date_from,
                                                               created_at__date__lte=date_to)
    reached = (OpportunityStageChange.objects.filter(opportunity__in=opened.values("pk"))
               .exclude(to_stage__outcome=StageOutcome.LOST).order_by()
               .values("opportunity_id").annotate(furthest=Max("to_stage__position")))
    return stages, [row["furthest"] for row in reached]


def sales_report(*, user: User, date_from: dt.date | None = None, date_to: dt.date | None = None,
                 owner: int | None = None, team: int | None = None, today: dt.date | None = None) -> dict[str, Any]:
    """Every figure of the sales reports page for the period (default: the last 6 months for closed deals
    and the next 6 months for the forecast... both windows centred on today)."""
    from fidelia.sales import reports

    day = today or timezone.localdate()
    start = date_from or (day - dt.timedelta(days=182)).replace(day=1)
    end = date_to or day + dt.timedelta(days=183)
    if end < start:
        start, end = end, start
    fc = reports.forecast(forecast_rows(user=user, date_from=max(start, day.replace(day=1)), date_to=end,
                                        owner=owner, team=team), date_from=max(start, day.replace(day=1)), date_to=end)
    perf = reports.performance(closed_rows(user=user, date_from=start, date_to=min(end, day), owner=owner, team=team))
    stages, furthest = funnel_rows(user=user, date_from=start, date_to=min(end, day), owner=owner, team=team)
    return {
        "date_from": start, "date_to": end, "months": fc.months, "forecast_amount": fc.amount,
        "forecast_weighted": fc.weighted, "forecast_by_rep": fc.by_rep,
        "weighted_total": sum(fc.weighted, Decimal(0)), "won": perf.won, "lost": perf.lost,
        "win_rate": perf.win_rate, "cycle_days": perf.cycle_days, "new_amount": perf.new_amount,
        "existing_amount": perf.existing_amount, "by_rep": perf.by_rep,
        "funnel": [{"name": s.name, "reached": s.reached, "conversion": s.conversion}
                   for s in reports.funnel([(st.name, st.position) for st in stages], furthest)],
    }
