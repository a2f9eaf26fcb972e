"""What marketing does when sales announces something (connected in `MarketingConfig.ready`).

Sales sends its signals after the recording transaction commits. Purchases and opportunities go to
a Celery task taking ids (run in-process in the embedded mode), in chunks, since one import may
announce thousands of purchases at once; the task attributes them in a few set-based queries. A
failure here never reaches the sale or the public form: it is logged, and the nightly catch-up
(idempotent, same response keys) attributes what was missed.
"""
from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)
TASK_CHUNK = 5000  # ids per task


def _queue(kind: str, ids: list[int]) -> None:
    from fidelia.marketing.tasks import attribution_task

    for start in range(0, len(ids), TASK_CHUNK):
        try:
            attribution_task.delay(kind, list(ids[start:start + TASK_CHUNK]))
        except Exception:  # the sale is saved; the nightly catch-up will attribute it
            log.exception("campaign attribution of %d %s failed; the nightly catch-up will do it", len(ids), kind)


def on_purchases_recorded(sender: Any, *, party_ids: list[int], transaction_ids: list[int], **kwargs: Any) -> None:
    _queue("orders", transaction_ids)


def on_opportunities_created(sender: Any, *, party_ids: list[int], opportunity_ids: list[int], **kwargs: Any) -> None:
    _queue("opportunities", opportunity_ids)


def on_web_lead_captured(sender: Any, *, lead_id: int, email: str, campaign_token: str = "", **kwargs: Any) -> None:
    from fidelia.marketing.services import form_response_capture

    try:
        form_response_capture(lead_id=lead_id, email=email, token=campaign_token)
    except Exception:  # never breaks the public form
        log.exception("campaign attribution of web lead %s failed", lead_id)


def connect() -> None:
    from fidelia.sales import signals

    signals.purchases_recorded.connect(on_purchases_recorded, dispatch_uid="marketing.purchases")
    signals.opportunities_created.connect(on_opportunities_created, dispatch_uid="marketing.opportunities")
    signals.web_lead_captured.connect(on_web_lead_captured, dispatch_uid="marketing.web_lead")
