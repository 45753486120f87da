"""A store that cannot be opened is one line naming it (password hidden), and exit code 1 at the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from consumers.store_errors import StoreUnavailable
from deploy.kafka_broker import free_port
from services.bootstrap import open_store
from services.settings import Settings
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
    with pytest.raises(StoreUnavailable) as failed:
        open_store(Settings(database_url=url, home=tmp_path))
    message = str(failed.value)
    assert message.startswith("cannot open the store ") and reason in message
    assert "\n" not in message and "s3cret" not in message


def test_the_cli_says_it_in_one_line_and_exits_1(tmp_path: Path) -> None:
    store = tmp_path / "store.db"
    store.write_bytes(b"\x00not sqlite\xff" * 64)
    result = run(["consume", "--until-idle", "1"], {"CASEHUB_DATABASE_URL": f"sqlite:///{store}"}, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: cannot open the store sqlite:///{store}: file is not a database"
