"""Writes on the actions to take."""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from fidelia.accounts.models import User
from fidelia.actions.enums import ActionKind, ActionSource
from fidelia.actions.models import Action
from fidelia.core import events
from fidelia.core.errors import ValidationFailed
from fidelia.parties.models import Party
from fidelia.sales.models import Product


def action_propose(*, party: Party, kind: str, title: str, source: str, source_key: str, due_on: dt.date,
                   reason: str = "", priority: float = 1.0, owner: User | None = None,
                   product: Product | None = None, valid_until: dt.date | None = None,
                   actor: User | None = None) -> tuple[Action, bool]:
    """Propose an action to the customer's owner (or `owner`); returns (action, created).

    Idempotent on `source_key` (e.g. "service:case:42:complaint-open"): proposing again returns the
    existing action unchanged, whatever its status, so a dismissed proposal is not re-created.
    Other apps (service, surveys, attrition, campaigns) call this; they never write actions directly.
    """
    if kind not in ActionKind.values or source not in ActionSource.values:
        raise ValidationFailed(f"Unknown action kind {kind!r} or source {source!r}.")
    if not source_key or len(source_key) > 200:
        raise ValidationFailed("An action needs a source key of at most 200 characters.")
    existing = Action.objects.filter(source_key=source_key).first()
    if existing:
        return existing, False
    who = owner or party.owner
    try:
        with transaction.atomic():
            row = Action.objects.create(
                party=party, owner=who, team=(who.team if who else None) or party.team, kind=kind,
                title=title[:200], reason=reason, product=product, source=source, source_key=source_key,
                priority=priority, due_on=due_on, valid_until=valid_until)
            events.record(actor=actor, action="action.proposed", obj=row, party_id=party.pk,
                          changes={"kind": kind, "source": source})
    except IntegrityError:  # proposed concurrently by another worker
        return Action.objects.get(source_key=source_key), False
    return row, True
