"""Every state-changing form of the UI must come from this site (CSRF). The session cookie is SameSite=lax,
and on top of that each form carries a token only this site's pages know: a one-way hash of the session id
(an httponly cookie no other site can read), compared in constant time; a browser header that says the
form came from elsewhere (Sec-Fetch-Site, Origin) refuses it too. `checked_form` is a dependency put on
every page router at inclusion (services.web.pages.include), so no page's POST can skip it; sign-in has
its own double-submit token (there is no session yet: services.web.pages.login)."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

from fastapi import HTTPException, Request

from services.api.deps import SAFE_METHODS, SESSION_COOKIE

FORM_FIELD = "csrf"


def form_token(request: Request) -> str:
    """The token the signed-in session's forms carry ('' without a session: nothing to protect)."""
    session_id = request.cookies.get(SESSION_COOKIE, "")
    if not session_id:
        return ""
    return hashlib.sha256(b"casehub-form\x00" + session_id.encode()).hexdigest()


def from_this_site(request: Request, expected: str, posted: str) -> bool:
    """The posted token matches the expected one, and no header says the form came from elsewhere."""
    if not expected or not hmac.compare_digest(expected.encode(), posted.encode()):
        return False
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.url.netloc


async def checked_form(request: Request) -> None:
    """Refuses (403, audited) a page POST without this session's form token."""
    if request.method in SAFE_METHODS:
        return
    if (
        _content_type(request) == "multipart/form-data"
    ):  # a file upload: Starlette parses it (python-multipart)
        await request.body()  # kept on the request, so the route reads the same form again
        field = (await request.form()).get(FORM_FIELD)
        posted = field if isinstance(field, str) else ""
    else:
        form = parse_qs((await request.body()).decode(errors="replace"))
        posted = (form.get(FORM_FIELD) or [""])[0]
    if not from_this_site(request, form_token(request), posted):
        raise HTTPException(403, "cross-site form refused: reload the page and try again")


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()
