"""Launch a throwaway local PostgreSQL cluster from Debian's server binaries.

The cluster's whole state lives under ``data_dir``: ``pgdata/`` (the cluster itself),
``postgres.log`` and the Unix socket. ``initdb`` and ``postgres`` refuse to run as root, so
as root every server-side command runs as the ``postgres`` system user (``runuser``), which
then owns ``data_dir``.

Typical use::

    cluster = PostgresCluster(Path("/tmp/casehub-pg"))
    url = cluster.start()   # postgresql+psycopg://casehub:casehub@127.0.0.1:<port>/casehub
    ...
    cluster.stop()

Nothing happens at import time.
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import structlog

from .broker.host import free_port
from .broker.host import port_free as _port_free
from .postgres_install import (
    LOG_TAIL_LINES,
    PG_ROOT,
    PostgresError,
    ensure_postgres_installed,
    text_tail,
)

__all__ = ["PG_ROOT", "PostgresCluster", "PostgresError", "ensure_postgres_installed"]

log = structlog.get_logger()

_SPEED_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def _file_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        return text_tail(path.read_text(encoding="utf-8", errors="replace"), lines)
    except OSError:
        return "(no log)"


def _make_traversable(path: Path, uid: int) -> None:
    """Let ``uid`` reach ``path``: add o+x to temp-dir ancestors that lack it, else explain."""
    temp_root = Path(tempfile.gettempdir()).resolve()
    for ancestor in reversed(path.parents):
        try:
            st = ancestor.stat()
        except FileNotFoundError:
            break  # not created yet; checked again once it exists
        if st.st_uid == uid or st.st_mode & 0o001:
            continue
        if ancestor == temp_root or temp_root in ancestor.parents:
            ancestor.chmod((st.st_mode & 0o7777) | 0o001)  # search only, not listing
            continue
        raise PostgresError(
            f"the postgres user cannot reach {path}: {ancestor} is not searchable by others; "
            f"use a directory under {temp_root} or run: chmod o+x {ancestor}"
        )


@dataclass
class PostgresCluster:
    """A local PostgreSQL cluster with one login role and one database, both ``casehub``.

    ``durable=False`` (the default) turns off fsync, synchronous commit and full-page writes:
    fine for a throwaway test cluster, never for data that must survive a crash.
    """

    data_dir: Path
    port: int = field(default_factory=free_port)
    user: str = "casehub"
    password: str = "casehub"
    database: str = "casehub"
    host: str = "127.0.0.1"
    durable: bool = False

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).expanduser().resolve()

    # -- paths and URL

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "postgres.log"

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the ``casehub`` database (psycopg 3 driver)."""
        return (
            f"postgresql+psycopg://{quote(self.user, safe='')}:{quote(self.password, safe='')}"
            f"@{self.host}:{self.port}/{quote(self.database, safe='')}"
        )

    # -- public API

    def start(self, timeout: float = 60) -> str:
        """Initialise (first time only) and start the cluster; return :attr:`url`.

        No-op when the cluster in ``data_dir`` already runs on :attr:`port`.
        """
        bin_dir = self._bin_dir()
        running_port = self._running_port()
        if running_port is not None:
            if running_port != self.port:
                raise PostgresError(
                    f"the PostgreSQL cluster in {self.pgdata} is already running on port "
                    f"{running_port}; stop it before starting it on port {self.port}"
                )
            self._ensure_role_and_database(bin_dir, timeout)
            log.info("postgresql already running", port=self.port, data_dir=str(self.data_dir))
            return self.url
        if not _port_free(self.host, self.port):
            raise PostgresError(
                f"port {self.port} on {self.host} is already in use; stop whatever listens "
                "there or pick another port"
            )
        started = time.monotonic()
        self._prepare_data_dir()
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb(bin_dir)
        options = [
            f"-p {self.port}",
            f"-k {shlex.quote(str(self.data_dir))}",
            f"-c listen_addresses={shlex.quote(self.host)}",
        ]
        if not self.durable:
            options += [f"-c {setting}" for setting in _SPEED_SETTINGS]
        proc = self._run_server_cmd(
            [
                str(bin_dir / "pg_ctl"), "start",
                "-D", str(self.pgdata),
                "-l", str(self.log_file),
                "-o", " ".join(options),
                "-w", "-t", str(max(1, int(timeout))),
            ],
            timeout=timeout + 15,
        )  # fmt: skip
        if proc.returncode != 0:
            raise PostgresError(
                f"pg_ctl start failed (exit {proc.returncode}); see {self.log_file}:\n"
                f"{text_tail(proc.stdout or '')}\n{_file_tail(self.log_file)}"
            )
        self._ensure_role_and_database(bin_dir, timeout)
        log.info(
            "postgresql ready",
            port=self.port,
            data_dir=str(self.data_dir),
            seconds=round(time.monotonic() - started, 1),
        )
        return self.url

    def stop(self, timeout: float = 30) -> bool:
        """Stop the cluster (``pg_ctl stop -m fast``); True if it was running."""
        running_port = self._running_port()
        if running_port is None:
            return False
        bin_dir = self._bin_dir()
        proc = self._run_server_cmd(
            [
                str(bin_dir / "pg_ctl"), "stop",
                "-D", str(self.pgdata),
                "-m", "fast",
                "-w", "-t", str(max(1, int(timeout))),
            ],
            timeout=timeout + 15,
        )  # fmt: skip
        if proc.returncode != 0 and self._running_port() is not None:
            raise PostgresError(
                f"pg_ctl stop failed (exit {proc.returncode}):\n{text_tail(proc.stdout or '')}"
            )
        log.info("postgresql stopped", port=running_port, data_dir=str(self.data_dir))
        return True

    def is_running(self) -> bool:
        """True if the postmaster recorded in ``pgdata/postmaster.pid`` is alive."""
        return self._running_port() is not None

    # -- internals

    def _bin_dir(self) -> Path:
        """Binaries matching an existing cluster's major version, else the newest installed."""
        try:
            wanted = (self.pgdata / "PG_VERSION").read_text(encoding="utf-8").strip()
        except OSError:
            return ensure_postgres_installed()
        bin_dir = PG_ROOT / wanted / "bin"
        if not (bin_dir / "pg_ctl").exists():
            raise PostgresError(
                f"{self.pgdata} was created by PostgreSQL {wanted}, whose binaries are not "
                f"installed under {PG_ROOT}; remove the directory or install postgresql-{wanted}"
            )
        return bin_dir

    def _running_port(self) -> int | None:
        """Port of the live postmaster of this cluster, or None (stale pid files ignored)."""
        try:
            lines = (self.pgdata / "postmaster.pid").read_text(encoding="utf-8").splitlines()
            pid = int(lines[0])
            port = int(lines[3])
            stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
        except (OSError, ValueError, IndexError):
            return None
        state = stat.rsplit(")", 1)[-1].split()[0]
        if state in ("Z", "X") or "postgres" not in stat.split(")", 1)[0]:
            return None
        return port

    @staticmethod
    def _as_root() -> bool:
        return os.geteuid() == 0

    def _postgres_uid_gid(self) -> tuple[int, int]:
        try:
            entry = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise PostgresError(
                "running as root, but there is no 'postgres' system user to run the server as "
                "(it comes with Debian's postgresql package)"
            ) from exc
        return entry.pw_uid, entry.pw_gid

    def _prepare_data_dir(self) -> None:
        if not self._as_root():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            return
        uid, gid = self._postgres_uid_gid()
        _make_traversable(self.data_dir, uid)  # fail before creating anything
        self.data_dir.mkdir(parents=True, exist_ok=True)
        _make_traversable(self.data_dir, uid)
        os.chown(self.data_dir, uid, gid)
        self.data_dir.chmod(0o700)
        if self.pgdata.exists() and self.pgdata.stat().st_uid != uid:
            for root, dirs, files in os.walk(self.pgdata):
                for name in (*dirs, *files):
                    os.chown(os.path.join(root, name), uid, gid, follow_symlinks=False)
            os.chown(self.pgdata, uid, gid)
        if self.log_file.exists():
            os.chown(self.log_file, uid, gid)

    def _run_server_cmd(self, cmd: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
        """Run a server-side command, as the postgres user when we are root."""
        what = " ".join(Path(arg).name for arg in cmd[:2])
        if self._as_root():
            runuser = shutil.which("runuser")
            if runuser is not None:
                cmd = [runuser, "-u", "postgres", "--", *cmd]
            else:
                cmd = ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(cmd)]
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        try:
            return subprocess.run(
                cmd,
                cwd=self.data_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise PostgresError(
                f"`{what}` did not finish within {timeout:.0f}s; see {self.log_file}"
            ) from exc

    def _initdb(self, bin_dir: Path) -> None:
        last = ""
        for locale in ("C.UTF-8", "C"):
            cmd = [
                str(bin_dir / "initdb"),
                "-D", str(self.pgdata),
                "-A", "trust",
                "--username=postgres",
                "-E", "UTF8",
                f"--locale={locale}",
            ]  # fmt: skip
            if not self.durable:
                cmd.append("--no-sync")
            proc = self._run_server_cmd(cmd, timeout=300)
            if proc.returncode == 0:
                log.info("initialised postgresql cluster", pgdata=str(self.pgdata), locale=locale)
                return
            last = proc.stdout or ""
            if "locale" not in last.lower():
                break
            self._run_server_cmd(["rm", "-rf", str(self.pgdata)], timeout=60)
        raise PostgresError(f"initdb failed for {self.pgdata}:\n{text_tail(last)}")

    def _ensure_role_and_database(self, bin_dir: Path, timeout: float) -> None:
        """Create the login role and database over TCP as the postgres superuser (idempotent)."""
        script = (
            "SELECT format('CREATE ROLE %I LOGIN SUPERUSER PASSWORD %L', :'user', :'password')\n"
            "WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user')\\gexec\n"
            "SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user')\n"
            "WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')\\gexec\n"
        )
        cmd = [
            str(bin_dir / "psql"),
            "-X", "-q", "-v", "ON_ERROR_STOP=1",
            "-h", self.host, "-p", str(self.port), "-U", "postgres", "-d", "postgres",
            "-v", f"user={self.user}",
            "-v", f"password={self.password}",
            "-v", f"db={self.database}",
        ]  # fmt: skip
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        env["PGCONNECT_TIMEOUT"] = str(max(2, int(timeout)))
        try:
            proc = subprocess.run(
                cmd,
                input=script,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=timeout + 15,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise PostgresError(f"psql did not finish creating role/database in {timeout:.0f}s") from exc
        if proc.returncode != 0:
            raise PostgresError(
                f"creating role {self.user!r} and database {self.database!r} failed:\n"
                f"{text_tail(proc.stdout or '')}"
            )
