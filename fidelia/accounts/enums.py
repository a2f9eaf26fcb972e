from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SALES_REP = "sales_rep", _("Sales rep")
    SALES_MANAGER = "sales_manager", _("Sales manager")
    MARKETING = "marketing", _("Marketing manager")
    SERVICE_AGENT = "service_agent", _("Customer service agent")
    ANALYST = "analyst", _("Analyst")
    ADMIN = "admin", _("Administrator")
    DPO = "dpo", _("Data-protection officer")


class TeamKind(models.TextChoices):
    AGENCY = "agency", _("Agency")
    TEAM = "team", _("Team")


class SensitiveField(models.TextChoices):
    """Data whose every read is audited and which only some roles see (see `policies.SENSITIVE_READ_ROLES`)."""

    INCOME_BRACKET = "income_bracket", _("Income bracket")
    CHILDREN_BIRTH_DATES = "children_birth_dates", _("Children's birth dates")
    TRANSACTIONS = "transactions", _("Transactions and account movements")
    MARGINS = "margins", _("Margins")
