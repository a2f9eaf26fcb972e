"""Realistic French CRM data, generated in column batches with NumPy.

Pure: no database access. `Generator.chunk()` returns, for a range of party ids, every row to
insert as columns of strings (None = NULL) keyed by database column, ready for COPY or
executemany. Faker is only used once, to build pools of names and streets; per-row work is
NumPy draws plus string formatting, so a million customers take minutes, not hours.

Behaviour worth knowing (analytics rely on it):
- purchases follow the BG/NBD story: each buyer has a latent purchase rate (gamma across
  customers), becomes inactive after any repeat purchase with a probability p (beta across
  customers), and spends a gamma-distributed amount per purchase around a customer-specific
  mean (Gamma-Gamma). Buyers who dropped out more than a year ago are former customers;
- everything is deterministic for a given seed, chunk size and id offsets.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np
import phonenumbers
from faker import Faker

from fidelia.core.text import fold
from fidelia.demo import reference as ref
from fidelia.parties.search import build_search_text, display_name_of

Column = list[str | None]
DAYS_PER_YEAR = 365.25
HISTORY_DAYS = 3 * 365  # purchase history window ("the last ~3 years")
BUYER_SHARE = 0.72  # parties with purchases (customers and former customers)
ORG_SHARE = 0.15
CONTACT_SHARE = 0.08  # persons who are contacts of a company
ENGLISH_SHARE = 0.05  # persons written to in English (Party.language)
# BG/NBD and Gamma-Gamma parameters (rates per year; spend in euros).
RATE_SHAPE = 0.9
DROPOUT_BETA = (1.0, 20.0)  # ~40 % of buyers drop out; about one in five is a former customer
SPEND_P, SPEND_Q, SPEND_GAMMA = 4.0, 3.5, 45.0
SALES_CHANNELS = ("branch", "web", "call_centre", "sales_force", "point_of_sale")
SALES_CHANNEL_WEIGHTS = (0.32, 0.34, 0.10, 0.09, 0.15)
INTERACTION_CHANNELS = (
    "visit",
    "phone",
    "email",
    "letter",
    "sms",
    "web",
    "call_centre",
    "point_of_sale",
)
INTERACTION_CHANNEL_WEIGHTS = (0.18, 0.28, 0.22, 0.04, 0.06, 0.10, 0.10, 0.02)
OUTCOMES = ("done", "no_answer", "call_back", "interested", "not_interested", "sale", "complaint")
OUTCOME_WEIGHTS = (0.42, 0.10, 0.10, 0.14, 0.09, 0.10, 0.05)
PREFERRED_CHANNELS = ("email", "sms", "phone", "post", "")
PREFERRED_WEIGHTS = (0.38, 0.14, 0.22, 0.06, 0.20)
CONSENT_SOURCES = ("web_form", "branch", "phone", "paper", "email")


@dataclass(frozen=True)
class ProductInfo:
    """A catalogue product as the generator needs it (ids come from the database)."""

    id: int
    code: str
    name: str
    family: str
    margin_bp: int  # margin rate in basis points of 1/10000
    price_cents: int
    held_as_contract: bool
    term_years: int


@dataclass(frozen=True)
class Staff:
    """Sales reps who own portfolios (with their team) and staff who log interactions."""

    rep_ids: tuple[int, ...]
    rep_team_ids: tuple[int, ...]


@dataclass
class Batch:
    """Rows for one chunk of parties: {db_table: {column: values}} in dependency order."""

    tables: dict[str, dict[str, Column]] = field(default_factory=dict)

    def rows(self, table: str) -> int:
        cols = self.tables.get(table) or {}
        return len(next(iter(cols.values()))) if cols else 0


def luhn_check_digits(payload: np.ndarray) -> np.ndarray:
    """Check digit making each row of `payload` (n × L digits) a valid Luhn number once appended."""
    length = payload.shape[1]
    doubled = ((length - np.arange(length)) % 2) == 1
    values = np.where(doubled, payload * 2, payload)
    values = np.where(values > 9, values - 9, values)
    return (10 - values.sum(axis=1) % 10) % 10


def _digits(numbers: np.ndarray, width: int) -> np.ndarray:
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (numbers[:, None] // powers) % 10


def sirens_for(ids: np.ndarray, salt: int) -> np.ndarray:
    """Valid, distinct SIRENs (as integers) derived from party ids through a bijection mod 10^8."""
    base = (ids.astype(np.int64) * 7_368_787 + salt) % 100_000_000
    return base * 10 + luhn_check_digits(_digits(base, 8))


def sirets_for(sirens: np.ndarray, nic_base: np.ndarray) -> np.ndarray:
    """SIRET = SIREN + 4-digit establishment number + Luhn check digit over all 14 digits."""
    payload = sirens * 10_000 + nic_base
    return payload * 10 + luhn_check_digits(_digits(payload, 13))


def vat_numbers(sirens: np.ndarray) -> list[str]:
    keys = (12 + 3 * (sirens % 97)) % 97
    return [f"FR{k:02d}{s:09d}" for k, s in zip(keys.tolist(), sirens.tolist(), strict=True)]


def _valid_prefixes(first_digits: str) -> list[str]:
    """Three-digit national prefixes (after the 0) whose whole 6-digit range is valid per phonenumbers."""
    prefixes = []
    for head in first_digits:
        for rest in range(100):
            prefix = f"{head}{rest:02d}"
            if all(
                phonenumbers.is_valid_number(phonenumbers.parse(f"+33{prefix}{tail}"))
                for tail in ("000000", "505050", "999999")
            ):
                prefixes.append(prefix)
    return prefixes


def phones_for(ids: np.ndarray, prefixes: list[str], salt: int) -> list[str]:
    """Distinct valid E.164 numbers derived from party ids (bijection mod len(prefixes)·10^6)."""
    space = len(prefixes) * 1_000_000
    multiplier = 1_000_003  # prime, so coprime with the space for our prefix counts
    h = (ids.astype(np.int64) * multiplier + salt) % space
    pre, tail = h % len(prefixes), h // len(prefixes)
    return [f"+33{prefixes[p]}{t:06d}" for p, t in zip(pre.tolist(), tail.tolist(), strict=True)]


_LEGAL_SUFFIX = re.compile(r"\s+(S\.?A\.?R\.?L\.?|S\.?A\.?S\.?U?\.?|S\.?A\.?|E\.?U\.?R\.?L\.?)$", re.IGNORECASE)


def _bare_company(name: str) -> str:
    """Faker's French company names may end in a legal form; the generator adds its own."""
    return _LEGAL_SUFFIX.sub("", name).strip()


