"""Every read, export and refusal lands in the append-only, hash-chained audit log, readable by admins."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError

from services.access.audit import (
    AUDIT,
    GENESIS,
    AuditEntry,
    AuditLog,
    AuditQuery,
    check_chain,
    read_audit,
    row_hash,
    verify_chain,
)
from services.access.audit_seal import AuditSeal
from services.access.principal import Principal, Role
from services.store.engine import make_engine, migrate
from tests.analyst_world import S2_PHONE, World

pytestmark = pytest.mark.integration
SEAL = AuditSeal(b"test-audit-key-" * 2)  # no head file: the head tests below keep their own


def latest(world: World, **where: str) -> dict[str, object]:
    with world.engine.connect() as connection:
        rows, _ = read_audit(connection, AuditQuery(limit=1, **where))  # type: ignore[arg-type]
    return rows[0]


def test_a_search_is_audited_with_who_what_filters_and_rows(world: World) -> None:
    world.client().get("/api/cases", headers=world.headers("customs"), params={"province": "79", "limit": 10})
    row = latest(world, principal_id="t-customs")
    assert (row["endpoint"], row["method"], row["agency"], row["role"]) == (
        "/api/cases",
        "GET",
        "customs",
        "analyst",
    )
    assert row["filters"] == {"province": "79", "limit": "10"}
    assert (row["rows_returned"], row["status_code"]) == (2, 200)


def test_case_reads_exports_and_refusals_are_audited(world: World) -> None:
    client = world.client()
    client.get("/api/cases/VN-2025-QLTT-00001", headers=world.headers("tax"))
    read = latest(world, principal_id="t-tax")
    assert (read["endpoint"], read["resource"]) == ("/api/cases/{case_id}", "VN-2025-QLTT-00001")
    client.get("/api/export", headers=world.headers("qltt"), params={"format": "xlsx"})
    export = latest(world, principal_id="t-qltt")
    assert (export["endpoint"], export["rows_returned"], export["filters"]) == (
        "/api/export",
        5,
        {"format": "xlsx"},
    )
    client.get("/api/export", headers=world.headers("hanoi"))
    refused = latest(world, principal_id="t-hanoi")
    assert (refused["endpoint"], refused["status_code"], refused["rows_returned"]) == ("/api/export", 403, 0)
    client.get("/api/cases/VN-2025-POLICE-00002", headers=world.headers("tax"))
    assert latest(world, principal_id="t-tax")["status_code"] == 404
    client.get("/api/cases", headers={"Authorization": "Bearer stolen"})
    anonymous = latest(world, endpoint="/api/cases")
    assert (anonymous["principal_id"], anonymous["status_code"]) == (None, 401)


def test_admins_read_the_log_and_others_may_not(world: World) -> None:
    client = world.client()
    client.get("/api/subjects/hits", headers=world.headers("qltt"), params={"identifier": "0987654321"})
    body = client.get(
        "/api/audit",
        headers=world.headers("admin"),
        params={"endpoint": "/api/subjects/hits", "verify": "true"},
    ).json()
    assert body["count"] >= 1 and body["chain_intact"] is True
    assert body["data"][0]["filters"] == {"identifier": "withheld"}  # QLTT's search term is QLTT's
    assert client.get("/api/audit", headers=world.headers("police")).status_code == 403
    assert latest(world, principal_id="t-admin")["endpoint"] == "/api/audit"


def test_the_log_refuses_updates_and_deletes(world: World) -> None:
    for statement in ("UPDATE audit_log SET rows_returned = 0", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), world.engine.begin() as connection:
            connection.execute(text(statement))


def test_the_hash_chain_reveals_an_altered_row(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    log = AuditLog(engine, SEAL)
    someone = Principal("p", "P", "qltt", Role.ANALYST)
    for rows in range(5):
        log.append(AuditEntry(someone, "GET", "/api/cases", {"q": "son"}, rows_returned=rows))
    with engine.connect() as connection:
        assert verify_chain(connection, SEAL) is None
    with engine.begin() as connection:  # an attacker with the database password disables the guard
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"))
        else:
            connection.execute(text("DROP TRIGGER audit_log_no_update"))
        connection.execute(text("UPDATE audit_log SET rows_returned = 99 WHERE seq = 3"))
    with engine.connect() as connection:
        assert verify_chain(connection, SEAL) == 3
    engine.dispose()


def test_concurrent_appends_keep_one_linear_chain(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    logs = [AuditLog(engine, SEAL), AuditLog(engine, SEAL)]  # two API processes' writers
    someone = Principal("p", "P", "qltt", Role.ANALYST)

    def append(log: AuditLog) -> None:
        for _ in range(10):
            log.append(AuditEntry(someone, "GET", "/api/cases"))

    threads = [threading.Thread(target=append, args=(logs[i % 2],)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as connection:
        _, count = read_audit(connection, AuditQuery())
        assert count == 60
        assert verify_chain(connection, SEAL) is None
    engine.dispose()


def test_writers_taking_turns_never_fork_the_chain(database_url: str) -> None:
    """Each log's remembered tail is stale after the other wrote: the append notices and follows the table."""
    engine = make_engine(database_url)
    migrate(engine)
    first, second = AuditLog(engine, SEAL), AuditLog(engine, SEAL)
    someone = Principal("p", "P", "qltt", Role.ANALYST)
    for rows in range(6):
        (first if rows % 3 else second).append(AuditEntry(someone, "GET", "/api/cases", rows_returned=rows))
    with engine.connect() as connection:
        rows_written, count = read_audit(connection, AuditQuery())
        assert count == 6 and verify_chain(connection, SEAL) is None
        assert [row["rows_returned"] for row in reversed(rows_written)] == list(range(6))
    first.close()
    second.close()
    engine.dispose()


