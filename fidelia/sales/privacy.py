"""Contracts, transactions, leads, opportunities and quotes, for the privacy registry and the retention register.

They carry no identity of their own (only the link to the party, which erasure anonymises) and
are kept under legal duties — contracts as proof for 5 years after they end, invoices and
transactions 10 years — so erasure archives them instead of deleting them: the row keeps only
what the duty requires (reference, product, dates, amounts) and leaves the active base.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import DateField, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import timezone

from fidelia.parties.enums import Stage
from fidelia.parties.models import Party
from fidelia.privacy.registry import PrivacyHooks, RetentionOutcome, register, register_retention
from fidelia.privacy.services import subjects_erase_past_policy
from fidelia.sales.enums import ContractStatus, LeadStatus
from fidelia.sales.models import Contract, Lead, Opportunity, Quote, Transaction

# A date before any relationship, so that a missing date never wins a GREATEST().
_NEVER = dt.date(1900, 1, 1)


def _plain(rows: Any) -> list[dict[str, Any]]:
    return [{k: (v.isoformat() if hasattr(v, "isoformat") else str(v) if v is not None and not isinstance(v, str | int | bool) else v)
             for k, v in r.items()} for r in rows]


def export(party_id: int) -> dict[str, list[dict[str, Any]]]:
    return {
        "contracts": _plain(Contract.objects.filter(party_id=party_id).values(
            "reference", "product__name", "start_date", "end_date", "renewal_date", "status", "annual_amount",
            "archived_at")),
        "transactions": _plain(Transaction.objects.filter(party_id=party_id).values(
            "date", "product__name", "quantity", "amount", "channel", "archived_at")),
        "leads": _plain(Lead.objects.filter(party_id=party_id).values(
            "first_name", "last_name", "company", "email", "phone", "city", "source", "source_detail",
            "status", "message", "consent_granted", "consent_wording", "consent_at", "created_at",
            "converted_at")),
        "opportunities": _plain(Opportunity.objects.filter(party_id=party_id).values(
            "name", "stage__name", "amount", "probability", "expected_close", "next_step", "next_step_on",
            "lost_reason__label", "closed_on", "created_at")),
        "quotes": _plain(Quote.objects.filter(party_id=party_id).values(
            "number", "status", "issued_on", "valid_until", "total_excl_tax", "total_tax", "total_incl_tax",
            "notes")),
    }


def erase(party_id: int) -> int:
    """Archive the subject's contracts and transactions (legal duty); they hold no free text to blank.

    Returns how many rows were newly archived.
    """
    now = timezone.now()
    # The converted lead held the person's identity and message: blanked, the row stays as a statistic.
    blanked = Lead.objects.filter(party_id=party_id).update(**_LEAD_BLANK, party=None)
    # Opportunities and quotes follow the party: free text is blanked, amounts stay for the pipeline figures.
    blanked += Opportunity.objects.filter(party_id=party_id).update(next_step="", lost_note="")
    blanked += Quote.objects.filter(party_id=party_id).update(notes="")
    return blanked + (Contract.objects.filter(party_id=party_id, archived_at__isnull=True).update(archived_at=now)
            + Transaction.objects.filter(party_id=party_id, archived_at__isnull=True).update(archived_at=now))


_LEAD_BLANK = {"first_name": "", "last_name": "", "company": "", "email": "", "phone": "", "city": "",
               "message": "", "consent_proof": {}, "source_detail": ""}


def leads_to_delete(policy: Any, *, now: dt.datetime, apply: bool) -> RetentionOutcome:
    """Leads never converted whose last contact (or creation, without one) is before the cutoff."""
    cutoff = policy.cutoff(now)
    rows = (Lead.objects.filter(party__isnull=True).exclude(status=LeadStatus.CONVERTED)
            .filter(Q(last_contact_at__lt=cutoff) | Q(last_contact_at__isnull=True, created_at__lt=cutoff)))
    matched = rows.count()
    acted = rows.delete()[0] if apply and matched else 0
    return RetentionOutcome(policy.key, matched, acted)


# --- Retention policies -----------------------------------------------------------------------------


def _contract_end() -> Coalesce:
    """When a contract ended: its end date, or its last change for one cancelled without a date."""
    return Coalesce("end_date", Cast("updated_at", DateField()))


def _ended(on: dt.date) -> Q:
    """Contracts that have ended strictly before `on`."""
    return (Q(end_date__lt=on)
            | Q(end_date__isnull=True, updated_at__date__lt=on) & ~Q(status=ContractStatus.ACTIVE))


def contracts_to_archive(policy: Any, *, now: dt.datetime, apply: bool) -> RetentionOutcome:
    """Ended contracts leave the active base for the restricted archive."""
    rows = Contract.objects.filter(_ended(policy.cutoff(now).date()), archived_at__isnull=True)
    matched = rows.count()
    acted = rows.update(archived_at=now) if apply and matched else 0
    return RetentionOutcome(policy.key, matched, acted)


def contracts_to_delete(policy: Any, *, now: dt.datetime, apply: bool) -> RetentionOutcome:
    """Contracts ended longer ago than the limitation period are deleted, archived or not."""
    rows = Contract.objects.filter(_ended(policy.cutoff(now).date()))
    matched = rows.count()
    acted = rows.delete()[0] if apply and matched else 0
    return RetentionOutcome(policy.key, matched, acted)


def transactions_to_delete(policy: Any, *, now: dt.datetime, apply: bool) -> RetentionOutcome:
    rows = Transaction.objects.filter(date__lt=policy.cutoff(now).date())
    matched = rows.count()
    acted = rows.delete()[0] if apply and matched else 0
    return RetentionOutcome(policy.key, matched, acted)


def former_customers(policy: Any, *, now: dt.datetime, apply: bool) -> RetentionOutcome:
    """Customers without a running contract whose relationship ended before the cutoff are anonymised.

    The end of the relationship is the latest of: a contract's end, a purchase, a contact coming
    from the customer, and the creation of the file (when none of these ever happened).
    """
    today = now.date()
    last_contract = Subquery(Contract.objects.filter(party_id=OuterRef("pk")).values("party_id")
                             .annotate(at=Max(_contract_end())).values("at")[:1], output_field=DateField())
    last_purchase = Subquery(Transaction.objects.filter(party_id=OuterRef("pk")).values("party_id")
                             .annotate(at=Max("date")).values("at")[:1], output_field=DateField())
    running = Contract.objects.filter(party_id=OuterRef("pk")).exclude(_ended(today))
    cutoff = policy.cutoff(now)
    # Cheap, indexed pre-filters first: a file created, or a contact from the customer, after the
    # cutoff means the relationship cannot have ended before it.
    ended = (Party.objects.filter(stage__in=[Stage.CUSTOMER, Stage.FORMER], erased_at__isnull=True,
                                  created_at__lt=cutoff)
             .exclude(last_inbound_at__gte=cutoff)
             .exclude(pk__in=running.values("party_id"))
             .alias(end=Greatest(Coalesce(last_contract, _NEVER), Coalesce(last_purchase, _NEVER),
                                 Coalesce(Cast("last_inbound_at", DateField()), _NEVER),
                                 Cast(F("created_at"), DateField())))
             .filter(end__lt=cutoff.date()))
    return subjects_erase_past_policy(key=policy.key, party_ids=ended.values_list("pk", flat=True), apply=apply)


def register_hooks() -> None:
    register(PrivacyHooks(app_label="sales", export=export, erase=erase))
    register_retention("customers_prospecting", former_customers)
    register_retention("contract_archive", contracts_to_archive)
    register_retention("contracts", contracts_to_delete)
    register_retention("transactions", transactions_to_delete)
    register_retention("sales_leads", leads_to_delete)
