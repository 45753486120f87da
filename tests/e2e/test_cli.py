"""The casehub CLI as a user types it, in subprocesses, against the session's real broker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deploy.kafka_broker import free_port
from tests.integration.helpers import isolated_settings

pytestmark = pytest.mark.integration
CASEHUB = str(Path(sys.executable).with_name("casehub"))


def run(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CASEHUB, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=timeout
    )


def casehub_env(settings: object, home: Path) -> dict[str, str]:
    fields = ["kafka_bootstrap", "database_url", "topic_prefix", "dead_letter_topic", "consumer_group"]
    env = {f"CASEHUB_{name.upper()}": str(getattr(settings, name)) for name in fields}
    return {**env, "CASEHUB_HOME": str(home)}


def test_help_lists_the_commands() -> None:
    result = run(["--help"], {})
    assert result.returncode == 0
    for command in ("up", "broker", "topics", "publish", "consume", "api"):
        assert command in result.stdout


def test_topics_publish_and_consume_through_the_cli(
    kafka_bootstrap: str, sqlite_url: str, tmp_path: Path
) -> None:
    env = casehub_env(isolated_settings(kafka_bootstrap, sqlite_url), tmp_path)
    created = run(["topics", "create"], env)
    assert created.returncode == 0, created.stderr
    assert "Created:" in created.stdout
    published = run(["publish", "--demo"], env)
    assert published.returncode == 0, published.stderr
    assert "Published 251 events; 0 failed." in published.stdout
    consumed = run(["consume", "--until-idle", "3"], env)
    assert consumed.returncode == 0, consumed.stderr
    assert "Materialized 251 events" in consumed.stdout
    assert "0 dead letters" in consumed.stdout


@pytest.mark.parametrize("command", [["publish", "--demo"], ["topics", "create"], ["consume"]])
def test_an_unreachable_broker_fails_fast_with_one_line(
    command: list[str], tmp_path: Path, kafka_bootstrap: str, sqlite_url: str
) -> None:
    """kafka_bootstrap: the session's CASEHUB_KAFKA_* credentials get the CLI past its credential check to
    the connection attempt (without them it stops earlier, at "no Kafka credentials")."""
    assert kafka_bootstrap  # the session broker itself is not the one asked
    address = f"127.0.0.1:{free_port()}"
    env = {
        "CASEHUB_DATABASE_URL": sqlite_url,  # upgraded: the broker is what fails here
        "CASEHUB_KAFKA_BOOTSTRAP": address,
        "CASEHUB_CONNECT_TIMEOUT_S": "3",
        "CASEHUB_HOME": str(tmp_path),
    }
    started = time.monotonic()
    assert run(["--help"], env).returncode == 0
    start_up = time.monotonic() - started  # the CLI's own start (imports), slow on a loaded machine
    started = time.monotonic()
    result = run(command, env, timeout=60)
    elapsed = time.monotonic() - started
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert address in lines[0] and "Traceback" not in result.stderr
    # 3 s to connect, not kafka-python's 60 s defaults: bounded beyond the start-up, whatever the load
    assert elapsed - start_up < 20, f"took {elapsed:.0f}s after a {start_up:.0f}s start-up"


def test_publishing_a_bad_events_file_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "events.jsonl"
    bad.write_text('{"event_type": "CaseOpened"}\n', encoding="utf-8")
    result = run(["publish", str(bad)], {"CASEHUB_HOME": str(tmp_path)})
    assert result.returncode == 1
    assert f"{bad}:1:" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_consume_stops_cleanly_on_a_signal_and_prints_its_summary(
    kafka_bootstrap: str, sqlite_url: str, tmp_path: Path, signum: int
) -> None:
    env = casehub_env(isolated_settings(kafka_bootstrap, sqlite_url), tmp_path)
    assert run(["topics", "create"], env).returncode == 0
    consumer = subprocess.Popen(
        [CASEHUB, "consume"],
        env={**os.environ, **env, "CASEHUB_METRICS_PORT": "0"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert consumer.stderr is not None
    seen = [consumer.stderr.readline() for _ in range(1)]
    while "Metrics and probes on" not in seen[-1] and seen[-1] and len(seen) < 50:  # INFO logs come first
        seen.append(consumer.stderr.readline())
    assert "Metrics and probes on" in seen[-1], seen
    consumer.send_signal(signum)
    out, errors = consumer.communicate(timeout=60)
    assert consumer.returncode == 0, errors
    assert "Materialized 0 events" in out
    assert "Traceback" not in errors


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("CASEHUB_API_PORT", "abc", "bad setting CASEHUB_API_PORT"),
        ("CASEHUB_ALERTS_TOPIC_PREFIX", "casehub.cases.", "would be read as an agency case topic"),
        # these two ended in a traceback: SQLAlchemy's NoSuchModuleError, pydantic-settings' SettingsError
        (
            "CASEHUB_DATABASE_URL",
            "nonsense://x",
            "bad setting CASEHUB_DATABASE_URL: Value error, casehub stores",
        ),
        ("CASEHUB_DATABASE_URL", "postgresql+psycopg2://u:pw@h/x", "not 'postgresql+psycopg2'"),
        (
            "CASEHUB_WEBHOOK_ALLOWED_NETWORKS",
            "10.0.0.0/8",
            "bad setting CASEHUB_WEBHOOK_ALLOWED_NETWORKS: not JSON",
        ),
    ],
)
def test_a_bad_setting_is_one_clear_line(variable: str, value: str, reason: str, tmp_path: Path) -> None:
    result = run(["topics", "create"], {variable: value, "CASEHUB_HOME": str(tmp_path)})
    assert result.returncode == 1
    assert reason in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        (["p" * 65], "a principal id is 1-64 characters"),
        (["qltt/../admin"], "a principal id is 1-64 characters"),
        (["qltt-a", "--name", "\x1b[31mred"], "--name: text contains the control character U+001B"),
        (["qltt-a", "--label", "l" * 600], "--label: text is 600 characters long"),
    ],
)
def test_a_principal_is_refused_an_id_or_name_that_would_spoil_logs_and_pages(
    arguments: list[str], reason: str, tmp_path: Path
) -> None:
    """`tokens create` stored any id and name: 100,000 characters (`tokens list` then took over a minute),
    escape sequences that recolour the terminal of whoever lists principals or reads the audit log."""
    result = run(
        ["tokens", "create", *arguments, "--role", "analyst", "--agency", "qltt"],
        {"CASEHUB_HOME": str(tmp_path)},
    )
    assert result.returncode == 2 and reason in " ".join(result.stderr.replace("│", " ").split()), (
        result.stderr
    )


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        # each ended in SQLAlchemy's traceback (found by hand, session 17)
        (
            ["rebuild", "--into", "bogus://u:sekret@h/d"],
            "--into bogus://u:***@h/d: casehub stores in PostgreSQL",
        ),
        (["rebuild", "--into", "not a url"], "--into (the URL given): not a database URL"),
        (
            ["rebuild", "--into", "postgresql+psycopg://u:sekret@127.0.0.1:1/db"],
            "cannot open the store postgresql+psycopg://u:***@127.0.0.1:1/db: connection failed",
        ),
        (
            ["outbox", "status", "--database", "bogus://u:sekret@h/d"],
            "--database bogus://u:***@h/d: not a database",
        ),
        (["outbox", "status", "--database", "not a url"], "--database (the URL given): not a database URL"),
        (
            ["outbox", "status", "--database", "postgresql+psycopg://u:sekret@127.0.0.1:1/db"],
            "cannot open the agency database postgresql+psycopg://u:***@127.0.0.1:1/db: connection failed",
        ),
    ],
)
def test_a_database_url_given_on_the_command_line_fails_in_one_line_without_its_password(
    arguments: list[str], reason: str, tmp_path: Path
) -> None:
    result = run(arguments, {"CASEHUB_HOME": str(tmp_path)})
    assert result.returncode == 1, result.stderr
    assert reason in result.stderr
    assert "Traceback" not in result.stderr and "sekret" not in result.stderr + result.stdout
    assert len([line for line in result.stderr.splitlines() if line.startswith("error:")]) == 1
