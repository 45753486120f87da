"""`casehub up` (what `make demo` runs): everything starts, the API answers, Ctrl-C stops the broker."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError

from deploy.kafka_broker import KafkaBroker, free_port
from tests.e2e.test_cli import CASEHUB

pytestmark = pytest.mark.integration


def up_env(home: Path | None, broker_port: int, api_port: int) -> dict[str, str]:
    """A clean clone's environment: no CASEHUB_KAFKA_* of the test session (CA, credentials); no
    CASEHUB_HOME when `home` is None (the default `.casehub` of the working directory, as `make demo`)."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CASEHUB_KAFKA_") and key != "CASEHUB_HOME"
    }
    return {
        **inherited,
        **({"CASEHUB_HOME": str(home)} if home is not None else {}),
        "CASEHUB_KAFKA_BOOTSTRAP": f"127.0.0.1:{broker_port}",
        "CASEHUB_KAFKA_CONTROLLER_PORT": str(free_port()),
        "CASEHUB_API_PORT": str(api_port),
        "CASEHUB_DATABASE_URL": "",
    }


def wait_for_line(process: subprocess.Popen[str], needle: str, timeout_s: float) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout_s
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        lines.append(line)
        if needle in line:
            return lines
    raise AssertionError(f"no {needle!r} within {timeout_s}s; output: {''.join(lines)}")


def assert_anonymous_refused(bootstrap: str) -> None:
    """What an outsider on the network tries first: a client without a login."""
    with pytest.raises(KafkaError):
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap, request_timeout_ms=4000, bootstrap_timeout_ms=4000
        )
        admin.close()


def test_up_runs_the_hub_with_demo_data_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    """As `make demo` runs it: the default home, `.casehub` relative to the working directory (the broker's
    JVM runs in its own data directory, so a relative TLS path once named nothing and `make demo` failed)."""
    broker_port, api_port = free_port(), free_port()
    home = tmp_path / ".casehub"
    process = subprocess.Popen(
        [CASEHUB, "up", "--cases", "12"],
        env=up_env(None, broker_port, api_port),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output = "".join(wait_for_line(process, "Press Ctrl-C", timeout_s=180))
        assert f"127.0.0.1:{broker_port} (SASL_SSL + ACLs)" in output
        for user in ("qltt", "customs", "tax", "police", "ipvn", "materializer"):
            credential = home / "credentials" / f"{user}.properties"
            assert f"{user:<13}: {credential}" in output
            assert credential.stat().st_mode & 0o777 == 0o600
        assert_anonymous_refused(f"127.0.0.1:{broker_port}")
        assert "Materialized :" in output
        assert "Token (DEMO) : demo-police-analyst" in output
        request = urllib.request.Request(
            f"http://127.0.0.1:{api_port}/api/cases?limit=100",
            headers={"Authorization": "Bearer demo-police-analyst"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            listing = json.load(response)
        assert listing["count"] == 12  # the police sees every demo case: the others share theirs
        assert KafkaBroker(data_dir=home / "kafka", port=broker_port).is_running()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
        KafkaBroker(data_dir=home / "kafka", port=broker_port).stop()
    assert not KafkaBroker(data_dir=home / "kafka", port=broker_port).is_running()


def test_up_refuses_a_broker_port_in_use_with_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        result = subprocess.run(
            [CASEHUB, "up"],
            env=up_env(tmp_path, port, free_port()),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "Traceback" not in result.stderr
