"""Settings for the load benchmark only (benchmarks/load.py): production settings, plus a
URLconf with one extra page, and cookies allowed over the loopback's plain HTTP."""

from scr.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bench_urls"
# The load runs over http://127.0.0.1 (no TLS in front of gunicorn here).
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# A __Host- cookie must be Secure, so over plain HTTP the plain names are used.
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
SECURE_HSTS_SECONDS = 0
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "root": {"handlers": [], "level": "WARNING"}}
