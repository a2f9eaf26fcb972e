"""Inbound e-mail: one function, `inbound_email_process(raw)`, turns a received message into a case or a
message of an existing case, and records what happened to it.

Policy (documented in docs/service.md):
- every accepted message is kept raw in `InboundEmail` with its outcome (nothing is lost);
- larger than FIDELIA_SERVICE_MAX_INBOUND_BYTES (10 MB): quarantined, no case;
- unparseable, or without a usable From address: rejected as malformed, no case;
- an already received Message-ID: ignored (SMTP retries do not duplicate cases);
- executables, scripts and macro-enabled Office files: the attachment is quarantined (never stored
  with the case), the text still reaches the case and the outcome says "dangerous";
- threading: the case reference "[CAS-YYYY-NNNNNN]" in the subject, else In-Reply-To/References of a
  message of the case — only when the sender is the case's customer or original sender (a reference
  alone cannot inject text into someone else's case);
- otherwise a new case; an address matching no customer gives a case flagged "unknown sender";
- a reply to a campaign e-mail (In-Reply-To/References carry the campaign's signed Message-ID) is
  also recorded as the campaign's "reply" response, once per message; the case is still opened,
  as a request unless its words make it a complaint, so that someone answers the person;
- HTML bodies are sanitised with nh3 before being stored for display.
"""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import logging
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

import nh3
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags

from fidelia.core import events
from fidelia.core.validation import email_match_key
from fidelia.marketing.services import campaign_reply_capture
from fidelia.parties.models import Email, Party
from fidelia.service import services
from fidelia.service.enums import (
    DONE_STATUSES,
    CaseCategory,
    CaseChannel,
    CaseEventKind,
    CaseKind,
    CasePriority,
    CaseStatus,
    InboundOutcome,
    MessageKind,
)
from fidelia.service.models import Case, CaseMessage, InboundEmail

log = logging.getLogger(__name__)

REFERENCE_RE = re.compile(r"\bCAS-\d{4}-\d{6,}\b")
DANGEROUS_EXTENSIONS = frozenset({
    "exe", "com", "bat", "cmd", "scr", "pif", "msi", "msp", "cpl", "dll", "jar", "js", "jse", "vbs", "vbe", "wsf",
    "wsh", "ps1", "psm1", "hta", "lnk", "reg", "iso", "img", "vhd", "apk", "app", "sh",
    "docm", "dotm", "xlsm", "xltm", "xlam", "pptm", "potm", "ppam", "ppsm", "sldm",
})
DANGEROUS_TYPES = frozenset({"application/x-msdownload", "application/x-msdos-program", "application/x-dosexec",
                             "application/x-executable", "application/vnd.ms-excel.sheet.macroenabled.12",
                             "application/vnd.ms-word.document.macroenabled.12", "application/java-archive",
                             "application/x-sh", "application/hta"})
# words that make an unsolicited e-mail a complaint rather than a request, and hints of its category
COMPLAINT_WORDS = ("réclamation", "reclamation", "plainte", "litige", "inadmissible", "scandale", "complaint",
                   "mécontent", "mecontent", "remboursement", "inacceptable")
CATEGORY_HINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (CaseCategory.CORE_FAILURE, ("facture", "factur", "prélèvement", "prelevement", "billing", "erreur", "panne")),
    (CaseCategory.PRICE, ("prix", "tarif", "augmentation", "cher", "price")),
    (CaseCategory.INCONVENIENCE, ("retard", "attente", "livraison", "horaires", "délai", "delai", "late")),
    (CaseCategory.FRONTLINE_CONFLICT, ("conseiller", "impoli", "accueil", "rude")),
    (CaseCategory.COMPETITOR, ("concurrent", "concurrence", "competitor")),
    (CaseCategory.INVOLUNTARY_SWITCH, ("déménagement", "demenagement", "déménage", "moving")),
)


@dataclass(frozen=True)
class Outcome:
    outcome: str            # an InboundOutcome value
    detail: str
    inbound_id: int | None
    case_id: int | None = None
    case_reference: str = ""

    @property
    def accepted(self) -> bool:
        """Whether the message reached a case (created or threaded, dangerous attachments stripped)."""
        return self.case_id is not None


@dataclass
class _Parsed:
    sender: str
    subject: str
    message_id: str
    refs: list[str]
    text: str
    html: str
    attachments: list[dict[str, object]]
    dangerous: list[str]


