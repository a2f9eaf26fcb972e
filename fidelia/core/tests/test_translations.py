"""The French catalogue is complete, compiled, typographically consistent, and actually used by the pages.

French is Fidelia's default language: a missing or fuzzy entry shows English to a French banker, so
the catalogue itself is under test, as well as a few labels on real pages.
"""
from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from fidelia.core.testing import Personas
from fidelia.parties.tests.factories import person

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"
NBSP = {"\u00a0", "\u202f"}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+\}")
HTML_TAG = re.compile(r"</?(?:a|abbr|b|br|code|em|i|kbd|small|span|strong)\b[^>]*>")


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def translations(self) -> list[str]:
        return list(self.msgstr_plural.values()) if self.msgid_plural is not None else [self.msgstr]


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader: enough for what makemessages writes (no dependency for the tests)."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int | None] | None = None

    def flush() -> None:
        nonlocal current, target
        if target is not None:
            entries.append(current)
        current, target = Entry(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#~"):
            current.obsolete = True
            continue
        if line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            name, index = target  # a continuation line
            value = ast.literal_eval(line)
        else:
            match = re.fullmatch(r"(msgctxt|msgid|msgid_plural|msgstr)(?:\[(\d+)\])?", keyword)
            assert match, f"unexpected line in {path.name}: {raw!r}"
            name, index = match.group(1), int(match.group(2)) if match.group(2) is not None else None
            value = ast.literal_eval(rest)
            if name == "msgctxt" and target is not None and target[0].startswith("msgstr"):
                flush()
        target = (name, index)
        if name == "msgstr" and index is not None:
            current.msgstr_plural[index] = current.msgstr_plural.get(index, "") + value
        else:
            setattr(current, name, (getattr(current, name) or "") + value)
    flush()
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    entries = [e for e in parse_po(PO_FILE) if not e.obsolete]
    assert entries[0].msgid == "", "the catalogue starts with its header"
    return entries


def test_the_header_declares_french_plurals_and_is_not_fuzzy(catalogue: list[Entry]) -> None:
    header = catalogue[0]
    assert "fuzzy" not in header.flags
    assert "Language: fr\n" in header.msgstr
    assert "Plural-Forms: nplurals=2; plural=(n > 1);" in header.msgstr
    assert "charset=UTF-8" in header.msgstr


def test_every_message_is_translated_and_none_is_fuzzy(catalogue: list[Entry]) -> None:
    messages = catalogue[1:]
    assert len(messages) > 400, "the whole interface is in the catalogue"
    untranslated = [e.msgid for e in messages if not all(t.strip() for t in e.translations)]
    fuzzy = [e.msgid for e in messages if "fuzzy" in e.flags]
    plurals = [e.msgid for e in messages if e.msgid_plural is not None and sorted(e.msgstr_plural) != [0, 1]]
    assert untranslated == [], f"untranslated: {untranslated}"
    assert fuzzy == [], f"fuzzy: {fuzzy}"
    assert plurals == [], f"a French plural has two forms: {plurals}"


def test_placeholders_and_markup_survive_translation(catalogue: list[Entry]) -> None:
    wrong = []
    for e in catalogue[1:]:
        if e.msgid_plural is None:
            if sorted(PLACEHOLDER.findall(e.msgid)) != sorted(PLACEHOLDER.findall(e.msgstr)):
                wrong.append(e.msgid)
        else:
            # The singular may say "le dernier mouvement" without the count; the plural keeps it all.
            if sorted(PLACEHOLDER.findall(e.msgid_plural)) != sorted(PLACEHOLDER.findall(e.msgstr_plural[1])):
                wrong.append(e.msgid_plural)
            if not set(PLACEHOLDER.findall(e.msgstr_plural[0])) <= set(PLACEHOLDER.findall(e.msgid_plural)):
                wrong.append(e.msgid)
        for text in e.translations:
            if sorted(HTML_TAG.findall(e.msgid)) != sorted(HTML_TAG.findall(text)):
                wrong.append(e.msgid)
    assert wrong == [], f"placeholders or tags differ: {wrong}"


def test_french_typography_is_consistent(catalogue: list[Entry]) -> None:
    """A non-breaking space before « : ; ! ? » and inside « guillemets », curly apostrophes, no “English” quotes."""
    bad = []
    for e in catalogue[1:]:
        for text in e.translations:
            for i, char in enumerate(text):
                if char in ":;!?»" and i > 0 and text[i - 1] == " ":
                    bad.append((e.msgid, f"plain space before {char}"))
                if char == "«" and i + 1 < len(text) and text[i + 1] not in NBSP:
                    bad.append((e.msgid, "no non-breaking space after «"))
                if char == "»" and text[i - 1] not in NBSP:
                    bad.append((e.msgid, "no non-breaking space before »"))
            if "'" in text:
                bad.append((e.msgid, "straight apostrophe"))
            if "“" in text or "”" in text:
                bad.append((e.msgid, "English quotes"))
    assert bad == []


def test_the_committed_mo_file_matches_the_catalogue(catalogue: list[Entry]) -> None:
    """The .mo is committed so a machine without gettext shows French: it must not lag behind the .po."""
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for e in catalogue[1:]:
        key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            if compiled._catalog.get(key) != e.msgstr:
                stale.append(e.msgid)
        elif compiled._catalog.get((key, 1)) != e.msgstr_plural[1]:
            stale.append(e.msgid)
    assert stale == [], f"run compilemessages: {stale[:10]}"


def test_domain_terms_are_the_ones_the_brief_requires(catalogue: list[Entry]) -> None:
    translated = {e.msgid: e.msgstr for e in catalogue[1:] if e.msgid_plural is None}
    expected = {
        "Customers": "Clients", "Household": "Foyer", "Transactions": "Mouvements", "Contracts": "Contrats",
        "Meeting report": "Compte rendu d’entretien", "Equipment rate": "Taux d’équipement",
        "Commercial prospecting": "Prospection commerciale", "Purpose": "Finalité", "Consents": "Consentements",
        "Former customer": "Ancien client", "Possible duplicate": "Doublon possible", "Sign in": "Se connecter",
        "Sign out": "Se déconnecter", "Sales rep": "Commercial", "Sales manager": "Responsable commercial",
        "Strategic": "Stratégique", "Tactical": "Tactique", "Margin rate": "Taux de marge",
        "Complaint": "Réclamation", "Stage": "Étape",
    }
    assert {k: translated.get(k) for k in expected} == expected


@pytest.fixture
def french(settings) -> None:
    """The product's own default (the test suite otherwise reads English)."""
    settings.LANGUAGE_CODE = "fr"


def test_the_customer_list_speaks_french_by_default(client, personas: Personas, french) -> None:
    person(owner=personas.alice, last_name="Durand")
    client.force_login(personas.alice)
    body = client.get(reverse("parties:list")).content.decode()
    assert '<html lang="fr"' in body
    assert "durand" in body.lower(), "the customer is listed"
    for label in ("Clients", "Nouveau particulier", "Toutes les étapes", "Se déconnecter", "1 client"):
        assert label in body, label
    assert "Customers" not in body and "Sign out" not in body


def test_the_customer_file_speaks_french(client, personas: Personas, french) -> None:
    party = person(owner=personas.alice, last_name="Durand")
    client.force_login(personas.alice)
    body = client.get(reverse("parties:detail", args=[party.pk])).content.decode()
    for label in ("Infos", "Coordonnées et consentements", "Contrats", "Mouvements", "Foyer",
                  "Événements de vie", "Mémoire des contacts", "Compte rendu d’entretien",
                  "Enregistrer une interaction"):
        assert label in body, label
    assert "Household" not in body and "Transactions" not in body


def test_switching_to_english_shows_english(client, personas: Personas, french) -> None:
    party = person(owner=personas.alice, last_name="Durand")
    client.force_login(personas.alice)
    assert "Clients" in client.get(reverse("parties:list")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": reverse("parties:list")})
    body = client.get(reverse("parties:list")).content.decode()
    assert "Customers" in body and "Nouveau particulier" not in body
    detail = client.get(reverse("parties:detail", args=[party.pk])).content.decode()
    assert "Household" in detail and "Transactions" in detail and "Foyer" not in detail
