from django.db import models


class AuditAction(models.TextChoices):
    LOGIN = "login", "login"
    LOGIN_FAILED = "login_failed", "failed login"
    LOGOUT = "logout", "logout"
