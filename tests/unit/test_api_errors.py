"""OneLineErrors (services/api/errors.py): a failure no handler answered is a short 500/503 with a reference;
a client that left before its body was whole is no failure (it was logged as one, found in session 17 by
sending a body shorter than its Content-Length)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.requests import ClientDisconnect

from services.api import errors
from services.api.errors import OneLineErrors


def _run(failure: Exception) -> list[dict[str, Any]]:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise failure

    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "path": "/api/x", "method": "POST", "headers": []}
    asyncio.run(OneLineErrors(app)(scope, receive, send))
    return sent


class Recorder:
    """Stands in for the module's structlog logger: which events it logged, at which level (the process's
    logging set-up, which other tests change, decides nothing here)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def info(self, event: str, **_: Any) -> None:
        self.events.append(("info", event))

    def error(self, event: str, **_: Any) -> None:
        self.events.append(("error", event))


def test_a_client_that_left_gets_no_answer_and_is_no_error(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder()
    monkeypatch.setattr(errors, "logger", recorder)
    assert _run(ClientDisconnect()) == []
    assert recorder.events == [("info", "request_abandoned")]


def test_any_other_failure_is_a_500_with_a_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder()
    monkeypatch.setattr(errors, "logger", recorder)
    sent = _run(RuntimeError("boom"))
    assert recorder.events == [("error", "request_failed")]
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 500
    assert b"reference" in sent[1]["body"] and b"boom" not in sent[1]["body"]
