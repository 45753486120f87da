"""The cores `casehub consume` runs members on: affinity, capped by a cgroup quota (v2 or v1), and the
setting's default (one per core given; one on SQLite)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from services.cpu_cores import cgroup_quota, cores_given
from services.settings import Settings

AFFINITY = len(os.sched_getaffinity(0))


def cgroup(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    return tmp_path


@pytest.mark.parametrize(
    ("files", "quota"),
    [
        ({}, None),
        ({"cpu.max": "max 100000\n"}, None),
        ({"cpu.max": "150000 100000\n"}, 1.5),
        ({"cpu.max": "50000 100000"}, 0.5),
        ({"cpu.max": "garbage"}, None),
        ({"cpu.max": "0 100000"}, None),
        ({"cpu.max": "\x00\xff"}, None),
        ({"cpu/cpu.cfs_quota_us": "-1", "cpu/cpu.cfs_period_us": "100000"}, None),
        ({"cpu/cpu.cfs_quota_us": "200000", "cpu/cpu.cfs_period_us": "100000"}, 2.0),
        ({"cpu/cpu.cfs_quota_us": "200000"}, None),
    ],
)
def test_the_quota_is_read_from_either_cgroup_version_or_is_none(
    tmp_path: Path, files: dict[str, str], quota: float | None
) -> None:
    assert cgroup_quota(cgroup(tmp_path, files)) == quota


def test_a_quota_caps_the_cores_and_a_part_of_a_core_counts_as_one(tmp_path: Path) -> None:
    assert cores_given(cgroup(tmp_path / "none", {})) == AFFINITY
    assert cores_given(cgroup(tmp_path / "half", {"cpu.max": "50000 100000"})) == 1
    assert cores_given(cgroup(tmp_path / "big", {"cpu.max": "6400000 100000"})) == AFFINITY
    if AFFINITY >= 2:
        assert cores_given(cgroup(tmp_path / "1.5", {"cpu.max": "150000 100000"})) == 2


def test_members_default_to_the_cores_given_on_postgresql_and_to_one_on_sqlite(tmp_path: Path) -> None:
    postgres = Settings(home=tmp_path, database_url="postgresql+psycopg://u@127.0.0.1:1/db")
    assert postgres.consumer_members == min(64, cores_given())
    assert Settings(home=tmp_path).consumer_members == 1  # SQLite in the home
    assert Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'x.db'}").consumer_members == 1
    chosen = Settings(home=tmp_path, database_url="sqlite:///x.db", consumer_processes=3)
    assert chosen.consumer_members == 3  # the setting wins, even on SQLite
