import phonenumbers
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from fidelia.core.errors import ValidationFailed
from fidelia.core.text import fold
from fidelia.core.validation import (
    format_phone,
    normalize_email,
    normalize_phone,
    normalize_siren,
    normalize_siret,
    normalize_vat,
)


@pytest.mark.parametrize("raw", ["06 12 34 56 78", "0612345678", "+33 6 12 34 56 78", "+33612345678", "06.12.34.56.78"])
def test_french_mobile_written_any_way_is_stored_e164(raw):
    assert normalize_phone(raw) == "+33612345678"


def test_foreign_number_keeps_its_country():
    assert normalize_phone("+49 30 901820") == "+4930901820"


@pytest.mark.parametrize("raw", ["12", "06 12", "hello", "+33 1 23"])
def test_bad_phone_names_the_field(raw):
    with pytest.raises(ValidationFailed) as exc:
        normalize_phone(raw, field="mobile")
    assert list(exc.value.fields) == ["mobile"]
    assert raw in exc.value.fields["mobile"][0]


def test_phone_display_is_national_for_france_and_international_elsewhere():
    assert format_phone("+33612345678") == "06 12 34 56 78"
    assert format_phone("+4930901820").startswith("+49 30")


def test_email_domain_is_lowercased_and_bad_syntax_refused():
    assert normalize_email(" Jean.Dupont@Exemple.FR ") == "Jean.Dupont@exemple.fr"
    with pytest.raises(ValidationFailed) as exc:
        normalize_email("jean.dupont@", field="address")
    assert "address" in exc.value.fields


def test_french_identifiers_validate_check_digits():
    assert normalize_siren("732 829 320") == "732829320"
    assert normalize_siret("732 829 320 00074") == "73282932000074"
    assert normalize_vat("FR 44 732829320") == "FR44732829320"
    for func, raw in ((normalize_siren, "732829321"), (normalize_siret, "73282932000075"), (normalize_vat, "FR00732829320")):
        with pytest.raises(ValidationFailed):
            func(raw)


def test_fold_removes_accents_case_and_punctuation():
    assert fold("  Élodie LE-GOFF, Saint-Étienne ") == "elodie le goff saint etienne"
    assert fold(None) == ""


@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


@given(st.from_regex(r"0[67][0-9]{8}", fullmatch=True))
def test_every_valid_french_mobile_round_trips_through_display(number):
    assume(phonenumbers.is_valid_number(phonenumbers.parse(number, "FR")))
    e164 = normalize_phone(number)
    assert normalize_phone(format_phone(e164)) == e164
