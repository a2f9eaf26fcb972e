"""What marketing does when sales announces something (connected in `MarketingConfig.ready`).

Each receiver runs after the sales transaction committed; it attributes in a few set-based queries
and never lets an error reach the sale or the public form (the daily catch-up redoes what failed).
"""
from __future__ import annotations

import logging
from typing import Any

from fidelia.marketing import services

log = logging.getLogger(__name__)


def on_purchases_recorded(sender: Any, *, party_ids: list[int], transaction_ids: list[int], **kwargs: Any) -> None:
    from fidelia.sales.models import Transaction

    try:
        services.orders_attribute(transactions=Transaction.objects.filter(pk__in=transaction_ids))
    except Exception:  # the catch-up task attributes them tonight
        log.exception("campaign attribution of purchases %s failed", transaction_ids[:20])


def on_opportunities_created(sender: Any, *, party_ids: list[int], opportunity_ids: list[int], **kwargs: Any) -> None:
    from fidelia.sales.models import Opportunity

    try:
        services.opportunities_attribute(opportunities=Opportunity.objects.filter(pk__in=opportunity_ids))
    except Exception:
        log.exception("campaign attribution of opportunities %s failed", opportunity_ids[:20])


def on_web_lead_captured(sender: Any, *, lead_id: int, email: str, campaign_token: str = "", **kwargs: Any) -> None:
    try:
        services.form_response_capture(lead_id=lead_id, email=email, token=campaign_token)
    except Exception:
        log.exception("campaign attribution of web lead %s failed", lead_id)


def connect() -> None:
    from fidelia.sales import signals

    signals.purchases_recorded.connect(on_purchases_recorded, dispatch_uid="marketing.purchases")
    signals.opportunities_created.connect(on_opportunities_created, dispatch_uid="marketing.opportunities")
    signals.web_lead_captured.connect(on_web_lead_captured, dispatch_uid="marketing.web_lead")
