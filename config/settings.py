"""Fidelia settings. Everything configurable comes from environment variables (see README)."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("FIDELIA_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("FIDELIA_DEBUG", False)
PRODUCTION = env_bool("FIDELIA_PRODUCTION", False)
SECRET_KEY = env_str("FIDELIA_SECRET_KEY")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("FIDELIA_DEBUG must be off when FIDELIA_PRODUCTION=1")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("FIDELIA_SECRET_KEY (or FIDELIA_SECRET_KEY_FILE) is required in production")
    SECRET_KEY = "fidelia-insecure-development-key-change-me-in-production"
ALLOWED_HOSTS = env_list("FIDELIA_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "fidelia.core",
    "fidelia.accounts",
    "fidelia.parties",
    "fidelia.interactions",
    "fidelia.sales",
    "fidelia.agenda",
    "fidelia.actions",
    "fidelia.service",
    "fidelia.knowledge",
    "fidelia.surveys",
    "fidelia.marketing",
    "fidelia.loyalty",
    "fidelia.privacy",
    "fidelia.imports",
    "fidelia.dedup",
    "fidelia.analytics",
    "fidelia.portfolio",
    "fidelia.clv",
    "fidelia.attrition",
    "fidelia.bi",
    "fidelia.demo",
]

MIDDLEWARE = [
    "fidelia.core.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fidelia.accounts.middleware.SessionTimeoutMiddleware",
    "fidelia.accounts.middleware.TwoFactorMiddleware",
    "fidelia.core.middleware.SecurityHeadersMiddleware",
    "fidelia.core.middleware.AccessDeniedAuditMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fidelia.accounts.context_processors.rights",
            ],
        },
    },
]


def _database_from_url(url: str) -> dict:
    """postgres://user:pass@host:port/name or sqlite:///path."""
    parsed = urlparse(url)
    if parsed.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": parsed.path.lstrip("/") or "fidelia",
            "USER": parsed.username or "",
            "PASSWORD": parsed.password or "",
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": env_int("FIDELIA_DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "TEST": {"NAME": env_str("FIDELIA_TEST_DB_NAME") or None},
        }
    if parsed.scheme == "sqlite":
        path = url[len("sqlite:///"):] or str(VAR_DIR / "fidelia.sqlite3")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                        "transaction_mode": "IMMEDIATE"},
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parsed.scheme!r} is not supported (use postgres:// or sqlite:///)")


DATABASES = {"default": _database_from_url(env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'fidelia.sqlite3'}"))}
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if env_bool("FIDELIA_FAST_PASSWORD_HASHING", False):
    # Test runs only: argon2 is deliberately slow, which multiplies across thousands of logins.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
# Password policy of CNIL deliberation 2022-100 for accounts protected by throttling: at least 8
# characters mixing 3 of the 4 classes, not a common password nor close to the user's name; no
# forced rotation (the CNIL advises against it).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "fidelia.accounts.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes watches every sign-in first (it only refuses locked-out attempts), then the model
# backend checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout: FIDELIA_LOCKOUT_FAILURES failed sign-ins for one username from one address lock that
# pair for FIDELIA_LOCKOUT_MINUTES, whether the account exists or not (the answer must not tell).
FIDELIA_LOCKOUT_FAILURES = env_int("FIDELIA_LOCKOUT_FAILURES", 5)
FIDELIA_LOCKOUT_MINUTES = env_int("FIDELIA_LOCKOUT_MINUTES", 15)
if FIDELIA_LOCKOUT_FAILURES < 1 or FIDELIA_LOCKOUT_MINUTES < 1:
    raise ImproperlyConfigured("FIDELIA_LOCKOUT_FAILURES and FIDELIA_LOCKOUT_MINUTES must be at least 1")
AXES_FAILURE_LIMIT = FIDELIA_LOCKOUT_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=FIDELIA_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # "try again in N minutes" stays true
AXES_LOCKOUT_CALLABLE = "fidelia.accounts.views.lockout_response"
AXES_CLIENT_IP_CALLABLE = "fidelia.core.ratelimit.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in the audit log; no second, unpurged log of IP addresses
AXES_VERBOSE = False
# Two-factor authentication (TOTP, RFC 6238): required for the roles in
# accounts.policies.TWO_FACTOR_ROLES, optional for the others.
OTP_TOTP_ISSUER = env_str("FIDELIA_OTP_ISSUER", "Fidelia")
OTP_TOTP_THROTTLE_FACTOR = 1  # a wrong code doubles the wait before the next try (1 s, 2 s, 4 s...)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "parties:list"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("FIDELIA_TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
CURRENCY = "EUR"

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("FIDELIA_STATIC_ROOT", str(VAR_DIR / "staticfiles")))

CACHE_URL = env_str("FIDELIA_CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Background jobs: Celery on Redis in production, run in-process in the embedded default.
CELERY_BROKER_URL = env_str("FIDELIA_CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = env_str("FIDELIA_CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Nightly, in this order: analytics results, then the portfolio positions that read them.
    "analytics-run": {"task": "fidelia.analytics.tasks.analytics_run_task", "schedule": crontab(hour=2, minute=30)},
    "portfolio-run": {"task": "fidelia.portfolio.tasks.portfolio_run_task", "schedule": crontab(hour=3, minute=30)},
    # Files created or changed since the last scan; a whole-base scan runs on Sunday nights.
    "duplicates-scan-changed": {"task": "fidelia.dedup.tasks.duplicate_scan_task", "kwargs": {"scope": "changed"},
                                "schedule": crontab(hour=4, minute=0, day_of_week="mon-sat")},
    "duplicates-scan-full": {"task": "fidelia.dedup.tasks.duplicate_scan_task", "kwargs": {"scope": "full"},
                             "schedule": crontab(hour=4, minute=0, day_of_week="sun")},
    # New customers get their pseudonymous id in the BI views.
    "bi-pseudonyms": {"task": "fidelia.bi.tasks.pseudonyms_refresh_task", "schedule": 3600.0},
    "contracts-refresh-status": {"task": "fidelia.sales.tasks.contracts_refresh_status_task", "schedule": 3600.0},
    # The retention register, once a day; FIDELIA_RETENTION_APPLY=0 makes it a dry run (counts only).
    "privacy-retention": {"task": "fidelia.privacy.tasks.retention_run_task", "schedule": 24 * 3600.0,
                          "kwargs": {"apply": env_bool("FIDELIA_RETENTION_APPLY", True)}},
}

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("FIDELIA_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("FIDELIA_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("FIDELIA_DEFAULT_FROM_EMAIL", "fidelia@localhost")

# Sessions end after FIDELIA_SESSION_IDLE seconds without a request, and FIDELIA_SESSION_MAX_AGE
# seconds after sign-in whatever happens (accounts/middleware.py). Django rotates the session key
# at sign-in; signing out or disabling an account ends the session at once.
FIDELIA_SESSION_IDLE = env_int("FIDELIA_SESSION_IDLE", 30 * 60)
FIDELIA_SESSION_MAX_AGE = env_int("FIDELIA_SESSION_MAX_AGE", 10 * 3600)
SESSION_COOKIE_AGE = FIDELIA_SESSION_MAX_AGE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("FIDELIA_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    # HTTPS only, and browsers told so for a year (check --deploy passes with zero warnings).
    SECURE_SSL_REDIRECT = env_bool("FIDELIA_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("FIDELIA_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# Behind a reverse proxy: trust its X-Forwarded-Proto, and its X-Forwarded-For for the client
# address used by the lockout and the rate limits.
FIDELIA_BEHIND_PROXY = env_bool("FIDELIA_BEHIND_PROXY", False)
if FIDELIA_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content-Security-Policy: no inline or third-party script; inline styles are needed by the
# SVG charts and the API docs.
FIDELIA_CSP = env_str("FIDELIA_CSP", "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
    "font-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'",
    "frame-ancestors 'none'",
]))

# Rate limits (fidelia/core/ratelimit.py): "N/second|minute|hour|day", per token, user or address;
# "off" disables one. Counters live in the cache, so set FIDELIA_CACHE_URL (Redis) when several
# processes serve Fidelia.
FIDELIA_API_RATE = env_str("FIDELIA_API_RATE", "600/min")
FIDELIA_API_FAILURE_RATE = env_str("FIDELIA_API_FAILURE_RATE", "30/min")
FIDELIA_EXPORT_RATE = env_str("FIDELIA_EXPORT_RATE", "20/hour")

FIDELIA_PAGE_SIZE = env_int("FIDELIA_PAGE_SIZE", 25)
# Lists stop counting past this many rows ("more than 10,000"): counting costs more than a page.
FIDELIA_LIST_COUNT_CAP = env_int("FIDELIA_LIST_COUNT_CAP", 10_000)
NINJA_PAGINATION_PER_PAGE = FIDELIA_PAGE_SIZE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("FIDELIA_LOG_LEVEL", "WARNING")},
}

# Suppression list (people who objected): e-mails and phones are kept only as HMAC-SHA256 digests
# keyed with this salt (or FIDELIA_SUPPRESSION_SALT_FILE). Changing it makes existing entries
# unmatchable, so production requires its own value: rotating the secret key must not empty the list.
FIDELIA_SUPPRESSION_SALT = env_str("FIDELIA_SUPPRESSION_SALT")
if not FIDELIA_SUPPRESSION_SALT:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "FIDELIA_SUPPRESSION_SALT (or FIDELIA_SUPPRESSION_SALT_FILE) is required in production: "
            "it keys the suppression list and must never change")
    FIDELIA_SUPPRESSION_SALT = f"fidelia-suppression:{SECRET_KEY}"

