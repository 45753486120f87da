"""A store that cannot be opened is one line naming it (password hidden) and exit code 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy.kafka_broker import free_port
from tests.e2e.test_cli import run


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("sqlite:////proc/casehub/store.db", "No such file or directory"),
        ("garbage", "file is not a database"),
        ("postgresql+psycopg://hub:s3cret@127.0.0.1:{port}/hub", "Connection refused"),
    ],
    ids=["bad-path", "not-a-database", "server-down"],
)
def test_a_store_that_cannot_be_opened_is_one_line(tmp_path: Path, url: str, reason: str) -> None:
    if url == "garbage":
        store = tmp_path / "store.db"
        store.write_bytes(b"\x00not sqlite\xff" * 64)
        url = f"sqlite:///{store}"
    url = url.format(port=free_port())
    for command in (["dlq", "list"], ["consume", "--until-idle", "1"]):
        result = run(command, {"CASEHUB_DATABASE_URL": url, "CASEHUB_HOME": str(tmp_path)}, timeout=60)
        assert result.returncode == 1, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("error: cannot open the store ") and reason in lines[0]
        assert "s3cret" not in result.stderr
