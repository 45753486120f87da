"""A Kafka Connect standalone worker running Debezium's JDBC sink: the peer the benchmark races.

The worker is what a user would deploy instead of our materializer: ``ConnectStandalone`` with the
JsonConverter (schemas in every record), the JDBC sink upserting by event id in batches. It starts with
no connector; the benchmark creates one through the REST API once the worker answers, so the JVM's
start is not counted, and stops the worker with SIGTERM (Connect's shutdown hook stops tasks cleanly).

The Kafka client security (protocol, SASL, truststore) comes from the same settings every client of the
hub uses; with none set the worker speaks PLAINTEXT, like the local broker. Secrets are written only to
the worker's properties file, readable by its owner alone, and never logged.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from deploy.connect_plugin import LOG4J_CONFIG, ConnectError, ConnectInstall
from deploy.kafka_broker import free_port

_LOG_TAIL_LINES = 20
PREFIXES = ("", "consumer.", "producer.", "admin.")
"""The worker's own clients and those it makes for connectors each take the security settings."""


@dataclass(frozen=True)
class KafkaClientSecurity:
    """How a Kafka client authenticates: PLAINTEXT unless the bench's settings say otherwise."""

    protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    truststore_pem: Path | None = None

    @classmethod
    def from_client_options(cls, options: Mapping[str, object]) -> KafkaClientSecurity:
        """The same login as one of the hub's kafka-python clients (services.broker_access.client_options):
        its security_protocol, sasl_mechanism, sasl_plain_username/password and ssl_cafile."""
        password = options.get("sasl_plain_password")
        cafile = options.get("ssl_cafile")
        return cls(
            protocol=str(options.get("security_protocol") or "PLAINTEXT"),
            sasl_mechanism=str(options["sasl_mechanism"]) if options.get("sasl_mechanism") else None,
            sasl_username=str(options["sasl_plain_username"]) if options.get("sasl_plain_username") else None,
            sasl_password=SecretStr(str(password)) if password is not None else None,
            truststore_pem=Path(str(cafile)) if cafile else None,
        )

    def client_options(self) -> dict[str, object]:
        """The same login for a kafka-python client (the bench's own checks on the worker's progress)."""
        options: dict[str, object] = {"security_protocol": self.protocol}
        if self.sasl_mechanism:
            options["sasl_mechanism"] = self.sasl_mechanism
        if self.sasl_username:
            options["sasl_plain_username"] = self.sasl_username
        if self.sasl_password is not None:
            options["sasl_plain_password"] = self.sasl_password.get_secret_value()
        if self.truststore_pem is not None:
            options["ssl_cafile"] = str(self.truststore_pem)
        return options

    def properties(self) -> dict[str, str]:
        """Client properties, repeated for every client prefix of the worker."""
        own: dict[str, str] = {"security.protocol": self.protocol}
        if self.protocol.startswith("SASL"):
            if not (self.sasl_mechanism and self.sasl_username and self.sasl_password):
                raise ConnectError(f"{self.protocol} needs a SASL mechanism, a user name and a password")
            module = (
                "org.apache.kafka.common.security.plain.PlainLoginModule"
                if self.sasl_mechanism == "PLAIN"
                else "org.apache.kafka.common.security.scram.ScramLoginModule"
            )
            own["sasl.mechanism"] = self.sasl_mechanism
            own["sasl.jaas.config"] = (
                f'{module} required username="{_jaas(self.sasl_username)}" '
                f'password="{_jaas(self.sasl_password.get_secret_value())}";'
            )
        if self.protocol.endswith("SSL") and self.truststore_pem is not None:
            own["ssl.truststore.type"] = "PEM"
            own["ssl.truststore.location"] = str(self.truststore_pem)
        return {f"{prefix}{key}": value for prefix in PREFIXES for key, value in own.items()}


def _jaas(value: str) -> str:
    if any(c in value for c in '"\\\n\r'):
        raise ConnectError("a SASL user name or password holds a quote, backslash or line break")
    return value


