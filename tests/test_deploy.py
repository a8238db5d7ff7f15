"""Production settings pass `manage.py check --deploy` with no warnings (issue 2 §1), checked the way
CI and an operator run it: a fresh process with production settings and realistic values."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def check_deploy(tmp_path, **overrides: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))}
    environment.update(
        DJANGO_SETTINGS_MODULE="minorprot.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL="postgres://minorprot:db-password@db:5432/minorprot",
        REDIS_URL="redis://redis:6379/0",
        ALLOWED_HOSTS="minorprot.example.gov.cn",
        MINORPROT_VAR_DIR=str(tmp_path),
        **overrides,
    )
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)  # noqa: S603 - fixed argv


def test_production_settings_pass_the_deployment_checks_with_no_warnings(tmp_path):
    result = check_deploy(tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deployment_check_fails_on_a_weakened_setting(tmp_path):
    # The check above can fail: switching HSTS off is reported and fails the run.
    result = check_deploy(tmp_path, SECURE_HSTS_SECONDS="0")

    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr
