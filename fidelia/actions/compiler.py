"""Rule conditions → one filtered queryset of customers.

A condition is a JSON tree: a group {"all": [...]} (AND) or {"any": [...]} (OR) whose items are
groups or clauses {"fact": key, "operator": op, "value": v}. `compile_condition` checks every clause
against the registered facts (unknown fact, operator not allowed for the fact's type, bad value →
`ValidationFailed` naming the clause, e.g. "Clause 2.1") and returns a Q plus the facts to alias.
`matching_parties` applies it: only the facts used are aliased, so a rule is ONE SQL query, never a
loop over customers. Relative dates ("within the next 30 days") are resolved here, in Python, from
the `as_of` date: the database only compares with constants.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from django.db.models import Exists, Q, QuerySet
from django.db.models.functions import ExtractDay, ExtractMonth
from django.utils.translation import gettext as _

from fidelia.actions.enums import Operator
from fidelia.actions.facts import Fact
from fidelia.actions.facts import fact as get_fact
from fidelia.core.errors import ValidationFailed
from fidelia.parties.models import Party

Op = Operator
OPERATORS_BY_TYPE: dict[str, frozenset[str]] = {
    "number": frozenset({Op.EQ, Op.NE, Op.LT, Op.LTE, Op.GT, Op.GTE, Op.BETWEEN, Op.IS_EMPTY, Op.IS_NOT_EMPTY}),
    "boolean": frozenset({Op.IS_TRUE, Op.IS_FALSE}),
    "text": frozenset({Op.EQ, Op.NE, Op.IN, Op.NOT_IN, Op.CONTAINS, Op.IS_EMPTY, Op.IS_NOT_EMPTY}),
    "choice": frozenset({Op.EQ, Op.NE, Op.IN, Op.NOT_IN, Op.IS_EMPTY, Op.IS_NOT_EMPTY}),
    "date": frozenset({Op.BEFORE, Op.AFTER, Op.BETWEEN, Op.WITHIN_NEXT_DAYS, Op.WITHIN_PAST_DAYS,
                       Op.MORE_THAN_DAYS_AGO, Op.MORE_THAN_YEARS_AGO, Op.ANNIVERSARY_WITHIN_DAYS,
                       Op.TURNS_AGE_WITHIN_DAYS, Op.IS_EMPTY, Op.IS_NOT_EMPTY}),
}
# Multi-valued choice facts (products held): "held" = any related row has the value.
RELATED_CHOICE_OPERATORS = frozenset({Op.HELD, Op.NOT_HELD})
NO_VALUE = frozenset({Op.IS_EMPTY, Op.IS_NOT_EMPTY, Op.IS_TRUE, Op.IS_FALSE})
MAX_DAYS = 36_600
MAX_CLAUSES = 50
MAX_DEPTH = 4


def operators_for(fact: Fact) -> frozenset[str]:
    """The operators a clause over `fact` may use."""
    if fact.related is not None and fact.type == "choice":
        return RELATED_CHOICE_OPERATORS
    return OPERATORS_BY_TYPE[fact.type]


@dataclass
class Compiled:
    q: Q
    aliases: dict[str, Any] = field(default_factory=dict)   # alias name -> fact expression
    facts: list[str] = field(default_factory=list)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


class _Clause:
    """Validates and compiles one clause; `where` ("Clause 2.1") prefixes every message."""

    def __init__(self, raw: Any, where: str, as_of: dt.date) -> None:
        self.where, self.as_of = where, as_of
        if not isinstance(raw, dict):
            self.fail(_("must be an object with a fact, an operator and a value"))
        self.raw = raw
        key = raw.get("fact")
        self.fact = get_fact(key) if isinstance(key, str) else None
        if self.fact is None:
            self.fail(_("unknown fact %(fact)r") % {"fact": key})
        self.op = raw.get("operator")
        allowed = operators_for(self.fact)
        if self.op not in allowed:
            self.fail(_("operator %(op)r cannot be used with %(fact)s (allowed: %(allowed)s)") % {
                "op": self.op, "fact": self.fact.label, "allowed": ", ".join(sorted(allowed))})
        self.value = raw.get("value")

    def fail(self, message: str) -> NoReturn:
        raise ValidationFailed(f"{self.where}: {message}.", fields={"condition": [f"{self.where}: {message}."]})

    # --- values ---
    def number(self, value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.fail(_("the value must be a number"))
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(_("the value must be a number"))
        if not number.is_finite() or abs(number) > Decimal("1e12"):
            self.fail(_("the value must be a number"))
        return number

    def days(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DAYS:
            self.fail(_("the value must be a whole number of days between 0 and %(max)s") % {"max": MAX_DAYS})
        return value

    def date(self, value: Any) -> dt.date:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(_("the value must be a date written YYYY-MM-DD"))
        raise AssertionError  # fail() raised

    def choice(self, value: Any) -> str:
        valid = {str(k) for k, _label in self.fact.choices()} if self.fact.choices else None
        if not isinstance(value, str | int) or isinstance(value, bool) or (valid is not None and str(value) not in valid):
            self.fail(_("%(value)r is not one of the choices of %(fact)s") % {"value": value, "fact": self.fact.label})
        return str(value)

    def text(self, value: Any) -> str:
        if not isinstance(value, str) or len(value) > 200 or "\x00" in value:
            self.fail(_("the value must be a text of at most 200 characters"))
        return value

    def scalar(self, value: Any) -> Any:
        return {"number": self.number, "choice": self.choice, "text": self.text, "date": self.date}[self.fact.type](value)

    def pair(self, value: Any) -> list[Any]:
        if not isinstance(value, list) or len(value) != 2:
            self.fail(_("the value must be a list of two values"))
        return value

    def many(self, value: Any) -> list[Any]:
        if isinstance(value, str | int) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list) or not value or len(value) > 200:
            self.fail(_("the value must be a non-empty list"))
        return [self.scalar(v) for v in value]

    # --- lookups ---
    def lookup(self, name: str) -> Q:
        """The Q of this clause over the field `name` (an alias of Party or a related row's field)."""
        op, v = self.op, self.value
        if op in {Op.IS_EMPTY, Op.IS_NOT_EMPTY}:
            empty = Q(**{f"{name}__isnull": True})
            if self.fact.type in {"text", "choice"}:
                empty |= Q(**{name: ""})
            return empty if op == Op.IS_EMPTY else ~empty
        if op in {Op.IS_TRUE, Op.IS_FALSE}:
            return Q(**{name: op == Op.IS_TRUE})
        simple = {Op.EQ: "exact", Op.LT: "lt", Op.LTE: "lte", Op.GT: "gt", Op.GTE: "gte", Op.BEFORE: "lt", Op.AFTER: "gt"}
        if op in simple:
            return Q(**{f"{name}__{simple[op]}": self.scalar(v)})
        if op == Op.NE:
            return ~Q(**{name: self.scalar(v)}) | Q(**{f"{name}__isnull": True})
        if op == Op.CONTAINS:
            return Q(**{f"{name}__icontains": self.text(v)})
        if op in {Op.IN, Op.HELD}:
            return Q(**{f"{name}__in": self.many(v)})
        if op in {Op.NOT_IN, Op.NOT_HELD}:
            return ~Q(**{f"{name}__in": self.many(v)})
        if op == Op.BETWEEN:
            low, high = (self.scalar(x) for x in self.pair(v))
            if low > high:
                self.fail(_("the first bound is above the second"))
            return Q(**{f"{name}__gte": low, f"{name}__lte": high})
        return self.date_lookup(name)

    def date_lookup(self, name: str) -> Q:
        op, today = self.op, self.as_of
        if op == Op.WITHIN_NEXT_DAYS:
            return Q(**{f"{name}__gte": today, f"{name}__lte": today + dt.timedelta(days=self.days(self.value))})
        if op == Op.WITHIN_PAST_DAYS:
            return Q(**{f"{name}__gte": today - dt.timedelta(days=self.days(self.value)), f"{name}__lte": today})
        if op == Op.MORE_THAN_DAYS_AGO:
            return Q(**{f"{name}__lt": today - dt.timedelta(days=self.days(self.value))})
        if op == Op.MORE_THAN_YEARS_AGO:
            years = self.value
            if isinstance(years, bool) or not isinstance(years, int) or not 0 <= years <= 150:
                self.fail(_("the value must be a whole number of years between 0 and 150"))
            return Q(**{f"{name}__lt": _add_years(today, -years)})
        if op == Op.TURNS_AGE_WITHIN_DAYS:
            age, days = self.pair(self.value)
            if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 150:
                self.fail(_("the age must be a whole number of years between 0 and 150"))
            # born between (today − age years) and (today + N days − age years) reaches `age` in the window
            return Q(**{f"{name}__gte": _add_years(today, -age),
                        f"{name}__lte": _add_years(today + dt.timedelta(days=self.days(days)), -age)})
        return self.anniversary(name)

    def anniversary(self, name: str) -> Q:
        """Month-and-day of the date within [today, today + N]: compared as month × 100 + day."""
        days = self.days(self.value)
        if days >= 365:
            return Q(**{f"{name}__isnull": False})
        start, end = self.as_of, self.as_of + dt.timedelta(days=days)
        lo, hi = start.month * 100 + start.day, end.month * 100 + end.day
        mmdd = ExtractMonth(name) * 100 + ExtractDay(name)
        self.annotations = {"_mmdd": mmdd}
        if lo <= hi:
            return Q(_mmdd__gte=lo, _mmdd__lte=hi)
        return Q(_mmdd__gte=lo) | Q(_mmdd__lte=hi)  # the window crosses 31 December


def _compile_clause(raw: Any, where: str, as_of: dt.date, out: Compiled) -> Q:
    clause = _Clause(raw, where, as_of)
    fact = clause.fact
    if fact.compiler is not None:
        try:
            return fact.compiler(clause.op, clause.value, as_of)
        except ValueError as exc:
            clause.fail(str(exc))
    if fact.related is not None:
        rows, value_field = fact.related()
        clause.annotations = {}
        if clause.op in {Op.NOT_HELD, Op.IS_EMPTY}:  # "none of the related rows has it"
            positive = Op.HELD if clause.op == Op.NOT_HELD else Op.IS_NOT_EMPTY
            clause.op = positive
            q = clause.lookup(value_field)
            return ~Exists(rows.alias(**clause.annotations).filter(q))
        q = clause.lookup(value_field)
        return Exists(rows.alias(**clause.annotations).filter(q))
    alias = "f_" + fact.key.replace(".", "__")
    out.aliases[alias] = fact.annotation()
    clause.annotations = {}
    q = clause.lookup(alias)
    if clause.annotations:  # anniversary of a single-valued date: alias its month-and-day too
        mmdd_alias = alias + "_mmdd"
        out.aliases[mmdd_alias] = clause.annotations["_mmdd"]
        return _rename(q, "_mmdd", mmdd_alias)
    return q


def _rename(q: Q, old: str, new: str) -> Q:
    children = [(_rename(c, old, new) if isinstance(c, Q) else (c[0].replace(old, new, 1), c[1])) for c in q.children]
    clone = Q(*children, _connector=q.connector, _negated=q.negated)
    return clone


def _compile_group(raw: Any, where: str, as_of: dt.date, out: Compiled, depth: int, counter: list[int]) -> Q:
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in {"all", "any"}:
        label = where or _("The condition")
        raise ValidationFailed(f"{label}: " + _("a group must be {\"all\": [...]} or {\"any\": [...]}."),
                               fields={"condition": [_("A group must be {\"all\": [...]} or {\"any\": [...]}.")]})
    connector, items = next(iter(raw.items()))
    if not isinstance(items, list) or not items:
        message = (where or _("The condition")) + ": " + _("a group needs at least one clause.")
        raise ValidationFailed(message, fields={"condition": [message]})
    if depth > MAX_DEPTH:
        message = _("Conditions may nest at most %(n)s groups deep.") % {"n": MAX_DEPTH}
        raise ValidationFailed(message, fields={"condition": [message]})
    q = Q() if connector == "all" else Q(pk__in=[])
    combined: Q | None = None
    for i, item in enumerate(items, start=1):
        label = f"{where}.{i}" if where else str(i)
        counter[0] += 1
        if counter[0] > MAX_CLAUSES:
            message = _("A condition may have at most %(n)s clauses.") % {"n": MAX_CLAUSES}
            raise ValidationFailed(message, fields={"condition": [message]})
        if isinstance(item, dict) and ("all" in item or "any" in item):
            part = _compile_group(item, label, as_of, out, depth + 1, counter)
        else:
            part = _compile_clause(item, _("Clause %(n)s") % {"n": label}, as_of, out)
            if isinstance(item, dict):
                out.facts.append(str(item.get("fact")))
        combined = part if combined is None else (combined & part if connector == "all" else combined | part)
    return combined if combined is not None else q


def compile_condition(condition: Any, *, as_of: dt.date) -> Compiled:
    """Validate `condition` and build its Q; raises `ValidationFailed` naming the faulty clause."""
    out = Compiled(q=Q())
    out.q = _compile_group(condition, "", as_of, out, 1, [0])
    return out


def eligible_parties() -> QuerySet[Party]:
    """Customers a rule may consider: live files (not anonymised, not merged into another)."""
    return Party.objects.filter(erased_at__isnull=True, merged_into__isnull=True)


def matching_parties(condition: Any, *, as_of: dt.date, base: QuerySet[Party] | None = None) -> QuerySet[Party]:
    """The customers matching `condition` on `as_of`: one query, with only the facts used aliased."""
    compiled = compile_condition(condition, as_of=as_of)
    qs = base if base is not None else eligible_parties()
    return qs.alias(**compiled.aliases).filter(compiled.q)
