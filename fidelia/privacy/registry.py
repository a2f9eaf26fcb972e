"""The privacy hook registry. Domain apps register here from their `privacy.py`, in
`AppConfig.ready()`; this app never imports domain models.

A hook set covers the personal data one app holds about a data subject (a party):
- `export(party_id)` returns that data as JSON-ready sections {section: [rows]} — only the
  subject's own data, never another person's;
- `erase(party_id)` anonymises it in place (or deletes it) and returns how many rows changed;
  rows under a legal duty keep only what the law requires.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ExportHook = Callable[[int], dict[str, list[dict[str, Any]]]]
EraseHook = Callable[[int], int]


@dataclass(frozen=True)
class PrivacyHooks:
    app_label: str
    export: ExportHook
    erase: EraseHook
    order: int = 100  # erasure runs from the highest order down: dependants before the party itself


_HOOKS: dict[str, PrivacyHooks] = {}


def register(hooks: PrivacyHooks) -> None:
    _HOOKS[hooks.app_label] = hooks


def registered() -> list[PrivacyHooks]:
    return sorted(_HOOKS.values(), key=lambda h: (-h.order, h.app_label))
