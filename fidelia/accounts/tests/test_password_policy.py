"""The password policy (CNIL deliberation 2022-100 with throttling): 8 characters, 3 of the 4
classes, not common, not close to the user; used by `createuser` and the password change page."""
from __future__ import annotations

import io

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from fidelia.accounts.models import User
from fidelia.accounts.validators import CharacterClassesValidator, character_classes
from fidelia.core.testing import PASSWORD, Personas
from fidelia.privacy.models import AuditEntry


@pytest.mark.parametrize(("password", "classes"), [
    ("abcdefgh", 1), ("ABCDEFGH", 1), ("12345678", 1), ("!!!!????", 1),
    ("abcdEFGH", 2), ("abcd1234", 2), ("abcd!?;:", 2),
    ("abcdEF12", 3), ("abcd12!?", 3), ("ABCD12 _", 3), ("éléphantÉ1", 3),
    ("Abcd12!?", 4),
])
def test_character_classes(password: str, classes: int) -> None:
    assert character_classes(password) == classes


@pytest.mark.parametrize(("password", "accepted"), [
    ("Kx7#", False),                 # too short
    ("kx7mq2pw", False),             # 2 classes
    ("KX7MQ2PW!", True),             # upper, digit, special
    ("kx7mQ2pw", True),              # lower, upper, digit
    ("Tr0ub4dor-zzq", True),
    ("Password1", False),            # a common password
    ("Martin12!", False),            # too close to the user's name
    ("Correct horse battery", True), # lower, upper, space: a passphrase counts
    ("12345678", False),
])
def test_the_configured_policy(password: str, accepted: bool, db) -> None:
    user = User(username="alice", first_name="Alice", last_name="Martin", email="alice@fidelia.test")
    if accepted:
        validate_password(password, user)
    else:
        with pytest.raises(ValidationError):
            validate_password(password, user)


def test_the_message_says_what_to_do() -> None:
    with pytest.raises(ValidationError) as caught:
        CharacterClassesValidator().validate("kx7mq2pw")
    assert "at least 3 kinds of character" in caught.value.messages[0]
    with pytest.raises(ValueError):
        CharacterClassesValidator(min_classes=5)


def test_createuser_enforces_the_policy(personas: Personas) -> None:
    with pytest.raises(CommandError, match="at least 3 kinds"):
        call_command("createuser", "carole", "--role", "marketing", "--password", "carolepass", stdout=io.StringIO())
    assert not User.objects.filter(username="carole").exists()
    call_command("createuser", "carole", "--role", "marketing", "--password", "Carole-2026!", stdout=io.StringIO())
    assert User.objects.get(username="carole").check_password("Carole-2026!")


def test_change_my_password(client: Client, personas: Personas) -> None:
    client.force_login(personas.alice)
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200 and 'autocomplete="new-password"' in page.content.decode()
    weak = client.post(reverse("accounts:password_change"),
                       {"old_password": PASSWORD, "new_password1": "kx7mq2pw", "new_password2": "kx7mq2pw"})
    assert weak.status_code == 200 and "at least 3 kinds" in weak.content.decode()
    wrong_old = client.post(reverse("accounts:password_change"),
                            {"old_password": "nope", "new_password1": "Kx7-mq2pw", "new_password2": "Kx7-mq2pw"})
    assert wrong_old.status_code == 200
    personas.alice.refresh_from_db()
    assert personas.alice.check_password(PASSWORD)
    done = client.post(reverse("accounts:password_change"),
                       {"old_password": PASSWORD, "new_password1": "Kx7-mq2pw", "new_password2": "Kx7-mq2pw"})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:security")
    assert client.get(reverse("parties:list")).status_code == 200  # still signed in
    personas.alice.refresh_from_db()
    assert personas.alice.check_password("Kx7-mq2pw")
    entry = AuditEntry.objects.get(action="security", actor_id=personas.alice.pk)
    assert entry.fields == ["password"] and "Kx7" not in str(AuditEntry.objects.values().first())


def test_anonymous_users_cannot_reach_the_password_page(client: Client, db) -> None:
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
