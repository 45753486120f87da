"""`casehub up`: the whole hub on one machine — broker, topics, store, materializer, entity consumer, the
alert job, API, demo data."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine

from consumers.clock import utcnow
from consumers.liveness import Liveness
from consumers.metrics import MaterializerMetrics
from consumers.supervisor import Supervisor, Worker
from producers.demo_data import demo_events
from producers.publisher import PublishReport
from producers.simulator import simulate_events
from schemas.events import CaseEvent
from services.access.demo import seed_demo_principals
from services.api.app import create_app
from services.bootstrap import build_materializer, build_publisher, create_topics, open_store, upgrade_store
from services.broker_access.local_broker import broker_for
from services.broker_access.provisioning import provision
from services.early_warning import ALERT_JOB, alert_job_stall_s, build_alert_job, build_entity_follower
from services.notify.demo_subscriptions import DEMO_BACKFILL_DAYS, seed_demo_subscriptions
from services.notify.mail_sink import MailSink
from services.notify.notifier import Notifier
from services.notify.webhooks import WebhookDispatcher
from services.ops import health
from services.ops.api_monitor import ApiMonitor
from services.settings import Settings
from services.stop_signals import stop_on_signals
from services.store.queries import store_counts

Say = Callable[[str], None]
NOTIFY_INTERVAL_S = 3.0


@dataclass(frozen=True)
class HubSummary:
    bootstrap: str
    store_url: str
    api_url: str
    published: int
    events_stored: int
    cases_stored: int
    demo_tokens: dict[str, str] | None = None
    credentials: dict[str, Path] | None = None
    """Each Kafka user's credential file (None: a plaintext broker, no logins)."""
    smtp: str | None = None
    """host:port of the SMTP server notifications go to (the demo's sink unless CASEHUB_SMTP_HOST is set)."""
    mail_dir: str | None = None
    """Where the demo sink files the messages (a Maildir)."""


def publish_as_agencies(settings: Settings, events: list[CaseEvent]) -> PublishReport:
    """Each agency's events published by that agency's own Kafka user (ACL: its topic only)."""
    total = PublishReport()
    for agency in sorted({event.agency for event in events}):
        publisher = build_publisher(settings, agency)
        try:
            report = publisher.publish([event for event in events if event.agency == agency])
        finally:
            publisher.close()
        total.sent += report.sent
        total.failed.extend(report.failed)
        total.rejected_ids |= report.rejected_ids
        total.deliveries.extend(report.deliveries)
    return total


def ensure_port_free(host: str, port: int, what: str) -> None:
    with socket.socket() as probe:
        if probe.connect_ex((host, port)) == 0:
            raise OSError(
                f"port {port} on {host} is already in use; {what} cannot start (set CASEHUB_API_PORT)"
            )


