import pytest
from django.core.management import CommandError, call_command

from fidelia.imports.tests.helpers import DATA
from fidelia.parties.models import Party

pytestmark = pytest.mark.django_db
MESSY = str(DATA / "messy_parties.csv")


def test_dry_run_by_default_then_apply(personas, capsys, tmp_path):
    call_command("import", MESSY, "--target", "parties", "--as", "manager")
    out = capsys.readouterr().out
    assert "Dry run: to create 3" in out and "Nothing written" in out and "31/02/2024" in out
    assert Party.objects.count() == 0
    errors = tmp_path / "errors.csv"
    call_command("import", MESSY, "--as", "manager", "--apply", "--batch-size", "2", "--errors", str(errors),
                 "--map", "Notes=")
    out = capsys.readouterr().out
    assert "created 3" in out and Party.objects.count() == 3
    assert not Party.objects.exclude(notes="").exists()
    assert errors.read_bytes().startswith(b"\xef\xbb\xbfrow;column;value;message")


def test_refusals_are_command_errors(personas, tmp_path):
    with pytest.raises(CommandError, match="may not import"):
        call_command("import", MESSY, "--as", "alice")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"Nom;Nom\nA;B\n")
    with pytest.raises(CommandError, match="repeats the header"):
        call_command("import", str(bad), "--as", "manager")
    with pytest.raises(CommandError, match="COLUMN=FIELD"):
        call_command("import", MESSY, "--as", "manager", "--map", "Nom")
    with pytest.raises(CommandError, match="No active user"):
        call_command("import", MESSY, "--as", "nobody")
