"""Writes on users and API tokens."""
from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fidelia.accounts.enums import Role
from fidelia.accounts.models import ApiToken, Team, User
from fidelia.core.errors import DomainError, ValidationFailed
from fidelia.privacy.audit import audit_record
from fidelia.privacy.enums import AuditAction


class TokenScopeRefused(DomainError):
    """A token asked for more than its scopes allow."""

    code = "token_scope"  # type: ignore[assignment]
    status = 403


@transaction.atomic
def user_create(*, username: str, password: str, role: str, team: Team | None = None, email: str = "",
                first_name: str = "", last_name: str = "", check_password: bool = True) -> User:
    """Create a login. The password must pass the configured policy unless `check_password` is off (demo data)."""
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = [_("Unknown role “%(role)s”; choose one of %(roles)s.") % {"role": role, "roles": ", ".join(Role.values)}]
    if not username.strip():
        errors["username"] = [_("The username is required.")]
    elif User.objects.filter(username=username.strip()).exists():
        errors["username"] = [_("This username is taken.")]
    if check_password:
        try:
            validate_password(password, User(username=username, email=email, first_name=first_name, last_name=last_name))
        except DjangoValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    user = User(username=username.strip(), email=email, first_name=first_name, last_name=last_name, role=role, team=team,
                is_staff=role == Role.ADMIN)
    user.set_password(password)
    user.save()
    return user


def token_app_choices() -> list[tuple[str, str]]:
    """The applications a token may be limited to: Fidelia's own apps, by label."""
    from django.apps import apps

    hidden = {"core", "demo"}
    return sorted((config.label, str(config.verbose_name)) for config in apps.get_app_configs()
                  if config.name.startswith("fidelia.") and config.label not in hidden)


def _clean_apps(apps_: list[str] | None) -> list[str]:
    known = {label for label, _name in token_app_choices()}
    labels = sorted({a.strip() for a in apps_ or [] if a.strip()})
    unknown = [a for a in labels if a not in known]
    if unknown:
        message = _("Unknown application(s): %(unknown)s. Choose among %(known)s.") % {
            "unknown": ", ".join(unknown), "known": ", ".join(sorted(known))}
        raise ValidationFailed(message, fields={"apps": [message]})
    return labels


@transaction.atomic
def api_token_create(*, user: User, name: str, read_only: bool = False, apps: list[str] | None = None,
                     created_by: ApiToken | None = None) -> tuple[ApiToken, str]:
    """Return the token row and the clear token, which is shown once and never stored.

    `read_only` and `apps` (application labels, empty = all) narrow the user's rights. A scoped
    token (`created_by`) may not mint tokens: that would let it escape its own scope.
    """
    if created_by is not None and created_by.is_scoped:
        raise TokenScopeRefused(_("A read-only or application-limited token cannot create tokens."))
    if not name.strip():
        raise ValidationFailed(_("Name the token."), fields={"name": [_("Name the token.")]})
    labels = _clean_apps(apps)
    raw = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name.strip(), digest=ApiToken.hash(raw),
                                    read_only=read_only, apps=labels)
    audit_record(action=AuditAction.TOKEN, actor=user, obj=token, fields=["created"])
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User | None = None, revoked_by: ApiToken | None = None) -> None:
    """Revoke a token at once (idempotent). A scoped token may revoke only itself."""
    if revoked_by is not None and revoked_by.is_scoped and revoked_by.pk != token.pk:
        raise TokenScopeRefused(_("A read-only or application-limited token can only revoke itself."))
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        audit_record(action=AuditAction.TOKEN, actor=actor or token.user, obj=token, fields=["revoked"])


def api_token_resolve(raw: str) -> ApiToken | None:
    """The unrevoked token of an active user matching `raw` (its user preloaded), or None.
    Records when it was last used."""
    if not raw or not raw.startswith(ApiToken.PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(raw), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user owning the (unrevoked) token, or None."""
    token = api_token_resolve(raw)
    return token.user if token is not None else None


def password_changed(*, user: User) -> None:
    """Record a password change in the audit log (the field name, never a value)."""
    audit_record(action=AuditAction.SECURITY, actor=user, obj=user, fields=["password"])
