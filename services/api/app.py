"""The analyst API application, built from an engine (no globals, nothing connects at import)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy import Engine

from consumers.clock import utcnow
from services.access.audit import AuditLog
from services.access.audit_seal import AuditSeal
from services.access.auth_failures import AuthFailures
from services.access.resolver import PrincipalResolver, TokenResolver
from services.api.audited_requests import AuditedRequests
from services.api.errors import OneLineErrors
from services.api.refusals import answer_refusals
from services.api.request_limits import RequestLimits
from services.api.routes import (
    alerts,
    audit,
    cases,
    dead_letters,
    entities,
    export,
    health,
    inbox,
    notifications,
    public,
    referrals,
    stats,
    subjects,
    webhooks,
)
from services.api.routes import ingest as ingest_routes
from services.api.routes import ops as ops_routes
from services.api.routes import tips as tip_routes
from services.bootstrap import build_publisher
from services.ops.api_monitor import ApiMonitor
from services.registry import routes as registry_routes
from services.settings import Settings
from services.tips.desk import TipDesk
from services.web import pages
from services.web.relative_redirects import RelativeRedirects
from services.web.security_headers import SecurityHeaders


def create_app(
    engine: Engine,
    settings: Settings | None = None,
    *,
    sample_lag: bool = False,
    resolver: PrincipalResolver | None = None,
    clock: Callable[[], datetime] = utcnow,
    demo_logins: bool = False,
) -> FastAPI:
    """`sample_lag` runs the lag sampler behind /metrics for the app's lifespan (a served API);
    `resolver` turns credentials into principals (API tokens by default; OIDC can take its place);
    `demo_logins` is demo mode (`casehub up` only): the demo principals' tokens are accepted and offered
    on the sign-in page; anywhere else they are refused."""
    settings = settings or Settings()
    ops = ApiMonitor(settings, engine)
    app = FastAPI(
        title="casehub",
        summary="Shared violation database of Vietnam's enforcement agencies",
        lifespan=ops.lifespan if sample_lag else None,
    )
    app.state.engine = engine
    app.state.ops = ops
    app.state.resolver = resolver or TokenResolver(engine, demo=demo_logins)
    app.state.audit = AuditLog(engine, AuditSeal.of(settings))
    app.state.clock = clock
    app.state.demo_logins = demo_logins
    app.state.auth_failures = AuthFailures()
    app.include_router(cases.router)
    for router in (
        subjects.router,
        stats.router,
        export.router,
        public.router,
        audit.router,
        alerts.router,
        entities.router,
        inbox.router,
        referrals.router,
        notifications.router,
        webhooks.router,
    ):
        app.include_router(router)
    ingest_routes.install(app, lambda: build_publisher(settings or Settings()))
    tip_routes.install(app, TipDesk(engine, settings, lambda: build_publisher(settings or Settings()), clock))
    pages.include(app)
    app.include_router(registry_routes.router)
    app.include_router(health.router)
    app.include_router(ops_routes.router)
    app.include_router(dead_letters.router)
    answer_refusals(app)
    app.add_middleware(OneLineErrors)  # innermost: a failure becomes a 500/503 answer the audit sees
    app.add_middleware(RequestLimits)
    app.add_middleware(AuditedRequests)  # one audit row per request (services.api.audited_requests)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RelativeRedirects)  # outermost: no redirect names a host the request named
    return app
