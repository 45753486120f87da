"""The one place that wires settings → clients → handlers for each kind of process."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from consumers.store_errors import StoreUnavailable
from services.broker_access.client_options import client_options
from services.broker_access.principals import Role
from services.settings import AGENCY_CODES, Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.exc import SQLAlchemyError

    from consumers.kafka_io import KafkaRecordSource
    from consumers.liveness import Liveness
    from consumers.log_replay import LogReplaySource
    from consumers.materializer import Materializer
    from consumers.observer import BatchObserver
    from producers.publisher import Publisher
    from schemas.codec import CaseEventCodec
    from services.ops.kafka_offsets import KafkaClusterOffsets
    from services.store.engine import SchemaUpgrade
    from services.store.sql_store import SqlCaseStore

# Each factory imports what it wires when it is called, not when this module is: every CLI command imports
# this module, and importing the materializer, the store, the registry, Alembic and the Kafka clients all
# at once was ~1 s of each command's start (`casehub --help`, a member process) whatever it then used.


def open_store(settings: Settings) -> tuple[Engine, SqlCaseStore]:
    """The store engine, refused unless its schema is at this code's newest migration, with the bundled
    schemas registered (idempotent). Migrating is `upgrade_store` (`casehub db upgrade`), never a start.

    A store that cannot be opened (bad path, read-only, disk full, server down, wrong password) is one
    StoreUnavailable line naming the store (password hidden) and the database's reason; a store behind
    the code is one StoreNotUpgraded line saying to run `casehub db upgrade`; a rebuild that did not
    finish (services/store/bulk_load.py) is one UnfinishedRebuild line.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from services.store.bulk_load import UnfinishedRebuild, refuse_unfinished_rebuild
    from services.store.schema_version import StoreNotUpgraded, require_current_schema
    from services.store.sql_store import SqlCaseStore

    engine = _engine(settings)
    try:
        with engine.connect() as connection:
            require_current_schema(connection, _shown(settings))
            refuse_unfinished_rebuild(connection, _shown(settings))
        _seed(settings, engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise store_unavailable(engine, exc) from None
    except (StoreNotUpgraded, UnfinishedRebuild):
        engine.dispose()
        raise
    return engine, SqlCaseStore(engine)


def consumer_store(settings: Settings) -> SqlCaseStore:
    """The materializer's store, on an engine of its own that does not ping a connection before each
    batch (`make_engine`'s `pre_ping`): a broken connection fails the batch as an outage, which the loop
    waits out and retries on a new connection. Open it after `open_store` checked the schema; the health
    probes keep the pinging engine, so a probe after a database restart does not report one failure."""
    from services.store.sql_store import SqlCaseStore

    return SqlCaseStore(_engine(settings, pre_ping=False))


def upgrade_store(settings: Settings) -> SchemaUpgrade:
    """`casehub db upgrade`: migrate the store's schema to head and register the bundled schemas; run
    again, it changes nothing and says so."""
    from sqlalchemy.exc import SQLAlchemyError

    from services.store.engine import migrate

    engine = _engine(settings)
    try:
        upgrade = migrate(engine)
        _seed(settings, engine)
    except SQLAlchemyError as exc:
        raise store_unavailable(engine, exc) from None
    finally:
        engine.dispose()
    return upgrade


def _engine(settings: Settings, *, pre_ping: bool = True) -> Engine:
    from services.store.engine import make_engine

    try:
        return make_engine(settings.store_url, pre_ping=pre_ping)
    except OSError as exc:  # the SQLite file's folder cannot be created
        raise StoreUnavailable(f"cannot open the store {_shown(settings)}: {exc}") from None


def _shown(settings: Settings) -> str:
    from sqlalchemy import make_url

    return make_url(settings.store_url).render_as_string(hide_password=True)


def _seed(settings: Settings, engine: Engine) -> None:
    from schemas.alerts import ALERT_RECORD
    from schemas.catalog import bundled_catalog
    from services.registry.seed import agency_subjects, alert_subjects, seed_bundled_schemas

    seed_bundled_schemas(engine, bundled_catalog(), agency_subjects(settings))
    seed_bundled_schemas(engine, bundled_catalog(), alert_subjects(settings), ALERT_RECORD)


def store_unavailable(engine: Engine, exc: SQLAlchemyError) -> StoreUnavailable:
    """A store that cannot be opened, said in one line: its URL (password hidden) and the driver's reason."""
    return StoreUnavailable(f"cannot open the store {engine.url.render_as_string()}: {driver_reason(exc)}")


def driver_reason(exc: SQLAlchemyError) -> str:
    """The first line of what the database driver said (SQLAlchemy's own wrapper and advice left out)."""
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def create_topics(settings: Settings, agencies: tuple[str, ...] = AGENCY_CODES) -> list[str]:
    """The agency, dead-letter and per-agency alert topics (created by the hub admin)."""
    from consumers.kafka_dead_letters import DEAD_LETTER_MAX_BYTES
    from services.kafka_admin import ensure_topics

    names = [settings.agency_topic(a) for a in agencies] + [settings.dead_letter_topic]
    names += [settings.alerts_topic_of(a) for a in agencies]
    dead_letters = {settings.dead_letter_topic: {"max.message.bytes": str(DEAD_LETTER_MAX_BYTES)}}
    return ensure_topics(
        settings.kafka_bootstrap,
        names,
        settings.topic_partitions,
        settings.connect_timeout_s,
        client_options(settings, Role.ADMIN),
        dead_letters,
    )


def agency_source(
    settings: Settings, group: str, store: SqlCaseStore, role: str = Role.MATERIALIZER
) -> KafkaRecordSource:
    """A consumer group on every agency topic that resumes from the offsets the store holds for it."""
    from consumers.kafka_io import KafkaRecordSource

    return KafkaRecordSource(
        security=client_options(settings, role),
        bootstrap=settings.kafka_bootstrap,
        group=group,
        topic_pattern=settings.agency_topic_pattern,
        stored_offsets=lambda: store.stored_offsets(group),
        max_poll_records=settings.max_poll_records,
        session_timeout_ms=settings.consumer_session_timeout_ms,
        connect_timeout_s=settings.connect_timeout_s,
    )


def build_materializer(
    settings: Settings,
    store: SqlCaseStore,
    observer: BatchObserver | None = None,
    liveness: Liveness | None = None,
) -> Materializer:
    from consumers.batch_budget import BatchBudget
    from consumers.kafka_dead_letters import KafkaDeadLetterSink
    from consumers.liveness import Liveness
    from consumers.materializer import Materializer

    group = settings.consumer_group
    source = agency_source(settings, group, store)
    sink = KafkaDeadLetterSink(
        security=client_options(settings, Role.DEAD_LETTERS),
        bootstrap=settings.kafka_bootstrap,
        topic=settings.dead_letter_topic,
        connect_timeout_s=settings.connect_timeout_s,
    )
    return Materializer(
        source=source,
        store=store,
        dead_letter_sink=sink,
        codec=build_codec(settings, store.engine),
        group=group,
        topic_agency=settings.agency_of_topic,
        observer=observer,
        liveness=liveness or Liveness("materializer", settings.consumer_stall_s),
        budget=BatchBudget(settings.batch_budget_ms / 1000) if settings.batch_budget_ms else None,
    )


def build_replay(
    settings: Settings,
    engine: Engine,
    registry: Engine | None,
    observer_of: Callable[[LogReplaySource], BatchObserver],
    snapshot: Mapping[tuple[str, int], tuple[int, int]] | None = None,
) -> Materializer:
    """`casehub rebuild`: a materializer reading the whole log once (no group, no commits) into the
    store at `engine`, keeping dead letters there only; unknown schema ids come from `registry`.
    `snapshot`: only these partitions, up to these ends (one of several replay processes)."""
    from consumers.log_replay import KeepDeadLettersInStore
    from consumers.materializer import Materializer
    from services.store.sql_store import SqlCaseStore

    source = replay_source(settings, snapshot)
    return Materializer(
        source=source,
        store=SqlCaseStore(engine),
        dead_letter_sink=KeepDeadLettersInStore(),
        codec=build_codec(settings, registry),
        group=settings.consumer_group,
        topic_agency=settings.agency_of_topic,
        observer=observer_of(source),
    )


def replay_source(
    settings: Settings, snapshot: Mapping[tuple[str, int], tuple[int, int]] | None = None
) -> LogReplaySource:
    """A reader of the agency topics from their beginning (all of them, or the `snapshot`'s partitions)."""
    from consumers.log_replay import LogReplaySource

    return LogReplaySource(
        security=client_options(settings, Role.MATERIALIZER),
        bootstrap=settings.kafka_bootstrap,
        topic_pattern=settings.agency_topic_pattern,
        connect_timeout_s=settings.connect_timeout_s,
        snapshot=snapshot,
    )


def cluster_offsets(settings: Settings) -> KafkaClusterOffsets:
    """The lag tools' reader of group offsets and log ends, as the ops user (connects on first use)."""
    from services.ops.kafka_offsets import KafkaClusterOffsets

    return KafkaClusterOffsets(
        settings.kafka_bootstrap, settings.connect_timeout_s, client_options(settings, Role.OPS)
    )


def build_codec(settings: Settings, engine: Engine | None = None) -> CaseEventCodec:
    """Bundled schemas, and any other id from: the registry at CASEHUB_SCHEMA_REGISTRY_URL when set,
    else the hub's own registry tables in the store (`engine`), so what was registered with the hub
    decodes without extra configuration."""
    from schemas.codec import CaseEventCodec
    from schemas.registry_client import RegistryCatalog
    from services.registry.catalog import StoreRegistryCatalog

    if settings.schema_registry_url:
        return CaseEventCodec(
            RegistryCatalog(settings.schema_registry_url, token=settings.schema_registry_token)
        )
    if engine is not None:
        return CaseEventCodec(StoreRegistryCatalog(engine))
    return CaseEventCodec()


def build_publisher(settings: Settings, agency: str | None = None) -> Publisher:
    """A publisher logged in as CASEHUB_KAFKA_USERNAME, else as `agency` (its own topic only), else
    as the hub admin (local tools that publish for every agency: the demo simulator, the outbox relay).

    Started here, as `consume` starts its source: every caller builds it where it needs the broker, and
    a broker that is down is BrokerUnavailable in one line now (a 503, a CLI error, a relay retry), not
    in the middle of a publish."""
    from producers.publisher import Publisher

    publisher = Publisher(
        security=client_options(settings, agency or Role.ADMIN),
        bootstrap=settings.kafka_bootstrap,
        topic_of=settings.agency_topic,
        connect_timeout_s=settings.connect_timeout_s,
    )
    publisher.start()
    return publisher
