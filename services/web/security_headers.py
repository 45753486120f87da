"""Security headers on every answer, set by the `secure` library's ASGI middleware.

The pages carry no script, so their policy allows none; FastAPI's /docs (Swagger UI) loads its script and
style from a CDN, so those paths get a policy that allows that CDN and nothing else. Framing is refused
(frame-ancestors 'none' and X-Frame-Options DENY), sniffing too (nosniff), referrers stay on the site
(strict-origin-when-cross-origin), and HSTS is sent only over TLS (a plain-HTTP answer cannot pin HTTPS).
Which of the four header sets applies is chosen per request: a tiny dispatcher, the headers are secure's.
"""

from __future__ import annotations

from secure import (
    ContentSecurityPolicy,
    ReferrerPolicy,
    Secure,
    StrictTransportSecurity,
    XContentTypeOptions,
    XFrameOptions,
)
from secure.middleware import SecureASGIMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
DOCS_CDN = "https://cdn.jsdelivr.net"
HSTS_SECONDS = 31_536_000


def _policy(docs: bool) -> ContentSecurityPolicy:
    policy = (
        ContentSecurityPolicy()
        .default_src("'self'")
        .img_src("'self'", "data:")
        .frame_ancestors("'none'")
        .form_action("'self'")
        .base_uri("'none'")
        .object_src("'none'")
    )
    if docs:
        return (
            policy.script_src(DOCS_CDN, "'unsafe-inline'")
            .style_src("'self'", DOCS_CDN)
            .img_src("'self'", "data:", "https://fastapi.tiangolo.com")
        )
    return policy.script_src("'none'").style_src("'self'", "'unsafe-inline'")  # inline <style> and SVG


def headers(docs: bool, tls: bool) -> Secure:
    return Secure(
        csp=_policy(docs),
        hsts=StrictTransportSecurity().max_age(HSTS_SECONDS) if tls else None,
        referrer=ReferrerPolicy().strict_origin_when_cross_origin(),
        xcto=XContentTypeOptions().nosniff(),
        xfo=XFrameOptions().deny(),
    )


class SecurityHeaders:
    """ASGI middleware: secure's middleware with the header set of the request's path and scheme."""

    def __init__(self, app: ASGIApp) -> None:
        self.variants = {
            (docs, tls): SecureASGIMiddleware(app, secure=headers(docs, tls))
            for docs in (False, True)
            for tls in (False, True)
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        docs = scope.get("path", "") in DOCS_PATHS
        tls = scope.get("scheme") in ("https", "wss")
        await self.variants[(docs, tls)](scope, receive, send)  # type: ignore[arg-type]
