"""A data subject's export in the format the person asked for (GDPR arts. 15 and 20).

`subject_export` gathers the data through every app's privacy hooks; the renderers here only
lay it out:
- `json`: the machine-readable export (portability), as gathered;
- `csv`: a ZIP with one formula-safe CSV per section (`fidelia.core.exports.csv_bytes`);
- `html`: a readable summary, sections as tables, in French or English;
- `pdf`: the same summary as a PDF (DejaVu fonts for accents and €; fpdf2 core fonts otherwise).

`subject_export_file` is what pages and commands call: it renders and writes the audit row
(who exported whom, in which format — never the values).
"""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fidelia.core.exports import csv_bytes
from fidelia.privacy.audit import audit_export
from fidelia.privacy.services import subject_export

FORMATS = ("json", "csv", "html", "pdf")
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
SECTION_TITLES = {
    "parties.identity": gettext_lazy("Identity"),
    "parties.household": gettext_lazy("Household"),
    "parties.emails": gettext_lazy("E-mail addresses"),
    "parties.phones": gettext_lazy("Phone numbers"),
    "parties.addresses": gettext_lazy("Postal addresses"),
    "parties.consents": gettext_lazy("Consents"),
    "parties.life_events": gettext_lazy("Life events"),
    "parties.history": gettext_lazy("History of changes to the file"),
    "interactions.interactions": gettext_lazy("Interactions"),
    "sales.contracts": gettext_lazy("Contracts"),
    "sales.transactions": gettext_lazy("Transactions"),
}
WIDE = 6  # sections with more columns read better as one block of "field: value" per row


class UnknownFormat(ValueError):
    """The requested format is not one of FORMATS."""


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str


def _title(section: str) -> str:
    return str(SECTION_TITLES.get(section, section.split(".", 1)[-1].replace("_", " ").capitalize()))


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _text(value: Any) -> str:
    """A cell as the person reads it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items()) or "—"
    return str(value)


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    """Every key of every row, in first-seen order (rows of one section may differ)."""
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def subject_name(export: dict[str, Any]) -> str:
    """The subject's name from the identity section, or their number when erased or absent."""
    identity = (export["data"].get("parties.identity") or [{}])[0]
    name = " ".join(filter(None, [identity.get("first_name"), identity.get("last_name")])) or identity.get("legal_name")
    return name or f"#{export['subject']}"


def summary_sections(export: dict[str, Any]) -> list[dict[str, Any]]:
    """Sections laid out for reading: a title, and either a table (columns, rows) or records (pairs)."""
    sections = []
    for key, rows in export["data"].items():
        columns = _columns(rows)
        section: dict[str, Any] = {"key": key, "title": _title(key), "count": len(rows)}
        if len(rows) == 1 or len(columns) > WIDE:
            section["records"] = [[(_label(c), _text(row.get(c))) for c in columns] for row in rows]
        else:
            section["columns"] = [_label(c) for c in columns]
            section["rows"] = [[_text(row.get(c)) for c in columns] for row in rows]
        sections.append(section)
    return sections


def render_json(export: dict[str, Any]) -> bytes:
    return json.dumps(export, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def render_csv_zip(export: dict[str, Any]) -> bytes:
    """A ZIP holding one CSV per section (named after it) and a README of what is where."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, rows in export["data"].items():
            columns = _columns(rows)
            cells = ([_text(v) if isinstance(v, list | dict) else v for v in (row.get(c) for c in columns)] for row in rows)
            archive.writestr(f"{key}.csv", csv_bytes(columns, cells))
        archive.writestr("README.txt", _("Data held by Fidelia about customer #%(id)s, exported on %(at)s. "
                                         "One CSV file per section, UTF-8, separated by semicolons.")
                         % {"id": export["subject"], "at": export["exported_at"]})
    return buffer.getvalue()


def render_html(export: dict[str, Any]) -> bytes:
    context = {"name": subject_name(export), "subject": export["subject"], "exported_at": export["exported_at"],
               "sections": summary_sections(export), "language": translation.get_language()}
    return render_to_string("privacy/subject_summary.html", context).encode("utf-8")


def _pdf_fonts(pdf: Any) -> tuple[str, bool]:
    """The font family to use and whether it covers all of Unicode (DejaVu) or only Latin-1 (core)."""
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if regular.is_file() and bold.is_file():
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))
        return "DejaVu", True
    return "Helvetica", False


def render_pdf(export: dict[str, Any]) -> bytes:
    """The readable summary as an A4 PDF: a title, then each section as a table or as field/value pairs."""
    from fpdf import FPDF  # imported here: only this export needs it

    pdf = FPDF(orientation="portrait", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    family, unicode_ok = _pdf_fonts(pdf)

    def safe(text: str) -> str:
        # Core fonts only know Latin-1: spell the euro out, replace what cannot be printed.
        return text if unicode_ok else text.replace("€", "EUR").encode("latin-1", "replace").decode("latin-1")

    pdf.add_page()
    pdf.set_font(family, "B", 16)
    pdf.multi_cell(0, 9, safe(_("Personal data held about %(name)s") % {"name": subject_name(export)}),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 9)
    pdf.multi_cell(0, 5, safe(_("Customer #%(id)s — exported on %(at)s") % {"id": export["subject"], "at": export["exported_at"]}),
                   new_x="LMARGIN", new_y="NEXT")
    for section in summary_sections(export):
        pdf.ln(4)
        pdf.set_font(family, "B", 12)
        pdf.multi_cell(0, 7, safe(f"{section['title']} ({section['count']})"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 8)
        if not section["count"]:
            pdf.multi_cell(0, 5, safe(_("Nothing recorded.")), new_x="LMARGIN", new_y="NEXT")
        elif "records" in section:
            for record in section["records"]:
                with pdf.table(col_widths=(1, 2), first_row_as_headings=False) as table:
                    for label, value in record:
                        table.row([safe(label), safe(value)])
                pdf.ln(2)
        else:
            with pdf.table() as table:
                table.row([safe(c) for c in section["columns"]])
                for row in section["rows"]:
                    table.row([safe(v) for v in row])
    return bytes(pdf.output())


RENDERERS = {
    "json": (render_json, "application/json; charset=utf-8", "json"),
    "csv": (render_csv_zip, "application/zip", "zip"),
    "html": (render_html, "text/html; charset=utf-8", "html"),
    "pdf": (render_pdf, "application/pdf", "pdf"),
}


def subject_export_file(*, party_id: int, fmt: str, actor: Any, language: str | None = None) -> ExportFile:
    """Render everything held about `party_id` in `fmt` and audit the export.

    The caller has checked `policies.can_export_subject(actor)` and read access to the party.
    Raises UnknownFormat (nothing audited) for a format outside FORMATS.
    """
    if fmt not in RENDERERS:
        raise UnknownFormat(_("Unknown export format “%(fmt)s”: choose one of %(choices)s.")
                            % {"fmt": fmt, "choices": ", ".join(FORMATS)})
    render, content_type, extension = RENDERERS[fmt]
    with translation.override(language or translation.get_language()):
        content = render(subject_export(party_id=party_id))
    audit_export(actor=actor, what="subject_export", party_id=party_id, fmt=fmt)
    stamp = timezone.localdate().isoformat()
    return ExportFile(content=content, content_type=content_type, filename=f"fidelia-subject-{party_id}-{stamp}.{extension}")
