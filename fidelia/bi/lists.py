"""The exportable lists: which rows (the page's own selector and filter form), which columns (the
user's field rights), and how the values are read (one `values_list` query, streamed).

Filtering is never re-implemented here: the filters a page received (its query string) go through
that page's filter form and selector, so an export holds exactly the rows the user was looking at,
in the same order, without pagination. Sensitive columns the user may not read are absent.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fidelia.accounts import policies
from fidelia.accounts.enums import SensitiveField
from fidelia.accounts.models import User
from fidelia.bi.columns import Column
from fidelia.bi.enums import ExportList
from fidelia.core.errors import DomainError, ErrorCode, ValidationFailed
from fidelia.parties import selectors as party_selectors
from fidelia.parties.fields import field_rights
from fidelia.parties.forms import PartyFilterForm
from fidelia.sales import selectors as sales_selectors
from fidelia.sales.forms import ContractFilterForm, TransactionFilterForm

Filters = Mapping[str, Any]
# Query-string keys of the pages that are not filters.
IGNORED_KEYS = frozenset({"page", "format", "list", "csrfmiddlewaretoken"})


class ListNotFound(DomainError):
    """The list does not exist for this user (analysts have no individual rows): 404, as its page."""

    code = ErrorCode.NOT_FOUND
    status = 404


@dataclass(frozen=True)
class ListExport:
    """One export, ready to stream: `rows` yields tuples in the order of `columns`."""

    name: str
    columns: list[Column]
    queryset: QuerySet[Any]
    sensitive: list[str] = field(default_factory=list)  # sensitive fields the file serves (audited)

    def count(self) -> int:
        return self.queryset.count()

    def rows(self, *, chunk_size: int = 10_000) -> Any:
        """Tuples from a server-side cursor on PostgreSQL (chunked on SQLite): bounded memory."""
        return self.queryset.iterator(chunk_size=chunk_size)


def query_dict(filters: Filters) -> QueryDict:
    """The filters as the page's query string (lists stay lists); non-filter keys dropped."""
    data = QueryDict(mutable=True)
    for key, value in filters.items():
        if key in IGNORED_KEYS:
            continue
        data.setlist(str(key), [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)])
    return data


def clean_filters(filters: Filters) -> dict[str, Any]:
    """A JSON-ready copy of the filters for the job record (single values unwrapped)."""
    data = query_dict(filters)
    return {k: (v[0] if len(v) == 1 else v) for k, v in data.lists()}


def _columns(*specs: tuple[str, str, str, Any]) -> list[tuple[Column, str]]:
    return [(Column(name, kind, label), path) for name, kind, path, label in specs]


PARTY_COLUMNS = _columns(
    ("id", "int64", "id", gettext_lazy("Id")),
    ("kind", "string", "kind", gettext_lazy("Kind")),
    ("stage", "string", "stage", gettext_lazy("Stage")),
    ("name", "string", "display_name", gettext_lazy("Name")),
    ("civility", "string", "civility", gettext_lazy("Civility")),
    ("first_name", "string", "first_name", gettext_lazy("First name")),
    ("last_name", "string", "last_name", gettext_lazy("Last name")),
    ("birth_date", "date", "birth_date", gettext_lazy("Birth date")),
    ("job_title", "string", "job_title", gettext_lazy("Job title")),
    ("organisation", "string", "organisation__display_name", gettext_lazy("Organisation")),
    ("legal_name", "string", "legal_name", gettext_lazy("Legal name")),
    ("siren", "string", "siren", gettext_lazy("SIREN")),
    ("siret", "string", "siret", gettext_lazy("SIRET")),
    ("vat_number", "string", "vat_number", gettext_lazy("VAT number")),
    ("sector", "string", "sector", gettext_lazy("Sector (NAF)")),
    ("csp", "string", "csp", gettext_lazy("Socio-professional category")),
    ("income_bracket", "string", "income_bracket", gettext_lazy("Income bracket")),
    ("preferred_channel", "string", "preferred_channel", gettext_lazy("Preferred channel")),
    ("language", "string", "language", gettext_lazy("Language")),
    ("email", "string", "email", gettext_lazy("E-mail")),
    ("phone", "string", "phone", gettext_lazy("Phone")),
    ("postcode", "string", "postcode", gettext_lazy("Postcode")),
    ("city", "string", "city", gettext_lazy("City")),
    ("owner", "string", "owner__username", gettext_lazy("Owner")),
    ("team", "string", "team__name", gettext_lazy("Team / agency")),
    ("customer_since", "date", "customer_since", gettext_lazy("Customer since")),
    ("created_at", "timestamp", "created_at", gettext_lazy("Created on")),
)
CONTRACT_COLUMNS = _columns(
    ("id", "int64", "id", gettext_lazy("Id")),
    ("reference", "string", "reference", gettext_lazy("Reference")),
    ("customer_id", "int64", "party_id", gettext_lazy("Customer id")),
    ("customer", "string", "party__display_name", gettext_lazy("Customer")),
    ("product_code", "string", "product__code", gettext_lazy("Product code")),
    ("product", "string", "product__name", gettext_lazy("Product")),
    ("family", "string", "product__family__name", gettext_lazy("Family")),
    ("status", "string", "status", gettext_lazy("Status")),
    ("start_date", "date", "start_date", gettext_lazy("Start date")),
    ("end_date", "date", "end_date", gettext_lazy("End date")),
    ("renewal_date", "date", "renewal_date", gettext_lazy("Renewal date")),
    ("annual_amount", "decimal", "annual_amount", gettext_lazy("Annual amount (€)")),
)
TRANSACTION_COLUMNS = _columns(
    ("id", "int64", "id", gettext_lazy("Id")),
    ("date", "date", "date", gettext_lazy("Date")),
    ("customer_id", "int64", "party_id", gettext_lazy("Customer id")),
    ("customer", "string", "party__display_name", gettext_lazy("Customer")),
    ("product_code", "string", "product__code", gettext_lazy("Product code")),
    ("product", "string", "product__name", gettext_lazy("Product")),
    ("family", "string", "product__family__name", gettext_lazy("Family")),
    ("channel", "string", "channel", gettext_lazy("Channel")),
    ("quantity", "int64", "quantity", gettext_lazy("Quantity")),
    ("amount", "decimal", "amount", gettext_lazy("Amount (€)")),
    ("margin", "decimal", "margin", gettext_lazy("Margin (€)")),
)


