"""The party import reads the language a customer is written to in: fr/en in any usual spelling,
anything else a row error naming the column; a file without the column leaves languages alone."""
import pytest

from fidelia.imports.mapping import suggest_mapping
from fidelia.imports.targets import get_target
from fidelia.imports.tests.helpers import dry_run, full_import
from fidelia.parties.models import Party

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("header", ["Langue", "language", "Lang", "Langue de correspondance"])
def test_the_column_is_recognised(header):
    mapping = suggest_mapping(get_target("parties"), ["Nom", header], [["Dupont", "fr"]])
    assert mapping.get(header) == "language"


def test_spellings_of_french_and_english_are_accepted(personas):
    csv = ("Code client;Nom;Langue\n"
           "C1;Dupont;fr\nC2;Martin;EN\nC3;Durand;Français\nC4;Smith;anglais\nC5;Brown;English\nC6;Petit;French\n"
           "C7;Moreau;\n")
    run = full_import(personas.manager, csv, config={"source": "crm"})
    assert run.counts["create"] == 7 and not run.errors
    languages = dict(Party.objects.values_list("last_name", "language"))
    assert languages == {"Dupont": "fr", "Martin": "en", "Durand": "fr", "Smith": "en", "Brown": "en",
                         "Petit": "fr", "Moreau": "fr"}


def test_an_unknown_language_is_a_clear_row_error(personas):
    run = dry_run(personas.manager, "Code client;Nom;Langue\nC1;Dupont;allemand\nC2;Martin;en\n",
                  config={"source": "crm"})
    errors = [(row, column, value, message) for row, column, value, message in run.errors]
    assert len(errors) == 1
    row, column, value, message = errors[0]
    assert (row, value) == (2, "allemand") and column in {"Langue", "language"}
    assert "allemand" in message and "en" in message and "fr" in message
    assert run.dry_run_counts["error"] == 1 and run.dry_run_counts["create"] == 1


def test_updates_change_the_language_only_when_the_file_gives_one(personas):
    full_import(personas.manager, "Code client;Nom;Langue\nC1;Dupont;en\nC2;Martin;en\n", config={"source": "crm"})
    full_import(personas.manager, "Code client;Nom;Ville\nC1;Dupont;Lyon\n", config={"source": "crm"})
    assert Party.objects.get(last_name="Dupont").language == "en"      # no column: left as it was
    full_import(personas.manager, "Code client;Nom;Langue\nC2;Martin;français\n", config={"source": "crm"})
    assert Party.objects.get(last_name="Martin").language == "fr"
