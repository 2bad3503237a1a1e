"""The browser the page tests drive: Debian's chromium through Playwright, one page per test.

`page` (a fixture, through tests/conftest.py) needs a `base_url` fixture: the app served on
loopback, which each browser test file defines for its own app. A full-page screenshot of what the
page showed last is kept as `page.png` in the test's tmp dir.
"""

from __future__ import annotations

import os
import shutil
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.samples import Samples

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium's own connections (updates, sync, field
# trials) are refused by the test network guard's host, many at a time.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 60_000


def _playwright() -> Any:
    """Playwright's sync API, or a skip when neither it nor the browser is installed."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if not CHROMIUM.exists():
            pytest.skip(
                "the browser test needs Debian's chromium and the playwright package: "
                "`make test` installs both"
            )
        pytest.fail("playwright is not installed (pip install playwright); `make test` installs it")
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (`make test` does)")
    return sync_playwright


@pytest.fixture
def page(base_url: str, tmp_path: Path) -> Iterator[Any]:
    """A chromium page; records every request it makes and every script error."""
    sync_playwright = _playwright()
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=TIMEOUT_MS
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            tab = context.new_page()
            tab.set_default_timeout(TIMEOUT_MS)
            tab.requests = []
            tab.script_errors = []
            tab.on("request", lambda sent: tab.requests.append(sent))
            tab.on("pageerror", lambda error: tab.script_errors.append(str(error)))
            yield tab
            if not (tmp_path / "page.png").exists():  # the test stopped early: keep what it saw
                tab.screenshot(path=str(tmp_path / "page.png"), full_page=True)
        finally:
            browser.close()


@contextmanager
def default_app(
    make_settings: Any, samples: Samples, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The app as `make run` serves it, on loopback: the shipped model table and its default
    (the embedded `local` model), no API key, no model key (every key variable of the table
    unset), data/samples indexed. Yields its base URL."""
    for name in ("SPECRAG_MODELS_FILE", "SPECRAG_DEFAULT_MODEL", "SPECRAG_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = make_settings()
    table = tomllib.loads(settings.models_file.read_text(encoding="utf-8"))
    for model in table["models"].values():
        if "api_key_env" in model:
            monkeypatch.delenv(model["api_key_env"], raising=False)
    with samples.served(settings) as url:
        yield url


def outside_loopback(page: Any, base_url: str) -> list[str]:
    """The URLs the page requested from anywhere but this server (data: URLs are local)."""
    return [r.url for r in page.requests if not r.url.startswith((base_url + "/", "data:"))]


def keep_screenshot(
    page: Any, tmp_path: Path, request: Any, name: str = "screenshot", *, full_page: bool = True
) -> Path:
    """A screenshot (the full page, or the window) in the test's tmp dir; with
    SPECRAG_UPDATE_SCREENSHOT=1 also docs/<name>.png (docs/screenshot.png is the README's
    picture, the others one per tab)."""
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot), full_page=full_page)
    if name == "screenshot":
        shutil.copyfile(shot, tmp_path / "page.png")
    request.node.user_properties.append(("screenshot", str(shot)))
    print(f"screenshot: {shot}")  # pytest -s shows where it is
    if os.environ.get("SPECRAG_UPDATE_SCREENSHOT") == "1":
        (REPO / "docs").mkdir(exist_ok=True)
        shutil.copyfile(shot, REPO / "docs" / f"{name}.png")
    return shot