# BI feed: pseudonymous customer ids are HMAC-SHA256 of the party id keyed with this salt (or
# FIDELIA_BI_SALT_FILE), stable across exports so a warehouse can join them. Production requires
# its own value, for the same reason as the suppression salt.
FIDELIA_BI_SALT = env_str("FIDELIA_BI_SALT")
if not FIDELIA_BI_SALT:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "FIDELIA_BI_SALT (or FIDELIA_BI_SALT_FILE) is required in production: "
            "it keys the BI feed's pseudonymous ids and must never change")
    FIDELIA_BI_SALT = f"fidelia-bi:{SECRET_KEY}"
# List exports with more rows than this run as background jobs (Celery in production).
FIDELIA_EXPORT_INLINE_MAX = env_int("FIDELIA_EXPORT_INLINE_MAX", 5000)
# PostgreSQL work_mem for the analytics aggregation query only (SET LOCAL): sorts stay in memory.
FIDELIA_ANALYTICS_WORK_MEM = env_str("FIDELIA_ANALYTICS_WORK_MEM", "1GB")
# Duplicate detection: minimum scores per kind and the processes sharing a whole-base scan.
FIDELIA_DEDUP = {
    "person": env_float("FIDELIA_DEDUP_PERSON_THRESHOLD", 0.6, low=0.0, high=1.0),
    "organisation": env_float("FIDELIA_DEDUP_ORGANISATION_THRESHOLD", 0.6, low=0.0, high=1.0),
    "workers": env_int("FIDELIA_DEDUP_WORKERS", 1),
}

