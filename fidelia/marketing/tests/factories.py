"""Segments and campaigns built through the services."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from fidelia.accounts.models import User
from fidelia.marketing.models import Campaign, Segment
from fidelia.marketing.services import campaign_save, segment_save

CUSTOMERS = {"all": [{"fact": "parties.stage", "operator": "eq", "value": "customer"}]}


def segment(*, actor: User, definition: Any = None, name: str = "Clients") -> Segment:
    return segment_save(actor=actor, name=name, definition=definition or CUSTOMERS)


def campaign(*, actor: User, seg: Segment, **overrides: Any) -> Campaign:
    values: dict[str, Any] = {
        "name": "Offre printemps", "channel": "email", "segment": seg, "purpose": "prospecting",
        "subject_fr": "Bonjour {{ first_name }}", "body_fr": "Bonjour {{ first_name }}, découvrez notre offre.",
        "control_share": Decimal("0"), "fixed_cost": Decimal("100"), "cost_per_message": Decimal("0.05")}
    values.update(overrides)
    return campaign_save(actor=actor, **values)
