"""A rebuild into PostgreSQL: several replay processes, indexes and tallies built at the end — and still
equal to the live store; interrupted or failed, the store it leaves is refused, never passed off as good."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, text
from sqlalchemy.exc import ProgrammingError

from producers.demo_data import demo_events
from services.bootstrap import build_materializer, build_publisher, create_topics, open_store
from services.rebuild import compare_stores, rebuild_store
from services.rebuild_members import MemberJob, RebuildFailed, ReplayProcesses
from services.settings import Settings
from services.store.bulk_load import (
    MARK,
    UnfinishedRebuild,
    begin_bulk_load,
    finish_bulk_load,
    refuse_unfinished_rebuild,
)
from services.store.comparison import TALLIES
from services.store.engine import make_engine, migrate
from tests.databases import fresh_postgres_database
from tests.integration.faults import poison_messages, publish_log_with_retries_and_poison
from tests.integration.helpers import isolated_settings

pytestmark = pytest.mark.integration


def _materialize(settings: Settings) -> Engine:
    engine, store = open_store(settings)
    materializer = build_materializer(settings, store)
    materializer.run(threading.Event(), idle_exit_s=3)
    materializer.source.close()
    materializer.dead_letter_sink.close()
    return engine


def _indexes_and_triggers(engine: Engine) -> tuple[set[str], set[tuple[str, str]]]:
    with engine.connect() as connection:
        indexes = set(
            connection.execute(text("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")).scalars()
        )
        triggers = {
            (name, enabled)
            for name, enabled in connection.execute(
                text("SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal")
            )
        }
    return indexes, triggers


def test_a_parallel_rebuild_into_postgresql_equals_the_live_store_and_carries_on_live(
    kafka_bootstrap: str, database_url: str, postgres_server_url: str, postgres_url: str
) -> None:
    settings = isolated_settings(kafka_bootstrap, database_url)
    events, total_records = publish_log_with_retries_and_poison(settings, cases=80)
    live = _materialize(settings)
    fresh_indexes, fresh_triggers = _indexes_and_triggers(make_engine(postgres_url))

    with fresh_postgres_database(postgres_server_url) as target:
        seen: list[tuple[int, int]] = []
        report = rebuild_store(settings, target, progress=lambda d, t: seen.append((d, t)), processes=2)

        poison = len(poison_messages())
        assert (report.records, report.dead_letters, report.processes) == (total_records, poison, 2)
        assert seen[-1] == (total_records, total_records)
        rebuilt = make_engine(target)
        comparisons = compare_stores(live, rebuilt)
        assert all(c.equal for c in comparisons), [c for c in comparisons if not c.equal]
        tallies = {c.table: c for c in comparisons}[TALLIES]
        assert tallies.rebuilt.rows > 0
        with rebuilt.connect() as connection:
            audiences = set(connection.execute(text("SELECT DISTINCT audience FROM case_tallies")).scalars())
            pending = connection.execute(text("SELECT count(*) FROM case_tallies WHERE NOT compacted"))
            assert pending.scalar_one() == 0
        assert len(audiences) > 1, "the demo data has restricted cases: audience tallies were built"
        assert _indexes_and_triggers(rebuilt) == (fresh_indexes, fresh_triggers)  # all back, all enabled
        offsets = open_store(settings.model_copy(update={"database_url": target}))[1].stored_offsets
        assert offsets(settings.consumer_group) == open_store(settings)[1].stored_offsets(
            settings.consumer_group
        )

        # Both stores carry on with the same new events: the rebuilt one keeps its tallies by trigger again.
        later = demo_events(cases=20, seed=7)
        publisher = build_publisher(settings)
        publisher.publish(later)
        publisher.close()
        _materialize(settings)
        _materialize(settings.model_copy(update={"database_url": target}))
        again = compare_stores(live, rebuilt)
        assert all(c.equal for c in again), [c for c in again if not c.equal]
        assert {c.table: c.live.rows for c in again}["case_events"] == len(events) + len(later)

        with rebuilt.begin() as connection:  # the tally comparison can fail: one fine off by one đồng
            connection.execute(text("UPDATE case_tallies SET fines_vnd = fines_vnd + 1 WHERE cases > 0"))
        unequal = [c.table for c in compare_stores(live, rebuilt) if not c.equal]
        assert unequal == [TALLIES]
        rebuilt.dispose()


def test_an_interrupted_rebuild_leaves_a_store_every_process_refuses(
    kafka_bootstrap: str, postgres_url: str, postgres_server_url: str
) -> None:
    settings = isolated_settings(kafka_bootstrap, postgres_url)
    create_topics(settings)
    publisher = build_publisher(settings)
    publisher.publish(demo_events(cases=40))
    publisher.close()

    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt  # ^C while the replay processes run

    with fresh_postgres_database(postgres_server_url) as target:
        with pytest.raises(KeyboardInterrupt):
            rebuild_store(settings, target, progress=interrupt, processes=2)
        with make_engine(target).connect() as connection:
            assert connection.execute(text(f"SELECT count(*) FROM {MARK}")).scalar_one() == 1
        with pytest.raises(UnfinishedRebuild, match="rebuild that has not finished"):
            open_store(settings.model_copy(update={"database_url": target}))
        with pytest.raises(UnfinishedRebuild, match="drop this database"):
            rebuild_store(settings, target, processes=2)


def test_a_replay_process_that_fails_stops_the_rebuild_with_its_reason(
    kafka_bootstrap: str, postgres_url: str, tmp_path: Path
) -> None:
    settings = isolated_settings(kafka_bootstrap, postgres_url).model_copy(
        update={  # a login from a folder with no credentials in it
            "kafka_security": "sasl_ssl",
            "kafka_credentials_dir": tmp_path,
            "kafka_password": SecretStr(""),
        }
    )
    jobs = [MemberJob(0, settings, postgres_url, None, {("t.cases.qltt", 0): (0, 5)})]
    failed = r"replay process 1 of 1 failed: CredentialsError: no Kafka"
    with pytest.raises(RebuildFailed, match=failed), ReplayProcesses(1) as processes:
        processes.replay(jobs, 5, lambda done, total: None)

    # Processes started ahead of their jobs: one given none (fewer shares than processes) ends by itself.
    with ReplayProcesses(2) as processes:
        idle = processes.members[1][0]
        with pytest.raises(RebuildFailed, match=r"replay process 1 of 1 failed: CredentialsError"):
            processes.replay(jobs, 5, lambda done, total: None)
        assert idle.wait(timeout=60) == 0
    with pytest.raises(ValueError, match="2 jobs for 1 replay processes"), ReplayProcesses(1) as one:
        one.replay([jobs[0], jobs[0]], 10, lambda done, total: None)
    assert one.members[0][0].returncode is not None  # stopped on the way out


def test_an_index_that_cannot_be_built_leaves_the_store_marked(postgres_server_url: str) -> None:
    with fresh_postgres_database(postgres_server_url) as target:
        engine = make_engine(target)
        migrate(engine)
        deferred = begin_bulk_load(engine)
        assert any(" USING gin " in d for d in deferred)
        broken = [*deferred, "CREATE INDEX ix_broken ON cases (no_such_column)"]
        with pytest.raises(ProgrammingError, match="no_such_column"):
            finish_bulk_load(engine, broken)
        with engine.connect() as connection:
            assert connection.execute(text(f"SELECT count(*) FROM {MARK}")).scalar_one() == 1
            with pytest.raises(UnfinishedRebuild):
                refuse_unfinished_rebuild(connection, "the store")
            triggers = text("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'tally_%' AND tgenabled = 'D'")
            assert connection.execute(triggers).scalar_one() > 0  # still off: the last transaction never ran
        engine.dispose()
