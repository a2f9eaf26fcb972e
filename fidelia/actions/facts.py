"""The customer facts that action rules (and segments) may test, registered by the apps that own them.

A fact is a named SQL expression over `parties.Party` (an `Exists`, a `Subquery`, a field path...):
rule conditions compile to one filtered queryset of parties, never to a loop over customers.
Apps register theirs from `AppConfig.ready()` (service: open complaints; clv: lifetime value;
attrition: risk...), so this module imports no app above it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Expression, F
from django.utils.functional import Promise


@dataclass(frozen=True)
class Fact:
    key: str                                  # "service.open_complaints": app label, dot, name
    label: str | Promise                      # shown in the rule editor, translated
    type: str                                 # "number", "boolean", "date", "text" or "choice"
    expression: Callable[[], Expression | F]  # built lazily: models are ready when it is called
    choices: Callable[[], list[tuple[str, Any]]] | None = None  # for "choice" facts
    help: str | Promise = ""
    # Multi-valued facts (a household's children, active contracts, life events): a queryset of the
    # related rows correlated with OuterRef("pk") and the name of the value field; a clause then
    # compiles to Exists(rows matching it) ("any child", "any active contract").
    related: Callable[[], tuple[Any, str]] | None = None
    # Facts that are not plain values (age from a birth date): build the Q of a clause themselves,
    # from (operator, value, as_of date); None uses the generic compiler.
    compiler: Callable[[str, Any, Any], Any] | None = None

    def annotation(self) -> Expression | F:
        return self.expression()


_FACTS: dict[str, Fact] = {}
FACT_TYPES = frozenset({"number", "boolean", "date", "text", "choice"})


def register_fact(fact: Fact) -> None:
    if fact.type not in FACT_TYPES:
        raise ValueError(f"fact {fact.key}: unknown type {fact.type!r}")
    if fact.key in _FACTS and _FACTS[fact.key] is not fact and _FACTS[fact.key].label != fact.label:
        raise ValueError(f"fact {fact.key} is already registered")
    _FACTS[fact.key] = fact


def registered_facts() -> dict[str, Fact]:
    return dict(_FACTS)


def fact(key: str) -> Fact | None:
    return _FACTS.get(key)
