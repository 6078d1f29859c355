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
    "scr",
    "agencies",
    "reviews",
    "actionplans",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "scr.middleware.SessionTimeoutMiddleware",
    "scr.middleware.NoStoreCaseDataMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # Production serves compiled static files itself (runserver does so under DEBUG).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

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
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
            "KEY_PREFIX": "scr", "TIMEOUT": env_int("CACHE_TIMEOUT", 300)}


CACHES = {"default": cache_from_url(env_str("CACHE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "agencies.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "agencies.backends.DemoAwareModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
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

# django-simple-history: reasons are free text (the forms allow up to 1,000 characters).
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# django-guardian: no anonymous user object; direct-FK tables are declared per model.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# django-axes: throttle failed logins per user and per IP.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
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
STORAGES = {
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
# Action plans: the RAG rules' day counts (actionplans/rag.py) and the monitoring cycle.
ACTION_RAG_AMBER_DAYS = env_int("ACTION_RAG_AMBER_DAYS", 30)
ACTION_RAG_NOT_STARTED_AMBER_DAYS = env_int("ACTION_RAG_NOT_STARTED_AMBER_DAYS", 90)
MONITORING_INTERVAL_MONTHS = env_int("MONITORING_INTERVAL_MONTHS", 3)

CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "scr.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=15),
    },
    "daily-reminder-digests": {
        "task": "actionplans.tasks.send_daily_digests",
        "schedule": crontab(hour=REMINDER_DIGEST_HOUR, minute=0),
    },
}
HEALTHZ_WORKER_TIMEOUT = float(env_str("HEALTHZ_WORKER_TIMEOUT", "3"))

# Composition: the few places where scr's cross-cutting code reaches the apps above it.
# scr imports nothing from agencies/reviews (tests/test_layers.py); these dotted names and
# labels are resolved at run time instead (docs/shared-mechanisms.md).
HOME_TASKS_PROVIDER = "actionplans.selectors.tasks_for"  # (user) -> list of tasks on the home page
# reviews/workflow.py's Monitoring -> Closed guard asks this (review) -> list of what is missing,
# so reviews never imports actionplans (docs/action-plans.md, "Closure").
ACTION_PLAN_CLOSURE_GUARD = "actionplans.selectors.plan_closure_missing"
WORKER_PING_MODEL = "agencies.Agency"  # the worker ping proves it can read this table
ACCESS_LOG_READER_ROLES = ("business_manager",)  # agencies.roles.Role values

# The partnership: its name, its vocabulary (SCR or LCSPR) and its public contact block.
PARTNERSHIP_NAME = env_str("PARTNERSHIP_NAME", "Northshire Safeguarding Children Partnership")
REVIEW_VOCABULARY = env_str("REVIEW_VOCABULARY", "LCSPR").upper()
if REVIEW_VOCABULARY not in {"SCR", "LCSPR"}:
    raise ImproperlyConfigured("REVIEW_VOCABULARY must be SCR or LCSPR.")
CONTACT_FRONT_DOOR = env_str("CONTACT_FRONT_DOOR", "01632 960 001")
CONTACT_OUT_OF_HOURS = env_str("CONTACT_OUT_OF_HOURS", "01632 960 002")
CONTACT_LADO = env_str("CONTACT_LADO", "01632 960 003")
PHASE_BANNER = env_str("PHASE_BANNER", "Beta")

# Security: strict when DEBUG is off (check --deploy reports nothing).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Statutory clocks (DOMAIN.md); all configurable.
CLOCK_NOTIFICATION_WORKING_DAYS = env_int("CLOCK_NOTIFICATION_WORKING_DAYS", 5)
CLOCK_RAPID_REVIEW_WORKING_DAYS = env_int("CLOCK_RAPID_REVIEW_WORKING_DAYS", 15)
CLOCK_FINAL_REPORT_MONTHS = env_int("CLOCK_FINAL_REPORT_MONTHS", 6)
CLOCK_PUBLICATION_NOTICE_WORKING_DAYS = env_int("CLOCK_PUBLICATION_NOTICE_WORKING_DAYS", 7)
# A clock is amber when due within this many calendar days, red once overdue.
CLOCK_AMBER_DAYS = env_int("CLOCK_AMBER_DAYS", 7)
# An independent reviewer must not have worked for an agency in scope within this many months.
REVIEWER_INDEPENDENCE_LOOKBACK_MONTHS = env_int("REVIEWER_INDEPENDENCE_LOOKBACK_MONTHS", 12)
