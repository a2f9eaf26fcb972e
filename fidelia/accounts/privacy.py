"""Staff user accounts, for the retention register: accounts unused for the policy's duration
(2 years by default, CNIL) are deactivated and lose their identity.

The row stays, so that what the user authored (interactions, audit rows) still points somewhere;
its username becomes `former-<id>`, which is also how an anonymised account is recognised.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django_otp.plugins.otp_totp.models import TOTPDevice

from fidelia.accounts.models import ApiToken, User
from fidelia.privacy.registry import RetentionOutcome, register_retention

ANONYMISED_PREFIX = "former-"


def dormant_accounts(policy: Any, *, now: dt.datetime, apply: bool) -> RetentionOutcome:
    """Accounts with no sign-in (or, never signed in, created) and no API token use since the cutoff.

    Token use counts as activity: an integration signs in with its token only, never on the page.
    """
    cutoff = policy.cutoff(now)
    recent_token = ApiToken.objects.filter(user_id=OuterRef("pk"), last_used_at__gte=cutoff)
    dormant = (User.objects.exclude(username__startswith=ANONYMISED_PREFIX)
               .alias(seen=Coalesce("last_login", "date_joined"))
               .filter(seen__lt=cutoff).exclude(Exists(recent_token)))
    ids = list(dormant.values_list("pk", flat=True))
    acted = 0
    if apply:
        for user in User.objects.filter(pk__in=ids):
            user_anonymise(user=user)
            acted += 1
    return RetentionOutcome(policy.key, len(ids), acted)


def user_anonymise(*, user: User) -> User:
    """Deactivate the account, drop its identity, password, API tokens and authenticator devices
    (the caller holds the transaction)."""
    user.username = f"{ANONYMISED_PREFIX}{user.pk}"
    user.first_name = user.last_name = user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["username", "first_name", "last_name", "email", "is_active", "password"])
    ApiToken.objects.filter(user=user).delete()
    TOTPDevice.objects.filter(user=user).delete()
    return user


def register_hooks() -> None:
    register_retention("user_accounts", dormant_accounts)
