"""Display filters used by the customer pages: euros, phones and ages follow the active locale."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from fidelia.core.templatetags.fidelia import age, initials, money, phone


@pytest.mark.parametrize(("language", "value", "expected"), [
    ("fr", Decimal("1234.5"), "1\xa0234,50\xa0€"),
    ("en", Decimal("1234.5"), "€1,234.50"),
    ("fr", Decimal("-99.99"), "-99,99\xa0€"),
    ("en", -1234567, "-€1,234,567.00"),
    ("fr", "0", "0,00\xa0€"),
    ("fr", None, ""),
    ("fr", "not money", ""),
])
def test_money(language: str, value: object, expected: str) -> None:
    with translation.override(language):
        assert money(value) == expected


def test_money_in_a_template() -> None:
    with translation.override("en"):
        rendered = Template("{% load fidelia %}{{ amount|money }}").render(Context({"amount": Decimal("12")}))
    assert rendered == "€12.00"


def test_phone_national_for_france_international_otherwise() -> None:
    assert phone("+33612345678") == "06 12 34 56 78"
    assert phone("+442079460958").startswith("+44 20")
    assert phone("") == ""


def test_age() -> None:
    assert age(dt.date(2000, 6, 15), dt.date(2026, 6, 14)) == 25
    assert age(dt.date(2000, 6, 15), dt.date(2026, 6, 15)) == 26
    assert age(None) is None


def test_initials() -> None:
    assert initials("Élodie LE GOFF") == "ÉL"
    assert initials("") == "?"
