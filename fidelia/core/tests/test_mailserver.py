from django.core.mail import send_mail


def test_django_delivers_to_the_loopback_smtp_server(mail_server) -> None:
    send_mail("Bonjour", "Corps du message", "fidelia@fidelia.test", ["client@example.fr"])
    [received] = mail_server.messages
    assert received.rcpt_tos == ["client@example.fr"]
    assert received.message["Subject"] == "Bonjour"
    assert "Corps du message" in received.message.get_content()
