"""Reading CSV and XLSX files into rows of text, refusing what is not a sane spreadsheet.

Every refusal is an `ImportFileError` (a ValidationFailed) whose message names the row, column and
reason; nothing is ever written while reading. Limits (`MAX_*`) are part of the contract and are
stated in docs/import.md.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

from charset_normalizer import from_bytes
from django.utils.translation import gettext as _

from fidelia.core.errors import ValidationFailed

MAX_FILE_BYTES = 50 * 1024 * 1024       # an upload larger than this is refused
MAX_CELL_CHARS = 10_000                 # a longer cell is an error (a 10-MB cell is not data)
MAX_COLUMNS = 200
MAX_ROWS = 1_000_000
MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024  # zip bombs: the sum of uncompressed members
MAX_XLSX_RATIO = 100                    # …and their compression ratio
DELIMITERS = ",;\t|"
FRENCH_CHARS = set("àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ€«»°’‘“”–—…\u00a0ºª²³µ·×÷ñÑßáíóúÁÍÓÚ")


class ImportFileError(ValidationFailed):
    """The file cannot be read as a table: nothing was imported."""


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    encoding: str = ""
    delimiter: str = ""
    warnings: list[str] = field(default_factory=list)


def _fail(message: str, **where: object) -> ImportFileError:
    return ImportFileError(message, fields={"file": [message]})


def detect_encoding(data: bytes) -> str:
    """The file's text encoding: a BOM wins, then UTF-8 if it decodes, then charset-normalizer."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        data[:1_000_000].decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start > 999_990:  # a character cut by the sample's end
            return "utf-8"
    # French files that are not UTF-8 are nearly always Windows-1252 (Excel's "CSV" on Windows);
    # statistical detection confuses it with its central-European cousins on short files.
    western = data[:200_000].decode("cp1252", errors="replace")
    if all(ch.isascii() or ch in FRENCH_CHARS for ch in western):
        return "cp1252"
    best = from_bytes(data[:200_000]).best()
    if best is None:
        raise _fail(_("The file is not text in a known encoding (is it a spreadsheet?)."))
    return best.encoding


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    return b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff"))


def detect_delimiter(text: str) -> str:
    """The delimiter csv.Sniffer finds among , ; tab |, else the most frequent of them on line 1."""
    sample = text[:20_000]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample.splitlines() else ""
        counts = {d: first.count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)  # type: ignore[arg-type]
        return best if counts[best] else ","


def _check_headers(headers: list[str]) -> list[str]:
    clean = [(h or "").strip() for h in headers]
    if not any(clean):
        raise _fail(_("The first line holds no column names."))
    if len(clean) > MAX_COLUMNS:
        raise _fail(_("The file has %(n)d columns; at most %(max)d are accepted.") % {"n": len(clean), "max": MAX_COLUMNS})
    seen: dict[str, int] = {}
    for index, name in enumerate(clean, start=1):
        key = name.casefold()
        if not name:
            continue
        if key in seen:
            raise _fail(_("Column %(col)d repeats the header “%(name)s” of column %(first)d: rename one of them.")
                        % {"col": index, "name": name, "first": seen[key]})
        seen[key] = index
    return clean


def _check_cells(headers: list[str], rows: list[list[str]]) -> None:
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row):
            if len(value) > MAX_CELL_CHARS:
                column = headers[c] if c < len(headers) else str(c + 1)
                raise _fail(_("Row %(row)d, column “%(col)s”: the cell holds %(n)s characters; at most %(max)s are accepted.")
                            % {"row": r, "col": column, "n": f"{len(value):,}", "max": f"{MAX_CELL_CHARS:,}"})


