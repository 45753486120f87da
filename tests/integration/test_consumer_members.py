"""Scale-out on the real broker and PostgreSQL: materializer processes as members of one consumer group.

Two members share the agency topics' partitions and store every event once; a member SIGKILLed mid-run
leaves its partitions to the survivor (plain group membership, no supervisor), and under
`casehub consume --processes 2` the killed member is said, with its reason, and started again; ^C / SIGTERM
stops every member and the command exits 0. The exactly-once check is the fault suite's: the store's
digest equals the one computed from the events, and every poison message is a dead letter, once.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from deploy.broker import free_port
from services.bootstrap import cluster_offsets
from services.cpu_cores import cores_given
from services.settings import Settings
from tests.e2e.test_cli import CASEHUB, casehub_env
from tests.integration.faults import stored_count
from tests.integration.helpers import isolated_settings
from tests.integration.test_faults import assert_exactly_once, prepare, throttled, wait_until

pytestmark = pytest.mark.integration
EVENTS = 1_000


def member_env(settings: Settings, home: Path) -> dict[str, str]:
    return {
        **os.environ,
        **casehub_env(settings, home),
        "CASEHUB_MAX_POLL_RECORDS": "150",
        "CASEHUB_CONSUMER_SESSION_TIMEOUT_MS": "6000",
        "CASEHUB_METRICS_PORT": "0",
        "CASEHUB_TOPIC_PARTITIONS": str(settings.topic_partitions),
    }


def owners(settings: Settings) -> set[str]:
    """The member ids that own at least one partition of the group, as the coordinator says."""
    cluster = cluster_offsets(settings)
    try:
        members = cluster.members([settings.consumer_group])[settings.consumer_group]
    finally:
        cluster.close()
    return {owner.member_id for owner in members.owners.values()}


def group_readiness(port: int) -> dict[str, str]:
    """The parent's /readyz checks (200 or 503: the lag check may not have a sample yet)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=10) as response:
            body = json.load(response)
    except urllib.error.HTTPError as error:
        body = json.load(error)
    return dict(body["checks"])


