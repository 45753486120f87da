"""`casehub consume --processes N`: N materializer processes as members of one consumer group.

Why processes, not threads: the materializer is CPU-bound in CPython (decode, validation, fold), so
threads would take turns on one interpreter lock; separate processes use the cores they are given. Each
member is a plain `casehub consume` child with its own Kafka consumer and its own store connection; the
group coordinator splits the agency topics' partitions between them (so a member beyond the partition
count idles), and each member resumes from the offsets the store holds, exactly as one process does.

Each member runs under the same `Supervisor` `casehub up` uses for its in-process consumers: a member
that dies is said (its exit code or signal and its last stderr line) and started again with back-off,
as a NEW process that seeks to the store's offsets; the others keep consuming meanwhile (the group
rebalances its partitions to them). ^C / SIGTERM stops every member (SIGTERM, then SIGKILL after a grace)
and the command exits once they all have.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from consumers.liveness import Liveness
from consumers.supervisor import Supervisor

Say = Callable[[str], None]
STOP_GRACE_S = 30.0
"""How long a member may take to finish its batch and leave the group after SIGTERM."""
_POLL_S = 0.25


class MemberExited(RuntimeError):
    """A member process ended on its own with a non-zero status (or by a signal)."""


def member_command(until_idle: float | None) -> list[str]:
    """One member: the same interpreter running `casehub consume` for one process."""
    command = [sys.executable, "-m", "services.cli", "consume", "--processes", "1"]
    return command + (["--until-idle", str(until_idle)] if until_idle is not None else [])


def member_port(metrics_port: int, index: int) -> int:
    """Member i (1..N) serves its own /metrics and /readyz on metrics_port + i; 0 stays 0 (a free port)."""
    return metrics_port + index if metrics_port else 0


def exit_reason(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with status {code}"


class MemberProcess:
    """One member as the Supervisor's `Worker`: `run` starts the child and returns when it ends.

    Returns normally when the child exits 0 (idle exit) or when `stop` was set (the child is asked to
    stop with SIGTERM); raises MemberExited otherwise, so the Supervisor restarts it. The child's
    stderr is forwarded line by line with the member's name, and its last line is the reason given."""

    def __init__(self, name: str, command: Sequence[str], env: dict[str, str], liveness: Liveness, say: Say):
        self.name, self.command, self.env, self.liveness, self.say = name, list(command), env, liveness, say
        self.process: subprocess.Popen[str] | None = None
        self.last_line = ""

    def run(self, stop: threading.Event, idle_exit_s: float | None = None) -> int:
        process = self.process = subprocess.Popen(
            self.command, env=self.env, stderr=subprocess.PIPE, text=True, errors="replace"
        )
        reader = threading.Thread(
            target=self._forward, args=(process,), name=f"{self.name}-stderr", daemon=True
        )
        reader.start()
        self.say(f"{self.name} started (pid {process.pid})")
        self.liveness.started()
        while (code := process.poll()) is None:
            if stop.wait(_POLL_S):
                code = self._terminate(process)
                break
            self.liveness.beat()
        reader.join(timeout=5)
        if stop.is_set() or code == 0:
            self.liveness.stopped(None)
            return code
        raise MemberExited(
            f"{self.name} (pid {process.pid}) {exit_reason(code)}: {self.last_line or 'no output'}"
        )

    def close(self) -> None:
        """Called by the Supervisor after a crash or at stop: nothing may be left running."""
        if self.process is not None and self.process.poll() is None:
            self._terminate(self.process)

    def _terminate(self, process: subprocess.Popen[str]) -> int:
        process.terminate()
        try:
            return process.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            self.say(f"{self.name} (pid {process.pid}) did not stop in {STOP_GRACE_S:.0f}s; killing it")
            process.kill()
            return process.wait()

    def _forward(self, process: subprocess.Popen[str]) -> None:
        assert process.stderr is not None
        for line in process.stderr:
            text = line.rstrip("\n")
            if text.strip():
                self.last_line = text.strip()
                sys.stderr.write(f"[{self.name}] {text}\n")
        process.stderr.close()


@dataclass
class MemberGroup:
    """N supervised members, each in a thread; `run` blocks until `stop` or until all ended by themselves."""

    count: int
    env: dict[str, str]
    metrics_port: int
    say: Say
    until_idle: float | None = None
    stall_s: float = 60.0
    supervisors: list[Supervisor] = field(default_factory=list)
    members: list[MemberProcess] = field(default_factory=list)

    def livenesses(self) -> list[Liveness]:
        return [supervisor.liveness for supervisor in self.supervisors]

    def start(self, stop: threading.Event) -> list[threading.Thread]:
        threads = []
        for index in range(1, self.count + 1):
            name = f"member {index}"
            env = {
                **self.env,
                "CASEHUB_METRICS_PORT": str(member_port(self.metrics_port, index)),
                "CASEHUB_CONSUMER_PROCESSES": "1",
            }
            command = member_command(self.until_idle)
            liveness = Liveness(name, self.stall_s)
            supervisor = Supervisor(name, self._builder(name, command, env), liveness, self.say)
            self.supervisors.append(supervisor)
            thread = threading.Thread(target=supervisor.run, args=(stop,), name=name, daemon=True)
            thread.start()
            threads.append(thread)
        return threads

    def run(self, stop: threading.Event) -> None:
        self.wait(self.start(stop))

    def wait(self, threads: list[threading.Thread]) -> None:
        """Until every supervisor returned (stop set, or each member exited 0 at --until-idle)."""
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=0.5)
        for member in self.members:
            member.close()

    def _builder(
        self, name: str, command: list[str], env: dict[str, str]
    ) -> Callable[[Liveness], MemberProcess]:
        def build(liveness: Liveness) -> MemberProcess:
            member = MemberProcess(name, command, env, liveness, self.say)
            self.members.append(member)
            return member

        return build


MEMBER_OF = "CASEHUB_MEMBER_OF"
"""Set in each member's environment: the parent's pid, which the member watches (`stop_when_parent_gone`)."""


def member_env() -> dict[str, str]:
    """The children inherit this process's environment (settings come from CASEHUB_* variables), and learn
    whose member they are."""
    return {**os.environ, MEMBER_OF: str(os.getpid())}


def stop_when_parent_gone(stop: threading.Event, say: Say, every_s: float = 1.0) -> threading.Thread | None:
    """In a member: stop (finishing the batch in hand, as on SIGTERM) once the parent that started it is
    gone. A parent killed outright (SIGKILL, the OOM killer) cannot stop its members, and they would go on
    consuming with nobody supervising them; an orphan is adopted by another process, so its parent pid
    changes. Nothing happens outside a member (no CASEHUB_MEMBER_OF)."""
    parent = os.environ.get(MEMBER_OF, "")
    if not parent.isdigit():
        return None

    def watch() -> None:
        while not stop.wait(every_s):
            if os.getppid() != int(parent):
                stop.set()  # first: the pipe to the parent may be gone with it, and saying so then fails
                with contextlib.suppress(OSError):
                    say(f"the parent process {parent} is gone, stopping...")

    watcher = threading.Thread(target=watch, name="parent-watch", daemon=True)
    watcher.start()
    return watcher
