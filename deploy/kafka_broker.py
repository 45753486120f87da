"""Launch a real single-node Apache Kafka broker (KRaft) assembled from Maven Central jars.

There is no Docker engine and no Kafka tarball source on our machines, so the broker's
classpath is fetched once with Maven (``deploy/kafka/pom.xml``) into ``deploy/kafka/libs``
and the broker runs as a detached ``java ... kafka.Kafka server.properties`` process whose
whole state (config, cluster id, logs, pid file, partition data) lives under ``data_dir``.

Typical use::

    broker = KafkaBroker(Path("/tmp/casehub-kafka"), port=free_port(), controller_port=free_port())
    broker.start()          # fetches jars on first use, formats storage, waits until usable
    ... broker.bootstrap ...
    broker.stop()

Nothing happens at import time.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import structlog

__all__ = [
    "DEFAULT_LIBS_DIR",
    "BrokerError",
    "BrokerStatus",
    "KafkaBroker",
    "ensure_jars",
    "free_port",
]

log = structlog.get_logger()

KAFKA_DIR = Path(__file__).resolve().parent / "kafka"
POM_FILE = KAFKA_DIR / "pom.xml"
LOG4J_CONFIG = KAFKA_DIR / "log4j2.properties"
DEFAULT_LIBS_DIR = KAFKA_DIR / "libs"
MARKER_NAME = ".pom.sha256"

_MVN_TIMEOUT_S = 1800.0
_TOOL_TIMEOUT_S = 180.0
_LOG_TAIL_LINES = 20


class BrokerError(Exception):
    """A user-facing failure of the broker launcher (message is meant to be shown as is)."""


@dataclass(frozen=True)
class BrokerStatus:
    """Snapshot of a broker's state as seen from its data directory."""

    running: bool
    pid: int | None
    bootstrap: str
    reachable: bool