def _build(name: str, specs: list[tuple[Column, str]], queryset: QuerySet[Any], *, hidden: set[str],
           sensitive: list[str]) -> ListExport:
    kept = [(c, p) for c, p in specs if c.name not in hidden]
    return ListExport(name=name, columns=[c for c, _p in kept],
                      queryset=queryset.values_list(*[p for _c, p in kept]), sensitive=sensitive)


def _require_individuals(user: User) -> None:
    if policies.party_read_filter(user) is None:
        raise ListNotFound(_("This list does not exist."))


def _parties(user: User, filters: Filters) -> ListExport:
    _require_individuals(user)
    chosen = PartyFilterForm(query_dict(filters), user=user).filters()
    rights = field_rights(user)
    hidden = set(rights.hidden_party_attrs())
    return _build(ExportList.PARTIES, PARTY_COLUMNS, party_selectors.party_list(user=user, filters=chosen),
                  hidden=hidden, sensitive=[] if hidden & {"income_bracket"} else [SensitiveField.INCOME_BRACKET])


def _contracts(user: User, filters: Filters) -> ListExport:
    _require_individuals(user)
    form = ContractFilterForm(query_dict(filters), products=sales_selectors.products_for_user(user))
    qs = sales_selectors.contract_list(user=user, filters=form.filters())
    return _build(ExportList.CONTRACTS, CONTRACT_COLUMNS, qs, hidden=set(), sensitive=[])


def _transactions(user: User, filters: Filters) -> ListExport:
    rights = field_rights(user)
    if not rights.transactions:  # the page answers 404 too
        raise ListNotFound(_("This list does not exist."))
    form = TransactionFilterForm(query_dict(filters), products=sales_selectors.products_for_user(user))
    qs = sales_selectors.transaction_list(user=user, filters=form.filters())
    return _build(ExportList.TRANSACTIONS, TRANSACTION_COLUMNS, qs, hidden=set() if rights.margins else {"margin"},
                  sensitive=rights.transaction_fields())


LISTS: dict[str, Callable[[User, Filters], ListExport]] = {
    ExportList.PARTIES: _parties,
    ExportList.CONTRACTS: _contracts,
    ExportList.TRANSACTIONS: _transactions,
}


def list_export(*, user: User, name: str, filters: Filters) -> ListExport:
    """The rows and columns of list `name` as `user` sees it with `filters` (the page's query string).

    Raises ValidationFailed for an unknown list and ListNotFound (404) for a list the user has no
    page for. Invalid filter values are dropped, as on the page.
    """
    build = LISTS.get(name)
    if build is None:
        raise ValidationFailed(_("“%(value)s” is not a list that can be exported.") % {"value": name},
                               fields={"list": [_("Choose one of: %(names)s.") % {"names": ", ".join(LISTS)}]})
    return build(user, filters)


def filter_names(*, user: User, name: str) -> frozenset[str]:
    """The filters list `name`'s page offers `user` (the command line refuses any other key)."""
    forms: dict[str, Callable[[], Any]] = {
        ExportList.PARTIES: lambda: PartyFilterForm(None, user=user),
        ExportList.CONTRACTS: lambda: ContractFilterForm(None, products=sales_selectors.products_for_user(user)),
        ExportList.TRANSACTIONS: lambda: TransactionFilterForm(None, products=sales_selectors.products_for_user(user)),
    }
    return frozenset(forms[name]().fields) if name in forms else frozenset()
