from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fidelia.accounts.enums import Role, TeamKind


class Team(models.Model):
    """A sales team or agency: the unit of shared portfolios."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=TeamKind.choices, default=TeamKind.AGENCY)
    city = models.CharField(_("city"), max_length=120, blank=True)
    reps_read_team = models.BooleanField(
        _("reps may read the team's portfolio"), default=False,
        help_text=_("When on, each sales rep of the team reads (but cannot change) colleagues' customers."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SALES_REP)
    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="members")

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest is stored; the clear token is shown once."""

    PREFIX = "fid_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Scopes only narrow what the user's role allows, never widen it.
    read_only = models.BooleanField(_("read only"), default=False,
                                    help_text=_("Refuse every change (POST, PATCH, PUT, DELETE)."))
    apps = models.JSONField(_("applications"), default=list, blank=True,
                            help_text=_("Labels of the applications the token may reach; empty for all."))

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @property
    def is_scoped(self) -> bool:
        return self.read_only or bool(self.apps)

    def allows(self, *, app_label: str, write: bool) -> bool:
        """Whether this token may call an endpoint of `app_label` (a change when `write`)."""
        return not (write and self.read_only) and (not self.apps or app_label in self.apps)

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def generate(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)
