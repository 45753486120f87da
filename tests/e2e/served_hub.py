"""A hub's app served on a free port for a real browser (the browser tests' one way to do it): uvicorn on a
background thread, waited for, and stopped when the test module is done; the headless Chromium those tests
drive (Debian's package, `make browser`), signing in, and the screenshots a human looks at.

Each test module builds its own world and app (demo data, an alerts network, an upload officer…) and
serves it with `served`; the `browser` fixture (tests/e2e/conftest.py) is shared."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from deploy.kafka_broker import free_port

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
START_TIMEOUT_S = 20.0


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 and yield its base URL; the server has stopped when the block ends (so
    the caller may then close what the app used: its engine, publishers, tip desk)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name=f"served-hub-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert server.started, "the web UI did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def signed_in(browser: Any, url: str, token: str, *, lang: str | None = None, **context: Any) -> Any:
    """A new tab (its own cookies) signed in with `token`; `context` goes to Playwright's new_context."""
    page = browser.new_context(**{"viewport": {"width": 1400, "height": 900}, **context}).new_page()
    page.goto(f"{url}/login" + (f"?lang={lang}" if lang else ""))
    page.fill('input[name="token"]', token)
    page.click('form[action="/login"] button[type="submit"]')
    page.wait_for_selector("nav")
    return page


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
