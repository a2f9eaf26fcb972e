"""Writes on users and API tokens."""
from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fidelia.accounts.enums import Role
from fidelia.accounts.models import ApiToken, Team, User
from fidelia.core.errors import ValidationFailed


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


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Return the token row and the clear token, which is shown once and never stored."""
    if not name.strip():
        raise ValidationFailed(_("Name the token."), fields={"name": [_("Name the token.")]})
    raw = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name.strip(), digest=ApiToken.hash(raw))
    return token, raw


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_token_authenticate(raw: str) -> User | None:
    """The active user owning the (unrevoked) token, or None."""
    if not raw or not raw.startswith(ApiToken.PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(raw), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
