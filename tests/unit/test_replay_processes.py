"""Replay processes forked ahead of their jobs (services/rebuild_members.py): given no job they end 0, and
a forked child never runs the parent's exit handlers, flushes its buffers or holds its pipes' ends."""

from __future__ import annotations

import atexit
import os
import sys
import time
from pathlib import Path

from services.rebuild_members import ReplayProcesses


def test_idle_children_end_cleanly_without_the_parents_exit_handlers(tmp_path: Path) -> None:
    marks = tmp_path / "atexit.txt"

    def mark() -> None:  # would be written by any process running this interpreter's exit handlers
        with marks.open("a") as file:
            file.write("ran\n")

    atexit.register(mark)
    try:
        sys.stdout.write("unflushed parent text")  # a child flushing inherited buffers would repeat it
        with ReplayProcesses(3) as processes:
            processes.replay([], 0, lambda done, total: None)  # no jobs: each is told there is none
            children = [process for process, _ in processes.members]
            assert [child.wait(timeout=30) for child in children] == [0, 0, 0]
        assert not marks.exists()
    finally:
        atexit.unregister(mark)


def pipes_held(pid: int) -> set[int]:
    """The inodes of what a process's descriptors open (a pipe's is shared by both its ends)."""
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            found.add(os.stat(fd).st_ino)
        except FileNotFoundError:  # closed meanwhile
            continue
    return found


def test_no_child_holds_an_earlier_childs_job_pipe() -> None:
    """Were a later child to keep an earlier one's job pipe open, the earlier one would read its job only
    once the later one ended — after that one's whole replay: the processes would run one after another."""
    with ReplayProcesses(3) as processes:
        (first, _), *later = processes.members
        assert first.stdin is not None
        job_pipe = os.fstat(first.stdin.fileno()).st_ino
        deadline = time.monotonic() + 10  # each child closes them as it starts: give it that moment
        for process, _ in later:
            while job_pipe in (held := pipes_held(process.pid)) and time.monotonic() < deadline:
                time.sleep(0.01)
            assert job_pipe not in held
        processes.replay([], 0, lambda done, total: None)
        assert [process.wait(timeout=10) for process, _ in processes.members] == [0, 0, 0]
