"""Named personas for tests: every access test tries the outsider."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.test import Client

from fidelia.accounts import policies
from fidelia.accounts.enums import Role
from fidelia.accounts.models import ApiToken, Team, User

PASSWORD = "Fidelia-Test-2026!"


@dataclass
class Personas:
    lyon: Team
    paris: Team
    admin: User
    dpo: User
    manager: User      # sales manager of Lyon
    alice: User        # sales rep, Lyon
    bob: User          # sales rep, Lyon (a colleague of Alice)
    outsider: User     # sales rep, Paris
    marketing: User
    service: User
    analyst: User

    def by_role(self) -> dict[str, User]:
        return {"admin": self.admin, "dpo": self.dpo, "manager": self.manager, "alice": self.alice,
                "bob": self.bob, "outsider": self.outsider, "marketing": self.marketing,
                "service": self.service, "analyst": self.analyst}


def make_personas() -> Personas:
    lyon = Team.objects.create(name="Agence Lyon Part-Dieu", city="Lyon")
    paris = Team.objects.create(name="Agence Paris Opéra", city="Paris")

    def user(username: str, role: Role, team: Team | None, first: str, last: str) -> User:
        return User.objects.create_user(username, email=f"{username}@fidelia.test", password=PASSWORD,
                                        role=role, team=team, first_name=first, last_name=last)

    return Personas(
        lyon=lyon, paris=paris,
        admin=user("admin", Role.ADMIN, None, "Anne", "Admin"),
        dpo=user("dpo", Role.DPO, None, "Denis", "Protection"),
        manager=user("manager", Role.SALES_MANAGER, lyon, "Marc", "Manager"),
        alice=user("alice", Role.SALES_REP, lyon, "Alice", "Martin"),
        bob=user("bob", Role.SALES_REP, lyon, "Bob", "Bernard"),
        outsider=user("outsider", Role.SALES_REP, paris, "Olivier", "Dehors"),
        marketing=user("marketing", Role.MARKETING, None, "Mélanie", "Marketing"),
        service=user("service", Role.SERVICE_AGENT, None, "Sophie", "Service"),
        analyst=user("analyst", Role.ANALYST, None, "Arthur", "Analyste"),
    )


# --- signing in in tests ----------------------------------------------------------------------
# Administrators and the DPO must pass a second factor; tests that are not about signing in use
# `verified_login`, which gives the persona a confirmed authenticator and marks the session as
# verified, exactly as the two-factor page does after a good code. Nothing here is reachable
# from a request: production sessions are only verified by `accounts.two_factor`.

def confirmed_totp_device(user: User) -> Any:
    """The user's confirmed TOTP device (created if missing); compute codes with
    `totp_code(device)`."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True)


def totp_code(device: Any, *, at: float | None = None) -> str:
    """The 6-digit code the device's app shows now (or at the Unix time `at`)."""
    from django_otp.oath import TOTP, totp

    if at is None:
        return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = at
    return f"{generator.token():06d}"


def mark_session_verified(client: Client, user: User) -> None:
    """Mark the client's signed-in session as having passed the second factor."""
    from django_otp import DEVICE_ID_SESSION_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = confirmed_totp_device(user).persistent_id
    session.save()


def verified_login(client: Client, user: User) -> None:
    """`client.force_login(user)`, second factor included for the roles that need one."""
    client.force_login(user)
    if policies.requires_two_factor(user):
        mark_session_verified(client, user)


def make_token(user: User, *, name: str = "tests", read_only: bool = False, apps: list[str] | None = None) -> str:
    """A clear API token for `user`, written directly (no audit entry, so tests counting audit
    rows see only what they do)."""
    raw = ApiToken.generate()
    ApiToken.objects.create(user=user, name=name, digest=ApiToken.hash(raw), read_only=read_only, apps=apps or [])
    return raw
