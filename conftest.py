from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest
from django.test import Client

from fidelia.accounts.policies import requires_two_factor
from fidelia.core.testing import Personas, make_personas, mark_session_verified


@pytest.fixture
def personas(db) -> Personas:
    return make_personas()


@pytest.fixture(autouse=True)
def english_by_default(settings) -> None:
    """Fidelia speaks French by default; tests read English unless they ask for French
    (Accept-Language or the language cookie), so their assertions stay readable."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def test_client_logins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Test-client shortcuts that skip the sign-in page behave like a complete sign-in:
    `force_login` also passes the second factor of administrators and the DPO, and `login`
    hands django-axes the request it needs. Tests of the sign-in itself post to the real pages."""

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        original_force_login(self, user, backend)
        if requires_two_factor(user):
            mark_session_verified(self, user)

    def login(self: Client, **credentials: Any) -> bool:
        credentials.setdefault("request", _login_request())
        if not original_login(self, **credentials):
            return False
        user = get_user_model().objects.get(pk=self.session[SESSION_KEY])
        if requires_two_factor(user):
            mark_session_verified(self, user)
        return True

    original_force_login, original_login = Client.force_login, Client.login
    monkeypatch.setattr(Client, "force_login", force_login)
    monkeypatch.setattr(Client, "login", login)


def _login_request() -> HttpRequest:
    request = HttpRequest()
    request.method = "POST"
    request.path = request.path_info = "/accounts/login/"
    request.META.update(REMOTE_ADDR="127.0.0.1", SERVER_NAME="testserver", SERVER_PORT="80")
    return request


@pytest.fixture(autouse=True)
def fresh_local_cache() -> None:
    """Rate-limit counters live in the cache and database ids repeat between tests: each test
    starts with an empty local-memory cache (a shared Redis is never flushed)."""
    backend = caches["default"]
    if isinstance(backend, LocMemCache):
        backend.clear()


@pytest.fixture
def mail_server(settings):
    """A real SMTP server on loopback; Django's SMTP backend delivers to it during the test.
    `mail_server.messages` lists what arrived (`.message` parses one, `.rcpt_tos` its envelope)."""
    from fidelia.core.mailserver import MailServer

    with MailServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        yield server