def _slug(value: str) -> str:
    return "-".join(fold(value).replace("@", " ").replace(".", " ").replace("+", " ").split())


# Surname origins in France, as shares of the population (orders of magnitude): French names
# (Faker's fr_FR list is ordered by frequency), older French-speaking stock, then the main
# immigrant origins. A few per cent carry double-barrelled surnames.
NAME_ORIGINS: tuple[tuple[str, float], ...] = (
    ("fr_FR", 0.70),
    ("fr_CA", 0.06),
    ("fr_CH", 0.04),
    ("it_IT", 0.07),
    ("es_ES", 0.06),
    ("pt_PT", 0.05),
    ("de_DE", 0.02),
)
COMPOUND_SHARE = 0.03


def _name_pool(
    attribute: str, *, compounds: int = 0, rng: np.random.Generator | None = None
) -> tuple[list[str], np.ndarray]:
    """Names from Faker's person providers of several locales, weighted by origin and rank."""
    import importlib

    names: list[str] = []
    weights: list[float] = []
    seen: set[str] = set()
    for locale, share in NAME_ORIGINS:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        pool = [
            n
            for n in dict.fromkeys(getattr(provider, attribute, ()))
            if n not in seen and " " not in n
        ]
        if not pool:
            continue
        # Earlier entries are more frequent: a Zipf-like weight gives many Martin, few Zidane.
        rank = np.arange(len(pool), dtype=float)
        w = 1.0 / (rank + 15) if locale == "fr_FR" else np.ones(len(pool))
        names += pool
        weights += (w / w.sum() * share).tolist()
        seen.update(pool)
    if compounds and rng is not None:
        base = _weights(weights)
        first = rng.choice(len(names), compounds, p=base)
        second = rng.choice(len(names), compounds, p=base)
        pairs = list(
            dict.fromkeys(
                f"{names[a]}-{names[b]}"
                for a, b in zip(first.tolist(), second.tolist(), strict=True)
                if a != b
            )
        )
        names += pairs
        weights += [COMPOUND_SHARE / len(pairs)] * len(pairs)
    return names, _weights(weights)


def _weights(values: tuple[float, ...] | list[float]) -> np.ndarray:
    w = np.asarray(values, dtype=float)
    return w / w.sum()


class Pools:
    """Names, streets, places and texts drawn from once; built from Faker with the run's seed."""

    def __init__(self, seed: int) -> None:
        fake = Faker("fr_FR")
        fake.seed_instance(seed)
        rng = np.random.default_rng([seed, 7])
        self.first_male, self.first_male_weights = _name_pool("first_names_male")
        self.first_female, self.first_female_weights = _name_pool("first_names_female")
        self.last_names, self.last_weights = _name_pool("last_names", compounds=20_000, rng=rng)
        self.last_slug = [_slug(n) for n in self.last_names]
        self.streets = list(dict.fromkeys(fake.street_name() for _ in range(3000)))
        places = [*ref.CITIES, *ref.TOWNS]
        self.postcodes = [p for p, _, _ in places]
        self.cities = [c for _, c, _ in places]
        self.city_weights = _weights([w for _, _, w in places])
        companies = list(dict.fromkeys(_bare_company(fake.company()) for _ in range(4000)))
        self.companies = companies
        self.company_slugs = [_slug(c)[:30].strip("-") or "entreprise" for c in companies]
        self.domains = [d for d, _ in ref.EMAIL_DOMAINS]
        self.domain_weights = _weights([w for _, w in ref.EMAIL_DOMAINS])
        self.mobile_prefixes = _valid_prefixes("67")
        self.landline_prefixes = _valid_prefixes("12345")


