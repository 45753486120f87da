"""A store that cannot be opened is one line naming it (password hidden), and exit code 1 at the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command

from consumers.store_errors import StoreUnavailable
from deploy.kafka_broker import free_port
from services.bootstrap import open_store, upgrade_store
from services.settings import Settings
from services.store.engine import make_engine
from services.store.schema_version import StoreNotUpgraded, alembic_config, head_revision, schema_revision
from tests.databases import fresh_postgres_database
from tests.e2e.test_cli import run


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("sqlite:////proc/casehub/store.db", "No such file or directory"),
        ("garbage", "file is not a database"),
        ("postgresql+psycopg://hub:s3cret@127.0.0.1:{port}/hub", "Connection refused"),
    ],
    ids=["bad-path", "not-a-database", "server-down"],
)
def test_a_store_that_cannot_be_opened_is_one_line(tmp_path: Path, url: str, reason: str) -> None:
    if url == "garbage":
        store = tmp_path / "store.db"
        store.write_bytes(b"\x00not sqlite\xff" * 64)
        url = f"sqlite:///{store}"
    url = url.format(port=free_port())
    with pytest.raises(StoreUnavailable) as failed:
        open_store(Settings(database_url=url, home=tmp_path))
    message = str(failed.value)
    assert message.startswith("cannot open the store ") and reason in message
    assert "\n" not in message and "s3cret" not in message


def test_the_cli_says_it_in_one_line_and_exits_1(tmp_path: Path) -> None:
    store = tmp_path / "store.db"
    store.write_bytes(b"\x00not sqlite\xff" * 64)
    result = run(["consume", "--until-idle", "1"], {"CASEHUB_DATABASE_URL": f"sqlite:///{store}"}, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: cannot open the store sqlite:///{store}: file is not a database"


def test_db_upgrade_migrates_once_and_then_says_there_is_nothing_to_do(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    env = {"CASEHUB_DATABASE_URL": url, "CASEHUB_HOME": str(tmp_path)}
    first = run(["db", "upgrade"], env, timeout=60)
    assert first.returncode == 0, first.stderr
    assert f"Store {url}: upgraded from empty to {head_revision()} (applied 0001, " in first.stdout
    again = run(["db", "upgrade"], env, timeout=60)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"Store {url}: already at {head_revision()}, nothing to do."


def test_a_command_on_a_store_never_upgraded_says_to_run_db_upgrade_and_changes_nothing(
    tmp_path: Path,
) -> None:
    store = tmp_path / "fresh.db"
    env = {"CASEHUB_DATABASE_URL": f"sqlite:///{store}", "CASEHUB_HOME": str(tmp_path)}
    result = run(["dlq", "list"], env, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: the store sqlite:///{store} has no casehub schema, this casehub needs {head_revision()}: "
        "run `casehub db upgrade`"
    )
    with make_engine(f"sqlite:///{store}").connect() as connection:
        assert schema_revision(connection) is None, "refusing must not migrate behind the operator's back"


def test_a_store_behind_the_code_is_refused_on_both_backends(
    tmp_path: Path, postgres_server_url: str
) -> None:
    with fresh_postgres_database(postgres_server_url) as postgres:
        for url in (f"sqlite:///{tmp_path / 'old.db'}", postgres):
            engine = make_engine(url)
            config = alembic_config()
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "0011")
            engine.dispose()
            with pytest.raises(
                StoreNotUpgraded, match=f"is at migration 0011, this casehub needs {head_revision()}"
            ):
                open_store(Settings(database_url=url, home=tmp_path))
            applied = upgrade_store(Settings(database_url=url, home=tmp_path)).applied
            assert applied[0] == "0012" and applied[-1] == head_revision()  # every migration after 0011
            open_store(Settings(database_url=url, home=tmp_path))[0].dispose()


def test_a_store_a_newer_casehub_wrote_is_refused_saying_so_not_upgraded(tmp_path: Path) -> None:
    """`db upgrade` ended in alembic's traceback ("Can't locate revision"), and every other command advised
    running it — which cannot help with a store ahead of the code (found by hand in session 17)."""
    url = f"sqlite:///{tmp_path / 'ahead.db'}"
    env = {"CASEHUB_DATABASE_URL": url, "CASEHUB_HOME": str(tmp_path)}
    assert run(["db", "upgrade"], env, timeout=60).returncode == 0
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0099_future'")
    engine.dispose()
    for command_line in (["db", "upgrade"], ["dlq", "list"]):
        result = run(command_line, env, timeout=60)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert result.stderr.strip() == (
            f"error: the store {url} is at migration 0099_future, which this casehub (newest "
            f"{head_revision()}) does not know: a newer casehub wrote it — run that version (or restore a "
            "backup), not an upgrade"
        )
