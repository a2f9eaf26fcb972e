"""Real SMTP both ways: a complaint e-mailed to the listener becomes a case, the agent's reply reaches the
customer's mail server, the customer's answer threads into the same case. Then bad inbound mail."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Any

import pytest

from fidelia.actions.models import Action
from fidelia.core.mailserver import free_port
from fidelia.interactions.models import Interaction
from fidelia.service.enums import CaseCategory, CaseKind, CaseStatus, InboundOutcome, MessageKind
from fidelia.service.inbound import inbound_email_process
from fidelia.service.listener import make_controller
from fidelia.service.models import Case, CaseMessage, InboundEmail
from fidelia.service.services import case_change_status, case_reply


def mail(*, sender: str = "claire.dupont@example.fr", subject: str = "Réclamation : erreur sur ma facture",
         body: str = "Bonjour, ma facture de mars est fausse.", **headers: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "service@fidelia.example", subject
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg


@pytest.fixture
def listener(transactional_db: Any) -> Any:
    port = free_port()
    controller = make_controller(port=port)
    controller.start()
    yield port
    controller.stop()


@pytest.mark.django_db(transaction=True)
def test_complaint_reply_and_answer_thread_over_real_smtp(listener, mail_server, personas, customer, policies_sla):
    with smtplib.SMTP("127.0.0.1", listener) as smtp:
        smtp.send_message(mail())
    case = Case.objects.get()
    assert (case.party, case.kind, case.category) == (customer, CaseKind.COMPLAINT, CaseCategory.CORE_FAILURE)
    assert case.reference.startswith("CAS-") and case.resolution_due and case.first_response_due
    assert InboundEmail.objects.get().outcome == InboundOutcome.CREATED
    # an open complaint proposes a call back to the customer's owner
    assert Action.objects.get(source_key=f"service:case:{case.pk}:complaint-open").owner == personas.alice

    case_reply(case=case, body="Bonjour {customer_name}, nous corrigeons la facture.", actor=personas.service,
               status=CaseStatus.WAITING)
    sent = mail_server.messages[-1].message
    assert f"[{case.reference}]" in sent["Subject"] and sent["To"] == "claire.dupont@example.fr"
    assert "Claire Dupont" in sent.get_content()
    reply_id = sent["Message-ID"]
    assert Interaction.objects.filter(party=customer, direction="outbound", channel="email").exists()

    # the customer answers from their mail client: no reference in the subject, only In-Reply-To
    with smtplib.SMTP("127.0.0.1", listener) as smtp:
        smtp.send_message(mail(subject="Re: ma facture", body="Merci, j'attends l'avoir.",
                               In_Reply_To=reply_id, References=reply_id))
    assert Case.objects.count() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.first_response_at is not None
    assert list(case.messages.values_list("kind", flat=True)) == [MessageKind.INBOUND, MessageKind.OUTBOUND,
                                                                   MessageKind.INBOUND]
    assert InboundEmail.objects.filter(outcome=InboundOutcome.THREADED, case=case).count() == 1


def test_reply_refused_by_smtp_leaves_nothing(db, personas, customer, policies_sla, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens there
    case = inbound_email_process(mail().as_bytes()).case_id
    with pytest.raises(OSError):
        case_reply(case=Case.objects.get(pk=case), body="Bonjour", actor=personas.service)
    assert not CaseMessage.objects.filter(kind=MessageKind.OUTBOUND).exists()
    assert Case.objects.get(pk=case).first_response_at is None


def test_reference_in_subject_threads_and_reopens_a_resolved_case(db, personas, customer, policies_sla):
    first = inbound_email_process(mail().as_bytes())
    case = Case.objects.get(pk=first.case_id)
    case_change_status(case=case, status=CaseStatus.RESOLVED, actor=personas.service)
    again = inbound_email_process(mail(subject=f"Re: [{case.reference}] toujours pas").as_bytes())
    assert again.outcome == InboundOutcome.THREADED and again.case_id == case.pk
    case.refresh_from_db()
    assert case.status == CaseStatus.REOPENED and case.reopen_count == 1


def test_forged_reference_from_another_sender_does_not_enter_the_case(db, personas, customer, policies_sla):
    case_id = inbound_email_process(mail().as_bytes()).case_id
    ref = Case.objects.get(pk=case_id).reference
    out = inbound_email_process(mail(sender="intrus@evil.example", subject=f"[{ref}] ouvrez ceci").as_bytes())
    assert out.outcome == InboundOutcome.UNKNOWN_SENDER and out.case_id != case_id
    other = Case.objects.get(pk=out.case_id)
    assert other.sender_unknown and other.party is None and other.sender_email == "intrus@evil.example"


def test_secondary_address_matches_the_customer(db, personas, customer):
    from fidelia.parties.services import email_add

    email_add(party=customer, actor=personas.alice, address="c.dupont@travail.example")
    out = inbound_email_process(mail(sender="Claire <C.Dupont@Travail.example>", subject="Question").as_bytes())
    assert out.outcome == InboundOutcome.CREATED and Case.objects.get(pk=out.case_id).party == customer


def test_malformed_messages_are_kept_and_rejected(db):
    for raw in (b"\x00\xff garbage without headers", b"Subject: hello\r\n\r\nno sender", b""):
        out = inbound_email_process(raw)
        assert out.outcome == InboundOutcome.MALFORMED and out.case_id is None
    assert InboundEmail.objects.filter(outcome=InboundOutcome.MALFORMED).count() == 3
    assert not Case.objects.exists()


def test_oversized_message_is_quarantined(db, settings):
    settings.FIDELIA_SERVICE_MAX_INBOUND_BYTES = 1000
    out = inbound_email_process(mail(body="x" * 5000).as_bytes())
    assert out.outcome == InboundOutcome.OVERSIZED and out.case_id is None
    assert len(InboundEmail.objects.get().raw) > 5000  # kept whole for audit


def test_dangerous_attachment_is_quarantined_but_the_text_reaches_the_case(db, customer):
    msg = mail()
    msg.add_attachment(b"MZ\x90\x00", maintype="application", subtype="octet-stream", filename="facture.exe")
    msg.add_attachment(b"PK", maintype="application", subtype="octet-stream", filename="releve.xlsm")
    msg.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="facture.pdf")
    out = inbound_email_process(msg.as_bytes())
    assert out.outcome == InboundOutcome.DANGEROUS and "facture.exe" in out.detail and "releve.xlsm" in out.detail
    stored = CaseMessage.objects.get(case_id=out.case_id)
    flags = {a["name"]: a["quarantined"] for a in stored.attachments}
    assert flags == {"facture.exe": True, "releve.xlsm": True, "facture.pdf": False}


def test_html_is_sanitised_and_duplicates_ignored(db, customer):
    msg = mail()
    msg.add_alternative('<p onclick="x()">Bonjour<script>alert(1)</script><img src=x onerror=alert(2)></p>',
                        subtype="html")
    msg["Message-ID"] = "<abc@client.example>"
    out = inbound_email_process(msg.as_bytes())
    stored = CaseMessage.objects.get(case_id=out.case_id)
    assert "<script" not in stored.body_html and "onerror" not in stored.body_html and "onclick" not in stored.body_html
    assert "Bonjour" in stored.body_html
    again = inbound_email_process(msg.as_bytes())
    assert again.outcome == InboundOutcome.DUPLICATE and Case.objects.count() == 1


def test_unknown_sender_creates_a_flagged_case(db):
    out = inbound_email_process(mail(sender="inconnu@example.org", subject="Horaires ?").as_bytes())
    case = Case.objects.get(pk=out.case_id)
    assert out.outcome == InboundOutcome.UNKNOWN_SENDER and case.sender_unknown and case.kind == CaseKind.REQUEST