class Generator:
    """Generates parties and everything attached to them, chunk by chunk.

    `first_ids` maps each db table to the first id to use (so a second run appends after the
    existing rows); the generator advances them as it goes.
    """

    def __init__(
        self,
        *,
        seed: int,
        transactions_per_customer: float,
        today: dt.date,
        products: list[ProductInfo],
        staff: Staff,
        first_ids: dict[str, int],
    ) -> None:
        if not staff.rep_ids:
            raise ValueError("at least one sales rep is needed to own the portfolios")
        self.seed = seed
        self.today = today
        self.today_ord = today.toordinal()
        self.products = products
        self.staff = staff
        self.next_id = dict(first_ids)
        self.pools = Pools(seed)
        self._date_base = dt.date(1900, 1, 1).toordinal()
        self._dates = [
            dt.date.fromordinal(o).isoformat()
            for o in range(self._date_base, self.today_ord + 26 * 366)
        ]
        self._times = [f" {h:02d}:{m:02d}:00" for h in range(24) for m in range(60)]
        self.rep_ids = np.asarray(staff.rep_ids, dtype=np.int64)
        self.rep_team_ids = np.asarray(staff.rep_team_ids, dtype=np.int64)
        # Bigger agencies: a few reps carry larger portfolios.
        self.rep_weights = _weights(
            np.random.default_rng(seed).gamma(4.0, 1.0, len(staff.rep_ids)).tolist()
        )
        self.purchase_products = np.asarray([p.id for p in products], dtype=np.int64)
        self.purchase_weights = _weights([3.0 if not p.held_as_contract else 1.0 for p in products])
        self.margin_bp = np.asarray([p.margin_bp for p in products], dtype=np.int64)
        self.contract_products = [i for i, p in enumerate(products) if p.held_as_contract]
        self.contract_weights = _weights(
            [
                {
                    "Comptes": 4.0,
                    "Épargne": 2.5,
                    "Assurances": 2.0,
                    "Cartes": 2.5,
                    "Crédits": 0.8,
                }.get(products[i].family, 1.0)
                for i in self.contract_products
            ]
        )
        self.rate_scale = (
            self._calibrate_rate(transactions_per_customer / BUYER_SHARE) if products else 0.0
        )
        self._now_str = self.datetime(self.today_ord, 9 * 60)

    # --- small helpers ---------------------------------------------------------------------
    def date(self, ordinal: int) -> str:
        return self._dates[ordinal - self._date_base]

    def datetime(self, ordinal: int, minute: int) -> str:
        return self._dates[ordinal - self._date_base] + self._times[minute]

    def _dates_of(self, ordinals: np.ndarray) -> list[str]:
        dates = self._dates
        base = self._date_base
        return [dates[o - base] for o in ordinals.tolist()]

    def _datetimes_of(self, ordinals: np.ndarray, minutes: np.ndarray) -> list[str]:
        dates, times, base = self._dates, self._times, self._date_base
        return [
            dates[o - base] + times[m]
            for o, m in zip(ordinals.tolist(), minutes.tolist(), strict=True)
        ]

    def _ids(self, table: str, count: int) -> np.ndarray:
        start = self.next_id[table]
        self.next_id[table] = start + count
        return np.arange(start, start + count, dtype=np.int64)

    @staticmethod
    def _str(values: np.ndarray) -> list[str]:
        return list(map(str, values.tolist()))

    # --- purchase behaviour --------------------------------------------------------------------
    def _simulate_counts(
        self, rng: np.random.Generator, n: int, scale: float
    ) -> dict[str, np.ndarray]:
        """BG/NBD draws for n buyers: rate, dropout p, window T (years), repeat count, dropout time."""
        rate = rng.gamma(RATE_SHAPE, 1.0, n) * scale
        p = rng.beta(*DROPOUT_BETA, n)
        window_days = rng.integers(30, HISTORY_DAYS, n)
        T = window_days / DAYS_PER_YEAR
        max_repeats = rng.geometric(p)  # the repeat purchase after which the customer drops out
        events = rng.poisson(rate * T)
        dropped = max_repeats < events
        repeats = np.minimum(max_repeats, events)
        # Time of the last purchase of a dropped-out customer: the M-th of P uniform points on T.
        tau = np.where(
            dropped,
            T * rng.beta(np.maximum(max_repeats, 1), np.maximum(events - max_repeats, 0) + 1),
            T,
        )
        return {"window_days": window_days, "repeats": repeats, "dropped": dropped, "span": tau}

    def _calibrate_rate(self, target_per_buyer: float) -> float:
        """Scale of the purchase rate so buyers average `target_per_buyer` purchases (bisection)."""
        lo, hi = 0.01, 200.0
        for _ in range(40):
            mid = (lo * hi) ** 0.5
            sim = self._simulate_counts(np.random.default_rng([self.seed, 99]), 40_000, mid)
            if 1 + sim["repeats"].mean() < target_per_buyer:
                lo = mid
            else:
                hi = mid
        return (lo * hi) ** 0.5

    # --- the chunk -----------------------------------------------------------------------------
    def chunk(self, index: int, count: int) -> Batch:
        """Rows for `count` new parties; `index` is the chunk number (it seeds the chunk's draws)."""
        rng = np.random.default_rng([self.seed, index])
        batch = Batch()
        parties = self._parties(rng, count)
        batch.tables["parties_party"] = parties["_columns"]
        for name, table in self._contact_points(rng, parties).items():
            batch.tables[name] = table
        members = self._household(rng, parties)
        batch.tables["parties_householdmember"] = members.pop("_columns")
        batch.tables["parties_lifeevent"] = self._life_events(rng, parties, members)
        batch.tables["parties_consentrecord"] = self._consents(rng, parties)
        if self.products:
            batch.tables["sales_contract"] = self._contracts(rng, parties)
            batch.tables["sales_transaction"] = self._transactions(rng, parties)
        batch.tables["interactions_interaction"] = self._interactions(rng, parties)
        return batch

    def _parties(self, rng: np.random.Generator, n: int) -> dict:
        pools = self.pools
        ids = self._ids("parties_party", n)
        is_org = rng.random(n) < ORG_SHARE
        org_idx = np.flatnonzero(is_org)
        person_idx = np.flatnonzero(~is_org)
        # Persons: sex, names, age.
        female = rng.random(n) < 0.52
        first_m = rng.choice(len(pools.first_male), n, p=pools.first_male_weights)
        first_f = rng.choice(len(pools.first_female), n, p=pools.first_female_weights)
        last = rng.choice(len(pools.last_names), n, p=pools.last_weights)
        age_years = np.clip(rng.normal(47, 17, n), 18, 95)
        birth_ord = (
            self.today_ord - (age_years * DAYS_PER_YEAR).astype(np.int64) - rng.integers(0, 365, n)
        )
        age = (self.today_ord - birth_ord) / DAYS_PER_YEAR
        csp_codes = [c for c, _ in ref.CSP_SHARES]
        csp = np.asarray(csp_codes)[
            rng.choice(len(csp_codes), n, p=_weights([s for _, s in ref.CSP_SHARES]))
        ]
        retired = (age >= 62) & (rng.random(n) < 0.88)
        csp = np.where(retired, "7", csp)
        csp = np.where((age < 24) & (rng.random(n) < 0.5), "8", csp)
        income_draw = rng.random(n)
        income = np.empty(n, dtype=object)
        for code, probs in ref.INCOME_BY_CSP.items():
            sel = csp == code
            cuts = np.cumsum(probs)
            income[sel] = np.asarray(ref.INCOME_BRACKETS)[
                np.minimum(np.searchsorted(cuts, income_draw[sel]), 5)
            ]
        # Organisations: names, identifiers, hierarchy, contacts.
        company = rng.integers(0, len(pools.companies), n)
        form = rng.integers(0, len(ref.LEGAL_FORMS), n)
        siren = sirens_for(ids, salt=self.seed % 1000)
        siret = sirets_for(siren, rng.integers(1, 60, n))
        vat = vat_numbers(siren)
        org_ids = ids[org_idx]
        parent = np.full(n, -1, dtype=np.int64)
        if len(org_idx) > 3:
            has_parent = org_idx[rng.random(len(org_idx)) < 0.08]
            pos = np.searchsorted(org_idx, has_parent)
            choice = (rng.random(len(has_parent)) * pos).astype(np.int64)
            ok = pos > 0
            parent[has_parent[ok]] = org_ids[choice[ok]]
        organisation = np.full(n, -1, dtype=np.int64)
        if len(org_idx):
            contacts = person_idx[rng.random(len(person_idx)) < CONTACT_SHARE]
            organisation[contacts] = org_ids[rng.integers(0, len(org_ids), len(contacts))]
        is_contact = organisation >= 0
        # Lifecycle: buyers (customer / former) vs suspects and prospects; purchase simulation.
        buyer = rng.random(n) < BUYER_SHARE
        sim = self._simulate_counts(rng, n, self.rate_scale)
        first_purchase = self.today_ord - sim["window_days"]
        last_purchase = first_purchase + np.floor(sim["span"] * DAYS_PER_YEAR).astype(np.int64)
        last_purchase = np.minimum(last_purchase, self.today_ord)
        former = buyer & sim["dropped"] & (self.today_ord - last_purchase > 365)
        non_buyer_stage = np.where(rng.random(n) < 0.35, "suspect", "prospect")
        stage = np.where(buyer, np.where(former, "former", "customer"), non_buyer_stage)
        created_ord = np.where(
            buyer,
            first_purchase - rng.integers(0, 90, n),
            self.today_ord - rng.integers(0, HISTORY_DAYS + 180, n),
        )
        rep = rng.choice(len(self.rep_ids), n, p=self.rep_weights)
        preferred = np.asarray(PREFERRED_CHANNELS)[
            rng.choice(len(PREFERRED_CHANNELS), n, p=_weights(PREFERRED_WEIGHTS))
        ]
        employees = np.maximum(1, rng.lognormal(2.3, 1.4, n).astype(np.int64))

        cols: dict[str, Column] = {
            name: []
            for name in (
                "kind",
                "stage",
                "display_name",
                "civility",
                "first_name",
                "last_name",
                "birth_date",
                "csp",
                "income_bracket",
                "organisation_id",
                "job_title",
                "legal_name",
                "siren",
                "siret",
                "vat_number",
                "sector",
                "employees",
                "parent_id",
                "preferred_channel",
                "customer_since",
            )
        }
        first_names: list[str] = []
        for i in range(n):
            if is_org[i]:
                legal = f"{pools.companies[company[i]]} {ref.LEGAL_FORMS[form[i]]}".strip()
                first_names.append("")
                values = (
                    "organisation",
                    "",
                    "",
                    "",
                    None,
                    "",
                    "",
                    None,
                    "",
                    legal,
                    f"{siren[i]:09d}",
                    f"{siret[i]:014d}",
                    vat[i],
                    ref.SECTORS[(company[i] + i) % len(ref.SECTORS)],
                    str(employees[i]),
                    str(parent[i]) if parent[i] >= 0 else None,
                )
            else:
                first = (
                    pools.first_female[first_f[i]] if female[i] else pools.first_male[first_m[i]]
                )
                first_names.append(first)
                values = (
                    "person",
                    "mrs" if female[i] else "mr",
                    first,
                    pools.last_names[last[i]],
                    self.date(int(birth_ord[i])),
                    str(csp[i]),
                    str(income[i]),
                    str(organisation[i]) if is_contact[i] else None,
                    ref.JOB_TITLES[i % len(ref.JOB_TITLES)] if is_contact[i] else "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    None,
                    None,
                )
            (
                kind,
                civility,
                first,
                lastname,
                birth,
                csp_i,
                income_i,
                org_i,
                job,
                legal,
                siren_i,
                siret_i,
                vat_i,
                sector,
                emp,
                parent_i,
            ) = values
            display = display_name_of(kind=kind, first_name=first, last_name=lastname, legal_name=legal)
            row = (
                kind,
                str(stage[i]),
                display,
                civility,
                first,
                lastname,
                birth,
                csp_i,
                income_i,
                org_i,
                job,
                legal,
                siren_i,
                siret_i,
                vat_i,
                sector,
                emp,
                parent_i,
                str(preferred[i]),
                self.date(int(first_purchase[i])) if buyer[i] else None,
            )
            for name, value in zip(cols, row, strict=True):
                cols[name].append(value)
        cols["id"] = self._str(ids)
        cols["version"] = ["1"] * n
        cols["created_at"] = self._datetimes_of(created_ord, rng.integers(8 * 60, 19 * 60, n))
        cols["updated_at"] = cols["created_at"]
        cols["owner_id"] = self._str(self.rep_ids[rep])
        cols["team_id"] = self._str(self.rep_team_ids[rep])
        cols["notes"] = [""] * n
        cols["created_by_id"] = cols["owner_id"]
        # About one person in twenty is written to in English. Drawn from its own stream (the batch's
        # first id) so the rest of the data stays as it was for a given seed.
        english = ~is_org & (np.random.default_rng([self.seed, 7, int(ids[0]) if n else 0]).random(n) < ENGLISH_SHARE)
        cols["language"] = np.where(english, "en", "fr").tolist()
        return {
            "_columns": cols,
            "n": n,
            "ids": ids,
            "is_org": is_org,
            "female": female,
            "last": last,
            "first_names": first_names,
            "last_names": cols["last_name"],
            "birth_ord": birth_ord,
            "age": age,
            "is_contact": is_contact,
            "buyer": buyer,
            "former": former,
            "stage": stage,
            "sim": sim,
            "first_purchase": first_purchase,
            "last_purchase": last_purchase,
            "created_ord": created_ord,
            "owner": self.rep_ids[rep],
            "company": company,
            "csp": csp,
        }

    def _contact_points(self, rng: np.random.Generator, p: dict) -> dict[str, dict[str, Column]]:
        """Primary e-mail, phone and address per party, and the party's derived mirror columns."""
        pools, n, ids, is_org = self.pools, p["n"], p["ids"], p["is_org"]
        has_email = rng.random(n) < np.where(
            is_org, 0.85, np.where(p["stage"] == "suspect", 0.55, 0.9)
        )
        has_phone = rng.random(n) < np.where(p["stage"] == "suspect", 0.6, 0.95)
        has_address = rng.random(n) < np.where(
            is_org, 1.0, np.where(p["stage"] == "suspect", 0.7, 0.98)
        )
        pattern = rng.integers(0, 3, n)
        domain = rng.choice(len(pools.domains), n, p=pools.domain_weights)
        mobiles = phones_for(ids, pools.mobile_prefixes, salt=self.seed % 997)
        landlines = phones_for(ids, pools.landline_prefixes, salt=self.seed % 991)
        place = rng.choice(len(pools.postcodes), n, p=pools.city_weights)
        street = rng.integers(0, len(pools.streets), n)
        number = rng.integers(1, 160, n)
        line2_draw = rng.random(n)
        cols = p["_columns"]
        emails, phones, postcodes, cities, search, sort = [], [], [], [], [], []
        e_rows: dict[str, Column] = {k: [] for k in ("party_id", "kind", "address", "normalized")}
        ph_rows: dict[str, Column] = {k: [] for k in ("party_id", "kind", "number")}
        a_rows: dict[str, Column] = {
            k: [] for k in ("party_id", "kind", "line1", "line2", "postcode", "city")
        }
        for i in range(n):
            pid = str(ids[i])
            email = phone = postcode = city = ""
            if has_email[i]:
                if is_org[i]:
                    email = f"contact.{ids[i]}@{pools.company_slugs[p['company'][i]]}.fr"
                else:
                    first = _slug(p["first_names"][i]) or "client"
                    last = pools.last_slug[p["last"][i]]
                    local = (f"{first}.{last}", f"{first[0]}{last}", f"{last}.{first}")[pattern[i]]
                    email = f"{local}{ids[i]}@{pools.domains[domain[i]]}".replace(
                        "-", "" if pattern[i] == 1 else "-"
                    )
                e_rows["party_id"].append(pid)
                e_rows["kind"].append("work" if is_org[i] else "home")
                e_rows["address"].append(email)
                e_rows["normalized"].append(email.lower())
            if has_phone[i]:
                phone = landlines[i] if is_org[i] else mobiles[i]
                ph_rows["party_id"].append(pid)
                ph_rows["kind"].append("work" if is_org[i] else "mobile")
                ph_rows["number"].append(phone)
            if has_address[i]:
                postcode, city = pools.postcodes[place[i]], pools.cities[place[i]]
                a_rows["party_id"].append(pid)
                a_rows["kind"].append("work" if is_org[i] else "home")
                a_rows["line1"].append(f"{number[i]} {pools.streets[street[i]]}")
                a_rows["line2"].append(
                    ""
                    if line2_draw[i] < 0.8
                    else (
                        f"Appartement {number[i] % 40 + 1}"
                        if line2_draw[i] < 0.93
                        else f"Bâtiment {'ABCD'[i % 4]}"
                    )
                )
                a_rows["postcode"].append(postcode)
                a_rows["city"].append(city)
            display = cols["display_name"][i]
            emails.append(email)
            phones.append(phone)
            postcodes.append(postcode)
            cities.append(city)
            sort.append(fold(display)[:200])
            # The same call the services make (`_refresh_derived`), so search sees identical text.
            search.append(
                build_search_text(
                    names=[display],
                    emails=[email] if email else [],
                    phones=[phone] if phone else [],
                    identifiers=[cols["siren"][i] or "", cols["siret"][i] or ""],
                    places=[city, postcode],
                )
            )
        cols.update(
            email=emails,
            phone=phones,
            postcode=postcodes,
            city=cities,
            search_text=search,
            sort_name=sort,
        )
        out = {}
        for table, rows in (
            ("parties_email", e_rows),
            ("parties_phone", ph_rows),
            ("parties_address", a_rows),
        ):
            count = len(rows["party_id"])
            rows["id"] = self._str(self._ids(table, count))
            rows["is_primary"] = ["1"] * count
            owners = (
                np.asarray(rows["party_id"], dtype=np.int64) - ids[0]
                if count
                else np.zeros(0, dtype=np.int64)
            )
            stamps = [cols["created_at"][k] for k in owners.tolist()]
            rows["created_at"] = stamps
            rows["updated_at"] = stamps
            if table == "parties_address":
                rows["country"] = ["FR"] * count
            out[table] = rows
        return out

    def _household(self, rng: np.random.Generator, p: dict) -> dict:
        """Spouses and children (with birth dates consistent with the parents' ages)."""
        pools, n = self.pools, p["n"]
        eligible = ~p["is_org"] & ~p["is_contact"]
        age = p["age"]
        spouse = eligible & (age >= 22) & (rng.random(n) < 0.55)
        kids = np.where(
            eligible & (age >= 20) & (age <= 75), np.minimum(rng.poisson(1.25, n), 5), 0
        )
        owners = np.concatenate([np.flatnonzero(spouse), np.repeat(np.arange(n), kids)])
        roles = np.concatenate(
            [np.zeros(spouse.sum(), dtype=np.int8), np.ones(kids.sum(), dtype=np.int8)]
        )
        m = len(owners)
        parent_birth = p["birth_ord"][owners]
        spouse_birth = parent_birth + rng.normal(0, 3 * DAYS_PER_YEAR, m).astype(np.int64)
        child_birth = parent_birth + rng.integers(
            int(21 * DAYS_PER_YEAR), int(41 * DAYS_PER_YEAR), m
        )
        birth = np.where(roles == 0, spouse_birth, child_birth)
        keep = birth <= self.today_ord
        owners, roles, birth = owners[keep], roles[keep], birth[keep]
        m = len(owners)
        ids = self._ids("parties_householdmember", m)
        spouse_female = ~p["female"][owners]
        male_idx = rng.choice(len(pools.first_male), m, p=pools.first_male_weights)
        female_idx = rng.choice(len(pools.first_female), m, p=pools.first_female_weights)
        child_female = rng.random(m) < 0.5
        female = np.where(roles == 0, spouse_female, child_female)
        first = [
            pools.first_female[fi] if f else pools.first_male[mi]
            for mi, fi, f in zip(
                male_idx.tolist(), female_idx.tolist(), female.tolist(), strict=True
            )
        ]
        # Some spouses kept their own surname.
        other_last = rng.random(m) < 0.3
        spouse_last = rng.choice(len(pools.last_names), m, p=pools.last_weights)
        last_names = p["last_names"]
        last = [
            pools.last_names[k] if (r == 0 and o) else last_names[q]
            for k, r, o, q in zip(
                spouse_last.tolist(),
                roles.tolist(),
                other_last.tolist(),
                owners.tolist(),
                strict=True,
            )
        ]
        stamps = [p["_columns"]["created_at"][q] for q in owners.tolist()]
        cols: dict[str, Column] = {
            "id": self._str(ids),
            "party_id": self._str(p["ids"][owners]),
            "role": ["spouse" if r == 0 else "child" for r in roles.tolist()],
            "first_name": first,
            "last_name": last,
            "birth_date": self._dates_of(birth),
            "member_party_id": [None] * m,
            "created_at": stamps,
            "updated_at": stamps,
        }
        return {
            "_columns": cols,
            "owners": owners,
            "roles": roles,
            "birth": birth,
            "ids": ids,
            "first": first,
        }

    def _life_events(self, rng: np.random.Generator, p: dict, h: dict) -> dict[str, Column]:
        """Events that feed the actions to take: births, higher education, vehicles, moves…"""
        n, today = p["n"], self.today_ord
        persons = ~p["is_org"]
        kinds: list[np.ndarray] = []
        owners: list[np.ndarray] = []
        dates: list[np.ndarray] = []
        members: list[np.ndarray] = []
        details: list[list[str]] = []

        def add(
            kind: str,
            who: np.ndarray,
            when: np.ndarray,
            member: np.ndarray | None = None,
            text: list[str] | None = None,
        ) -> None:
            kinds.append(np.full(len(who), kind, dtype=object))
            owners.append(who)
            dates.append(when)
            members.append(member if member is not None else np.full(len(who), -1, dtype=np.int64))
            details.append(text if text is not None else [""] * len(who))

        child = h["roles"] == 1
        child_age = (today - h["birth"]) / DAYS_PER_YEAR
        sel = child & (child_age >= 16.5) & (child_age < 18.5)
        entry_year = np.array(
            [dt.date.fromordinal(int(b)).year + 18 for b in h["birth"][sel]], dtype=np.int64
        )
        entry = np.array([dt.date(int(y), 9, 1).toordinal() for y in entry_year], dtype=np.int64)
        add(
            "higher_education",
            h["owners"][sel],
            entry,
            h["ids"][sel],
            ["Entrée en licence"] * int(sel.sum()),
        )
        sel = child & (child_age < 2)
        add("birth", h["owners"][sel], h["birth"][sel], h["ids"][sel])
        who = np.flatnonzero(persons & (p["age"] >= 24) & (p["age"] <= 41) & (rng.random(n) < 0.04))
        add(
            "expected_birth",
            who,
            today + rng.integers(20, 260, len(who)),
            text=["Naissance prévue"] * len(who),
        )
        who = np.flatnonzero(persons & (rng.random(n) < 0.35))
        vehicles = rng.integers(0, len(ref.VEHICLES), len(who))
        add(
            "vehicle_purchase",
            who,
            today - rng.integers(30, int(16 * DAYS_PER_YEAR), len(who)),
            text=[ref.VEHICLES[v] for v in vehicles.tolist()],
        )
        spouses = h["owners"][h["roles"] == 0]
        married = spouses[rng.random(len(spouses)) < 0.45]
        wed = np.maximum(
            p["birth_ord"][married] + int(24 * DAYS_PER_YEAR),
            today - rng.integers(0, int(30 * DAYS_PER_YEAR), len(married)),
        )
        wed = np.minimum(wed, today - 1)
        add("marriage", married, wed)
        who = np.flatnonzero(persons & (rng.random(n) < 0.10))
        add("move", who, today - rng.integers(0, 5 * 365, len(who)))
        who = np.flatnonzero(persons & (p["age"] > 28) & (rng.random(n) < 0.08))
        add("home_purchase", who, today - rng.integers(0, 12 * 365, len(who)))
        who = np.flatnonzero(persons & (p["csp"] == "7"))
        retire = np.minimum(
            p["birth_ord"][who]
            + rng.integers(int(60 * DAYS_PER_YEAR), int(65 * DAYS_PER_YEAR), len(who)),
            today - 1,
        )
        add("retirement", who, retire)
        who_all = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64)
        when_all = np.concatenate(dates) if dates else np.zeros(0, dtype=np.int64)
        member_all = np.concatenate(members) if members else np.zeros(0, dtype=np.int64)
        m = len(who_all)
        ids = self._ids("parties_lifeevent", m)
        recorded = np.minimum(np.maximum(when_all, p["created_ord"][who_all]), today)
        stamps = self._datetimes_of(recorded, rng.integers(8 * 60, 19 * 60, m))
        return {
            "id": self._str(ids),
            "party_id": self._str(p["ids"][who_all]),
            "kind": list(np.concatenate(kinds)) if kinds else [],
            "date": self._dates_of(when_all),
            "details": [d for group in details for d in group],
            "member_id": [None if x < 0 else str(x) for x in member_all.tolist()],
            "recorded_by_id": [None] * m,
            "created_at": stamps,
            "updated_at": stamps,
        }

    def _consents(self, rng: np.random.Generator, p: dict) -> dict[str, Column]:
        """Consent history: an opt-in when the file was opened, then for some a later withdrawal."""
        n, today = p["n"], self.today_ord
        email = np.asarray([bool(e) for e in p["_columns"]["email"]])
        phone = np.asarray([bool(x) for x in p["_columns"]["phone"]])
        rows: list[tuple[np.ndarray, str, str, np.ndarray, np.ndarray]] = []
        start = np.minimum(p["created_ord"] + rng.integers(0, 30, n), today)
        who = np.flatnonzero(email)
        rows.append((who, "email", "prospecting", rng.random(len(who)) < 0.7, start[who]))
        withdrawn = who[rng.random(len(who)) < 0.22]
        later = start[withdrawn] + ((today - start[withdrawn]) * rng.random(len(withdrawn))).astype(
            np.int64
        )
        rows.append(
            (withdrawn, "email", "prospecting", np.zeros(len(withdrawn), dtype=bool), later)
        )
        who = np.flatnonzero(email & (rng.random(n) < 0.5))
        rows.append((who, "email", "newsletter", rng.random(len(who)) < 0.8, start[who]))
        who = np.flatnonzero(phone & (rng.random(n) < 0.6))
        rows.append((who, "sms", "service", np.ones(len(who), dtype=bool), start[who]))
        who = np.flatnonzero(rng.random(n) < 0.15)
        rows.append((who, "phone", "prospecting", rng.random(len(who)) < 0.4, start[who]))
        who_all = np.concatenate([r[0] for r in rows])
        m = len(who_all)
        ids = self._ids("parties_consentrecord", m)
        source = rng.integers(0, len(CONSENT_SOURCES), m)
        return {
            "id": self._str(ids),
            "party_id": self._str(p["ids"][who_all]),
            "channel": [r[1] for r in rows for _ in range(len(r[0]))],
            "purpose": [r[2] for r in rows for _ in range(len(r[0]))],
            "granted": ["1" if g else "0" for r in rows for g in r[3].tolist()],
            "source": [CONSENT_SOURCES[s] for s in source.tolist()],
            "wording": [ref.CONSENT_WORDING] * m,
            "recorded_at": self._datetimes_of(
                np.concatenate([r[4] for r in rows]), rng.integers(8 * 60, 20 * 60, m)
            ),
            "recorded_by_id": [None] * m,
        }

    def _contracts(self, rng: np.random.Generator, p: dict) -> dict[str, Column]:
        """Products held by buyers: accounts, savings, loans (with terms), insurance and cards (renewals)."""
        today = self.today_ord
        buyers = np.flatnonzero(p["buyer"])
        per = 1 + np.minimum(rng.poisson(0.9, len(buyers)), 5)
        who = np.repeat(buyers, per)
        m = len(who)
        ids = self._ids("sales_contract", m)
        product_pos = np.asarray(self.contract_products)[
            rng.choice(len(self.contract_products), m, p=self.contract_weights)
        ]
        first, last = p["first_purchase"][who], p["last_purchase"][who]
        start = first + (np.maximum(last - first, 0) * rng.random(m) * 0.8).astype(np.int64)
        former = p["former"][who]
        terms = np.asarray(
            [self.products[k].term_years for k in product_pos.tolist()], dtype=np.int64
        )
        family = [self.products[k].family for k in product_pos.tolist()]
        is_loan = np.asarray([f == "Crédits" for f in family])
        renews = np.asarray([f in ("Assurances", "Cartes") for f in family])
        loan_end = start + (terms * DAYS_PER_YEAR).astype(np.int64)
        end = np.where(is_loan, loan_end, -1)
        cancelled_at = np.minimum(last + rng.integers(0, 180, m), today - 1)
        end = np.where(former, np.where(end > 0, np.minimum(end, cancelled_at), cancelled_at), end)
        status = np.where(
            former,
            np.where(rng.random(m) < 0.6, "cancelled", "ended"),
            np.where((end > 0) & (end < today), "ended", "active"),
        )
        # A few contracts ended in the last weeks are still marked active: the refresh job closes them.
        stale = (status == "active") & (rng.random(m) < 0.03)
        end = np.where(stale, today - rng.integers(1, 45, m), end)
        years_since = np.maximum(0, (today - start) // 365 + 1)
        renewal = np.where(
            renews & (status == "active") & ~stale,
            start + (years_since * DAYS_PER_YEAR).astype(np.int64),
            -1,
        )
        price = np.asarray(
            [self.products[k].price_cents for k in product_pos.tolist()], dtype=np.int64
        )
        annual = np.where(
            is_loan,
            rng.integers(120_000, 1_500_000, m),
            np.where(
                np.asarray([f in ("Assurances", "Comptes") for f in family]), price * 12, price
            ),
        )
        start_year = [dt.date.fromordinal(int(s)).year for s in start.tolist()]
        stamps = self._datetimes_of(np.minimum(start, today), rng.integers(9 * 60, 18 * 60, m))
        return {
            "id": self._str(ids),
            "party_id": self._str(p["ids"][who]),
            "product_id": [str(self.products[k].id) for k in product_pos.tolist()],
            "reference": [f"CT-{y}-{i:08d}" for y, i in zip(start_year, ids.tolist(), strict=True)],
            "start_date": self._dates_of(start),
            "end_date": [
                None if e < 0 else d
                for e, d in zip(
                    end.tolist(), self._dates_of(np.maximum(end, self._date_base)), strict=True
                )
            ],
            "renewal_date": [
                None if r < 0 else d
                for r, d in zip(
                    renewal.tolist(),
                    self._dates_of(np.maximum(renewal, self._date_base)),
                    strict=True,
                )
            ],
            "status": status.tolist(),
            "annual_amount": [f"{a // 100}.{a % 100:02d}" for a in annual.tolist()],
            "version": ["1"] * m,
            "created_at": stamps,
            "updated_at": stamps,
        }

    def _transactions(self, rng: np.random.Generator, p: dict) -> dict[str, Column]:
        """Purchase histories from the BG/NBD draws made with the parties (see the module docstring)."""
        sim = p["sim"]
        buyers = np.flatnonzero(p["buyer"])
        repeats = sim["repeats"][buyers]
        span_days = np.maximum(p["last_purchase"][buyers] - p["first_purchase"][buyers], 0)
        dropped = sim["dropped"][buyers]
        # Repeat purchase times: uniform order statistics on the active span; a dropped-out
        # customer's last purchase sits exactly at the end of their span.
        owner_rep = np.repeat(np.arange(len(buyers)), repeats)
        offset = rng.random(len(owner_rep)) * span_days[owner_rep]
        ends = np.cumsum(repeats) - 1
        pin = ends[(repeats > 0) & dropped]
        offset[pin] = span_days[owner_rep[pin]]
        owner = np.concatenate([np.arange(len(buyers)), owner_rep])
        offset = np.concatenate([np.zeros(len(buyers)), offset])
        order = np.lexsort((offset, owner))
        owner, offset = owner[order], offset[order]
        m = len(owner)
        ids = self._ids("sales_transaction", m)
        day = np.minimum(
            p["first_purchase"][buyers][owner] + offset.astype(np.int64), self.today_ord
        )
        # Gamma-Gamma spend: each customer has a mean spend; companies spend more.
        nu = rng.gamma(SPEND_Q, 1.0 / SPEND_GAMMA, len(buyers))
        scale = np.where(p["is_org"][buyers], 3.0, 1.0)
        amount = np.maximum(
            100, (rng.gamma(SPEND_P, 1.0, m) / nu[owner] * scale[owner] * 100).astype(np.int64)
        )
        product = rng.choice(len(self.products), m, p=self.purchase_weights)
        margin = _round_half_even_div(amount * self.margin_bp[product], 10_000)
        favourite = rng.choice(len(SALES_CHANNELS), len(buyers), p=_weights(SALES_CHANNEL_WEIGHTS))
        channel = np.where(
            rng.random(m) < 0.7,
            favourite[owner],
            rng.choice(len(SALES_CHANNELS), m, p=_weights(SALES_CHANNEL_WEIGHTS)),
        )
        quantity = np.where(rng.random(m) < 0.05, rng.integers(2, 4, m), 1)
        dates = self._dates_of(day)
        return {
            "id": self._str(ids),
            "party_id": self._str(p["ids"][buyers][owner]),
            "product_id": self._str(self.purchase_products[product]),
            "date": dates,
            "quantity": self._str(quantity),
            "amount": [f"{a // 100}.{a % 100:02d}" for a in amount.tolist()],
            "margin": [f"{a // 100}.{a % 100:02d}" for a in margin.tolist()],
            "channel": [SALES_CHANNELS[c] for c in channel.tolist()],
            "recorded_by_id": [None] * m,
            "created_at": [d + " 12:00:00" for d in dates],
            "updated_at": [d + " 12:00:00" for d in dates],
        }

    def _interactions(self, rng: np.random.Generator, p: dict) -> dict[str, Column]:
        """The contact history: calls, visits, e-mails… with French subjects and meeting reports."""
        n, today = p["n"], self.today_ord
        mean = np.select(
            [p["stage"] == "customer", p["stage"] == "former", p["stage"] == "prospect"],
            [2.6, 2.0, 1.3],
            0.3,
        )
        per = rng.poisson(mean)
        who = np.repeat(np.arange(n), per)
        m = len(who)
        ids = self._ids("interactions_interaction", m)
        start = p["created_ord"][who]
        end = np.where(p["former"][who], np.minimum(p["last_purchase"][who] + 200, today), today)
        day = start + (np.maximum(end - start, 0) * rng.random(m)).astype(np.int64)
        channel = rng.choice(len(INTERACTION_CHANNELS), m, p=_weights(INTERACTION_CHANNEL_WEIGHTS))
        inbound = rng.random(m) < np.where(channel == 6, 0.9, 0.4)
        outcome = rng.choice(len(OUTCOMES), m, p=_weights(OUTCOME_WEIGHTS))
        subject = rng.integers(0, len(ref.SUBJECTS), m)
        with_report = (channel <= 1) & (rng.random(m) < 0.75)
        template = rng.integers(0, len(ref.REPORTS), m)
        product = rng.integers(0, max(len(self.products), 1), m)
        member = rng.integers(0, len(self.pools.first_female), m)
        names = [pr.name for pr in self.products] or ["un produit"]
        reports = [
            ref.REPORTS[t].format(
                product=names[pr % len(names)], member=self.pools.first_female[mb]
            )
            if w
            else ""
            for w, t, pr, mb in zip(
                with_report.tolist(),
                template.tolist(),
                product.tolist(),
                member.tolist(),
                strict=True,
            )
        ]
        minutes = rng.integers(8 * 60, 19 * 60, m)
        stamps = self._datetimes_of(day, minutes)
        self._last_contacts(p, who, day * 1440 + minutes, inbound)
        return {
            "id": self._str(ids),
            "party_id": self._str(p["ids"][who]),
            "channel": [INTERACTION_CHANNELS[c] for c in channel.tolist()],
            "direction": ["inbound" if x else "outbound" for x in inbound.tolist()],
            "subject": [ref.SUBJECTS[s] for s in subject.tolist()],
            "outcome": [OUTCOMES[o] for o in outcome.tolist()],
            "report": reports,
            "occurred_at": stamps,
            "author_id": self._str(p["owner"][who]),
            "created_at": stamps,
            "updated_at": stamps,
        }


    def _last_contacts(self, p: dict, who: np.ndarray, moments: np.ndarray, inbound: np.ndarray) -> None:
        """Each party's last inbound and last outbound contact (what `party_note_contact` keeps),
        added to the parties' columns; `moments` are day ordinal × 1440 + minute of the day."""
        columns = p["_columns"]
        for name, mask in (("last_inbound_at", inbound), ("last_outbound_at", ~inbound)):
            latest = np.full(p["n"], -1, dtype=np.int64)
            np.maximum.at(latest, who[mask], moments[mask])
            has = np.flatnonzero(latest >= 0)
            column: list[str | None] = [None] * p["n"]
            for i, text in zip(has.tolist(), self._datetimes_of(latest[has] // 1440, latest[has] % 1440),
                               strict=True):
                column[i] = text
            columns[name] = column


def _round_half_even_div(numerator: np.ndarray, denominator: int) -> np.ndarray:
    """numerator / denominator rounded half to even, in exact integer arithmetic (like Decimal.quantize)."""
    q, r = np.divmod(numerator, denominator)
    twice = 2 * r
    up = (twice > denominator) | ((twice == denominator) & (q % 2 == 1))
    return q + up
