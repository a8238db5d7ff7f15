"""Settings shared by every environment. Values that differ per deployment come from the environment.

Without DATABASE_URL the system runs on an embedded SQLite file, and without REDIS_URL Celery uses a
broker kept in files under var/, so a new machine runs the whole system with no server installed.
"""

from __future__ import annotations

from pathlib import Path

import pghistory
from celery.schedules import crontab

from minorprot.settings.environment import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_redis_url,
    env_site_url,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("MINORPROT_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "guardian",
    "django_celery_beat",
    "pgtrigger",
    "pghistory",
    "tiers",
    "cases",
    "screening",
    "referrals",
    "governance",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who changed a grant or a rule: pghistory's context (user, url) on the trigger-written events.
    "tiers.audit.HistoryMiddleware",
    # One AccessLog row per minor a successful response showed (issue 10 §1; cases/accesslog/recorder.py).
    "cases.accesslog.services.AccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# The history of access grants and reference data (issue 10 §7): PostgreSQL triggers (django-pghistory)
# write an event row for every insert, update and delete, also from the admin and queryset .update();
# the event tables are append-only, and each event carries its context (user, url) in the row itself.
# On SQLite (the embedded demo) no trigger is installed and nothing is recorded.
PGHISTORY_DEFAULT_TRACKERS = (pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
PGHISTORY_APPEND_ONLY = True
PGHISTORY_CONTEXT_FIELD = pghistory.ContextJSONField()
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# Working-group membership lives in Django's auto-created many-to-many tables, which have no migrations of
# their own: pgtrigger installs their triggers after every migrate (idempotent; skipped on SQLite).
PGTRIGGER_INSTALL_ON_MIGRATE = True

ROOT_URLCONF = "minorprot.urls"
WSGI_APPLICATION = "minorprot.wsgi.application"

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
                "django.template.context_processors.i18n",
                "tiers.context_processors.navigation",
                "cases.context_processors.notifications",
                "cases.context_processors.casework",
                "referrals.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'minorprot.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Chinese first; English through Django's i18n (locale/en). Source strings are Chinese.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Redis, Celery -------------------------------------------------------------------------------
REDIS_URL = env_redis_url("REDIS_URL")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # A broker that needs no server: messages are files under var/celery. One machine only.
    _broker_dir = VAR_DIR / "celery" / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True
# A worker that dies mid-task leaves the message on the broker; tasks are idempotent, so a rerun is safe.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Schedules are declared in code; each app adds its entries here (see minorprot/celery.py).
CELERY_BEAT_SCHEDULE: dict = {
    # Proves that beat and a worker really run jobs; /healthz reports the age of the last run.
    "record-heartbeat": {"task": "tiers.tasks.record_heartbeat", "schedule": 60.0},
    # Visit plan for every active minor (also refreshed at once after a grade change or a visit).
    "refresh-visit-plan": {"task": "screening.tasks.refresh_visit_plan", "schedule": crontab(hour=1, minute=30)},
    # Overdue visits, red without response, orange without helper: alert the right tier, once.
    "escalate-overdue": {"task": "screening.tasks.escalate_overdue", "schedule": crontab(minute=5)},
    # Overdue measures and red cases without a plan (issue 4).
    "escalate-casework": {"task": "cases.tasks.escalate_casework", "schedule": crontab(minute=10)},
    # At 16: employment-support notice; at 18: close as aged out.
    "apply-age-rules": {"task": "screening.tasks.apply_age_rules", "schedule": crontab(hour=0, minute=20)},
    # Screening campaigns (issue 12 §3): villages behind the deadline are alerted, once per campaign.
    "alert-campaigns-behind": {
        "task": "screening.tasks.alert_campaigns_behind",
        "schedule": crontab(hour=7, minute=40),
    },
    # Reports not triaged by their deadline (issue 5 §6): alert the town office and leader, once each.
    "escalate-untriaged-reports": {"task": "referrals.intake.tasks.escalate_untriaged_reports", "schedule": 900.0},
    # Sentinel points silent past MINORPROT_SENTINEL_SILENT_DAYS (issue 12 §4): flagged once, resolved on a report.
    "flag-silent-sentinel-points": {
        "task": "referrals.discovery.tasks.flag_silent_sentinel_points",
        "schedule": crontab(hour=6, minute=40),
    },
    # Referrals not accepted or without feedback in time (issue 5 §3).
    "escalate-referrals": {"task": "referrals.referrals.tasks.escalate_referrals", "schedule": crontab(minute=15)},
    # Grants on closed referrals withdrawn a set time after closing (issue 5 §4).
    "expire-referral-grants": {
        "task": "referrals.referrals.tasks.expire_referral_grants",
        "schedule": crontab(hour=2, minute=0),
    },
    # A department's staff who join after a referral was sent get its view; those who leave lose it.
    "sync-referral-grants": {"task": "referrals.referrals.tasks.sync_referral_grants", "schedule": 600.0},
    # The webhook outbox: deliveries due (new, or waiting for a retry) are sent, also after a broker outage.
    "dispatch-webhooks": {"task": "referrals.webhooks.tasks.dispatch_webhooks", "schedule": 60.0},
    # Freezes the quarter that ended last for every region; daily, so a missed quarter end is caught up.
    "freeze-ended-quarter": {"task": "reporting.tasks.freeze_ended_quarter", "schedule": crontab(hour=0, minute=40)},
    # Follow-up items decided at governance meetings and still open after their deadline (督办).
    "escalate-meeting-items": {"task": "governance.tasks.escalate_meeting_items", "schedule": crontab(hour=7, minute=30)},
    # The analysis report of every town and district for the quarter that ended last, after the freeze.
    "generate-quarter-reports": {
        "task": "reporting.tasks.generate_quarter_reports",
        "schedule": crontab(hour=1, minute=0),
    },
    # Ledger export files past MINORPROT_EXPORT_KEEP_DAYS are deleted (the export rows stay).
    "purge-expired-exports": {"task": "reporting.tasks.purge_expired_exports", "schedule": crontab(hour=3, minute=0)},
}

# --- REST API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tiers.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "minorprot.api.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_standardized_errors.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "minorprot.api.exception_handler",
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.NamespaceVersioning",
    "DEFAULT_VERSION": "v1",
    "ALLOWED_VERSIONS": ["v1"],
    # Password guessing against the token endpoint is slowed per client address.
    "DEFAULT_THROTTLE_RATES": {"token": env_str("MINORPROT_TOKEN_RATE", "20/minute")},
}
DRF_STANDARDIZED_ERRORS = {"ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True}
SPECTACULAR_SETTINGS = {
    "TITLE": "minorprot API",
    "DESCRIPTION": (
        "未成年人保护个案管理系统 REST API (v1). Authenticate with POST /api/v1/auth/token/ and send "
        "`Authorization: Token <key>`. Every list is scoped to the caller's part of the administrative tree; "
        "an object outside it answers 404."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "ClosedReasonEnum": "cases.models.ClosedReason",
        "RiskGradeEnum": "cases.models.RiskGrade",
        "VisitKindEnum": "screening.models.VisitKind",
        "AssessmentKindEnum": "screening.models.AssessmentKind",
        "MinorStatusEnum": "cases.models.MinorStatus",
        "RegionLevelEnum": "tiers.roles.Level",
        "RoleEnum": "tiers.roles.Role",
        "CaseStageEnum": "cases.models.CaseStage",
        "CaseOriginEnum": "cases.models.Case.Origin",
        "TrackEnum": "cases.models.Track",
        "MeasureStatusEnum": "cases.models.MeasureStatus",
        "InterventionLevelEnum": "cases.models.InterventionLevel",
        "InterventionStatusEnum": "cases.models.InterventionStatus",
        "PlacementTypeEnum": "cases.models.PlacementType",
        "EnrolmentStatusEnum": "cases.models.EnrolmentStatus",
        "CaseClosureStatusEnum": "cases.models.CaseClosure.Status",
        "OrganisationKindEnum": "tiers.models.OrganisationKind",
        "ReportStatusEnum": "referrals.models.ReportStatus",
        "ReportChannelEnum": "referrals.models.ReportChannel",
        "ReferralStatusEnum": "referrals.models.ReferralStatus",
        "PriorityEnum": "referrals.models.Priority",
        "DataRequestKindEnum": "cases.models.DataRequestKind",
        "PatrolKindEnum": "referrals.discovery.models.PatrolKind",
        "SentinelKindEnum": "referrals.discovery.models.SentinelKind",
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        "ErrorCode401Enum": "drf_standardized_errors.openapi_serializers.ErrorCode401Enum.choices",
        "ErrorCode403Enum": "drf_standardized_errors.openapi_serializers.ErrorCode403Enum.choices",
        "ErrorCode404Enum": "drf_standardized_errors.openapi_serializers.ErrorCode404Enum.choices",
        "ErrorCode405Enum": "drf_standardized_errors.openapi_serializers.ErrorCode405Enum.choices",
        "ErrorCode406Enum": "drf_standardized_errors.openapi_serializers.ErrorCode406Enum.choices",
        "ErrorCode415Enum": "drf_standardized_errors.openapi_serializers.ErrorCode415Enum.choices",
        "ErrorCode429Enum": "drf_standardized_errors.openapi_serializers.ErrorCode429Enum.choices",
        "ErrorCode500Enum": "drf_standardized_errors.openapi_serializers.ErrorCode500Enum.choices",
    },
    "POSTPROCESSING_HOOKS": ["drf_standardized_errors.openapi_hooks.postprocess_schema_enums"],
}

# --- Domain configuration ([PROPOSAL] defaults of domain.md, kept configurable) ---------------------
# Age below which a person is a minor (domain.md §10.3).
MINOR_AGE_LIMIT = env_int("MINORPROT_MINOR_AGE_LIMIT", 18)
# Visit interval used when no grade policy covers a grade (the policy table is seeded; this is a guard).
MINORPROT_FALLBACK_VISIT_INTERVAL_DAYS = env_int("MINORPROT_FALLBACK_VISIT_INTERVAL_DAYS", 30)
# Password-login API tokens expire; tokens issued to partner systems last until revoked.
API_LOGIN_TOKEN_TTL_DAYS = env_int("MINORPROT_API_LOGIN_TOKEN_TTL_DAYS", 30)
# Leadership-group meetings a town or county must hold per year: "≥ 2 times a year" (domain.md §4
# mechanism 1, §10.1). [PROPOSAL] default 2; some places require more. Liaison meetings stay one a quarter.
MINORPROT_LEADERSHIP_MEETINGS_PER_YEAR = env_int("MINORPROT_LEADERSHIP_MEETINGS_PER_YEAR", 2)
# Figures-only logins see a village's count of a sensitive category (justice-involved, crime victims, violence)
# below this as "<N" (issue 10 §4; reporting/small_cells.py).
MINORPROT_SMALL_CELL = env_int("MINORPROT_SMALL_CELL", 5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    # WeasyPrint logs every layout step of a PDF at INFO.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}
MINORPROT_TRUSTED_PROXIES = env_int("MINORPROT_TRUSTED_PROXIES", 0)
# Live dashboard figures are cached this long (seconds); past quarters are frozen and need no cache.
MINORPROT_DASHBOARD_CACHE_SECONDS = env_int("MINORPROT_DASHBOARD_CACHE_SECONDS", 120)
# Ledger exports (issue 6 §4): up to this many rows the file is answered at once; above it a worker
# builds it (a web request times out after 60 s). Ready files are deleted after this many days.
MINORPROT_EXPORT_SYNC_ROWS = env_int("MINORPROT_EXPORT_SYNC_ROWS", 3000)
MINORPROT_EXPORT_KEEP_DAYS = env_int("MINORPROT_EXPORT_KEEP_DAYS", 7)
# Ledger import (issue 12 §1): files of up to this many rows are previewed and committed in the request;
# larger ones in a Celery task with a progress bar. Read only by cases/imports/rules.py.
MINORPROT_IMPORT_SYNC_ROWS = env_int("MINORPROT_IMPORT_SYNC_ROWS", 2000)
MINORPROT_RED_PLAN_HOURS = env_int("MINORPROT_RED_PLAN_HOURS", 24)
# Report intake (domain.md §7, issue 5 §6): hours to triage a report, shorter when violence is alleged
# ([PROPOSAL] defaults), and the hotline numbers a HOTLINE report may come from (§7.3); read only by
# referrals/intake/rules.py.
MINORPROT_TRIAGE_HOURS = env_int("MINORPROT_TRIAGE_HOURS", 24)
MINORPROT_TRIAGE_HOURS_VIOLENCE = env_int("MINORPROT_TRIAGE_HOURS_VIOLENCE", 2)
MINORPROT_HOTLINES = env_list("MINORPROT_HOTLINES", ["12345", "12355", "12349"])
# Sentinel points (issue 12 §4; domain.md §13): days without a report after which a point is flagged as
# silent ([PROPOSAL] default); read only by referrals/discovery/rules.py.
MINORPROT_SENTINEL_SILENT_DAYS = env_int("MINORPROT_SENTINEL_SILENT_DAYS", 90)
# Task modules outside an app's tasks.py (autodiscovery finds only tasks.py).
CELERY_IMPORTS = [
    "referrals.referrals.tasks",
    "referrals.intake.tasks",
    "referrals.webhooks.tasks",
    "referrals.discovery.tasks",
]
# Referrals (issue 5 §3, §4): hours to accept by priority, days to feedback, days a closed referral stays visible
# ([PROPOSAL] defaults); read only by referrals/referrals/rules.py.
MINORPROT_REFERRAL_ACCEPT_HOURS = {
    "URGENT": env_int("MINORPROT_REFERRAL_ACCEPT_HOURS_URGENT", 2),
    "HIGH": env_int("MINORPROT_REFERRAL_ACCEPT_HOURS_HIGH", 24),
    "NORMAL": env_int("MINORPROT_REFERRAL_ACCEPT_HOURS_NORMAL", 72),
}
MINORPROT_REFERRAL_FEEDBACK_DAYS = env_int("MINORPROT_REFERRAL_FEEDBACK_DAYS", 14)
MINORPROT_REFERRAL_GRANT_DAYS_AFTER_CLOSE = env_int("MINORPROT_REFERRAL_GRANT_DAYS_AFTER_CLOSE", 30)
# Break the glass (issue 10 §10): how long a county user's emergency access to a record outside their reach lasts.
MINORPROT_EMERGENCY_ACCESS_HOURS = env_int("MINORPROT_EMERGENCY_ACCESS_HOURS", 4)
# The site's address as users reach it: e-mails carry a link built on it, never a child's data (issue 10).
MINORPROT_SITE_URL = env_site_url("MINORPROT_SITE_URL", "http://127.0.0.1:8000")
# Webhooks (issue 5 §5): attempts before a delivery is FAILED, first backoff, request timeout.
MINORPROT_WEBHOOK_MAX_ATTEMPTS = env_int("MINORPROT_WEBHOOK_MAX_ATTEMPTS", 8)
MINORPROT_WEBHOOK_BACKOFF_SECONDS = env_int("MINORPROT_WEBHOOK_BACKOFF_SECONDS", 30)
MINORPROT_WEBHOOK_TIMEOUT_SECONDS = env_int("MINORPROT_WEBHOOK_TIMEOUT_SECONDS", 10)
# Plain http only to this machine, and only when developing (tests turn it on where they need it).
MINORPROT_WEBHOOK_ALLOW_LOCAL_HTTP = env_bool("MINORPROT_WEBHOOK_ALLOW_LOCAL_HTTP", DEBUG)
