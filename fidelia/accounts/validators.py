"""Password rules beyond Django's: the character-class mix of CNIL deliberation 2022-100."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

CLASSES = (str.islower, str.isupper, str.isdigit)


def character_classes(password: str) -> int:
    """How many of the four classes (lower case, upper case, digit, other) the password uses.
    Letters of any alphabet count by their case; a character with no case and no digit value
    (punctuation, space, symbol, ideogram) is "other"."""
    used = [any(test(ch) for ch in password) for test in CLASSES]
    used.append(any(not (ch.islower() or ch.isupper() or ch.isdigit()) for ch in password))
    return sum(used)


class CharacterClassesValidator:
    """At least `min_classes` of the 4 classes (default 3): with throttling in place the CNIL
    accepts 8 characters with 3 classes (deliberation 2022-100, case 2)."""

    def __init__(self, min_classes: int = 3) -> None:
        if not 1 <= min_classes <= 4:
            raise ValueError("min_classes must be between 1 and 4")
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(self._message(), code="password_too_simple",
                                  params={"min_classes": self.min_classes})

    def get_help_text(self) -> str:
        return self._message()

    def _message(self) -> str:
        return ngettext(
            "Your password must mix at least %(min_classes)d kind of character among: lower-case letters, "
            "upper-case letters, digits and other characters (punctuation, symbols, spaces).",
            "Your password must mix at least %(min_classes)d kinds of character among: lower-case letters, "
            "upper-case letters, digits and other characters (punctuation, symbols, spaces).",
            self.min_classes) % {"min_classes": self.min_classes}
