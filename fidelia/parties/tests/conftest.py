import pytest


@pytest.fixture(autouse=True)
def sign_in_without_lockout_bookkeeping(settings) -> None:
    """`force_login` signs in without a client address, and django-axes then looks attempts up by
    the address "unknown", which PostgreSQL's inet column refuses. Lockout is tested through the
    sign-in pages (accounts tests), not here."""
    settings.AXES_ENABLED = False