def read_csv(data: bytes, *, encoding: str = "", delimiter: str = "") -> Table:
    """Decode and split a CSV file (quoted newlines allowed); raise ImportFileError if it is not one."""
    if _looks_binary(data):
        raise _fail(_("This file is not a CSV text file (it holds binary data)."))
    encoding = encoding or detect_encoding(data)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        position = getattr(exc, "start", None)
        line = data[:position].count(b"\n") + 1 if position is not None else "?"
        raise _fail(_("The file cannot be read as %(enc)s (line %(line)s): choose another encoding.")
                    % {"enc": encoding, "line": line}) from None
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise _fail(_("The file is empty."))
    delimiter = delimiter or detect_delimiter(text)
    csv.field_size_limit(MAX_CELL_CHARS * 4 + 1)
    try:
        raw = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        if "field larger" in str(exc):
            raise _fail(_("A cell holds more than %(max)s characters.") % {"max": f"{MAX_CELL_CHARS:,}"}) from None
        raise _fail(_("The file is not valid CSV: %(why)s") % {"why": exc}) from None
    rows = [r for r in raw if any(cell.strip() for cell in r)]
    if not rows:
        raise _fail(_("The file is empty."))
    if len(rows) > MAX_ROWS + 1:
        raise _fail(_("The file has more than %(max)s rows.") % {"max": f"{MAX_ROWS:,}"})
    headers = _check_headers(rows[0])
    body = rows[1:]
    _check_cells(headers, body)
    return Table(headers=headers, rows=body, encoding=encoding, delimiter=delimiter)


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise _fail(_("This is not a valid XLSX file (the archive is damaged).")) from None
    total = sum(info.file_size for info in archive.infolist())
    packed = sum(info.compress_size for info in archive.infolist()) or 1
    if total > MAX_XLSX_UNCOMPRESSED or total / packed > MAX_XLSX_RATIO and total > 10 * 1024 * 1024:
        raise _fail(_("This XLSX file expands to %(mb)s MB: refused (at most %(max)d MB).")
                    % {"mb": f"{total / 1e6:,.0f}", "max": MAX_XLSX_UNCOMPRESSED // (1024 * 1024)})
    if "xl/workbook.xml" not in archive.namelist():
        raise _fail(_("This archive is not an Excel workbook (XLSX)."))


def _cell_text(value: object) -> str:
    """A cell as text. Formula cells arrive as their cached value (never evaluated)."""
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(data: bytes) -> Table:
    """The first sheet of an XLSX workbook, read-only, formulas as their stored values."""
    import openpyxl

    _check_zip(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on broken files; all mean the same to the user
        raise _fail(_("This XLSX file cannot be opened (damaged or not a workbook).")) from None
    try:
        sheet = book.worksheets[0]
        rows: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True):
            row = [_cell_text(v).strip() for v in values]
            if any(row):
                rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                raise _fail(_("The file has more than %(max)s rows.") % {"max": f"{MAX_ROWS:,}"})
    finally:
        book.close()
    if not rows:
        raise _fail(_("The workbook's first sheet is empty."))
    width = max(len(r) for r in rows)
    while width and not any(len(r) >= width and r[width - 1] for r in rows):
        width -= 1
    rows = [(r + [""] * width)[:width] for r in rows]
    headers = _check_headers(rows[0])
    _check_cells(headers, rows[1:])
    return Table(headers=headers, rows=rows[1:], encoding="xlsx")


def read_table(data: bytes, *, filename: str = "", encoding: str = "", delimiter: str = "") -> Table:
    """Read `data` as XLSX (by its signature) or CSV; raise ImportFileError with a clear message."""
    if len(data) > MAX_FILE_BYTES:
        raise _fail(_("The file is larger than %(max)d MB.") % {"max": MAX_FILE_BYTES // (1024 * 1024)})
    if not data:
        raise _fail(_("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        return read_xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _fail(_("Old Excel files (.xls) are not read: save it as XLSX or CSV."))
    if data[:5] == b"%PDF-":
        raise _fail(_("This is a PDF document, not a spreadsheet."))
    if delimiter in (" ", "whitespace"):
        return read_whitespace(data.decode(encoding or detect_encoding(data)))
    table = read_csv(data, encoding=encoding, delimiter=delimiter)
    if len(table.headers) == 1 and " " in table.headers[0].strip():
        # whitespace-separated text (the CDNOW logs): columns are runs of spaces
        return read_whitespace(data.decode(table.encoding))
    return table


def read_whitespace(text: str) -> Table:
    """Columns separated by runs of blanks (fixed-width logs); line 1 is a header if it holds letters."""
    lines = [line.split() for line in text.lstrip("\ufeff").splitlines() if line.strip()]
    if not lines:
        raise _fail(_("The file is empty."))
    if not any(ch.isalpha() for ch in "".join(lines[0])):
        return Table(headers=[f"column_{i + 1}" for i in range(len(lines[0]))], rows=lines, delimiter=" ")
    headers = _check_headers(lines[0])
    return Table(headers=headers, rows=lines[1:], encoding="utf-8", delimiter=" ")