# --- service ---
# Business hours SLAs count in (weekday ranges then intervals, local time of FIDELIA_SERVICE_TIMEZONE);
# French public holidays are closed. Checked at start-up so a typo fails loudly.
FIDELIA_SERVICE_HOURS = env_str("FIDELIA_SERVICE_HOURS", "mon-fri 09:00-12:30,13:30-18:00")
FIDELIA_SERVICE_TIMEZONE = env_str("FIDELIA_SERVICE_TIMEZONE", "Europe/Paris")
# Address replies are sent from (and customers answer to); inbound mail larger than this is quarantined.
FIDELIA_SERVICE_FROM_EMAIL = env_str("FIDELIA_SERVICE_FROM_EMAIL", "service@fidelia.example")
FIDELIA_SERVICE_MAX_INBOUND_BYTES = env_int("FIDELIA_SERVICE_MAX_INBOUND_BYTES", 10 * 1024 * 1024)
# A case is "due soon" in the queues when less than this many business hours are left.
FIDELIA_SERVICE_DUE_SOON_HOURS = env_float("FIDELIA_SERVICE_DUE_SOON_HOURS", 4.0, low=0.0)
CELERY_BEAT_SCHEDULE["service-sla-check"] = {
    "task": "fidelia.service.tasks.sla_check", "schedule": crontab(minute="*/5")}

