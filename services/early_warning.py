"""Wiring of the entity consumer, the alert outbox and the alert job from settings (kept beside
services/bootstrap.py). The entity consumer links; the alert job sweeps the rules every alert interval —
two workers, each with its own liveness and /readyz entry."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from consumers.alerts.config import AlertConfig
from consumers.alerts.outbox import AlertOutbox, SweepResult
from consumers.alerts.sink import KafkaAlertSink
from consumers.entity.follower import EntityFollower, sightings_of
from consumers.entity.linker import EntityLinker, LinkReport
from consumers.liveness import Liveness
from consumers.records import StoredEvent
from consumers.scheduled_job import ScheduledJob
from services.bootstrap import agency_source, build_codec
from services.broker_access.client_options import client_options
from services.broker_access.principals import Role
from services.kafka_admin import ensure_topics
from services.settings import AGENCY_CODES, Settings
from services.store.alert_store import SqlAlertStore
from services.store.sql_entity_store import SqlEntityStore
from services.store.sql_store import SqlCaseStore, store_error

ALERT_JOB = "alert sweep"


def build_alert_outbox(settings: Settings, engine: Engine, *, publish: bool = True) -> AlertOutbox:
    """The outbox; with `publish`, alerts go to each addressed agency's topic (created when missing)."""
    sink = None
    if publish:
        ensure_topics(
            settings.kafka_bootstrap,
            [settings.alerts_topic_of(agency) for agency in AGENCY_CODES],
            settings.topic_partitions,
            settings.connect_timeout_s,
            client_options(settings, Role.ADMIN),
        )
        sink = KafkaAlertSink(
            bootstrap=settings.kafka_bootstrap,
            topic_of=settings.alerts_topic_of,
            every_agency=AGENCY_CODES,
            connect_timeout_s=settings.connect_timeout_s,
            security=client_options(settings, Role.ALERTS),
        )
    return AlertOutbox(SqlAlertStore(engine), sink, alert_config(settings))


def alert_config(settings: Settings) -> AlertConfig:
    """The alert rules' thresholds, from settings."""
    return AlertConfig(
        repeat_cases=settings.alert_repeat_cases,
        repeat_window_days=settings.alert_repeat_window_days,
        spike_baseline_weeks=settings.alert_spike_baseline_weeks,
        spike_mads=settings.alert_spike_mads,
        spike_min_cases=settings.alert_spike_min_cases,
        referral_days=settings.alert_referral_days,
    )


def build_entity_follower(
    settings: Settings, engine: Engine, liveness: Liveness | None = None
) -> EntityFollower:
    """Consumer group settings.entity_group on the agency topics, linking through the entity store."""
    return EntityFollower(
        source=agency_source(settings, settings.entity_group, SqlCaseStore(engine), Role.ENTITIES),
        store=SqlEntityStore(engine),
        codec=build_codec(settings, engine),
        group=settings.entity_group,
        linker=EntityLinker(cap=settings.entity_link_cap),
        topic_agency=settings.agency_of_topic,
        liveness=liveness or Liveness("entity consumer", settings.consumer_stall_s),
    )


def build_alert_job(
    settings: Settings,
    engine: Engine,
    liveness: Liveness | None = None,
    *,
    publish: bool = True,
    final_run: bool = False,
) -> ScheduledJob:
    """The alert rules every settings.alert_interval_s, with an outbox of its own (a restart builds a new
    one); closing the job closes the outbox's producer."""
    outbox = build_alert_outbox(settings, engine, publish=publish)
    return ScheduledJob(
        ALERT_JOB,
        lambda: sweep_alerts(outbox, engine),
        settings.alert_interval_s,
        liveness or Liveness(ALERT_JOB, alert_job_stall_s(settings)),
        final_run=final_run,
        close=outbox.sink.close if outbox.sink is not None else lambda: None,
    )


def alert_job_stall_s(settings: Settings) -> float:
    """How long the alert job may fail before /readyz says so: a few intervals, at least the consumers'."""
    return max(settings.consumer_stall_s, 3 * settings.alert_interval_s)


def sweep_alerts(outbox: AlertOutbox, engine: Engine) -> SweepResult:
    """One sweep, its database errors classified like the consumers' (services/store/failures.py): an
    outage becomes StoreUnavailable, which the job waits out; anything else stops the job, said so."""
    try:
        return outbox.sweep()
    except Exception as exc:
        classified = store_error(exc, engine)
        if classified is exc:
            raise
        raise classified from exc


def follow_replayed(
    settings: Settings, engine: Engine, events: Sequence[StoredEvent], *, publish: bool = True
) -> tuple[LinkReport, SweepResult]:
    """What a live event reaches beyond the store, for events a dead-letter replay resolved.

    The entity consumer group skipped these records when they arrived (undecodable then), and its
    offsets are long past them, so it never sees them again: their sightings are linked here, in one
    transaction, and the alert rules run once (they read the store, so the new links count at once).
    """
    with SqlEntityStore(engine).transaction() as tx:
        linked = EntityLinker(cap=settings.entity_link_cap).link(tx, sightings_of(events))
    outbox = build_alert_outbox(settings, engine, publish=publish)
    try:
        swept = outbox.sweep()
    finally:
        if outbox.sink is not None:
            outbox.sink.close()
    return linked, swept
