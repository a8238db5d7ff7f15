"""Settings come from the environment, and a malformed value stops the process at start with a message
that names the variable (issue 2 §1). Each case starts a fresh interpreter, as a deployment would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_VARIABLES = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_SETTINGS_MODULE")


def start(tmp_path, command: list[str] | None = None, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    environment.update({"DJANGO_SETTINGS_MODULE": "minorprot.settings.local", "MINORPROT_VAR_DIR": str(tmp_path)})
    environment.update(env)
    command = command or [sys.executable, "-c", "import django; django.setup()"]
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)  # noqa: S603 - fixed argv


def test_the_embedded_defaults_start_without_any_variable(tmp_path):
    result = start(tmp_path)

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "DATABASE_URL",
            "mysql://app@db/minorprot",
            "DATABASE_URL='mysql://app@db/minorprot' is not a supported database URL",
        ),
        ("DATABASE_URL", "postgres://app@db:5432/", "DATABASE_URL names no database"),
        ("DATABASE_URL", "postgres://app@db:port/minorprot", "DATABASE_URL is malformed"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL='localhost:6379' is not a Redis URL"),
        ("REDIS_URL", "redis://localhost:sixthree/0", "REDIS_URL has a malformed port"),
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean"),
        ("MINORPROT_SITE_URL", "minorprot.example.gov.cn", "MINORPROT_SITE_URL='minorprot.example.gov.cn' is not"),
    ],
)
def test_a_malformed_value_stops_the_start_with_a_message_naming_the_variable(tmp_path, variable, value, message):
    result = start(tmp_path, **{variable: value})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_a_password_in_a_malformed_database_url_is_not_printed(tmp_path):
    result = start(tmp_path, DATABASE_URL="mysql://app:hunter2secret@db/minorprot")

    assert result.returncode != 0
    assert "hunter2secret" not in result.stderr


def test_manage_py_refuses_to_start_with_a_malformed_value(tmp_path):
    result = start(tmp_path, [sys.executable, "manage.py", "check"], DEBUG="yes please")

    assert result.returncode != 0
    assert "DEBUG='yes please' is not a boolean" in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = start(
        tmp_path,
        DJANGO_SETTINGS_MODULE="minorprot.settings.production",
        DATABASE_URL="postgres://minorprot@db:5432/minorprot",
        REDIS_URL="redis://redis:6379/0",
        ALLOWED_HOSTS="minorprot.example.gov.cn",
    )

    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr
