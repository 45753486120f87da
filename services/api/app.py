"""The analyst API application, built from an engine (no globals, nothing connects at import)."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine

from services.api.routes import cases, health
from services.api.routes import ops as ops_routes
from services.ops.api_monitor import ApiMonitor
from services.registry import routes as registry_routes
from services.settings import Settings


def create_app(engine: Engine, settings: Settings | None = None, *, sample_lag: bool = False) -> FastAPI:
    """`sample_lag` runs the lag sampler behind /metrics for the app's lifespan (a served API)."""
    ops = ApiMonitor(settings or Settings(), engine)
    app = FastAPI(
        title="casehub",
        summary="Shared violation database of Vietnam's enforcement agencies",
        lifespan=ops.lifespan if sample_lag else None,
    )
    app.state.engine = engine
    app.state.ops = ops
    app.include_router(cases.router)
    app.include_router(registry_routes.router)
    app.include_router(health.router)
    app.include_router(ops_routes.router)
    return app
