"""Signing a test client in to the web UI as a browser does: the sign-in page sets the CSRF cookie and
field, the form posts the token with it, and the server answers with a session cookie."""

from __future__ import annotations

from httpx import Response
from starlette.testclient import TestClient

CSRF_COOKIE = "casehub_csrf"


def sign_in(client: TestClient, token: str, next_page: str = "/") -> Response:
    """Post the sign-in form (after opening the page for its CSRF token); the 303 answer."""
    assert client.get("/login").status_code == 200
    return client.post(
        "/login",
        data={"token": token, "next": next_page, "csrf": client.cookies.get(CSRF_COOKIE, "")},
        follow_redirects=False,
    )


def signed_in_client(client: TestClient, token: str) -> TestClient:
    answer = sign_in(client, token)
    assert answer.status_code == 303 and "failed" not in answer.headers["location"], answer.text
    return client


def form_token_on(page: Response) -> str:
    """The CSRF token of a page's forms (services.web.form_guard), read from the page as a browser has it."""
    assert 'name="csrf" value="' in page.text, "the page has no form"
    return page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
