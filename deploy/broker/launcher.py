"""Launch one real Apache Kafka KRaft node (broker + controller) assembled from Maven Central jars.

There is no Docker engine and no Kafka tarball source on our machines, so the broker's
classpath is fetched once with Maven (``deploy/kafka/pom.xml``) into ``deploy/kafka/libs``
and each node runs as a detached ``java ... kafka.Kafka server.properties`` process whose
whole state (config, cluster id, logs, pid file, partition data) lives under ``data_dir``.
Alone it is the single-node broker; ``deploy.broker.cluster`` runs several as one quorum.

Typical use::

    broker = KafkaBroker(Path("/tmp/casehub-kafka"), port=free_port(), controller_port=free_port())
    broker.start()          # fetches jars on first use, formats storage, waits until usable
    ... broker.bootstrap ...
    broker.stop()

Nothing happens at import time.
"""

from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import structlog

from deploy.broker.host import (
    BrokerError,
    file_lock,
    heap_bytes,
    host_port,
    port_accepts,
    port_free,
    tail,
    write_private_text,
)
from deploy.broker.jars import ensure_jars
from deploy.broker.node_process import is_node, jvm_command, read_pid, send_signal, wait_gone
from deploy.broker.properties import NodeAddress, server_properties
from deploy.broker.readiness import client_ok
from deploy.broker.security import BrokerSecurity
from deploy.broker.storage_tool import new_cluster_id, run_storage_tool

__all__ = ["BrokerStatus", "KafkaBroker"]

log = structlog.get_logger()


@dataclass(frozen=True)
class BrokerStatus:
    """Snapshot of a broker's state as seen from its data directory."""

    running: bool
    pid: int | None
    bootstrap: str
    reachable: bool


class StartTimeoutError(BrokerError):
    """The broker process stayed up but did not answer a client call before the deadline."""


