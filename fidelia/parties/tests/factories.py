"""Factories build parties through the services, so tests see the same derived fields as users."""
from __future__ import annotations

import datetime as dt
from typing import Any

from faker import Faker

from fidelia.accounts.models import User
from fidelia.parties.models import Party
from fidelia.parties.services import AddressInput, party_create

fake = Faker("fr_FR")


def person(*, owner: User, actor: User | None = None, **overrides: Any) -> Party:
    values: dict[str, Any] = {
        "first_name": fake.first_name(), "last_name": fake.last_name(),
        "birth_date": fake.date_of_birth(minimum_age=18, maximum_age=90),
        "email": fake.unique.email(), "phone": f"06{fake.unique.numerify('1#######')}",
        "address": AddressInput(line1=fake.street_address(), postcode=fake.postcode(), city=fake.city()),
        "stage": "customer", "allow_duplicate": True,
    }
    values.update(overrides)
    actor = actor or owner
    if actor.role != "sales_rep":
        values.setdefault("owner", owner)
    return party_create(actor=actor, kind="person", **values)


def organisation(*, owner: User, actor: User | None = None, siren: str = "732829320", **overrides: Any) -> Party:
    values: dict[str, Any] = {"legal_name": fake.company(), "siren": siren, "stage": "customer",
                              "allow_duplicate": True}
    values.update(overrides)
    actor = actor or owner
    if actor.role != "sales_rep":
        values.setdefault("owner", owner)
    return party_create(actor=actor, kind="organisation", **values)


def birth(years: int) -> dt.date:
    today = dt.date.today()
    return today.replace(year=today.year - years)
