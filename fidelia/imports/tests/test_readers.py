"""Bad input: every file below gets a clear message and nothing is written."""
import io
import zipfile

import pytest
from openpyxl import Workbook

from fidelia.imports import readers
from fidelia.imports.models import ImportRun
from fidelia.imports.readers import ImportFileError, read_table
from fidelia.imports.tests.helpers import dry_run, upload
from fidelia.imports.transforms import (
    CellError,
    parse_civility,
    parse_date,
    parse_decimal,
    parse_phone,
)
from fidelia.parties.models import Party


def _xlsx(rows, formula=None) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if formula:
        sheet["C2"] = formula
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_bom_and_quoted_newlines_and_sniffed_delimiters():
    table = read_table("\ufeffNom,Notes\nDupont,\"ligne 1\nligne 2\"\n".encode())
    assert table.headers == ["Nom", "Notes"] and table.rows == [["Dupont", "ligne 1\nligne 2"]]
    assert read_table(b"Nom\tVille\nA\tLyon\n").delimiter == "\t"
    assert read_table(b"Nom|Ville\nA|Lyon\n").delimiter == "|"


def test_encodings_are_detected_and_overridable():
    text = "Nom;Ville\nLefèvre;Orléans\nCœur;Besançon\n"
    assert read_table(text.encode("cp1252")).rows[0] == ["Lefèvre", "Orléans"]
    assert read_table(text.encode("utf-16")).rows[1] == ["Cœur", "Besançon"]
    assert read_table(text.encode("utf-8"), encoding="latin-1").rows[0][0] == "LefÃ¨vre"  # the user's choice wins
    with pytest.raises(ImportFileError, match="cannot be read as utf-8"):
        read_table(text.encode("cp1252"), encoding="utf-8")


@pytest.mark.parametrize("data,message", [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (b"%PDF-1.7\n", "PDF"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "xls"),
    (b"PK\x03\x04garbage", "damaged"),
    (b"Nom;Nom\nA;B\n", "repeats the header"),
    (b"nom;NOM\nA;B\n", "repeats the header"),
    (b";;;\n;;\n", "empty"),
    (b";;\n", "empty"),
])
def test_files_that_are_not_tables_are_refused_clearly(data, message):
    with pytest.raises(ImportFileError, match=message):
        read_table(data)


def test_a_10_mb_cell_is_refused_with_its_row_and_column():
    data = b"Nom;Notes\nA;" + b"x" * (10 * 1024 * 1024) + b"\n"
    with pytest.raises(ImportFileError, match="more than|characters"):
        read_table(data)
    with pytest.raises(ImportFileError, match="Row 3, column .Notes."):
        read_table(b"Nom;Notes\nA;ok\nB;" + b"y" * (readers.MAX_CELL_CHARS + 1) + b"\n")


def test_size_limit(monkeypatch):
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 10)
    with pytest.raises(ImportFileError, match="larger than"):
        read_table(b"Nom\nDupont Dupont\n")


def test_xlsx_formulas_are_read_as_values_never_evaluated():
    table = read_table(_xlsx([["Nom", "Montant", "Calcul"], ["=cmd|' /C calc'!A0", 12.5, None]], formula="=1+1"))
    assert table.headers == ["Nom", "Montant", "Calcul"]
    # a formula written by a program has no cached value: it reads as empty, never run (not 2, not calc)
    assert table.rows[0] == ["", "12.5", ""]
    # in CSV it is text, kept as written; the error file and exports neutralise it on the way out
    assert read_table(b"Nom\n=cmd|' /C calc'!A0\n").rows[0][0].startswith("=cmd")


def test_xlsx_zip_bomb_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (readers.MAX_XLSX_UNCOMPRESSED + 1))
    with pytest.raises(ImportFileError, match="expands to"):
        read_table(buffer.getvalue())


def test_a_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ImportFileError, match="not an Excel workbook"):
        read_table(buffer.getvalue())


def test_whitespace_logs_with_and_without_header():
    assert read_table(b" id  date\n 001 19970101\n", filename="x.txt").headers == ["id", "date"]
    assert read_table(b" 001 0001 19970101 1 2.5\n", filename="x.txt").headers[0] == "column_1"


@pytest.mark.parametrize("raw", ["31/02/2024", "2024-13-01", "32/01/2024", "demain", "00/00/0000"])
def test_impossible_dates(raw):
    with pytest.raises(CellError, match=raw.replace("/", ".")[:2]):
        parse_date(raw)


@pytest.mark.parametrize("raw,value", [("31/12/2024", "2024-12-31"), ("31-12-24", "2024-12-31"),
                                       ("3 janvier 2024", "2024-01-03"), ("1er mars 2024", "2024-03-01"),
                                       ("lundi 5 févr. 2024", "2024-02-05"), ("20241231", "2024-12-31"),
                                       ("2024-12-31 10:00:00", "2024-12-31")])
def test_french_dates(raw, value):
    assert str(parse_date(raw)) == value


@pytest.mark.parametrize("raw,value", [("1 234,56", "1234.56"), ("1.234,56", "1234.56"), ("1,234.56", "1234.56"),
                                       ("12,5 €", "12.5"), ("1\u202f000", "1000"), ("-3,20", "-3.20"), ("1.000.000", "1000000")])
def test_decimals(raw, value):
    assert str(parse_decimal(raw)) == value


@pytest.mark.parametrize("raw", ["1,234,5.6", "1.23,45,6", "12abc", "1,2,3", "NaN", "Infinity"])
def test_mixed_or_broken_decimals(raw):
    with pytest.raises(CellError):
        parse_decimal(raw)


def test_civility_and_phones():
    assert [parse_civility(x) for x in ("M.", "Mme", "Mlle", "F", "H", "1", "2", "Monsieur")] == \
        ["mr", "mrs", "mrs", "mrs", "mr", "mr", "mrs", "mr"]
    assert parse_phone("06.12.34.56.78") == "+33612345678"
    assert parse_phone("+32 2 555 12 12") == "+3225551212"
    with pytest.raises(CellError):
        parse_phone("12")


@pytest.mark.django_db
def test_bad_cells_are_reported_by_row_column_value_and_nothing_is_written(personas):
    csv = "Nom;Raison sociale;Date de naissance;SIREN\nA;;31/02/2024;\n;B;;123456789\n;C;;732829320\n"
    run = dry_run(personas.admin, csv)
    rows = {(r, c): (v, m) for r, c, v, m in run.errors}
    assert rows[(2, "Date de naissance")][0] == "31/02/2024"
    assert "SIREN" in rows[(3, "SIREN")][1]
    assert run.dry_run_counts["create"] == 1
    assert Party.objects.count() == 0


@pytest.mark.django_db
def test_an_unreadable_upload_stores_nothing(personas):
    with pytest.raises(ImportFileError):
        upload(personas.admin, b"\x00\x01\x02binary")
    assert ImportRun.objects.count() == 0
