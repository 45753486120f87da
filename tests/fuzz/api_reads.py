"""Everything stored is readable: the analysts' API answers every stored case, seller and statistic
without a server error, whatever the fuzzer managed to get into the store."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from services.access.principal import Principal, Role
from services.access.resolver import issue_token, save_principal
from services.api.app import create_app
from services.store.sql_store import CASES, SUBJECTS

READERS = [
    Principal("fuzz-bcd389", "BCĐ 389 analyst", "bcd389", Role.ANALYST),
    Principal("fuzz-police", "Police analyst", "police", Role.ANALYST),
]
GROUPINGS = ["province", "agency", "category", "bucket", "platform", "status"]


def server_errors(engine: Engine) -> list[str]:
    """The requests that answered 5xx (none expected), over every stored case and subject."""
    with engine.connect() as connection:
        case_ids = list(connection.execute(select(CASES.c.case_id)).scalars())
        subject_ids = list(connection.execute(select(SUBJECTS.c.subject_id)).scalars())
    paths = [
        "/api/cases?limit=200",
        "/api/cases?q=son&sort=total_fines_vnd",
        "/api/public/stats",
        "/api/stats/report?period=2025-Q4",
        *(f"/api/stats?period=month&group_by={g}" for g in GROUPINGS),
        *(f"/api/cases/{case_id}" for case_id in case_ids),
        *(f"/api/subjects/{subject_id}" for subject_id in subject_ids),
    ]
    client = TestClient(create_app(engine), raise_server_exceptions=False)
    failures = []
    for principal in READERS:
        save_principal(engine, principal)
        headers = {"Authorization": f"Bearer {issue_token(engine, principal.principal_id)}"}
        for path in paths:
            answer = client.get(path, headers=headers)
            if answer.status_code >= 500:
                failures.append(f"{principal.agency} GET {path}: {answer.status_code}")
            elif answer.status_code not in (200, 404):
                failures.append(f"{principal.agency} GET {path}: unexpected {answer.status_code}")
    return failures