class Lines:
    """A child's stderr read as it comes (a full pipe would stall it), kept for the assertions."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        assert process.stderr is not None
        self.thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self.thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stderr is not None
        for line in process.stderr:
            self.lines.append(line.rstrip("\n"))

    def text(self) -> str:
        return "\n".join(self.lines)

    def pids(self, member: str) -> list[int]:
        return [int(m) for m in re.findall(rf"{member} started \(pid (\d+)\)", self.text())]


def test_two_members_share_the_partitions_and_the_survivor_takes_over(
    kafka_bootstrap: str, postgres_url: str, tmp_path: Path
) -> None:
    settings = throttled(isolated_settings(kafka_bootstrap, postgres_url)).model_copy(
        update={"topic_partitions": 4}
    )
    dataset, _, engine, _ = prepare(settings, EVENTS)
    env = {**member_env(settings, tmp_path), "CASEHUB_CONSUMER_PROCESSES": "1"}  # plain members, no parent
    first, second = (
        subprocess.Popen(
            [CASEHUB, "consume"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True
        )
        for _ in range(2)
    )
    try:
        wait_until(lambda: len(owners(settings)) == 2, 90, "both members to own partitions")
        wait_until(lambda: stored_count(engine) > 0, 60, "progress before the kill")
        first.kill()
        first.wait()
        wait_until(lambda: stored_count(engine) >= len(dataset.events), 120, "the survivor to finish")
        wait_until(lambda: len(owners(settings)) == 1, 60, "the survivor to own every partition")
    finally:
        for process in (first, second):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
    assert second.returncode == 0
    assert_exactly_once(dataset, engine, settings)


def test_processes_option_supervises_its_members_and_stops_them_all(
    kafka_bootstrap: str, postgres_url: str, tmp_path: Path
) -> None:
    settings = throttled(isolated_settings(kafka_bootstrap, postgres_url)).model_copy(
        update={"topic_partitions": 4}
    )
    dataset, _, engine, _ = prepare(settings, EVENTS)
    port = free_port()
    parent = subprocess.Popen(
        [CASEHUB, "consume", "--processes", "2"],
        env={**member_env(settings, tmp_path), "CASEHUB_METRICS_PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    output = Lines(parent)
    try:
        wait_until(lambda: len(owners(settings)) == 2, 90, "both member processes to own partitions")
        wait_until(lambda: stored_count(engine) > 0, 60, "progress before the kill")
        readiness = group_readiness(port)
        assert readiness["member_1"] == "ok" and readiness["member_2"] == "ok", readiness
        assert {"broker", "database", "lag"} <= set(readiness)
        killed = output.pids("member 1")[0]
        os.kill(killed, signal.SIGKILL)
        wait_until(lambda: len(output.pids("member 1")) == 2, 60, "member 1 to be started again")
        wait_until(lambda: stored_count(engine) >= len(dataset.events), 120, "every event stored")
        members = [pid for name in ("member 1", "member 2") for pid in output.pids(name)[-1:]]
    finally:
        parent.send_signal(signal.SIGTERM)
        stdout, _ = parent.communicate(timeout=90)
    output.thread.join(timeout=5)
    assert parent.returncode == 0, output.text()
    assert f"member 1 (pid {killed}) killed by SIGKILL" in output.text()
    assert "restarting in" in output.text()
    assert "All 2 member processes stopped." in stdout
    for pid in members:
        assert not Path(f"/proc/{pid}").exists(), f"member pid {pid} outlived the command"
    assert_exactly_once(dataset, engine, settings)


def test_by_default_one_member_per_core_given_and_members_outlive_no_killed_parent(
    kafka_bootstrap: str, postgres_url: str, tmp_path: Path
) -> None:
    """`casehub consume` on PostgreSQL with no setting runs one member per core it is given. Its parent
    killed outright (SIGKILL: no chance to stop them), the members notice and stop by themselves (each
    finishing its batch), instead of consuming on unsupervised; what they stored is exactly once."""
    expected = min(64, cores_given())
    settings = throttled(isolated_settings(kafka_bootstrap, postgres_url)).model_copy(
        update={"topic_partitions": 4}
    )
    dataset, _, engine, _ = prepare(settings, EVENTS)
    env = {k: v for k, v in member_env(settings, tmp_path).items() if k != "CASEHUB_CONSUMER_PROCESSES"}
    parent = subprocess.Popen(
        [CASEHUB, "consume"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    output = Lines(parent)
    if expected == 1:  # a one-core machine: no members, the plain consumer (nothing more to check here)
        wait_until(lambda: stored_count(engine) > 0, 90, "progress")
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(timeout=60) == 0
        return
    try:
        wait_until(lambda: len(owners(settings)) == expected, 90, f"{expected} members to own partitions")
        members = [output.pids(f"member {i}")[0] for i in range(1, expected + 1)]
        assert f"{expected} member processes in group" in output.text()
        parent.kill()
        parent.wait(timeout=30)
        wait_until(
            lambda: not any(Path(f"/proc/{pid}").exists() for pid in members), 60, "the orphans to stop"
        )
    finally:
        if parent.poll() is None:
            parent.kill()
        parent.communicate(timeout=30)
    remaining = subprocess.run(
        [CASEHUB, "consume", "--until-idle", "4"], env=env, capture_output=True, text=True, timeout=300
    )
    assert remaining.returncode == 0, remaining.stderr
    assert_exactly_once(dataset, engine, settings)


def test_processes_option_fails_in_one_line_when_the_broker_is_not_there(
    kafka_bootstrap: str, postgres_url: str, tmp_path: Path
) -> None:
    settings = isolated_settings(kafka_bootstrap, postgres_url).model_copy(
        update={"kafka_bootstrap": "127.0.0.1:1"}
    )
    result = subprocess.run(
        [CASEHUB, "consume", "--processes", "3"],
        env={**member_env(settings, tmp_path), "CASEHUB_CONNECT_TIMEOUT_S": "2"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "127.0.0.1:1" in result.stderr and "Traceback" not in result.stderr
    assert "started (pid" not in result.stderr, "no member is started against a missing broker"
