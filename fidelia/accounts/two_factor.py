"""Two-factor authentication with TOTP (RFC 6238) devices of django-otp.

The password step signs the user in; until the second step is passed the session is
"unverified" and `TwoFactorMiddleware` lets it reach only the sign-in, two-factor and sign-out
pages. Administrators and the DPO must use a second factor (`policies.requires_two_factor`);
other users must as soon as they have confirmed a device.
"""
from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import django_otp
import segno
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from fidelia.accounts import policies
from fidelia.accounts.models import User
from fidelia.privacy.audit import audit_record
from fidelia.privacy.enums import AuditAction

DEVICE_NAME = "Authenticator app"
NEEDS_SECOND_FACTOR = "fidelia_needs_2fa"


class SecondStep(StrEnum):
    """What a signed-in session still has to do before using the application."""

    NONE = "none"        # verified, or no second factor needed
    VERIFY = "verify"    # has a confirmed device: type a code
    ENROL = "enrol"      # must use a second factor but has no device yet


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    retry_at: dt.datetime | None = None  # set when throttled: no code is checked before then


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def second_step(request: HttpRequest) -> SecondStep:
    """The second step this request's session still owes (NONE for anonymous users).

    Whether the user needs a second factor at all is decided at sign-in and kept in the session
    (`NEEDS_SECOND_FACTOR`), so pages of users without a device cost no extra query.
    """
    user = request.user
    # Right after the password step, request.user is the bare user django-otp has not seen yet:
    # not verified.
    is_verified = getattr(user, "is_verified", None)
    if not user.is_authenticated or (is_verified is not None and is_verified()):
        return SecondStep.NONE
    needs = request.session.get(NEEDS_SECOND_FACTOR)
    if needs is None:
        needs = remember_need(request, user)  # type: ignore[arg-type]
    if not needs:
        return SecondStep.NONE
    return SecondStep.VERIFY if confirmed_device(user) is not None else SecondStep.ENROL  # type: ignore[arg-type]


def remember_need(request: HttpRequest, user: User) -> bool:
    """Decide (and keep in the session) whether this user must pass a second factor: their role
    requires one, or they have set up an authenticator."""
    needs = policies.requires_two_factor(user) or confirmed_device(user) is not None
    request.session[NEEDS_SECOND_FACTOR] = needs
    return needs


def on_logged_in(sender: object, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    """user_logged_in: settle the need for a second factor once per sign-in."""
    if request is not None and hasattr(request, "session"):
        remember_need(request, user)


@transaction.atomic
def totp_enrolment_device(*, user: User) -> TOTPDevice:
    """The unconfirmed device the user is enrolling (created on first call, the same one after),
    so reloading the page shows the same QR code. Refused once a confirmed device exists: a
    stolen password must not let anyone add their own authenticator."""
    if confirmed_device(user) is not None:
        raise PermissionError("a confirmed device exists")
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def totp_secret(device: TOTPDevice) -> str:
    """The key in base 32, grouped by four, for typing into an app without a camera."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code (no image request, nothing leaves the server)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2, dark="#111827")


def _check(request: HttpRequest, device_id: int, code: str) -> CodeCheck:
    """Check a code against the device, throttled by django-otp; audit a failure."""
    device = TOTPDevice.objects.select_for_update().get(pk=device_id)
    allowed, info = device.verify_is_allowed()
    if not allowed:
        audit_record(action=AuditAction.LOGIN_FAILED, actor=request.user, fields=["otp"])
        return CodeCheck(ok=False, retry_at=(info or {}).get("locked_until"))
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == device.digits and device.verify_token(code)):
        if not code.isdigit() or len(code) != device.digits:
            device.throttle_increment(commit=True)  # malformed codes count as failures too
        audit_record(action=AuditAction.LOGIN_FAILED, actor=request.user, fields=["otp"])
        return CodeCheck(ok=False)
    django_otp.login(request, device)
    return CodeCheck(ok=True)


@transaction.atomic
def otp_verify(*, request: HttpRequest, code: str) -> CodeCheck:
    """Second step of sign-in: check `code` against the user's confirmed device and mark the
    session verified. Wrong codes are throttled (1 s, 2 s, 4 s... between tries) and audited."""
    device = confirmed_device(request.user)  # type: ignore[arg-type]
    if device is None:
        return CodeCheck(ok=False)
    result = _check(request, device.pk, code)
    if result.ok:
        audit_record(action=AuditAction.LOGIN, actor=request.user, fields=["otp"])
    return result


@transaction.atomic
def totp_confirm(*, request: HttpRequest, device: TOTPDevice, code: str) -> CodeCheck:
    """End of enrolment: the first correct code confirms the device and verifies the session."""
    result = _check(request, device.pk, code)
    if result.ok:
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        # Any other half-finished enrolment is now useless.
        TOTPDevice.objects.filter(user=device.user, confirmed=False).exclude(pk=device.pk).delete()
        request.session[NEEDS_SECOND_FACTOR] = True
        audit_record(action=AuditAction.SECURITY, actor=request.user, obj=device, fields=["otp_device"])
    return result


def retry_in_seconds(check: CodeCheck) -> int:
    if check.retry_at is None:
        return 0
    return max(1, int((check.retry_at - timezone.now()).total_seconds() + 0.999))


@transaction.atomic
def two_factor_reset(*, user: User, operator: str) -> int:
    """Remove the user's authenticator devices (a lost or replaced phone). Administrators and the DPO
    are asked to enrol a new one at their next sign-in. Returns how many devices were removed."""
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    audit_record(action=AuditAction.SECURITY, actor_username=operator[:150], obj=user,
                 fields=["otp_device_reset"])
    return removed
