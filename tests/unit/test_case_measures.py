"""The referred and penalized rules: the live SQLAlchemy rule and the frozen SQL text of the tally triggers
(migration 0008) agree on every combination of stage, outcome and fine, on a real SQLite table."""

from __future__ import annotations

import importlib.util
from itertools import product
from pathlib import Path
from types import ModuleType

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
    select,
    text,
)

from schemas.vocabulary import CaseOutcome
from services.store.queries.case_measures import penalized, referred

MIGRATION = Path("services/store/migrations/versions/0008_query_speed.py")


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("migration_0008", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_trigger_copy_of_the_rules_counts_exactly_what_the_live_rules_count() -> None:
    migration = _migration()
    metadata = MetaData()
    cases = Table(
        "rows",
        metadata,
        Column("case_id", String, primary_key=True),
        Column("first_event_at", DateTime),
        *(Column(key, String) for key in migration.KEYS),
        Column("outcome", String),
        Column("total_fines_vnd", BigInteger),
        Column("goods_value_vnd", BigInteger),
    )
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    stages = ["stub", "tip", "open", "penalized", "referred", "closed", None]
    outcomes = [*(o.value for o in CaseOutcome), None]
    with engine.begin() as connection:
        for i, (status, outcome, fine) in enumerate(product(stages, outcomes, (0, 1, None))):
            connection.execute(
                insert(cases).values(case_id=str(i), status=status, outcome=outcome, total_fines_vnd=fine)
            )
        values = migration.tally_values("sqlite", "r", 1, "''", False)
        frozen = connection.execute(text(f"SELECT r.case_id, {values} FROM rows r")).all()
        live = connection.execute(
            select(cases.c.case_id, penalized(cases.c), referred(cases.c)).order_by(cases.c.case_id)
        ).all()
    measures = 2 + len(migration.KEYS)  # after the case id: audience, month and the keys
    frozen_by_case = {row[0]: (row[measures + 2], row[measures + 3]) for row in frozen}
    live_by_case = {case_id: (int(bool(p)), int(bool(r))) for case_id, p, r in live}
    assert frozen_by_case == live_by_case
    assert sum(r for _, r in live_by_case.values()) > 0 and sum(p for p, _ in live_by_case.values()) > 0
