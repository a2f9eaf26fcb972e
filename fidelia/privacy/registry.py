"""The privacy hook registry. Domain apps register here from their `privacy.py`, in
`AppConfig.ready()`; this app never imports domain models.

A hook set covers the personal data one app holds about a data subject (a party):
- `export(party_id)` returns that data as JSON-ready sections {section: [rows]} — only the
  subject's own data, never another person's;
- `erase(party_id)` anonymises it in place (or deletes it) and returns how many rows changed;
  rows under a legal duty keep only what the law requires.

Retention hooks (below) apply the retention register: one function per policy key.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

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


# --- Retention hooks ------------------------------------------------------------------------------
# An app that holds the data a register policy covers registers, under the policy's key, a function
# `hook(policy, *, now, apply) -> RetentionOutcome`. It finds the records whose start event lies
# before `policy.cutoff(now)` and, only when `apply` is true, performs the policy's action on them.
# The retention job runs each hook in its own transaction.


@dataclass(frozen=True)
class RetentionOutcome:
    key: str
    matched: int  # records past the policy at `now`
    acted: int = 0  # records actually anonymised, archived, deleted… (0 on a dry run)


class RetentionHook(Protocol):
    def __call__(self, policy: Any, *, now: dt.datetime, apply: bool) -> RetentionOutcome: ...


_RETENTION_HOOKS: dict[str, RetentionHook] = {}


def register_retention(key: str, hook: RetentionHook) -> None:
    """Make `hook` the one that applies the register policy `key` (a later registration replaces it)."""
    _RETENTION_HOOKS[key] = hook


def retention_hook(key: str) -> RetentionHook | None:
    return _RETENTION_HOOKS.get(key)


def retention_keys() -> list[str]:
    return sorted(_RETENTION_HOOKS)