@dataclass
class KafkaBroker:
    """One KRaft broker+controller whose whole state lives in ``data_dir``.

    ``start``/``stop`` work across processes: the pid is kept in ``data_dir/broker.pid``,
    so any ``KafkaBroker`` with the same ``data_dir`` can stop or inspect the broker.
    With ``security`` it serves SASL_SSL only (SCRAM, TLS, ACLs); without, PLAINTEXT as a
    loopback development broker. ``voters`` (empty: this node alone) makes it one node of a
    quorum that ``deploy.broker.cluster.KafkaCluster`` starts together.
    """

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 9092
    controller_port: int = 9093
    heap: str = "1g"
    security: BrokerSecurity | None = None
    node_id: int = 1
    voters: tuple[NodeAddress, ...] = ()
    cluster_id: str | None = None
    overrides: dict[str, str] = field(default_factory=dict)
    """server.properties settings that replace the launcher's own (deploy/broker/properties.py)."""
    _proc: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).expanduser().resolve()

    # -- paths

    @property
    def bootstrap(self) -> str:
        """The ``bootstrap_servers`` string for clients, e.g. ``127.0.0.1:9092``."""
        return host_port(self.host, self.port)

    @property
    def config_file(self) -> Path:
        return self.data_dir / "server.properties"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def log_file(self) -> Path:
        """Console output of the broker JVM (same content as ``logs/server.log``, plus crashes)."""
        return self.logs_dir / "broker.out"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "broker.pid"

    @property
    def cluster_id_file(self) -> Path:
        return self.data_dir / "cluster.id"

    @property
    def kraft_dir(self) -> Path:
        return self.data_dir / "kraft"

    # -- public API

    @property
    def address(self) -> NodeAddress:
        return NodeAddress(self.node_id, self.host, self.port, self.controller_port)

    def client_options(self) -> dict[str, object]:
        """kafka-python options the launcher's own checks use (the admin's, on a secured broker)."""
        return {} if self.security is None else self.security.admin_client_options()

    def start(self, timeout: float = 90) -> None:
        """Start the broker and return once a real client call succeeds.

        ``timeout`` bounds each attempt; a start that times out is stopped and retried once
        (a loaded machine can be slow to form the KRaft quorum). No-op when a broker from
        this ``data_dir`` is already running on the same ports.
        """
        heap_bytes(self.heap)  # reject a bad heap size before doing any work
        self._check_ports_differ()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with file_lock(self.data_dir / ".launcher.lock"):
            if self._adopt_running(timeout):
                return
            self.check_ports_free()
            libs = self.prepare()
            try:
                self._launch_and_wait(libs, timeout)
            except StartTimeoutError as first:
                log.warning(
                    "kafka broker not ready in time; restarting once",
                    bootstrap=self.bootstrap,
                    timeout=timeout,
                    error=str(first).splitlines()[0],
                )
                self._stop_locked(timeout=30)
                try:
                    self._launch_and_wait(libs, timeout)
                except StartTimeoutError:
                    self._stop_locked(timeout=30)  # don't leave a half-started broker behind
                    raise

    def check_ports_free(self) -> None:
        for port in (self.port, self.controller_port):
            if not port_free(self.host, port):
                raise BrokerError(
                    f"port {port} on {self.host} is already in use "
                    "(another Kafka broker or process?); stop it or pick other ports"
                )

    def prepare(self) -> Path:
        """Write the config and format storage (once); returns the jars directory to launch with."""
        self._check_ports_differ()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        libs = ensure_jars()
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        self._write_config()
        self._format(libs, self._cluster_id(libs))
        return libs

    def _check_ports_differ(self) -> None:
        if self.port == self.controller_port:
            raise BrokerError(f"broker and controller ports must differ (both are {self.port})")

    def stop(self, timeout: float = 30) -> bool:
        """Stop the broker (SIGTERM, SIGKILL after ``timeout``); True if one was running."""
        if not self.data_dir.exists():
            return False
        with file_lock(self.data_dir / ".launcher.lock"):
            return self._stop_locked(timeout)

    def status(self) -> BrokerStatus:
        """Whether the broker process runs and whether a client call to it succeeds."""
        pid = self._running_pid()
        reachable = pid is not None and self._client_ok(timeout=5.0)
        return BrokerStatus(running=pid is not None, pid=pid, bootstrap=self.bootstrap, reachable=reachable)

    def is_running(self) -> bool:
        """True if the broker process recorded in ``broker.pid`` is alive."""
        return self._running_pid() is not None

    # -- process bookkeeping

    def _read_pid(self) -> int | None:
        return read_pid(self.pid_file)

    def _is_ours(self, pid: int) -> bool:
        return is_node(pid, self.config_file)

    def _running_pid(self) -> int | None:
        pid = self._read_pid()
        if pid is None or not self._is_ours(pid):
            return None
        return pid

    def _reap(self) -> None:
        if self._proc is not None and self._proc.poll() is not None:
            self._proc = None

    def _stop_locked(self, timeout: float) -> bool:
        pid = self._read_pid()
        if pid is None or not self._is_ours(pid):
            self.pid_file.unlink(missing_ok=True)
            self._reap()
            return False
        log.info("stopping kafka broker", pid=pid, bootstrap=self.bootstrap)
        send_signal(pid, signal.SIGTERM)
        if not self._wait_gone(pid, timeout):
            log.warning("kafka broker ignored SIGTERM; killing it", pid=pid, timeout=timeout)
            send_signal(pid, signal.SIGKILL)
            self._wait_gone(pid, 10)
        self.pid_file.unlink(missing_ok=True)
        self._reap()
        return True

    def _wait_gone(self, pid: int, timeout: float) -> bool:
        return wait_gone(pid, self.config_file, self._proc, timeout)

    def _adopt_running(self, timeout: float) -> bool:
        """Handle a broker from this data_dir that is already running; True if it is usable."""
        pid = self._read_pid()
        if pid is None:
            return False
        if not self._is_ours(pid):
            self.pid_file.unlink(missing_ok=True)  # stale pid file from a dead broker
            return False
        running_on = self._configured_listener()
        if running_on != (self.host, self.port):
            where = host_port(*running_on) if running_on else "unknown ports"
            raise BrokerError(
                f"a broker from {self.data_dir} is already running (pid {pid}) on {where}; "
                "stop it before starting it on other ports"
            )
        deadline = time.monotonic() + timeout
        while not self._client_ok(timeout=min(10.0, max(1.0, deadline - time.monotonic()))):
            if not self._is_ours(pid):
                raise BrokerError(
                    f"the running broker (pid {pid}) exited; see {self.log_file}:\n{tail(self.log_file)}"
                )
            if time.monotonic() >= deadline:
                raise BrokerError(
                    f"a broker from {self.data_dir} is running (pid {pid}) but did not answer "
                    f"on {self.bootstrap} within {timeout:g}s; see {self.log_file}"
                )
            time.sleep(0.5)
        log.info("kafka broker already running", pid=pid, bootstrap=self.bootstrap)
        return True

    def _configured_listener(self) -> tuple[str, int] | None:
        try:
            text = self.config_file.read_text(encoding="utf-8")
        except OSError:
            return None
        match = re.search(r"^listeners=(?:PLAINTEXT|CLIENT)://(\[[^\]]+\]|[^:,]+):(\d+)", text, re.MULTILINE)
        if match is None:
            return None
        return match.group(1).strip("[]"), int(match.group(2))

    # -- configuration and storage

    def _write_config(self) -> None:
        voters = self.voters or (self.address,)
        settings = server_properties(self.address, voters, self.kraft_dir, self.security) | self.overrides
        body = "".join(f"{key}={value}\n" for key, value in settings.items())
        write_private_text(self.config_file, "# Written by deploy/broker/launcher.py at each start.\n" + body)

    def _run_tool(self, libs: Path, *args: str) -> str:
        return run_storage_tool(libs, self.data_dir, *args)

    def _cluster_id(self, libs: Path) -> str:
        """The data dir's cluster id, generated once and kept in ``cluster.id`` (a cluster passes its own)."""
        if self.cluster_id is not None:
            self.cluster_id_file.write_text(self.cluster_id + "\n", encoding="utf-8")
            return self.cluster_id
        with contextlib.suppress(OSError):
            existing = self.cluster_id_file.read_text(encoding="utf-8").strip()
            if existing:
                return existing
        cluster_id = self.new_cluster_id(libs)
        self.cluster_id_file.write_text(cluster_id + "\n", encoding="utf-8")
        return cluster_id

    def new_cluster_id(self, libs: Path) -> str:
        """A fresh KRaft cluster id from Kafka's StorageTool."""
        return new_cluster_id(libs, self.data_dir)

    def kill(self) -> bool:
        """SIGKILL the node (a crash: no controlled shutdown); True if it was running."""
        pid = self._running_pid()
        if pid is None:
            return False
        log.warning("killing kafka node", pid=pid, node_id=self.node_id, bootstrap=self.bootstrap)
        send_signal(pid, signal.SIGKILL)
        self._wait_gone(pid, 10)
        self.pid_file.unlink(missing_ok=True)
        self._reap()
        return True

    def _format(self, libs: Path, cluster_id: str) -> None:
        if (self.kraft_dir / "meta.properties").exists():
            return  # formatted before; --ignore-formatted would only cost a JVM start
        scram = () if self.security is None else ("--add-scram", self.security.scram_argument())
        self._run_tool(
            libs, "format", "-t", cluster_id, "-c", str(self.config_file), "--ignore-formatted", *scram
        )
        log.info("formatted kafka storage", kraft_dir=str(self.kraft_dir), cluster_id=cluster_id)

    # -- launching

    def _launch_and_wait(self, libs: Path, timeout: float) -> None:
        started = time.monotonic()
        proc = self.launch(libs)
        self._wait_ready(proc, started + timeout, timeout)
        log.info(
            "kafka broker ready",
            pid=proc.pid,
            bootstrap=self.bootstrap,
            seconds=round(time.monotonic() - started, 1),
        )

    def wait_ready(self, timeout: float) -> None:
        """Wait until a node started with `launch` answers a client call (its quorum must be up)."""
        if self._proc is None:
            raise BrokerError(f"node {self.node_id} was not launched")
        self._wait_ready(self._proc, time.monotonic() + timeout, timeout)

    def launch(self, libs: Path) -> subprocess.Popen[bytes]:
        """Spawn the JVM detached and record its pid; does not wait (a quorum starts its nodes together)."""
        cmd = jvm_command(self.heap, libs, self.logs_dir, self.config_file)
        with self.log_file.open("ab") as out:
            out.write(f"\n===== launcher start {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
            out.flush()
            self._proc = subprocess.Popen(
                cmd,
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid_file.write_text(f"{self._proc.pid}\n", encoding="utf-8")
        log.info("kafka broker launched", pid=self._proc.pid, bootstrap=self.bootstrap)
        return self._proc

    def _wait_ready(self, proc: subprocess.Popen[bytes], deadline: float, timeout: float) -> None:
        while True:
            code = proc.poll()
            if code is not None:
                self.pid_file.unlink(missing_ok=True)
                raise BrokerError(
                    f"Kafka broker exited with code {code} during startup; "
                    f"see {self.log_file}:\n{tail(self.log_file)}"
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StartTimeoutError(
                    f"Kafka broker on {self.bootstrap} was not ready within {timeout:g}s; "
                    f"see {self.log_file}:\n{tail(self.log_file)}"
                )
            if port_accepts(self.host, self.port, timeout=1.0) and self._client_ok(
                timeout=min(10.0, max(1.0, remaining))
            ):
                return
            time.sleep(0.25)

    def _client_ok(self, timeout: float) -> bool:
        """A real Kafka request (list topics) through kafka-python succeeds."""
        return client_ok(self.host, self.port, self.client_options(), timeout)
