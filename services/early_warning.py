"""Wiring of the entity consumer and the alert outbox from settings (kept beside services/bootstrap.py)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from consumers.alerts.config import AlertConfig
from consumers.alerts.outbox import AlertOutbox, SweepResult
from consumers.alerts.sink import KafkaAlertSink
from consumers.entity.follower import EntityFollower, sightings_of
from consumers.entity.linker import EntityLinker, LinkReport
from consumers.liveness import Liveness
from services.bootstrap import agency_source, build_codec
from services.broker_access.client_options import client_options
from services.broker_access.principals import Role
from services.kafka_admin import ensure_topics
from services.settings import AGENCY_CODES, Settings
from services.store.records import StoredEvent
from services.store.sql_store import SqlCaseStore


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
    return AlertOutbox(engine, sink, AlertConfig.of(settings))


def build_entity_follower(
    settings: Settings, engine: Engine, outbox: AlertOutbox | None = None, liveness: Liveness | None = None
) -> EntityFollower:
    """Consumer group settings.entity_group on the agency topics; sweeps `outbox` every alert interval."""
    return EntityFollower(
        source=agency_source(settings, settings.entity_group, SqlCaseStore(engine), Role.ENTITIES),
        engine=engine,
        codec=build_codec(settings, engine),
        group=settings.entity_group,
        linker=EntityLinker(cap=settings.entity_link_cap),
        topic_agency=settings.agency_of_topic,
        sweep=outbox.sweep if outbox is not None else None,
        sweep_interval_s=settings.alert_interval_s,
        liveness=liveness or Liveness("entity consumer", settings.consumer_stall_s),
    )


def follow_replayed(
    settings: Settings, engine: Engine, events: Sequence[StoredEvent], *, publish: bool = True
) -> tuple[LinkReport, SweepResult]:
    """What a live event reaches beyond the store, for events a dead-letter replay resolved.

    The entity consumer group skipped these records when they arrived (undecodable then), and its
    offsets are long past them, so it never sees them again: their sightings are linked here, in one
    transaction, and the alert rules run once (they read the store, so the new links count at once).
    """
    with engine.begin() as connection:
        linked = EntityLinker(cap=settings.entity_link_cap).link(connection, sightings_of(events))
    outbox = build_alert_outbox(settings, engine, publish=publish)
    try:
        swept = outbox.sweep()
    finally:
        if outbox.sink is not None:
            outbox.sink.close()
    return linked, swept
