"""Development and demo: DEBUG on unless DEBUG=0 is set, console e-mail."""

from minorprot.settings.base import *  # noqa: F403
from minorprot.settings.environment import env_bool

DEBUG = env_bool("DEBUG", True)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
ALLOWED_HOSTS = ALLOWED_HOSTS + ["0.0.0.0", "testserver"]  # noqa: F405
