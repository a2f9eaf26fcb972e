import io

import pytest
from openpyxl import load_workbook

from fidelia.core.exports import csv_bytes, download, neutralise, xlsx_bytes

DANGEROUS = ["=HYPERLINK(\"http://x\")", "+33 1 23", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_cells_starting_like_a_formula_become_text(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Dupont", "", "a=b", "12 rue de la Paix"])
def test_ordinary_text_is_untouched(value):
    assert neutralise(value) == value


def test_numbers_stay_numbers_and_none_is_empty():
    assert neutralise(-12) == -12
    assert neutralise(3.5) == 3.5
    assert neutralise(None) == ""


def test_csv_has_bom_semicolons_and_neutralised_cells():
    text = csv_bytes(["name", "note"], [["Dupont", "=1+1"]]).decode("utf-8")
    assert text.startswith("\ufeffname;note\r\n")
    assert "Dupont;'=1+1" in text


def test_xlsx_holds_no_formula():
    book = load_workbook(io.BytesIO(xlsx_bytes(["note"], [["=1+1"], [42]])))
    sheet = book.active
    assert sheet["A2"].value == "'=1+1"
    assert sheet["A2"].data_type == "s"
    assert sheet["A3"].value == 42


def test_download_names_the_file_and_sets_the_type():
    response = download("audit", ["a"], [["b"]], fmt="xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="audit.xlsx"'
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert download("audit", ["a"], [], fmt="anything")["Content-Disposition"].endswith('.csv"')
