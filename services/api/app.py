"""The analyst API application, built from an engine (no globals, nothing connects at import)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy import Engine

from services.access.audit import AuditLog
from services.access.resolver import PrincipalResolver, TokenResolver
from services.api.routes import (
    alerts,
    audit,
    cases,
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
from services.api.routes import ops as ops_routes
from services.ops.api_monitor import ApiMonitor
from services.registry import routes as registry_routes
from services.settings import Settings
from services.store.tables import utcnow
from services.web import pages


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
    `demo_logins` offers the demo principals on the web UI's sign-in page (`casehub up` only)."""
    ops = ApiMonitor(settings or Settings(), engine)
    app = FastAPI(
        title="casehub",
        summary="Shared violation database of Vietnam's enforcement agencies",
        lifespan=ops.lifespan if sample_lag else None,
    )
    app.state.engine = engine
    app.state.ops = ops
    app.state.resolver = resolver or TokenResolver(engine)
    app.state.audit = AuditLog(engine)
    app.state.clock = clock
    app.state.demo_logins = demo_logins
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
    pages.include(app)
    app.include_router(registry_routes.router)
    app.include_router(health.router)
    app.include_router(ops_routes.router)
    return app
