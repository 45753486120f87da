"""`casehub audit verify` as an operator runs it: 0 and a summary line when intact, 1 naming the first bad
row (or the cut end) otherwise; the key is generated 0600 into CASEHUB_HOME by the first API start."""

from __future__ import annotations

import stat
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from services.access.audit_seal import KEY_FILE
from services.api.app import create_app
from services.settings import Settings
from services.store.engine import make_engine, migrate
from tests.e2e.test_cli import run


def served(tmp_path: Path) -> tuple[dict[str, str], str]:
    url = f"sqlite:///{tmp_path / 'casehub.db'}"
    engine = make_engine(url)
    migrate(engine)
    client = TestClient(create_app(engine, Settings(home=tmp_path, database_url=url)))
    for _ in range(3):
        client.get("/api/cases")  # anonymous: 401, audited
    engine.dispose()
    return {"CASEHUB_HOME": str(tmp_path), "CASEHUB_DATABASE_URL": url}, url


def test_verify_says_intact_then_names_the_altered_row(tmp_path: Path) -> None:
    env, url = served(tmp_path)
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600
    good = run(["audit", "verify"], env)
    assert good.returncode == 0, good.stderr
    assert good.stdout.startswith("audit log intact: 3 rows, head ")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP TRIGGER audit_log_no_update"))
        connection.execute(text("UPDATE audit_log SET status_code = 200 WHERE seq = 2"))
    engine.dispose()
    bad = run(["audit", "verify"], env)
    assert bad.returncode == 1
    assert bad.stderr.strip() == (
        "audit log broken at row 2: its hash does not match its content under the audit key"
    )


def test_verify_names_a_cut_end_and_a_missing_key(tmp_path: Path) -> None:
    env, url = served(tmp_path)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP TRIGGER audit_log_no_delete"))
        connection.execute(text("DELETE FROM audit_log WHERE seq = 3"))
    engine.dispose()
    cut = run(["audit", "verify"], env)
    assert cut.returncode == 1 and "broken at the end of the log" in cut.stderr
    (tmp_path / KEY_FILE).unlink()
    keyless = run(["audit", "verify"], env)
    assert keyless.returncode == 1 and "no audit key" in keyless.stderr
    assert len(keyless.stderr.strip().splitlines()) == 1
