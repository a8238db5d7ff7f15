"""Development and demo: DEBUG on unless DEBUG=0 is set, console e-mail."""

from minorprot.settings.base import *
from minorprot.settings.environment import env_bool

DEBUG = env_bool("DEBUG", True)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "0.0.0.0", "testserver"]  # noqa: S104 - runserver on all interfaces in the demo
# The demo district and `manage.py seed_demo` (demo/): development and tests only, never production.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]

# Serve static files from the app folders without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