# --------------------------------------------------------------------------- helpers


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _port_free(host: str, port: int) -> bool:
    """True if a listener could bind host:port now (TIME_WAIT leftovers don't count)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise BrokerError(f"cannot resolve broker host {host!r}: {exc}") from exc
    family, socktype, proto, _, addr = infos[0]
    with socket.socket(family, socktype, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(addr)
        except OSError:
            return False
    return True


def _port_accepts(host: str, port: int, timeout: float) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no output)"
    kept = text.rstrip("\n").splitlines()[-lines:]
    return "\n".join(kept) if kept else "(no output)"


def _text_tail(text: str, lines: int = _LOG_TAIL_LINES) -> str:
    kept = text.rstrip("\n").splitlines()[-lines:]
    return "\n".join(kept) if kept else "(no output)"


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Exclusive advisory lock (serialises launchers in parallel test workers)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _pom_digest() -> str:
    return hashlib.sha256(POM_FILE.read_bytes()).hexdigest()


def _jars_current(libs: Path, digest: str) -> bool:
    marker = libs / MARKER_NAME
    try:
        recorded = marker.read_text(encoding="utf-8").strip()
    except OSError:
        return False
    return recorded == digest and any(libs.glob("kafka_2.13-*.jar"))


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        raise BrokerError("java is not on PATH; the Kafka broker needs a Java 17+ runtime")
    return java


def _heap_bytes(heap: str) -> int:
    match = re.fullmatch(r"(\d+)([kKmMgG]?)", heap.strip())
    if match is None:
        raise BrokerError(f"invalid heap size {heap!r}; use a JVM size such as 512m or 1g")
    scale = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[match.group(2).lower()]
    return int(match.group(1)) * scale


def ensure_jars(libs_dir: Path | None = None) -> Path:
    """Make sure the broker's runtime jars are in ``libs_dir`` and return that directory.

    The directory is current when its marker file records the sha256 of ``kafka/pom.xml``;
    otherwise Maven copies every runtime dependency into a fresh directory that then
    replaces the old one (so a changed pom never leaves mixed versions on the classpath).
    """
    libs = (libs_dir if libs_dir is not None else DEFAULT_LIBS_DIR).resolve()
    digest = _pom_digest()
    if _jars_current(libs, digest):
        return libs
    mvn = shutil.which("mvn")
    if mvn is None:
        raise BrokerError(
            "Maven ('mvn') is not on PATH; it is needed once to fetch the Kafka broker jars "
            "from Maven Central (apt-get install maven)"
        )
    with _file_lock(libs.parent / f".{libs.name}.lock"):
        if _jars_current(libs, digest):  # another process fetched them meanwhile
            return libs
        staging = libs.parent / f".{libs.name}.tmp-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        cmd = [
            mvn, "-q", "-B", "-f", str(POM_FILE),
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={staging}",
        ]  # fmt: skip
        log.info("fetching kafka broker jars with maven", libs_dir=str(libs))
        started = time.monotonic()
        try:
            proc = subprocess.run(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=_MVN_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise BrokerError(
                f"mvn did not finish fetching the Kafka broker jars within {_MVN_TIMEOUT_S:.0f}s"
            ) from exc
        if proc.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            raise BrokerError(
                f"mvn failed (exit {proc.returncode}) fetching the Kafka broker jars "
                f"from {POM_FILE}:\n{_text_tail(proc.stdout or '')}"
            )
        jars = sorted(staging.glob("*.jar"))
        if not any(jar.name.startswith("kafka_2.13-") for jar in jars):
            shutil.rmtree(staging, ignore_errors=True)
            raise BrokerError(f"mvn succeeded but no kafka_2.13 jar was copied into {staging}")
        (staging / MARKER_NAME).write_text(digest + "\n", encoding="utf-8")
        retired = libs.parent / f".{libs.name}.old-{os.getpid()}"
        if libs.exists():
            libs.rename(retired)
        staging.rename(libs)
        shutil.rmtree(retired, ignore_errors=True)
    log.info(
        "kafka broker jars ready",
        libs_dir=str(libs),
        jars=len(jars),
        seconds=round(time.monotonic() - started, 1),
    )
    return libs


class _StartTimeoutError(BrokerError):
    """The broker process stayed up but did not answer a client call before the deadline."""


# --------------------------------------------------------------------------- broker


@dataclass
class KafkaBroker:
    """A single-node KRaft broker+controller whose whole state lives in ``data_dir``.

    ``start``/``stop`` work across processes: the pid is kept in ``data_dir/broker.pid``,
    so any ``KafkaBroker`` with the same ``data_dir`` can stop or inspect the broker.
    """

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 9092
    controller_port: int = 9093
    heap: str = "1g"
    _proc: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).expanduser().resolve()

    # -- paths

    @property
    def bootstrap(self) -> str:
        """The ``bootstrap_servers`` string for clients, e.g. ``127.0.0.1:9092``."""
        return _host_port(self.host, self.port)

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

    def start(self, timeout: float = 90) -> None:
        """Start the broker and return once a real client call succeeds.

        ``timeout`` bounds each attempt; a start that times out is stopped and retried once
        (a loaded machine can be slow to form the KRaft quorum). No-op when a broker from
        this ``data_dir`` is already running on the same ports.
        """
        _heap_bytes(self.heap)  # reject a bad heap size before doing any work
        if self.port == self.controller_port:
            raise BrokerError(f"broker and controller ports must differ (both are {self.port})")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with _file_lock(self.data_dir / ".launcher.lock"):
            if self._adopt_running(timeout):
                return
            for host_port in ((self.host, self.port), (self.host, self.controller_port)):
                if not _port_free(*host_port):
                    raise BrokerError(
                        f"port {host_port[1]} on {self.host} is already in use "
                        "(another Kafka broker or process?); stop it or pick other ports"
                    )
            libs = ensure_jars()
            self.logs_dir.mkdir(parents=True, exist_ok=True)
            self._write_config()
            cluster_id = self._cluster_id(libs)
            self._format(libs, cluster_id)
            try:
                self._launch_and_wait(libs, timeout)
            except _StartTimeoutError as first:
                log.warning(
                    "kafka broker not ready in time; restarting once",
                    bootstrap=self.bootstrap,
                    timeout=timeout,
                    error=str(first).splitlines()[0],
                )
                self._stop_locked(timeout=30)
                try:
                    self._launch_and_wait(libs, timeout)
                except _StartTimeoutError:
                    self._stop_locked(timeout=30)  # don't leave a half-started broker behind
                    raise

    def stop(self, timeout: float = 30) -> bool:
        """Stop the broker (SIGTERM, SIGKILL after ``timeout``); True if one was running."""
        if not self.data_dir.exists():
            return False
        with _file_lock(self.data_dir / ".launcher.lock"):
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
        try:
            return int(self.pid_file.read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            return None

    def _is_ours(self, pid: int) -> bool:
        """Alive (not a zombie) and really ``kafka.Kafka`` with this data_dir's config."""
        try:
            stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return False
        state = stat.rsplit(")", 1)[-1].split()[0]
        if state in ("Z", "X"):
            return False
        args = [arg.decode(errors="replace") for arg in cmdline]
        return "kafka.Kafka" in args and str(self.config_file) in args

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
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        if not self._wait_gone(pid, timeout):
            log.warning("kafka broker ignored SIGTERM; killing it", pid=pid, timeout=timeout)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            self._wait_gone(pid, 10)
        self.pid_file.unlink(missing_ok=True)
        self._reap()
        return True

    def _wait_gone(self, pid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.pid == pid:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._proc.wait(timeout=0.2)
            if not self._is_ours(pid):
                return True
            time.sleep(0.1)
        return not self._is_ours(pid)

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
            where = _host_port(*running_on) if running_on else "unknown ports"
            raise BrokerError(
                f"a broker from {self.data_dir} is already running (pid {pid}) on {where}; "
                "stop it before starting it on other ports"
            )
        deadline = time.monotonic() + timeout
        while not self._client_ok(timeout=min(10.0, max(1.0, deadline - time.monotonic()))):
            if not self._is_ours(pid):
                raise BrokerError(
                    f"the running broker (pid {pid}) exited; see {self.log_file}:\n{_tail(self.log_file)}"
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
        match = re.search(r"^listeners=PLAINTEXT://(\[[^\]]+\]|[^:,]+):(\d+)", text, re.MULTILINE)
        if match is None:
            return None
        return match.group(1).strip("[]"), int(match.group(2))

    # -- configuration and storage

    def _write_config(self) -> None:
        broker = _host_port(self.host, self.port)
        controller = _host_port(self.host, self.controller_port)
        settings = {
            # Single-node KRaft: this process is both broker and the only controller voter.
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@{controller}",
            "listeners": f"PLAINTEXT://{broker},CONTROLLER://{controller}",
            "advertised.listeners": f"PLAINTEXT://{broker}",
            "inter.broker.listener.name": "PLAINTEXT",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": str(self.kraft_dir),
            # One replica of everything.
            "num.partitions": "1",
            "default.replication.factor": "1",
            "min.insync.replicas": "1",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "4",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "4",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            # Small machine, fast tests.
            "group.initial.rebalance.delay.ms": "0",
            "num.network.threads": "2",
            "num.io.threads": "2",
            "num.recovery.threads.per.data.dir": "1",
            "background.threads": "4",
            "log.cleaner.threads": "1",
            "log.cleaner.dedupe.buffer.size": str(2 * 1024 * 1024),
            # Topics are created explicitly by the project, never by a typo.
            "auto.create.topics.enable": "false",
            "delete.topic.enable": "true",
        }
        body = "".join(f"{key}={value}\n" for key, value in settings.items())
        self.config_file.write_text(
            "# Written by deploy/kafka_broker.py on every start; edits are overwritten.\n" + body,
            encoding="utf-8",
        )

    def _run_tool(self, libs: Path, *args: str) -> str:
        cmd = [_java(), "-Xmx256m", "-cp", f"{libs}/*", "kafka.tools.StorageTool", *args]
        try:
            proc = subprocess.run(
                cmd,
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=_TOOL_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise BrokerError(
                f"kafka StorageTool {args[0]} did not finish in {_TOOL_TIMEOUT_S:.0f}s"
            ) from exc
        if proc.returncode != 0:
            raise BrokerError(
                f"kafka StorageTool {args[0]} failed (exit {proc.returncode}):\n"
                f"{_text_tail(proc.stdout or '')}"
            )
        return proc.stdout or ""

    def _cluster_id(self, libs: Path) -> str:
        """The data dir's cluster id, generated once and kept in ``cluster.id``."""
        with contextlib.suppress(OSError):
            existing = self.cluster_id_file.read_text(encoding="utf-8").strip()
            if existing:
                return existing
        lines = [line.strip() for line in self._run_tool(libs, "random-uuid").splitlines()]
        candidates = [line for line in lines if re.fullmatch(r"[A-Za-z0-9_-]{22}", line)]
        if not candidates:
            raise BrokerError(f"kafka StorageTool random-uuid printed no cluster id: {lines!r}")
        cluster_id = candidates[-1]
        self.cluster_id_file.write_text(cluster_id + "\n", encoding="utf-8")
        return cluster_id

    def _format(self, libs: Path, cluster_id: str) -> None:
        if (self.kraft_dir / "meta.properties").exists():
            return  # formatted before; --ignore-formatted would only cost a JVM start
        self._run_tool(libs, "format", "-t", cluster_id, "-c", str(self.config_file), "--ignore-formatted")
        log.info("formatted kafka storage", kraft_dir=str(self.kraft_dir), cluster_id=cluster_id)

    # -- launching

    def _launch_and_wait(self, libs: Path, timeout: float) -> None:
        xms = "256m" if _heap_bytes(self.heap) >= 256 << 20 else self.heap
        cmd = [
            _java(),
            f"-Xms{xms}",
            f"-Xmx{self.heap}",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true",
            # Kafka's own shutdown hook logs the clean shutdown; log4j's would stop first.
            "-Dlog4j2.shutdownHookEnabled=false",
            f"-Dlog4j2.configurationFile={LOG4J_CONFIG}",
            f"-Dkafka.logs.dir={self.logs_dir}",
            "-cp",
            f"{libs}/*",
            "kafka.Kafka",
            str(self.config_file),
        ]
        started = time.monotonic()
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
        self._wait_ready(self._proc, started + timeout, timeout)
        log.info(
            "kafka broker ready",
            pid=self._proc.pid,
            bootstrap=self.bootstrap,
            seconds=round(time.monotonic() - started, 1),
        )

    def _wait_ready(self, proc: subprocess.Popen[bytes], deadline: float, timeout: float) -> None:
        while True:
            code = proc.poll()
            if code is not None:
                self.pid_file.unlink(missing_ok=True)
                raise BrokerError(
                    f"Kafka broker exited with code {code} during startup; "
                    f"see {self.log_file}:\n{_tail(self.log_file)}"
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _StartTimeoutError(
                    f"Kafka broker on {self.bootstrap} was not ready within {timeout:g}s; "
                    f"see {self.log_file}:\n{_tail(self.log_file)}"
                )
            if _port_accepts(self.host, self.port, timeout=1.0) and self._client_ok(
                timeout=min(10.0, max(1.0, remaining))
            ):
                return
            time.sleep(0.25)

    def _client_ok(self, timeout: float) -> bool:
        """A real Kafka request (list topics) through kafka-python succeeds."""
        if not _port_accepts(self.host, self.port, timeout=min(timeout, 2.0)):
            return False
        from kafka.admin import KafkaAdminClient  # lazy: keep imports side-effect free

        timeout_ms = int(timeout * 1000)
        configs: dict[str, object] = {
            "bootstrap_servers": self.bootstrap,
            "client_id": "casehub-launcher",
            "request_timeout_ms": timeout_ms,
        }
        if "bootstrap_timeout_ms" in KafkaAdminClient.DEFAULT_CONFIG:
            configs["bootstrap_timeout_ms"] = timeout_ms
        try:
            admin = KafkaAdminClient(**configs)
        except Exception:  # any client failure means "not ready yet"
            return False
        try:
            admin.list_topics()
        except Exception:
            return False
        finally:
            with contextlib.suppress(Exception):
                admin.close()
        return True
