"""OneLineErrors (services/api/errors.py): a failure no handler answered is a short 500/503 with a reference;
a client that left before its body was whole is no failure (it was logged as one, found in session 17 by
sending a body shorter than its Content-Length)."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import ClientDisconnect

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


def _logged(capsys: Any) -> str:
    captured = capsys.readouterr()
    return str(captured.out + captured.err)


def test_a_client_that_left_gets_no_answer_and_is_no_error(capsys: Any) -> None:
    assert _run(ClientDisconnect()) == []
    logged = _logged(capsys)
    assert "request_abandoned" in logged and "request_failed" not in logged


def test_any_other_failure_is_a_500_with_a_reference(capsys: Any) -> None:
    sent = _run(RuntimeError("boom"))
    assert "request_failed" in _logged(capsys)
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 500
    assert b"reference" in sent[1]["body"] and b"boom" not in sent[1]["body"]
