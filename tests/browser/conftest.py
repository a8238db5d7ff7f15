"""Browser tests: Playwright driving Debian's chromium (never `playwright install`) against
pytest-django's live_server. Screenshots go to test-artifacts/ (git-ignored) for people to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connections

# Playwright's sync API runs an event loop in the test's thread; Django's ORM calls in the test
# itself (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
        # Playwright's sync API runs on greenlets, and Django keeps connections per context: a
        # query made while Playwright runs may open its own connection, which nothing else closes.
        connections.close_all()