class LocalHub:
    """Starts the parts in order and stops them in reverse; `run_until_interrupted` is `make demo`."""

    def __init__(self, settings: Settings, say: Say) -> None:
        self.settings = settings
        self.say = say
        self.broker = broker_for(settings)
        self.stop_event = threading.Event()
        self.threads: list[threading.Thread] = []
        self.server: uvicorn.Server | None = None
        self.supervisors: list[Supervisor] = []
        self.mail_sink: MailSink | None = None

    def start(self, demo_cases: int = 40, simulated_events: int = 0) -> HubSummary:
        s = self.settings
        ensure_port_free(s.api_host, s.api_port, "the API")
        started = time.monotonic()
        self.broker.start()
        self.say(f"Kafka broker ready on {self.broker.bootstrap} ({time.monotonic() - started:.1f}s)")
        s = self.settings = s.model_copy(update={"kafka_bootstrap": self.broker.bootstrap})
        credentials = None if s.kafka_security == "plaintext" else provision(s).files
        create_topics(s)
        upgrade = upgrade_store(s)
        self.say(f"Store schema at {upgrade.after} ({len(upgrade.applied)} migrations applied)")
        engine, store = open_store(s)
        demo_tokens = seed_demo_principals(engine)
        app = create_app(engine, s, sample_lag=True, demo_logins=True)
        metrics = MaterializerMetrics(s.consumer_group, app.state.ops.registry)  # one /metrics for both
        self._supervise(
            app.state.ops,
            Liveness("materializer", s.consumer_stall_s),
            lambda live: build_materializer(s, store, observer=metrics, liveness=live),
        )
        self._supervise(
            app.state.ops,
            Liveness("entity consumer", s.consumer_stall_s),
            lambda live: build_entity_follower(s, engine, liveness=live),
        )
        self._supervise(
            app.state.ops,
            Liveness(ALERT_JOB, alert_job_stall_s(s)),
            lambda live: build_alert_job(s, engine, liveness=live),
        )
        self._serve_api(app)
        smtp, mail_dir = self._start_notifications(engine)
        events = demo_events(cases=demo_cases) + list(simulate_events(simulated_events))
        report = publish_as_agencies(s, events)
        self.say(f"Published {report.sent} demo events from 5 agencies; waiting for the materializer...")
        counts = self._wait_materialized(engine, {str(e.event_id) for e in events})
        return HubSummary(
            s.kafka_bootstrap,
            s.store_url,
            self.api_url,
            report.sent,
            counts["events"],
            counts["cases"],
            demo_tokens,
            credentials,
            smtp,
            mail_dir,
        )

    def _start_notifications(self, engine: Engine) -> tuple[str, str | None]:
        """Demo subscriptions, and a notifier thread sending to CASEHUB_SMTP_HOST or, when none is set, to
        a local SMTP sink filing into <home>/mail (a Maildir)."""
        s = self.settings
        mail_dir = None
        if not s.smtp_host:
            self.mail_sink = MailSink((s.home / "mail").resolve()).start()
            s = s.model_copy(update={"smtp_host": self.mail_sink.host, "smtp_port": self.mail_sink.port})
            mail_dir = str(self.mail_sink.mail_dir)
        s = s.model_copy(update={"notify_backfill_days": DEMO_BACKFILL_DAYS})
        seed_demo_subscriptions(engine, utcnow())
        notifier = Notifier(engine, s)
        self._spawn("notifier", self._notify_until_stopped, notifier, WebhookDispatcher(engine, s))
        return f"{s.smtp_host}:{s.smtp_port}", mail_dir

    def _notify_until_stopped(self, notifier: Notifier, webhooks: WebhookDispatcher) -> None:
        while not self.stop_event.wait(NOTIFY_INTERVAL_S):
            try:
                notifier.sweep(utcnow())
                webhooks.sweep(utcnow())
            except Exception as error:
                self.say(f"notifications: {type(error).__name__}: {str(error)[:200]}")

    @property
    def api_url(self) -> str:
        return f"http://{self.settings.api_host}:{self.settings.api_port}"

    def stop(self) -> None:
        self.stop_event.set()
        if self.server is not None:
            self.server.should_exit = True
        for thread in self.threads:
            thread.join(timeout=15)  # each supervisor closes its consumer (or job) on the way out
        if self.mail_sink is not None:
            self.mail_sink.stop()
        if self.broker.stop():
            self.say("Kafka broker stopped.")

    def run_until_interrupted(self) -> None:
        """Block until Ctrl-C or SIGTERM."""
        stop_on_signals(self.stop_event, self.say)
        while not self.stop_event.wait(1.0):
            pass

    def _supervise(
        self, monitor: ApiMonitor, liveness: Liveness, build: Callable[[Liveness], Worker]
    ) -> None:
        """Run a consumer (or a scheduled job) in a thread that restarts it with back-off; the API's /readyz
        reports it.

        Restart rather than exit: `casehub up` is one process for the whole demo hub, and a crashed
        consumer must not take the API and broker down with it. The console and /readyz say it.
        """
        supervisor = Supervisor(liveness.name, build, liveness, self.say)
        self.supervisors.append(supervisor)
        monitor.add_check(liveness.name.replace(" ", "_"), health.liveness_check(liveness))
        self._spawn(liveness.name, supervisor.run, self.stop_event)

    def _spawn(self, name: str, target: Callable[..., object], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _serve_api(self, app: FastAPI) -> None:
        config = uvicorn.Config(
            app, host=self.settings.api_host, port=self.settings.api_port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self._spawn("api", self.server.run)
        deadline = time.monotonic() + 15
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)

    def _wait_materialized(
        self, engine: Engine, event_ids: set[str], timeout_s: float = 60
    ) -> dict[str, int]:
        deadline = time.monotonic() + timeout_s
        while True:
            with engine.connect() as connection:
                counts = store_counts(connection)
            if counts["events"] >= len(event_ids) or time.monotonic() > deadline:
                return counts
            time.sleep(0.25)
