"""E-mail channel: real SMTP through Django's backend, one connection per batch, each message
with an RFC 8058 one-click unsubscribe (`List-Unsubscribe` + `List-Unsubscribe-Post`)."""
from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.html import linebreaks

from fidelia.marketing.channels import Delivery, OutboundMessage


def build(message: OutboundMessage) -> EmailMultiAlternatives:
    headers = {"List-Unsubscribe": f"<{message.unsubscribe_url}>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
               "X-Fidelia-Recipient": str(message.recipient_id)}
    if message.extra.get("message_id"):   # a reply's In-Reply-To names the recipient
        headers["Message-ID"] = message.extra["message_id"]
    if message.extra.get("language"):
        headers["Content-Language"] = message.extra["language"]
    reply_to = [message.extra["reply_to"]] if message.extra.get("reply_to") else None
    mail = EmailMultiAlternatives(subject=message.subject, body=message.body,
                                  from_email=settings.FIDELIA_MARKETING_FROM_EMAIL, to=[message.address],
                                  headers=headers, reply_to=reply_to)
    html = message.extra.get("html") or linebreaks(message.body)
    mail.attach_alternative(html, "text/html")
    return mail


def deliver(messages: list[OutboundMessage]) -> list[Delivery]:
    """Send each message; a refused recipient is a bounce, a connection error a retryable failure."""
    results: list[Delivery] = []
    try:
        connection = get_connection()
        connection.open()
    except (OSError, smtplib.SMTPException) as exc:
        return [Delivery(m.recipient_id, False, error=str(exc)[:200]) for m in messages]
    try:
        for m in messages:
            try:
                connection.send_messages([build(m)])
                results.append(Delivery(m.recipient_id, True))
            except smtplib.SMTPRecipientsRefused as exc:
                results.append(Delivery(m.recipient_id, False, bounced=True, error=str(exc)[:200]))
            except (OSError, smtplib.SMTPException) as exc:
                results.append(Delivery(m.recipient_id, False, error=str(exc)[:200]))
    finally:
        connection.close()
    return results
