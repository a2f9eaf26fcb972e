"""The quote as a document: a printable HTML page, an A4 PDF (fpdf2) and the e-mail carrying it."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import formats
from django.utils.translation import gettext as _

from fidelia.privacy.exports import FONT_DIR
from fidelia.sales.models import Quote


def _money(value: Decimal) -> str:
    return f"{formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)} €"


def _fonts(pdf: Any) -> tuple[str, bool]:
    """DejaVu when installed (accents, €), else the core Helvetica (Latin-1 only)."""
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if regular.is_file() and bold.is_file():
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))
        return "DejaVu", True
    return "Helvetica", False


def quote_pdf(quote: Quote) -> bytes:
    """The quote as an A4 PDF: header, customer, lines with discount and VAT, totals HT / TVA / TTC."""
    from fpdf import FPDF  # imported here: only documents need it

    pdf = FPDF(orientation="portrait", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    family, unicode_ok = _fonts(pdf)

    def safe(text: Any) -> str:
        text = str(text)
        return text if unicode_ok else text.replace("€", "EUR").encode("latin-1", "replace").decode("latin-1")

    pdf.add_page()
    pdf.set_font(family, "B", 16)
    pdf.cell(0, 10, safe(_("Quote %(number)s") % {"number": quote.number}), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    for line in (
        _("Customer: %(name)s") % {"name": quote.party.display_name},
        _("Issued on %(issued)s, valid until %(until)s") % {
            "issued": formats.date_format(quote.issued_on, "SHORT_DATE_FORMAT"),
            "until": formats.date_format(quote.valid_until, "SHORT_DATE_FORMAT")},
    ):
        pdf.cell(0, 6, safe(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(family, "", 9)
    with pdf.table(col_widths=(40, 10, 16, 12, 10, 18), text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")) as table:
        table.row([safe(_("Product")), safe(_("Qty")), safe(_("Unit price excl. VAT")), safe(_("Discount")),
                   safe(_("VAT")), safe(_("Total excl. VAT"))])
        for row in quote.lines.all():
            net = (Decimal(row.quantity) * row.unit_price * (100 - row.discount_rate) / 100).quantize(Decimal("0.01"))
            table.row([safe(row.label), str(row.quantity), safe(_money(row.unit_price)),
                       f"{formats.number_format(row.discount_rate, 2)} %", f"{formats.number_format(row.vat_rate, 2)} %",
                       safe(_money(net))])
    pdf.ln(4)
    pdf.set_font(family, "B", 10)
    for label, value in ((_("Total excl. VAT"), quote.total_excl_tax), (_("VAT"), quote.total_tax),
                         (_("Total incl. VAT"), quote.total_incl_tax)):
        pdf.cell(140, 6, safe(label), align="R")
        pdf.cell(0, 6, safe(_money(value)), align="R", new_x="LMARGIN", new_y="NEXT")
    if quote.notes:
        pdf.ln(4)
        pdf.set_font(family, "", 9)
        pdf.multi_cell(0, 5, safe(quote.notes), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def quote_email(quote: Quote, *, to: str, pdf: bytes) -> EmailMessage:
    """The message to the customer with the PDF attached (sent by the caller, after commit)."""
    body = _(
        "Hello,\n\nPlease find attached our quote %(number)s for a total of %(total)s incl. VAT, "
        "valid until %(until)s.\n\nKind regards,\n%(sender)s"
    ) % {"number": quote.number, "total": _money(quote.total_incl_tax),
         "until": formats.date_format(quote.valid_until, "SHORT_DATE_FORMAT"),
         "sender": quote.owner.get_full_name() if quote.owner else settings.DEFAULT_FROM_EMAIL}
    message = EmailMessage(subject=_("Your quote %(number)s") % {"number": quote.number}, body=body,
                           from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    message.attach(f"{quote.number}.pdf", pdf, "application/pdf")
    return message
