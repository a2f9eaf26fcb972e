"""The suppression list keeps digests only and recognises a value however it is written."""
import pytest
from django.db import connection

from fidelia.core.errors import ValidationFailed
from fidelia.privacy.models import SuppressionEntry
from fidelia.privacy.suppression import (
    is_suppressed,
    suppressed_filter,
    suppression_add,
    suppression_counts,
    suppression_digest,
)


def test_digest_is_keyed_and_normalised(settings):
    assert suppression_digest("email", " Jean@Exemple.FR ") == suppression_digest("email", "jean@exemple.fr")
    assert suppression_digest("phone", "06 12 34 56 78") == suppression_digest("phone", "+33 6 12 34 56 78")
    assert suppression_digest("email", "a@b.fr") != suppression_digest("phone", "0612345678")
    before = suppression_digest("email", "jean@exemple.fr")
    settings.FIDELIA_SUPPRESSION_SALT = "another-salt"
    assert suppression_digest("email", "jean@exemple.fr") != before


@pytest.mark.django_db
def test_add_is_idempotent_and_stores_no_clear_value():
    entry, created = suppression_add(kind="email", value="Jean.Dupont@Exemple.fr", reason="phone call")
    again, created_again = suppression_add(kind="email", value=" jean.dupont@exemple.fr")
    assert created and not created_again and again.pk == entry.pk
    suppression_add(kind="phone", value="06 12 34 56 78")
    with connection.cursor() as cursor:
        cursor.execute("SELECT kind, digest, reason FROM privacy_suppressionentry")
        dump = repr(cursor.fetchall()).lower()
    assert "dupont" not in dump and "612345678" not in dump
    assert suppression_counts() == {"email": 1, "phone": 1}


@pytest.mark.django_db
def test_checks_single_and_bulk():
    suppression_add(kind="email", value="stop@exemple.fr")
    suppression_add(kind="phone", value="0612345678")
    assert is_suppressed(email="STOP@exemple.fr ")
    assert is_suppressed(email="ok@exemple.fr", phone="+33612345678")
    assert not is_suppressed(email="ok@exemple.fr")
    assert not is_suppressed(phone="not a number")
    assert not is_suppressed()
    values = ["Stop@Exemple.fr", "ok@exemple.fr", "06 12 34 56 78", "0700000000", "", "garbage"]
    assert suppressed_filter(values) == {"Stop@Exemple.fr", "06 12 34 56 78"}
    many = [f"user{i}@exemple.fr" for i in range(1200)] + ["stop@exemple.fr"]
    assert suppressed_filter(many) == {"stop@exemple.fr"}


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "value"), [("email", "not-an-address"), ("phone", "12"), ("fax", "x")])
def test_bad_values_are_refused_clearly(kind, value):
    with pytest.raises(ValidationFailed) as error:
        suppression_add(kind=kind, value=value)
    assert error.value.message
    assert not SuppressionEntry.objects.exists()