def test_an_append_survives_a_dropped_connection(postgres_url: str) -> None:
    """A server restart or an idle timeout ends the session the log's last append used: the next one
    still lands, on a fresh connection."""
    engine = make_engine(postgres_url)
    migrate(engine)
    log = AuditLog(engine, SEAL)
    someone = Principal("p", "P", "qltt", Role.ANALYST)
    log.append(AuditEntry(someone, "GET", "/api/cases"))
    admin = make_engine(postgres_url)
    with admin.begin() as connection:  # ends every other session, the pooled one the log used included
        ended = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    admin.dispose()
    assert ended >= 1
    log.append(AuditEntry(someone, "GET", "/api/cases", rows_returned=1))
    with engine.connect() as connection:
        rows, count = read_audit(connection, AuditQuery())
        assert count == 2 and rows[0]["rows_returned"] == 1 and verify_chain(connection, SEAL) is None
    log.close()
    engine.dispose()


def test_a_commit_that_landed_before_the_connection_broke_is_not_written_twice(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    engine = make_engine(postgres_url)
    migrate(engine)
    log = AuditLog(engine, SEAL)
    someone = Principal("p", "P", "qltt", Role.ANALYST)
    log.append(AuditEntry(someone, "GET", "/api/cases"))
    insert_at_tail = AuditLog._insert_at_tail

    def commit_then_break(pg: psycopg.Connection[object], row: dict[str, object]) -> bool:
        insert_at_tail(pg, row)
        pg.close()  # the answer to COMMIT never arrives
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(AuditLog, "_insert_at_tail", staticmethod(commit_then_break))
    log.append(AuditEntry(someone, "GET", "/api/cases", rows_returned=1))
    monkeypatch.undo()
    log.append(AuditEntry(someone, "GET", "/api/cases", rows_returned=2))
    with engine.connect() as connection:
        rows, count = read_audit(connection, AuditQuery())
        assert count == 3 and [row["rows_returned"] for row in rows] == [2, 1, 0]
        assert verify_chain(connection, SEAL) is None
    log.close()
    engine.dispose()


def test_a_failing_insert_is_not_retried_and_leaves_the_log_usable(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    migrate(engine)
    log = AuditLog(engine, SEAL)
    someone = Principal("p", "P", "qltt", Role.ANALYST)
    log.append(AuditEntry(someone, "GET", "/api/cases"))
    with pytest.raises(DBAPIError):  # the column holds 200 characters: the request fails, nothing is written
        log.append(AuditEntry(someone, "GET", "/api/cases", resource="x" * 201))
    log.append(AuditEntry(someone, "GET", "/api/cases", rows_returned=1))
    with engine.connect() as connection:
        _, count = read_audit(connection, AuditQuery())
        assert count == 2 and verify_chain(connection, SEAL) is None
    log.close()
    engine.dispose()


def test_admins_see_audit_rows_only_about_what_they_may_see(world: World) -> None:
    """Finding (issue 15): admins saw ids of police-only cases and numbers police looked up."""
    client = world.client()
    police = world.headers("police")
    assert client.get("/api/cases/VN-2025-POLICE-00002", headers=police).status_code == 200
    assert client.get("/api/subjects/S2", headers=police).status_code == 200
    client.get("/api/subjects/hits", headers=police, params={"identifier": S2_PHONE})
    client.get("/api/cases/VN-2025-QLTT-00001", headers=police)
    body = client.get("/api/audit", headers=world.headers("admin"), params={"limit": 1000}).json()
    text_seen = str(body)
    assert "VN-2025-POLICE-00002" not in text_seen and "'S2'" not in text_seen
    assert S2_PHONE not in text_seen and "0987654321" not in text_seen
    police_rows = [r for r in body["data"] if r["principal_id"] == "t-police"]
    assert {r["resource"] for r in police_rows} >= {"VN-2025-QLTT-00001"}  # a case the admin may see
    assert all(set(r["filters"].values()) <= {"withheld"} for r in police_rows)
    page = client.get("/audit", headers=world.headers("admin"))
    assert page.status_code == 200 and "VN-2025-POLICE-00002" not in page.text and S2_PHONE not in page.text


def test_the_owner_of_a_record_lists_who_read_it_and_who_asked_about_its_seller(world: World) -> None:
    """Finding (issue 15): the data owner could not learn who asked about its records."""
    client = world.client()
    client.get("/api/cases/VN-2025-QLTT-00001", headers=world.headers("tax"))
    client.get("/api/subjects/hits", headers=world.headers("customs"), params={"identifier": "0987 654 321"})
    qltt = client.get(
        "/api/audit/reads", headers=world.headers("qltt"), params={"resource": "VN-2025-QLTT-00001"}
    )
    assert qltt.status_code == 200
    assert "t-tax" in {r["principal_id"] for r in qltt.json()["data"]}
    police = client.get("/api/audit/reads", headers=world.headers("police"), params={"resource": "S2"}).json()
    asked = [r for r in police["data"] if r["principal_id"] == "t-customs"]
    assert asked and asked[0]["endpoint"] == "/api/subjects/hits"
    assert asked[0]["filters"] == {"identifier": "0987 654 321"}
    for who, resource in (("customs", "VN-2025-QLTT-00001"), ("qltt", "S2"), ("qltt", "NO-SUCH-CASE")):
        refused = client.get("/api/audit/reads", headers=world.headers(who), params={"resource": resource})
        assert refused.status_code == 404, (who, resource)


def tamper(engine: Engine, statement: str) -> None:
    """What an attacker with the database password does: disable the guard and change the table."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"))
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS audit_log_no_update"))
            connection.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
        connection.execute(text(statement))


def test_a_chain_rehashed_with_the_public_code_but_not_the_key_is_detected(database_url: str) -> None:
    """Finding (issue 15): re-hashing the chain with the public code went undetected."""
    engine = make_engine(database_url)
    migrate(engine)
    log = AuditLog(engine, SEAL)
    someone = Principal("p", "P", "police", Role.ANALYST)
    for rows in range(5):
        log.append(AuditEntry(someone, "GET", "/api/cases", {"q": "son"}, rows_returned=rows))
    guessed = AuditSeal(b"not the server key")  # the code is public, the key is not
    with engine.connect() as connection:
        stored = [dict(r._mapping) for r in connection.execute(select(AUDIT).order_by(AUDIT.c.seq))]
    previous, forged = GENESIS, []
    for values in stored:  # alter row 3, then re-chain the whole log so that it follows from genesis
        values = {**values, "prev_hash": previous}
        if values["seq"] == stored[2]["seq"]:
            values["rows_returned"] = 0
        values["row_hash"] = row_hash(values, guessed)
        previous = values["row_hash"]
        forged.append(values)
    for values in forged:
        tamper(
            engine,
            f"UPDATE audit_log SET rows_returned = {values['rows_returned']}, "
            f"prev_hash = '{values['prev_hash']}', "
            f"row_hash = '{values['row_hash']}' WHERE seq = {values['seq']}",
        )
    with engine.connect() as connection:
        assert verify_chain(connection, guessed) is None  # the forged chain follows, under its own key
        assert verify_chain(connection, SEAL) == stored[0]["seq"]  # not under the server's
    engine.dispose()


def test_removing_the_newest_rows_is_detected_by_the_persisted_head(
    database_url: str, tmp_path: Path
) -> None:
    """Finding (issue 15): deleting the last rows left a chain that still verified."""
    engine = make_engine(database_url)
    migrate(engine)
    seal = AuditSeal(b"test-audit-key", tmp_path)
    log = AuditLog(engine, seal)
    someone = Principal("p", "P", "police", Role.ANALYST)
    for rows in range(5):
        log.append(
            AuditEntry(someone, "GET", "/api/subjects/hits", {"identifier": "0987"}, rows_returned=rows)
        )
    with engine.connect() as connection:
        assert check_chain(connection, seal).break_ is None
        last = connection.execute(select(func.max(AUDIT.c.seq))).scalar_one()
    tamper(engine, f"DELETE FROM audit_log WHERE seq >= {last - 1}")
    with engine.connect() as connection:
        state = check_chain(connection, seal)
    assert state.rows == 3 and state.break_ is not None and state.break_.seq is None
    assert "removed from its end" in state.break_.reason
    engine.dispose()


def test_a_token_in_a_query_string_is_never_stored(world: World) -> None:
    """Finding (issue 15): a token sent in a query string was stored verbatim."""
    token = world.tokens["qltt"]
    world.client().get(
        "/api/cases", headers=world.headers("qltt"), params={"token": "s3cret", "q": token, "limit": "5"}
    )
    world.client().get("/api/cases", params={"access_token": token})
    with world.engine.connect() as connection:
        rows = [dict(r._mapping) for r in connection.execute(select(AUDIT).order_by(AUDIT.c.seq))]
    assert token not in str(rows) and "s3cret" not in str(rows)
    assert rows[-2]["filters"] == {"token": "[withheld]", "q": "[withheld]", "limit": "5"}
    assert rows[-1]["filters"] == {"access_token": "[withheld]"}
