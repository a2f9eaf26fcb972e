from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    LOGIN = "login", _("sign-in")
    LOGIN_FAILED = "login_failed", _("failed sign-in")
    LOCKED_OUT = "locked_out", _("account locked")
    LOGOUT = "logout", _("sign-out")
    CREATE = "create", _("creation")
    UPDATE = "update", _("change")
    DELETE = "delete", _("deletion")
    READ_SENSITIVE = "read_sensitive", _("sensitive read")
    ACCESS_DENIED = "access_denied", _("access refused")
    EXPORT = "export", _("export")
    ERASE = "erase", _("erasure")
    RETENTION = "retention", _("retention run")
    POLICY_CHANGE = "policy_change", _("retention policy change")
    REQUEST = "subject_request", _("data-subject request")
    TOKEN = "token", _("API token")
    SECURITY = "security", _("security setting")


class SubjectRequestKind(models.TextChoices):
    """The rights of GDPR arts. 15–21 a person may exercise."""

    ACCESS = "access", _("access")
    RECTIFICATION = "rectification", _("rectification")
    ERASURE = "erasure", _("erasure")
    RESTRICTION = "restriction", _("restriction of processing")
    PORTABILITY = "portability", _("portability")
    OBJECTION = "objection", _("objection")


class SubjectRequestStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    IN_PROGRESS = "in_progress", _("in progress")
    EXTENDED = "extended", _("extended")
    COMPLETED = "completed", _("completed")
    REFUSED = "refused", _("refused")


class SubjectRequestChannel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    LETTER = "letter", _("letter")
    PHONE = "phone", _("phone")
    BRANCH = "branch", _("in branch")
    WEB = "web", _("web form")
    OTHER = "other", _("other")


class SubjectRequestAction(models.TextChoices):
    CREATED = "created", _("received")
    STARTED = "started", _("handling started")
    EXTENDED = "extended", _("deadline extended")
    COMPLETED = "completed", _("completed")
    REFUSED = "refused", _("refused")


class SuppressionKind(models.TextChoices):
    EMAIL = "email", _("e-mail")
    PHONE = "phone", _("phone")


class ActivityAction(models.TextChoices):
    """The activities services record in a customer's change history (`ActivityEvent.action`),
    with the label the history shows. An action missing here is shown as recorded."""

    PARTY_CREATED = "party.created", _("Customer file created")
    PARTY_UPDATED = "party.updated", _("Customer file changed")
    EMAIL_ADDED = "email.added", _("E-mail added")
    EMAIL_REMOVED = "email.removed", _("E-mail removed")
    PHONE_ADDED = "phone.added", _("Phone added")
    PHONE_REMOVED = "phone.removed", _("Phone removed")
    ADDRESS_ADDED = "address.added", _("Address added")
    ADDRESS_REMOVED = "address.removed", _("Address removed")
    MEMBER_ADDED = "household_member.added", _("Household member added")
    MEMBER_REMOVED = "household_member.removed", _("Household member removed")
    CONSENT_RECORDED = "consent.recorded", _("Consent recorded")
    LIFE_EVENT_ADDED = "life_event.added", _("Life event added")
    LIFE_EVENT_REMOVED = "life_event.removed", _("Life event removed")
    INTERACTION_LOGGED = "interaction.logged", _("Interaction logged")
    CONTRACT_CREATED = "contract.created", _("Contract created")
    CONTRACT_UPDATED = "contract.updated", _("Contract changed")
    TRANSACTION_RECORDED = "transaction.recorded", _("Transaction recorded")
