"""Tests: PostgreSQL and Redis from DATABASE_URL / REDIS_URL (the README's test command sets both)."""

from minorprot.settings.base import *

DEBUG = False
SECRET_KEY = "test-only-secret-key"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
# The demo district and `manage.py seed_demo` (demo/): development and tests only, never production.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]
# Tasks run eagerly in tests; tests/celery exercises the real broker with a real worker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "10000/minute"}}

# Serve static files from the app folders without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Dashboards read live figures straight from the records in tests (no short-lived cache).
MINORPROT_DASHBOARD_CACHE_SECONDS = 0
