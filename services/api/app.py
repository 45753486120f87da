"""The analyst API application, built from an engine (no globals, nothing connects at import)."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine, text

from services.api.routes import cases
from services.registry import routes as registry_routes


def create_app(engine: Engine) -> FastAPI:
    app = FastAPI(title="casehub", summary="Shared violation database of Vietnam's enforcement agencies")
    app.state.engine = engine
    app.include_router(cases.router)
    app.include_router(registry_routes.router)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok"}

    return app
