from django.db import models
from django.utils.translation import gettext_lazy as _


class PartyKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class Stage(models.TextChoices):
    SUSPECT = "suspect", _("Suspect")
    PROSPECT = "prospect", _("Prospect")
    CUSTOMER = "customer", _("Customer")
    FORMER = "former", _("Former customer")


class Civility(models.TextChoices):
    MR = "mr", _("Mr")
    MRS = "mrs", _("Mrs")
    NONE = "", _("—")


class Channel(models.TextChoices):
    """Contact channels a party may consent to or prefer."""

    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("Phone")
    POST = "post", _("Post")


class Language(models.TextChoices):
    """The language a party is written to in (campaigns, surveys, letters)."""

    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")


class ConsentPurpose(models.TextChoices):
    PROSPECTING = "prospecting", _("Commercial prospecting")
    NEWSLETTER = "newsletter", _("Newsletter")
    SERVICE = "service", _("Service information")
    PARTNERS = "partners", _("Partner offers")
    PROFILING = "profiling", _("Profiling and personalisation")


class ConsentSource(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    BRANCH = "branch", _("Branch / agency")
    PHONE = "phone", _("Phone call")
    PAPER = "paper", _("Signed paper form")
    EMAIL = "email", _("E-mail")
    IMPORT = "import", _("Import")
    API = "api", _("API")


class Csp(models.TextChoices):
    """INSEE socio-professional categories (PCS 2020, level 1)."""

    FARMER = "1", _("Farmers")
    CRAFTSMAN = "2", _("Craftsmen, shopkeepers, business owners")
    EXECUTIVE = "3", _("Executives and higher intellectual professions")
    INTERMEDIATE = "4", _("Intermediate professions")
    EMPLOYEE = "5", _("Employees")
    WORKER = "6", _("Manual workers")
    RETIRED = "7", _("Retired")
    INACTIVE = "8", _("Other, not working")


class IncomeBracket(models.TextChoices):
    LT_20K = "lt20", _("Under €20,000")
    B_20_35 = "20_35", _("€20,000–35,000")
    B_35_50 = "35_50", _("€35,000–50,000")
    B_50_80 = "50_80", _("€50,000–80,000")
    B_80_120 = "80_120", _("€80,000–120,000")
    GT_120K = "gt120", _("Over €120,000")


class MemberRole(models.TextChoices):
    SPOUSE = "spouse", _("Spouse / partner")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    OTHER = "other", _("Other")


class ContactKind(models.TextChoices):
    HOME = "home", _("Home")
    WORK = "work", _("Work")
    MOBILE = "mobile", _("Mobile")
    BILLING = "billing", _("Billing")
    OTHER = "other", _("Other")


class LifeEventKind(models.TextChoices):
    BIRTH = "birth", _("Birth of a child")
    EXPECTED_BIRTH = "expected_birth", _("Expected birth")
    MARRIAGE = "marriage", _("Marriage / civil union")
    DIVORCE = "divorce", _("Divorce / separation")
    MOVE = "move", _("Moving house")
    HIGHER_EDUCATION = "higher_education", _("Child entering higher education")
    VEHICLE_PURCHASE = "vehicle_purchase", _("Vehicle purchase")
    HOME_PURCHASE = "home_purchase", _("Home purchase")
    NEW_JOB = "new_job", _("New job")
    RETIREMENT = "retirement", _("Retirement")
    DEATH = "death", _("Death of a relative")
    CONTRACT_ANNIVERSARY = "contract_anniversary", _("Contract anniversary")
    OTHER = "other", _("Other")


class OrgLinkKind(models.TextChoices):
    SUBSIDIARY = "subsidiary", _("Subsidiary")