# --- clv ---
# Customer value: horizon of the customer capital, monthly discount rate, margin rate of customers
# without margin data, weeks held out for the calibration check; refitted nightly at 02:40.
FIDELIA_CLV_HORIZON_MONTHS = env_int("FIDELIA_CLV_HORIZON_MONTHS", 36)
FIDELIA_CLV_MONTHLY_DISCOUNT = env_float("FIDELIA_CLV_MONTHLY_DISCOUNT", 0.01, low=0.0, high=0.5)
FIDELIA_CLV_DEFAULT_MARGIN_RATE = env_float("FIDELIA_CLV_DEFAULT_MARGIN_RATE", 0.3, low=0.0, high=1.0)
FIDELIA_CLV_HOLDOUT_WEEKS = env_int("FIDELIA_CLV_HOLDOUT_WEEKS", 26)
CELERY_BEAT_SCHEDULE["clv-nightly-run"] = {
    "task": "fidelia.clv.tasks.value_model_run_task", "schedule": crontab(hour=2, minute=40)}

# --- actions ---
# The daily refresh of actions to take runs at this hour (after the analytics and portfolio runs,
# whose stored classes weigh the priorities).
FIDELIA_ACTIONS_REFRESH_HOUR = env_int("FIDELIA_ACTIONS_REFRESH_HOUR", 5)
if not 0 <= FIDELIA_ACTIONS_REFRESH_HOUR <= 23:
    raise ImproperlyConfigured("FIDELIA_ACTIONS_REFRESH_HOUR must be an hour between 0 and 23.")
CELERY_BEAT_SCHEDULE["actions-daily-refresh"] = {
    "task": "fidelia.actions.tasks.actions_refresh_task", "schedule": crontab(hour=FIDELIA_ACTIONS_REFRESH_HOUR, minute=0)}

