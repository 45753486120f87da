"""Finding (issue 15): edge values gave 500s, unaudited. Each is now a 422 that says which bound it broke,
and the refusal is in the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.access.audit import AUDIT
from tests.analyst_world import World
from tests.web_sign_in import signed_in_client

pytestmark = pytest.mark.integration
BEYOND_INT64 = str(2**63)

EDGES = [
    ("/api/cases", {"offset": BEYOND_INT64}),
    ("/api/cases", {"date_from": "0001-01-01"}),
    ("/api/cases", {"date_to": "9999-12-31"}),
    ("/api/cases", {"province": "01", "province_on": "0001-01-01"}),
    ("/api/cases", {"q": "x" * 60_000}),
    ("/api/stats", {"date_to": "9999-12-31"}),
    ("/api/export", {"date_from": "0001-01-01"}),
    ("/api/public/stats", {"date_from": "0001-01-01"}),
    ("/api/stats/report", {"period": "0000"}),
    ("/api/stats/report", {"period": "9999-12"}),
    ("/api/stats/report.xlsx", {"period": "0000-Q1"}),
    ("/api/subjects", {"name": "x" * 60_000}),
    ("/api/subjects", {"name": "Mỹ", "offset": BEYOND_INT64}),
    ("/api/subjects/hits", {"identifier": "9" * 60_000}),
    ("/api/alerts", {"offset": BEYOND_INT64}),
    ("/api/audit", {"offset": BEYOND_INT64}),
    ("/api/audit", {"since": "0001-01-01T00:00:00"}),
    ("/api/audit", {"until": "9999-12-31T23:59:59"}),
]


@pytest.mark.parametrize(("path", "params"), EDGES, ids=[f"{p}?{','.join(q)}" for p, q in EDGES])
def test_an_edge_value_is_a_422_and_audited(world: World, path: str, params: dict[str, str]) -> None:
    answer = world.client().get(path, params=params, headers=world.headers("admin"))
    assert answer.status_code == 422, answer.text[:300]
    assert "detail" in answer.json()
    with world.engine.connect() as connection:
        last = connection.execute(select(AUDIT).order_by(AUDIT.c.seq.desc()).limit(1)).one()._mapping
    assert (last["endpoint"], last["status_code"], last["principal_id"]) == (path, 422, "t-admin")


@pytest.mark.parametrize(
    ("path", "params", "status", "says"),
    [
        ("/cases", {"date_from": "0001-01-01"}, 200, "outside 1990-01-01"),
        ("/cases", {"q": "x" * 60_000}, 200, "longer than 200 characters"),
        ("/reports", {"period": "9999-12"}, 200, "within 1990"),
        ("/subjects", {"name": "x" * 60_000}, 422, "longer than 200 characters"),
    ],
)
def test_the_pages_refuse_edge_values_without_a_server_error(
    world: World, path: str, params: dict[str, str], status: int, says: str
) -> None:
    """A page shows the bound it broke in its own form (200), or answers 422."""
    client = signed_in_client(world.client(), world.tokens["admin"])
    answer = client.get(path, params=params)
    assert (answer.status_code, says in answer.text) == (status, True)