def _keep(raw: bytes, *, outcome: str, detail: str, mail_from: str, recipients: str, message_id: str = "",
          subject: str = "", case: Case | None = None) -> InboundEmail:
    return InboundEmail.objects.create(received_at=timezone.now(), mail_from=mail_from[:254],
                                       recipients=recipients[:500], message_id=message_id[:300],
                                       subject=subject[:200], size=len(raw), raw=raw, outcome=outcome,
                                       detail=detail[:300], case=case)


def _parse(raw: bytes) -> _Parsed | str:
    """The parts a case needs, or the reason the message is malformed."""
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        from_header = str(msg.get("From", "") or "")
        subject = " ".join(str(msg.get("Subject", "") or "").split())
        message_id = str(msg.get("Message-ID", "") or "").strip()
        refs = " ".join(str(msg.get(h, "") or "") for h in ("In-Reply-To", "References")).split()
    except Exception as exc:  # the email package raises many kinds on broken headers
        return f"unreadable headers: {type(exc).__name__}"
    addresses = [a for _, a in getaddresses([from_header]) if "@" in a] or \
        ([parseaddr(from_header)[1]] if "@" in parseaddr(from_header)[1] else [])
    if not addresses:
        return "no sender address in From"
    if not msg.get_payload() and not subject:
        return "empty message"
    text = html = ""
    try:
        body = msg.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        hbody = msg.get_body(preferencelist=("html",))
        html = hbody.get_content() if hbody is not None else ""
    except Exception as exc:
        return f"unreadable body: {type(exc).__name__}"
    attachments: list[dict[str, object]] = []
    dangerous: list[str] = []
    for part in msg.iter_attachments():
        name = part.get_filename() or "(unnamed)"
        ctype = part.get_content_type().lower()
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        try:
            size = len(part.get_payload(decode=True) or b"")
        except Exception:
            size = 0
        bad = ext in DANGEROUS_EXTENSIONS or ctype in DANGEROUS_TYPES
        attachments.append({"name": name[:200], "type": ctype[:100], "size": size, "quarantined": bad})
        if bad:
            dangerous.append(name[:200])
    return _Parsed(sender=email_match_key(addresses[0]), subject=subject[:200] or "(no subject)",
                   message_id=message_id, refs=refs, text=text, html=html, attachments=attachments,
                   dangerous=dangerous)


def match_party(address: str) -> Party | None:
    """The customer whose primary or secondary e-mail is `address` (case-insensitive); live parties only,
    the oldest file when several share it."""
    key = email_match_key(address)
    live = Party.objects.filter(erased_at__isnull=True, merged_into__isnull=True)
    party = live.filter(email__iexact=key).order_by("id").first()
    if party is None:
        party_id = (Email.objects.filter(normalized=key, party__erased_at__isnull=True,
                                         party__merged_into__isnull=True)
                    .order_by("party_id").values_list("party_id", flat=True).first())
        party = live.filter(pk=party_id).first() if party_id else None
    return party


def _sender_belongs(case: Case, sender: str) -> bool:
    if case.sender_email and email_match_key(case.sender_email) == sender:
        return True
    if case.party_id is None:
        return False
    party = match_party(sender)
    return party is not None and party.pk == case.party_id


def _thread(p: _Parsed) -> Case | None:
    ref = REFERENCE_RE.search(p.subject)
    case = Case.objects.select_related("party").filter(reference=ref.group(0)).first() if ref else None
    if case is None and p.refs:
        case_id = (CaseMessage.objects.filter(message_id__in=p.refs[-50:]).order_by("-sent_at")
                   .values_list("case_id", flat=True).first())
        case = Case.objects.select_related("party").filter(pk=case_id).first() if case_id else None
    if case is not None and not _sender_belongs(case, p.sender):
        return None
    return case


def _classify(p: _Parsed) -> tuple[str, str]:
    haystack = f"{p.subject} {p.text or strip_tags(p.html)}".lower()
    kind = CaseKind.COMPLAINT if any(w in haystack for w in COMPLAINT_WORDS) else CaseKind.REQUEST
    for category, words in CATEGORY_HINTS:
        if any(w in haystack for w in words):
            return kind, category
    return kind, CaseCategory.INFORMATION if kind == CaseKind.REQUEST else CaseCategory.OTHER