# --- marketing ---
# Public address of the site, used in unsubscribe and tracked links inside messages.
FIDELIA_MARKETING_PUBLIC_URL = env_str("FIDELIA_MARKETING_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
FIDELIA_MARKETING_FROM_EMAIL = env_str("FIDELIA_MARKETING_FROM_EMAIL", "offres@fidelia.example")
# Replies to campaign e-mails go to the inbox read by the inbound listener (the service address by
# default); they are recognised as campaign replies by their In-Reply-To.
FIDELIA_MARKETING_REPLY_TO = env_str("FIDELIA_MARKETING_REPLY_TO", FIDELIA_SERVICE_FROM_EMAIL)
# Contact pressure: at most this many solicitations per customer over the window, all channels,
# and per channel (e-mail, sms, postal, phone); enforced at send time across campaigns and triggers.
FIDELIA_MARKETING_PRESSURE_DAYS = env_int("FIDELIA_MARKETING_PRESSURE_DAYS", 30)
FIDELIA_MARKETING_PRESSURE_MAX = env_int("FIDELIA_MARKETING_PRESSURE_MAX", 4)
FIDELIA_MARKETING_PRESSURE_MAX_EMAIL = env_int("FIDELIA_MARKETING_PRESSURE_MAX_EMAIL", 3)
FIDELIA_MARKETING_PRESSURE_MAX_SMS = env_int("FIDELIA_MARKETING_PRESSURE_MAX_SMS", 2)
FIDELIA_MARKETING_PRESSURE_MAX_POSTAL = env_int("FIDELIA_MARKETING_PRESSURE_MAX_POSTAL", 2)
FIDELIA_MARKETING_PRESSURE_MAX_PHONE = env_int("FIDELIA_MARKETING_PRESSURE_MAX_PHONE", 4)
# Sending: messages per batch task and per second (rate limit of each worker), retries of a batch.
FIDELIA_MARKETING_BATCH_SIZE = env_int("FIDELIA_MARKETING_BATCH_SIZE", 500)
FIDELIA_MARKETING_RATE_PER_SECOND = env_float("FIDELIA_MARKETING_RATE_PER_SECOND", 0.0, low=0.0)
FIDELIA_MARKETING_MAX_RETRIES = env_int("FIDELIA_MARKETING_MAX_RETRIES", 3)
# SMS: "local" (a test gateway keeping messages in memory) or "http" (the provider adapter).
FIDELIA_MARKETING_SMS_GATEWAY = env_str("FIDELIA_MARKETING_SMS_GATEWAY", "local")
FIDELIA_MARKETING_SMS_HTTP_URL = env_str("FIDELIA_MARKETING_SMS_HTTP_URL", "")
FIDELIA_MARKETING_SMS_HTTP_TOKEN = env_str("FIDELIA_MARKETING_SMS_HTTP_TOKEN", "")
FIDELIA_MARKETING_SMS_SENDER = env_str("FIDELIA_MARKETING_SMS_SENDER", "FIDELIA")
CELERY_BEAT_SCHEDULE["marketing-triggers"] = {
    "task": "fidelia.marketing.tasks.triggers_run_task", "schedule": crontab(hour=7, minute=30)}
# Catch-up of campaign attribution (orders and opportunities missed by the live signals).
CELERY_BEAT_SCHEDULE["marketing-attribution"] = {
    "task": "fidelia.marketing.tasks.attribution_catch_up_task", "schedule": crontab(hour=4, minute=20)}

# --- sales ---
# Public web-to-lead form: submissions per address ("N/period", "off"), and the minimum seconds between
# showing the form and posting it (faster is a robot).
FIDELIA_WEB_LEAD_RATE = env_str("FIDELIA_WEB_LEAD_RATE", "10/hour")
FIDELIA_WEB_LEAD_MIN_SECONDS = env_float("FIDELIA_WEB_LEAD_MIN_SECONDS", 3.0, low=0.0)
CELERY_BEAT_SCHEDULE["sales-quotes-expire"] = {
    "task": "fidelia.sales.tasks.quotes_expire_task", "schedule": crontab(hour=1, minute=15)}
CELERY_BEAT_SCHEDULE["marketing-tick"] = {
    "task": "fidelia.marketing.tasks.campaigns_tick_task", "schedule": crontab(minute="*/5")}

# --- surveys ---
# Satisfaction surveys: the address invitations come from, the public site root their links point to,
# and how many answer-page requests one address may make (forged-token guessing is pointless, but cheap
# to slow down). Public knowledge-base pages share the same kind of limit.
FIDELIA_SURVEYS_FROM_EMAIL = env_str("FIDELIA_SURVEYS_FROM_EMAIL", "satisfaction@fidelia.example")
FIDELIA_SURVEYS_BASE_URL = env_str("FIDELIA_SURVEYS_BASE_URL", "http://127.0.0.1:8000")
FIDELIA_SURVEYS_ANSWER_RATE = env_str("FIDELIA_SURVEYS_ANSWER_RATE", "60/min")
FIDELIA_KNOWLEDGE_PUBLIC_RATE = env_str("FIDELIA_KNOWLEDGE_PUBLIC_RATE", "120/min")

# --- attrition ---
# Nightly: suggest the losses of customers whose contracts have all ended, then train, validate and
# score the attrition risk (the churn definition and thresholds are stored settings, edited in the app).
CELERY_BEAT_SCHEDULE["attrition-nightly"] = {
    "task": "fidelia.attrition.tasks.attrition_nightly_task",
    "schedule": crontab(hour=env_int("FIDELIA_ATTRITION_HOUR", 3), minute=40)}

# --- loyalty ---
# Loyalty points: the daily job earns the week's purchases (late recordings included), rewards
# referrals whose prospect became a customer, expires old points and recomputes tiers.
CELERY_BEAT_SCHEDULE["loyalty-daily"] = {
    "task": "fidelia.loyalty.tasks.loyalty_daily_task", "schedule": crontab(hour=env_int("FIDELIA_LOYALTY_HOUR", 5), minute=10)}