@dataclass
class ConnectWorker:
    """One standalone worker whose whole state (config, offsets file, log) lives under ``data_dir``."""

    install: ConnectInstall
    data_dir: Path
    bootstrap: str
    security: KafkaClientSecurity = field(default_factory=KafkaClientSecurity)
    max_poll_records: int = 4000
    heap: str = "1g"
    rest_port: int = field(default_factory=free_port)
    _proc: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rest_port}"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "worker.log"

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise ConnectError("the Connect worker is not running")
        return self._proc.pid

    def start(self, timeout: float = 120) -> None:
        """Launch the JVM and wait until the REST API answers and the JDBC sink plugin is loaded."""
        java = shutil.which("java")
        if java is None:
            raise ConnectError("java is not on PATH; the Kafka Connect worker needs a Java 17+ runtime")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        config = self.data_dir / "worker.properties"
        config.touch(mode=0o600)
        config.chmod(0o600)
        config.write_text(_properties(self._worker_properties()), encoding="utf-8")
        cmd = [
            java, "-Xms256m", f"-Xmx{self.heap}", "-XX:+UseG1GC", "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={LOG4J_CONFIG}",
            "-cp", f"{self.install.libs}/*",
            "org.apache.kafka.connect.cli.ConnectStandalone", str(config),
        ]  # fmt: skip
        with self.log_file.open("ab") as out:
            self._proc = subprocess.Popen(
                cmd, cwd=self.data_dir, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise ConnectError(f"the Connect worker exited with {self._proc.returncode}:\n{self._tail()}")
            plugins = self._get("/connector-plugins")
            if isinstance(plugins, list) and any("JdbcSinkConnector" in p.get("class", "") for p in plugins):
                return
            time.sleep(0.5)
        self.stop()
        raise ConnectError(f"the Connect worker did not answer within {timeout:g}s:\n{self._tail()}")

    def create_connector(self, name: str, config: dict[str, str]) -> None:
        body = json.dumps({"name": name, "config": config}).encode()
        request = urllib.request.Request(
            f"{self.url}/connectors", body, {"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:500]
            raise ConnectError(f"Connect refused connector {name!r} ({exc.code}): {detail}") from exc

    def task_states(self, name: str) -> list[tuple[str, str]]:
        """(state, trace) of each of the connector's tasks; an empty list before they are assigned."""
        status = self._get(f"/connectors/{name}/status")
        if not isinstance(status, dict):
            return []
        return [(t.get("state", ""), t.get("trace", "")) for t in status.get("tasks", [])]

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM (Connect stops its tasks and commits offsets), then SIGKILL after `timeout`."""
        if self._proc is None or self._proc.poll() is not None:
            return
        self._proc.send_signal(signal.SIGTERM)
        try:
            self._proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=10)

    def database_errors(self, last: int = 2) -> list[str]:
        """The database's own error messages as the sink logged them (Hibernate wraps a refused login
        into a dialect failure, so the task's trace alone would not say why)."""
        try:
            lines = self.log_file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return []
        marker = "(org.hibernate.orm.jdbc.error)"
        found = [line.split("] ", 1)[-1].removesuffix(marker).strip() for line in lines if marker in line]
        return found[-last:]

    def _worker_properties(self) -> dict[str, str]:
        return {
            "bootstrap.servers": self.bootstrap,
            "listeners": self.url,
            "plugin.path": str(self.install.plugins),
            # every plugin here has ServiceLoader manifests: no class scan at start
            "plugin.discovery": "service_load",
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "true",
            "offset.storage.file.filename": str(self.data_dir / "connect.offsets"),
            # sink offsets are committed to the consumer group at this interval: completion is seen by them
            "offset.flush.interval.ms": "200",
            "consumer.max.poll.records": str(self.max_poll_records),
            "consumer.auto.offset.reset": "earliest",
            **self.security.properties(),
        }

    def _get(self, path: str) -> Any:
        try:
            with urllib.request.urlopen(f"{self.url}{path}", timeout=5) as response:
                return json.loads(response.read())
        except (OSError, ValueError):
            return None

    def _tail(self) -> str:
        try:
            lines = self.log_file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return "(no output)"
        return "\n".join(lines[-_LOG_TAIL_LINES:]) or "(no output)"


def _properties(values: dict[str, str]) -> str:
    """Java properties text; values are escaped so a backslash or line break cannot add a key."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")

    return "".join(f"{key}={escape(value)}\n" for key, value in values.items())
