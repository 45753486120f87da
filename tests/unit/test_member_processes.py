"""The member-process worker under the real Supervisor, with real (tiny) child processes: an exit is
reported with its status or signal and the child's last stderr line, a crash is restarted, exit 0 ends
the member, and stop terminates a running child."""

from __future__ import annotations

import sys
import threading
import time

from consumers.backoff import Backoff
from consumers.liveness import Liveness
from consumers.supervisor import Supervisor
from services.member_processes import MemberExited, MemberProcess, exit_reason, member_port

PYTHON = sys.executable


def member(code: str, said: list[str], liveness: Liveness | None = None) -> MemberProcess:
    return MemberProcess("member 1", [PYTHON, "-c", code], {}, liveness or Liveness("member 1"), said.append)


def test_a_failing_member_raises_with_its_status_and_last_stderr_line() -> None:
    said: list[str] = []
    worker = member("import sys; print('starting', file=sys.stderr); sys.exit('error: store gone')", said)
    try:
        worker.run(threading.Event())
    except MemberExited as exc:
        assert "exited with status 1: error: store gone" in str(exc)
        assert f"(pid {worker.process.pid if worker.process else 0})" in str(exc)
    else:
        raise AssertionError("a member exiting 1 must raise")
    assert said and said[0].startswith("member 1 started (pid ")


def test_a_member_killed_by_a_signal_says_which() -> None:
    worker = member("import os, signal; os.kill(os.getpid(), signal.SIGKILL)", [])
    try:
        worker.run(threading.Event())
    except MemberExited as exc:
        assert "killed by SIGKILL: no output" in str(exc)
    else:
        raise AssertionError("a killed member must raise")


def test_exit_zero_ends_the_member_without_restart() -> None:
    liveness = Liveness("member 1")
    said: list[str] = []
    supervisor = Supervisor("member 1", lambda live: member("pass", said, live), liveness, said.append)
    supervisor.run(threading.Event())
    assert [line for line in said if "started" in line] == [said[0]]
    assert liveness.problem() == "member 1 stopped: exited"


def test_the_supervisor_restarts_a_crashed_member_and_stop_terminates_the_new_one() -> None:
    said: list[str] = []
    runs: list[MemberProcess] = []

    def build(live: Liveness) -> MemberProcess:
        code = "import sys; sys.exit(3)" if not runs else "import time; time.sleep(600)"
        runs.append(member(code, said, live))
        return runs[-1]

    stop = threading.Event()
    supervisor = Supervisor("member 1", build, Liveness("member 1"), said.append, Backoff(0.05, 0.1))
    thread = threading.Thread(target=supervisor.run, args=(stop,))
    thread.start()
    deadline = time.monotonic() + 30
    restarted = lambda: len(runs) == 2 and runs[1].process is not None  # noqa: E731
    while not (restarted() and supervisor.liveness.problem() is None) and time.monotonic() < deadline:
        time.sleep(0.05)  # the new process exists a moment before the supervisor marks it running
    assert len(runs) == 2, said
    assert supervisor.liveness.problem() is None, "the restarted member runs"
    stop.set()
    thread.join(timeout=40)
    assert not thread.is_alive()
    assert runs[1].process is not None and runs[1].process.returncode == -15  # SIGTERM, then reaped
    assert any("exited with status 3" in line and "restarting in" in line for line in said), said


def test_exit_reasons_and_member_ports() -> None:
    assert exit_reason(2) == "exited with status 2"
    assert exit_reason(-9) == "killed by SIGKILL"
    assert exit_reason(-200) == "killed by signal 200"
    assert [member_port(9464, i) for i in (1, 2)] == [9465, 9466]
    assert member_port(0, 3) == 0