def _add_message(case: Case, p: _Parsed, inbound: InboundEmail) -> None:
    html = nh3.clean(p.html) if p.html else ""
    text = p.text or strip_tags(html)
    CaseMessage.objects.create(case=case, kind=MessageKind.INBOUND, from_address=p.sender, subject=p.subject,
                               body_text=text[:200_000], body_html=html[:400_000], message_id=p.message_id[:300],
                               in_reply_to=(p.refs[-1] if p.refs else "")[:300], attachments=p.attachments,
                               sent_at=inbound.received_at, inbound=inbound)
    services._history(case, actor=None, kind=CaseEventKind.INBOUND, detail=p.subject, at=inbound.received_at)
    events.record(actor=None, action="case.email_received", obj=case, party_id=case.party_id)
    owner = case.owner
    if case.party is not None and owner is not None and owner.is_active:
        # the timeline's author is the case owner, who receives the e-mail for the customer
        from fidelia.interactions.enums import Direction, InteractionChannel
        from fidelia.interactions.services import interaction_log

        interaction_log(party=case.party, actor=owner, channel=InteractionChannel.EMAIL,
                        direction=Direction.INBOUND, subject=p.subject[:200], report=text[:20000],
                        occurred_at=inbound.received_at)


def inbound_email_process(raw: bytes, *, mail_from: str = "", recipients: tuple[str, ...] | list[str] = (),
                          received_at: dt.datetime | None = None) -> Outcome:
    """Process one received message (see the module's policy); never raises on bad input."""
    rcpt = ", ".join(recipients)
    if len(raw) > settings.FIDELIA_SERVICE_MAX_INBOUND_BYTES:
        row = _keep(raw, outcome=InboundOutcome.OVERSIZED, mail_from=mail_from, recipients=rcpt,
                    detail=f"{len(raw)} bytes, limit {settings.FIDELIA_SERVICE_MAX_INBOUND_BYTES}")
        return _logged(Outcome(row.outcome, row.detail, row.pk))
    parsed = _parse(raw)
    if isinstance(parsed, str):
        row = _keep(raw, outcome=InboundOutcome.MALFORMED, detail=parsed, mail_from=mail_from, recipients=rcpt)
        return _logged(Outcome(row.outcome, row.detail, row.pk))
    p = parsed
    if p.message_id and InboundEmail.objects.filter(
            message_id=p.message_id[:300], case__isnull=False).exists():
        row = _keep(raw, outcome=InboundOutcome.DUPLICATE, detail="Message-ID already received",
                    mail_from=mail_from, recipients=rcpt, message_id=p.message_id, subject=p.subject)
        return _logged(Outcome(row.outcome, row.detail, row.pk))
    with transaction.atomic():
        case = _thread(p)
        if case is not None:
            outcome = InboundOutcome.THREADED
            row = _keep(raw, outcome=outcome, detail=case.reference, mail_from=mail_from, recipients=rcpt,
                        message_id=p.message_id, subject=p.subject, case=case)
            _add_message(case, p, row)
            if case.status == CaseStatus.WAITING:
                services.case_change_status(case=case, status=CaseStatus.OPEN, actor=None)
            elif case.status in DONE_STATUSES:
                services.case_change_status(case=case, status=CaseStatus.REOPENED, actor=None)
            else:
                Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
        else:
            party = match_party(p.sender)
            kind, category = _classify(p)
            case = services.case_create(
                actor=None, party=party, subject=p.subject, kind=kind, category=category,
                priority=CasePriority.HIGH if kind == CaseKind.COMPLAINT else CasePriority.NORMAL,
                channel=CaseChannel.EMAIL, description=(p.text or strip_tags(nh3.clean(p.html)))[:20000],
                sender_email=p.sender)
            outcome = InboundOutcome.CREATED if party else InboundOutcome.UNKNOWN_SENDER
            row = _keep(raw, outcome=outcome, detail=case.reference, mail_from=mail_from, recipients=rcpt,
                        message_id=p.message_id, subject=p.subject, case=case)
            _add_message(case, p, row)
        # a reply to a campaign e-mail (its In-Reply-To names the recipient) is also the campaign's response
        campaign_reply_capture(message_id=p.message_id, references=p.refs, recipients=list(recipients),
                               at=row.received_at, raw=raw)
        if p.dangerous:
            row.outcome = InboundOutcome.DANGEROUS
            row.detail = (f"{case.reference}: quarantined " + ", ".join(p.dangerous))[:300]
            row.save(update_fields=["outcome", "detail"])
    return _logged(Outcome(row.outcome, row.detail, row.pk, case.pk, case.reference))


def _logged(outcome: Outcome) -> Outcome:
    log.info("inbound e-mail %s: %s (%s)", outcome.inbound_id, outcome.outcome, outcome.detail)
    return outcome
