"""Every redirect names a path on this site, never a host the request named.

Starlette's trailing-slash redirect (`/cases/` → `/cases`, and back) builds an absolute URL from the
request's own Host header, so a request sent with `Host: evil.example` was answered `Location:
http://evil.example/cases` — harmless to that client alone, but a shared cache keying on the path would
hand the poisoned redirect to others. The hub's own redirects are all paths already; this middleware cuts
the scheme and host off any other Location and collapses leading slashes (a path `//evil.example` is
protocol-relative to a browser), so what a redirect names stays on the site that answered. Starlette's
`TrustedHostMiddleware` would refuse unknown hosts instead, but needs every name the hub is reached by
configured up front (proxies, addresses, the demo's localhost); a path needs none.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def on_this_site(location: str) -> str:
    """The Location as a path (and query, fragment) of the answering site."""
    parts = urlsplit(location)
    path = "/" + parts.path.lstrip("/\\")
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return f"{path}{query}{fragment}"


class RelativeRedirects:
    """ASGI middleware: a 3xx answer's Location becomes `on_this_site(Location)`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_relative(message: Message) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                message = {
                    **message,
                    "headers": [
                        (
                            name,
                            on_this_site(value.decode("latin-1")).encode("latin-1")
                            if name == b"location"
                            else value,
                        )
                        for name, value in message.get("headers", [])
                    ],
                }
            await send(message)

        await self.app(scope, receive, send_relative)
