"""A consumer process's small HTTP side door: /metrics for Prometheus, /healthz and /readyz for probes."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from services.ops.health import Readiness

logger = structlog.get_logger()


class MetricsServer:
    """Serves in a daemon thread; `port` is the bound port (useful when asked for port 0)."""

    def __init__(
        self, host: str, port: int, registry: CollectorRegistry, readiness: Callable[[], Readiness]
    ) -> None:
        handler = _handler(registry, readiness)
        self.http = ThreadingHTTPServer((host, port), handler)
        self.http.daemon_threads = True
        self.host = host
        self.port = int(self.http.server_address[1])
        self._thread = threading.Thread(target=self.http.serve_forever, name="metrics-http", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> MetricsServer:
        self._thread.start()
        logger.info("metrics_server_started", url=self.url)
        return self

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()


def _handler(registry: CollectorRegistry, readiness: Callable[[], Readiness]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, CONTENT_TYPE_LATEST, generate_latest(registry))
            elif path == "/healthz":
                self._json(200, {"status": "ok"})
            elif path == "/readyz":
                state = readiness()
                body = {"status": "ready" if state.ready else "not ready", "checks": state.checks}
                self._json(200 if state.ready else 503, body)
            else:
                self._json(404, {"detail": "not found"})

        def _json(self, status: int, body: Mapping[str, object]) -> None:
            self._send(status, "application/json", json.dumps(body, ensure_ascii=False).encode())

        def _send(self, status: int, content_type: str, payload: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            """Probes every few seconds would drown the consumer's log; stay quiet."""

    return Handler
