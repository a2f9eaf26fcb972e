"""Record activity rows; services call these inside their transaction."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from fidelia.core.models import ActivityEvent


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.date | dt.datetime | Decimal):
        return str(value)
    return value


def diff(instance: models.Model, new_values: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields of `new_values` that differ from `instance`, as {field: [old, new]}."""
    changes: dict[str, list[Any]] = {}
    for name, new in new_values.items():
        old = getattr(instance, name)
        if _plain(old) != _plain(new):
            changes[name] = [_plain(old), _plain(new)]
    return changes


def record(*, actor: Any, action: str, obj: models.Model, party_id: int | None,
           changes: dict[str, Any] | None = None) -> ActivityEvent:
    return ActivityEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        party_id=party_id,
        changes={k: [_plain(x) for x in v] if isinstance(v, list | tuple) else _plain(v)
                 for k, v in (changes or {}).items()},
    )
