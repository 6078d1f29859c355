"""One env-driven settings module (12-factor).

With no environment at all it boots the *embedded default*: DEBUG on, a SQLite
file beside manage.py, Celery tasks run eagerly in-process, e-mail printed to the
console. Production sets ``DEBUG=0`` and must then provide ``SECRET_KEY``;
docs/settings.md lists every variable.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=True)
# Demo logins (seed_demo) work only when DEBUG is on or DEMO_MODE is set.
DEMO_MODE = env_bool("DEMO_MODE", default=False)
TESTING = env_bool("SCR_TESTING", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-embedded-default-key-for-local-development-only"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if not DEBUG else "*")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "guardian",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_prometheus",
    "scr",
    "agencies",
    "reviews",
    "actionplans",
    "search",
    "learning",
]

MIDDLEWARE = [
    # Operations (docs/deploy.md, "Operations"): the request id first, so every log record of
    # the request carries it; django-prometheus's request metrics around everything else.
    "scr.requestid.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Outside everything that reads the database: a lost database is a 503 page (scr/unavailable.py).
    "scr.unavailable.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "scr.middleware.SessionTimeoutMiddleware",
    "scr.twofactor.SecondFactorRequiredMiddleware",
    "scr.middleware.NoStoreCaseDataMiddleware",
    "scr.refusals.RefusedAccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

if not DEBUG:
    # Production serves compiled static files itself (runserver does so under DEBUG).
    MIDDLEWARE.insert(3, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "scr.urls"
WSGI_APPLICATION = "scr.wsgi.application"
ASGI_APPLICATION = "scr.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "scr.context_processors.partnership",
                "scr.context_processors.notifications",
                "reviews.context_processors.navigation",
            ],
        },
    },
]
FORM_RENDERER = "scr.forms.GovukFormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False


def cache_from_url(url: str) -> dict[str, object]:
    """``CACHE_URL``: ``redis://host:port/db`` (shared by every web process, so derived
    figures cached for one request are there for the next), or empty for a
    per-process local-memory cache (the embedded default)."""
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("CACHE_URL must be a redis:// URL (or empty for local memory).")
    # Redis unreachable: an empty cache, never an error page (scr/cache.py); short timeouts
    # so a Redis that does not answer costs a page a second at most.
    return {"BACKEND": "scr.cache.ForgivingRedisCache", "LOCATION": url,
            "KEY_PREFIX": "scr", "TIMEOUT": env_int("CACHE_TIMEOUT", 300),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}


CACHES = {"default": cache_from_url(env_str("CACHE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "agencies.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "agencies.services.account.DemoAwareModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Passwords known from breaches, from a list shipped in a package (no network): scr/passwords.py.
    {"NAME": "scr.passwords.BreachedPasswordValidator"},
    # Nor the partnership's name or words about the service (the documented list, below).
    {"NAME": "scr.passwords.ContextWordsValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: 30 minutes idle, 12 hours absolute (scr.middleware enforces both).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", 12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A browser-session cookie: closing the browser ends it (the server still ends the session
# after the idle and absolute timeouts above).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Sensitive actions (giving roles, deactivating, resetting a second factor...) ask for the
# password again when the last authentication is older than this (scr/reauth.py).
REAUTH_MAX_AGE = env_int("REAUTH_MAX_AGE", 15 * 60)

# Two-factor sign-in (django-otp: TOTP authenticator apps; one-time backup codes, stored hashed,
# are agencies.BackupCodeDevice rather than django-otp's plain-text static device), required
# for every account whenever DEBUG is off; demo accounts, which sign in only with DEBUG or
# DEMO_MODE, are exempt and the pages say so (scr/twofactor.py).
TWO_FACTOR_REQUIRED = not DEBUG
OTP_TOTP_ISSUER = env_str("PARTNERSHIP_NAME", "Northshire Safeguarding Children Partnership")
OTP_TOTP_THROTTLE_FACTOR = 1
# The admin never shows an authenticator's key or QR code (staff could otherwise copy a
# person's second factor).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
OTP_STATIC_THROTTLE_FACTOR = 1
BACKUP_CODE_COUNT = 10

# django-simple-history: reasons are free text (the forms allow up to 1,000 characters).
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# django-guardian: no anonymous user object; direct-FK tables are declared per model.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# django-axes: lock out one username *from one address* (the pair), so a wrong password typed
# by an attacker elsewhere never locks the real user out, and a good sign-in resets only the
# failures of that pair (never another account's: issue 9, defect 1).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Across addresses (scr/throttle.py): after this many failures for one username in the window,
# each further attempt from an address the person has not signed in from waits twice as long
# as the one before (up to the maximum); one address failing against many usernames is slowed
# down the same way.
SIGN_IN_DELAY_AFTER = env_int("SIGN_IN_DELAY_AFTER", AXES_FAILURE_LIMIT)
SIGN_IN_ADDRESS_DELAY_AFTER = env_int("SIGN_IN_ADDRESS_DELAY_AFTER", 20)
SIGN_IN_DELAY_MAX_SECONDS = env_int("SIGN_IN_DELAY_MAX_SECONDS", 15 * 60)
SIGN_IN_WINDOW_HOURS = env_int("SIGN_IN_WINDOW_HOURS", 24)
SIGN_IN_KNOWN_ADDRESS_DAYS = env_int("SIGN_IN_KNOWN_ADDRESS_DAYS", 90)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
# Reverse proxies in front of the app: how many X-Forwarded-For hops to trust.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Throttle by the real client address (not the proxy's), the one the access log records.
AXES_CLIENT_IP_CALLABLE = "scr.accesslog.client_ip"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static" / "dist"]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Secure documents (scr/documents.py): the largest upload accepted, in megabytes.
DOCUMENT_MAX_SIZE = env_int("DOCUMENT_MAX_SIZE_MB", 25) * 1024 * 1024


def object_storage(bucket: str) -> dict[str, Any]:
    """S3-compatible object storage through django-storages (docs/deploy.md): every web and
    worker process, on any server, reads and writes the same files."""
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": bucket,
        "endpoint_url": env_str("DOCUMENT_STORAGE_ENDPOINT") or None,
        "region_name": env_str("DOCUMENT_STORAGE_REGION") or None,
        "location": env_str("DOCUMENT_STORAGE_PREFIX", "scr"),
        "default_acl": None, "querystring_auth": True, "file_overwrite": False,
        "object_parameters": {"ServerSideEncryption": "AES256"},
    }}


if env_str("DOCUMENT_STORAGE_BUCKET"):
    STORAGES["default"] = object_storage(env_str("DOCUMENT_STORAGE_BUCKET"))

# E-mail: console by default; set EMAIL_HOST to send through SMTP.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
# Where the service is reached: links in e-mails start with it.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "reviews@partnership.invalid")

# Celery: no broker configured means tasks run eagerly, in-process, through the
# same .delay()/on_commit path the worker uses.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or "cache+memory://")
# Redis redelivers a task not acknowledged within this many seconds (celery/celery#5935):
# above the longest task's time limit (300 s, PDF renders), as DESIGN.md says.
# How often (seconds) a worker looks for such tasks to restore (kombu's default, 10 x 10 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    # A broker that does not answer fails the publish quickly (the outbox keeps the task).
    "socket_connect_timeout": env_int("CELERY_BROKER_SOCKET_TIMEOUT", 2),
    "max_retries": 0,
    "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": env_int("CELERY_UNACKED_RESTORE_THROTTLE", 10),
}

# Monitoring reminders (docs/action-plans.md): one digest a day per person, exactly once.
REMINDER_DIGEST_HOUR = env_int("REMINDER_DIGEST_HOUR", 7)  # local time (Europe/London)
REMINDER_LOOKAHEAD_DAYS = env_int("REMINDER_LOOKAHEAD_DAYS", 14)  # "due within 14 days"
REMINDER_ESCALATION_DAYS = env_int("REMINDER_ESCALATION_DAYS", 14)  # overdue longer: escalate
# Days without digests: "weekends", "bank_holidays" (England and Wales, scr/workdays.py).
REMINDER_QUIET_DAYS = env_list("REMINDER_QUIET_DAYS", "weekends,bank_holidays")
REMINDER_BATCH_SIZE = env_int("REMINDER_BATCH_SIZE", 200)  # people per task
# Notifications of hand-offs (scr/notifications.py): e-mailed "immediate"ly or in the daily
# "digest", for a person who has not chosen for that kind.
NOTIFICATION_DEFAULT_DELIVERY = env_str("NOTIFICATION_DEFAULT_DELIVERY", "immediate")
if NOTIFICATION_DEFAULT_DELIVERY not in ("immediate", "digest"):
    raise ImproperlyConfigured('NOTIFICATION_DEFAULT_DELIVERY is "immediate" or "digest"')

# How long a batch holds its claims in the reminders ledger (scr/reminders.py): longer than
# any task may run (task_time_limit in scr/celery.py: 180 s), so a live worker never loses them; a
# worker that dies gives them up when the lease expires and another takes them again.
REMINDER_LEASE_SECONDS = env_int("REMINDER_LEASE_SECONDS", 300)
# Action plans: the RAG rules' day counts (actionplans/rag.py) and the monitoring cycle.
ACTION_RAG_AMBER_DAYS = env_int("ACTION_RAG_AMBER_DAYS", 30)
ACTION_RAG_NOT_STARTED_AMBER_DAYS = env_int("ACTION_RAG_NOT_STARTED_AMBER_DAYS", 90)
MONITORING_INTERVAL_MONTHS = env_int("MONITORING_INTERVAL_MONTHS", 3)

# Tasks are fire-and-forget (the outbox, render records and the ledger keep their outcome):
# no result is stored unless a task asks (the /healthz worker ping), so the app never waits
# on a result store. Publishing gives up at once when the broker is down (the outbox row is
# the retry, scr/outbox.py).
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = float(env_str("CELERY_BROKER_CONNECTION_TIMEOUT", "2"))
OUTBOX_RELAY_SECONDS = float(env_str("OUTBOX_RELAY_SECONDS", "5"))

CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {
        "task": "scr.tasks.relay_outbox",
        "schedule": OUTBOX_RELAY_SECONDS,
    },
    "clear-expired-sessions": {
        "task": "scr.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=15),
    },
    "seal-audit-chain": {
        "task": "scr.tasks.seal_audit_chain",
        "schedule": 60.0,
    },
    "daily-reminder-digests": {
        "task": "actionplans.tasks.send_daily_digests",
        "schedule": crontab(hour=REMINDER_DIGEST_HOUR, minute=0),
    },
    "beat-heartbeat": {  # /healthz's "last beat run"
        "task": "scr.tasks.beat_heartbeat",
        "schedule": float(env_int("BEAT_HEARTBEAT_SECONDS", 30)),
    },
}
# The worker logs through LOGGING below (the request id, JSON), not Celery's own handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
HEALTHZ_WORKER_TIMEOUT = float(env_str("HEALTHZ_WORKER_TIMEOUT", "3"))

# Composition: the few places where scr's cross-cutting code reaches the apps above it.
# scr imports nothing from agencies/reviews (tests/test_layers.py); these dotted names and
# labels are resolved at run time instead (docs/shared-mechanisms.md).
HOME_TASKS_PROVIDER = "actionplans.selectors.tasks_for"  # (user) -> list of tasks on the home page
# reviews/workflow.py's Monitoring -> Closed guard asks this (review) -> list of what is missing,
# so reviews never imports actionplans (docs/action-plans.md, "Closure").
ACTION_PLAN_CLOSURE_GUARD = "actionplans.selectors.plan_closure_missing"
WORKER_PING_MODEL = "agencies.Agency"  # the worker ping proves it can read this table
ACCESS_LOG_READER_ROLES = ("business_manager",)  # agencies.models.roles.Role values

# The partnership: its name, its vocabulary (SCR or LCSPR) and its public contact block.
PARTNERSHIP_NAME = env_str("PARTNERSHIP_NAME", "Northshire Safeguarding Children Partnership")
REVIEW_VOCABULARY = env_str("REVIEW_VOCABULARY", "LCSPR").upper()
if REVIEW_VOCABULARY not in {"SCR", "LCSPR"}:
    raise ImproperlyConfigured("REVIEW_VOCABULARY must be SCR or LCSPR.")
CONTACT_FRONT_DOOR = env_str("CONTACT_FRONT_DOOR", "01632 960 001")
CONTACT_OUT_OF_HOURS = env_str("CONTACT_OUT_OF_HOURS", "01632 960 002")
CONTACT_LADO = env_str("CONTACT_LADO", "01632 960 003")
PHASE_BANNER = env_str("PHASE_BANNER", "Beta")
# Context-specific words refused in passwords (with every word of PARTNERSHIP_NAME):
# scr/passwords.py, docs/security.md.
PASSWORD_CONTEXT_WORDS = env_list(
    "PASSWORD_CONTEXT_WORDS",
    "safeguarding,children,child,review,reviews,lcspr,practice,serious,case,partnership,"
    "panel,reviewer,board,agency,police,health,social,education,probation,password")

# Security: strict when DEBUG is off (check --deploy reports nothing).
# X-Forwarded-Proto is believed only when the deployment says a TLS-terminating proxy sits in
# front of the app (docs/deploy.md): otherwise any client could claim HTTPS and skip the redirect.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Host-only, secure, whole-site cookies (a sibling sub-domain cannot plant or read them).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content-Security-Policy (django-csp): nothing inline, everything from this site, never framed.
# CSP_REPORT_ONLY=1 sends it as Content-Security-Policy-Report-Only (to try a change first);
# CSP_REPORT_URI names where browsers report violations. docs/security.md.
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        **({"report-uri": [env_str("CSP_REPORT_URI")]} if env_str("CSP_REPORT_URI") else {}),
    },
}
CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", default=False)
if CSP_REPORT_ONLY:
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP
# Permissions-Policy (django-permissions-policy): no powerful browser feature is used.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: [] for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
        "fullscreen", "geolocation", "gyroscope", "magnetometer", "microphone", "midi",
        "payment", "picture-in-picture", "publickey-credentials-get", "screen-wake-lock",
        "sync-xhr", "usb", "xr-spatial-tracking")
}

# /healthz: a bare liveness answer for anyone; the checks' detail for signed-in business
# managers or a request carrying this token (header "Authorization: Bearer <token>").
HEALTHZ_TOKEN = env_str("HEALTHZ_TOKEN")
HEALTHZ_DETAIL_ROLES = ("business_manager",)  # agencies.models.roles.Role values
# The detail fails (503) when beat last ran, the oldest unsent outbox row was queued, or the
# oldest queued render was asked for longer ago than this many seconds.
HEALTHZ_BEAT_MAX_AGE = env_int("HEALTHZ_BEAT_MAX_AGE", 120)
HEALTHZ_OUTBOX_MAX_AGE = env_int("HEALTHZ_OUTBOX_MAX_AGE", 300)
HEALTHZ_RENDER_MAX_AGE = env_int("HEALTHZ_RENDER_MAX_AGE", 900)
# /metrics (Prometheus, scr/metrics.py): for "Authorization: Bearer <METRICS_TOKEN>" or a client
# address in METRICS_ALLOWED_NETWORKS (comma-separated CIDRs); anyone else gets a 404.
METRICS_TOKEN = env_str("METRICS_TOKEN")
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS")

# Refused access (403/404 on the service's pages) is logged; more refusals than this by one
# person within the minutes below e-mails the business managers (scr/refusals.py).
REFUSED_ACCESS_ALERT_COUNT = env_int("REFUSED_ACCESS_ALERT_COUNT", 10)
REFUSED_ACCESS_ALERT_MINUTES = env_int("REFUSED_ACCESS_ALERT_MINUTES", 10)
SECURITY_ALERT_RECIPIENTS = "agencies.selectors.security_alert_recipients"  # () -> list of emails

# Tamper-evident audit (scr/auditchain.py): the key of the hash chain over the access log and
# every history table. Defaults to one derived from SECRET_KEY; set it apart to keep it out of
# the application's reach.
AUDIT_CHAIN_KEY = env_str("AUDIT_CHAIN_KEY")

# Logs: every record carries the request id (scr/requestid.py); LOG_FORMAT=json writes one JSON
# object a line (python-json-logger) for a log collector, "text" (the default) a readable line.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured('LOG_FORMAT is "text" or "json"')
LOG_FORMATTERS: dict[str, dict[str, Any]] = {
    "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    "json": {"()": "pythonjsonlogger.json.JsonFormatter",
             "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
             "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"}},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "scr.requestid.RequestIdFilter"}},
    "formatters": {name: formatter for name, formatter in LOG_FORMATTERS.items()
                   if name == LOG_FORMAT},  # only the one used is built
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint reports each rendering step at INFO ("Step 2 - Fetching and parsing CSS"):
    # noise in the worker's log and the test output; its warnings still show.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"},
                "fontTools": {"level": "WARNING"}},
}

# Statutory clocks (DOMAIN.md); all configurable.
CLOCK_NOTIFICATION_WORKING_DAYS = env_int("CLOCK_NOTIFICATION_WORKING_DAYS", 5)
CLOCK_RAPID_REVIEW_WORKING_DAYS = env_int("CLOCK_RAPID_REVIEW_WORKING_DAYS", 15)
CLOCK_FINAL_REPORT_MONTHS = env_int("CLOCK_FINAL_REPORT_MONTHS", 6)
CLOCK_PUBLICATION_NOTICE_WORKING_DAYS = env_int("CLOCK_PUBLICATION_NOTICE_WORKING_DAYS", 7)
PUBLICATION_TAKEDOWN_REVIEW_MONTHS = env_int("PUBLICATION_TAKEDOWN_REVIEW_MONTHS", 12)
# The partnership's rule for full dates other than dates of birth in a published report's
# PDF: "flag" (each is a leak-check hit) or "allow". Dates of birth are always hits.
LEAK_CHECK_FULL_DATES = env_str("LEAK_CHECK_FULL_DATES", "flag")
if LEAK_CHECK_FULL_DATES not in ("flag", "allow"):
    raise ImproperlyConfigured('LEAK_CHECK_FULL_DATES is "flag" or "allow"')
# People every published report may name on purpose (comma-separated): the partnership's
# chair and officers, the national Panel's chair. The leak check does not count them; a
# review adds its own (and its appointed reviewer's name is added without asking).
PUBLIC_NAMES = env_list("PUBLIC_NAMES")
# A clock is amber when due within this many calendar days, red once overdue.
CLOCK_AMBER_DAYS = env_int("CLOCK_AMBER_DAYS", 7)
# An independent reviewer must not have worked for an agency in scope within this many months.
REVIEWER_INDEPENDENCE_LOOKBACK_MONTHS = env_int("REVIEWER_INDEPENDENCE_LOOKBACK_MONTHS", 12)

# The chronology (docs/chronology.md).
# A period longer than this many days between two entries where the child was seen is shaded
# on the timeline as a period when no professional saw the child.
CHRONOLOGY_NOT_SEEN_DAYS = env_int("CHRONOLOGY_NOT_SEEN_DAYS", 28)
# The earliest an entry may be dated: this many years before the incident.
CHRONOLOGY_LOOKBACK_YEARS = env_int("CHRONOLOGY_LOOKBACK_YEARS", 25)
# An import file larger than this (in MB) is refused before it is read.
CHRONOLOGY_IMPORT_MAX_MB = env_int("CHRONOLOGY_IMPORT_MAX_MB", 10)
# The report (docs/report.md). More recommendations than this in one review is warned about.
REPORT_MAX_RECOMMENDATIONS = env_int("REPORT_MAX_RECOMMENDATIONS", 10)
# A section longer than this many words is warned about.
REPORT_SECTION_MAX_WORDS = env_int("REPORT_SECTION_MAX_WORDS", 4000)
# How often the section editor autosaves unsaved work (seconds).
REPORT_AUTOSAVE_SECONDS = env_int("REPORT_AUTOSAVE_SECONDS", 20)
# Whose approval sign-off needs: (key, label, who); who is "reviewer", "business_manager" or
# "agency:<Agency.Kind>" (that safeguarding partner's representative on the review's panel).
# REPORT_SIGN_OFF_PARTNERS="kind:Label,..." replaces the three partners.
_partners = env_str("REPORT_SIGN_OFF_PARTNERS",
                    "childrens_social_care:Local authority (children's social care),"
                    "police:Police,health:Health (integrated care board)")
REPORT_SIGN_OFF_APPROVERS = [
    ("reviewer", "Independent reviewer", "reviewer"),
    ("business_manager", "Business manager", "business_manager"),
    *[(f"partner_{kind.strip()}", label.strip(), f"agency:{kind.strip()}")
      for kind, _, label in (p.partition(":") for p in _partners.split(",") if p.strip())],
]
