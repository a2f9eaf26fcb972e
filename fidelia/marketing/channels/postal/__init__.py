"""Postal mailing (publipostage): "sending" hands the letter to the printer; the mail-merge file
(CSV or XLSX) of the sent recipients is downloaded from the campaign page."""
from __future__ import annotations

import csv
import io

from fidelia.marketing.channels import Delivery, OutboundMessage

COLUMNS = ("recipient", "civility", "first_name", "last_name", "display_name", "address", "postcode", "city",
           "subject", "body")


def deliver(messages: list[OutboundMessage]) -> list[Delivery]:
    return [Delivery(m.recipient_id, True) for m in messages]


def _safe(value: str) -> str:
    """Formula-safe cell: spreadsheets must not execute a value starting with = + - @."""
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def mail_merge_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_safe(str(row.get(c, ""))) for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode()


def mail_merge_xlsx(rows: list[dict[str, str]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("publipostage")
    ws.append(list(COLUMNS))
    for row in rows:
        ws.append([_safe(str(row.get(c, ""))) for c in COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
