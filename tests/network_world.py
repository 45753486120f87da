"""A small world of linked sellers for the network and inbox tests.

Q1 (qltt) and T1 (tax) share a phone, written two ways; Q1 and P1 (police, OWNER_ONLY + H3) share an
e-mail; P1 and C1 (customs) share a bank account. The hub holds one entity of all four; QLTT sees Q1 and
T1 (C1 is joined only through the police record, so not shown); the police see all four. Q1 and T1 also
carry a placeholder mailbox (bundled stop-list) and T1 a shop that X1 and X2 carry too (over a cap of 2).
Tax also holds an embargoed record on T1: nobody else is told of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from consumers.entity.keys import sighting_of
from consumers.entity.linker import EntityLinker
from consumers.projections import apply_events, stored_event
from schemas.events import (
    CaseEvent,
    CaseOpened,
    CaseReferred,
    Distribution,
    DistributionLevel,
    ReferralKind,
    SubjectIdentified,
    SubjectKind,
)
from services.access.principal import Principal, Role
from services.access.resolver import issue_token, save_principal
from services.api.app import create_app
from services.settings import Settings
from services.store.engine import make_engine, migrate
from services.store.entity_store import entities_of
from services.store.sql_entity_store import SqlEntityTransaction
from services.store.sql_store import SqlCaseStore
from tests.factories import event

T0 = datetime(2025, 9, 1, 2, 0, tzinfo=UTC)
NOW = datetime(2025, 12, 1, tzinfo=UTC)
SHARED = Distribution(level=DistributionLevel.ALL_AGENCIES)
POLICE_ONLY = Distribution(level=DistributionLevel.OWNER_ONLY, handling="INVESTIGATION_CONFIDENTIAL")
BANK = "k1:" + "cd" * 32
WHO = {
    "qltt": Principal("n-qltt", "QLTT", "qltt", Role.ANALYST),
    "police": Principal("n-police", "Police", "police", Role.ANALYST),
    "ipvn": Principal("n-ipvn", "IP office", "ipvn", Role.ANALYST),
    "qltt2": Principal("n-qltt-2", "QLTT colleague", "qltt", Role.ANALYST),
    "qltt_hcm": Principal("n-qltt-hcm", "QLTT HCM officer", "qltt", Role.AGENCY_OFFICER, frozenset({"79"})),
    "tax": Principal("n-tax", "Tax", "tax", Role.ANALYST),
    "ops": Principal("n-ops", "Ops", None, Role.OPS),
}


@dataclass
class NetworkWorld:
    engine: Engine
    tokens: dict[str, str]
    entity_id: str

    def get(self, who: str, path: str) -> Any:
        client = TestClient(create_app(self.engine, Settings(entity_link_cap=2), clock=lambda: NOW))
        return client.get(path, headers={"Authorization": f"Bearer {self.tokens[who]}"})


def _case(case_id: str, agency: str, n: int, distribution: Distribution = SHARED) -> CaseEvent:
    opened = CaseOpened(
        title=f"Vụ {case_id}", goods="son giả", province_code="01", category="counterfeit", platform="shopee"
    )
    at = T0 + timedelta(hours=n)
    return event(
        opened, case_id=case_id, agency=agency, occurred_at=at, recorded_at=at, distribution=distribution
    )


def _seen(case_id: str, agency: str, n: int, subject_id: str, name: str, **ids: Any) -> CaseEvent:
    distribution = ids.pop("distribution", SHARED)
    embargo = ids.pop("embargo", None)
    at = T0 + timedelta(hours=n, minutes=30)
    payload = SubjectIdentified(subject_id=subject_id, kind=SubjectKind.PERSON, display_name=name, **ids)
    return event(
        payload,
        case_id=case_id,
        agency=agency,
        occurred_at=at,
        recorded_at=at,
        distribution=distribution,
        embargo_until=embargo,
    )


def _referred(case_id: str, agency: str, n: int, to: str) -> CaseEvent:
    at = T0 + timedelta(hours=n, minutes=45)
    payload = CaseReferred(to_agency=to, kind=ReferralKind.CRIMINAL_INVESTIGATION, reason="dấu hiệu tội phạm")
    listed = Distribution(level=DistributionLevel.LISTED_AGENCIES, agencies=(to,))
    return event(payload, case_id=case_id, agency=agency, occurred_at=at, recorded_at=at, distribution=listed)


def network_events() -> list[CaseEvent]:
    q, t, p, c, x, e = (
        "VN-2025-QLTT-00101",
        "VN-2025-TAX-00102",
        "VN-2025-POLICE-00103",
        "VN-2025-CUSTOMS-00104",
        "VN-2025-QLTT-00105",
        "VN-2025-TAX-00106",
    )
    return [
        _case(q, "qltt", 0),
        _seen(q, "qltt", 0, "Q1", "<b>Shop Mỹ</b>", phone="0912 345 678", email="shop.my@gmail.com"),
        _seen(q, "qltt", 0, "Q1", "<b>Shop Mỹ</b>", email="NoEmail@gmail.com"),
        _case(t, "tax", 1),
        _seen(
            t,
            "tax",
            1,
            "T1",
            "Hộ KD Mỹ",
            phone="+84 912 345 678",
            email="noemail@gmail.com",
            platform="shopee",
            shop_url="https://shopee.vn/shop/777",
        ),
        _referred(q, "qltt", 0, "police"),
        _case(p, "police", 2, POLICE_ONLY),
        _seen(
            p,
            "police",
            2,
            "P1",
            "Đối tượng mật",
            email="shopmy@gmail.com",
            bank_account_hash=BANK,
            distribution=POLICE_ONLY,
        ),
        _seen(p, "police", 2, "Q1", "Shop Mỹ", distribution=POLICE_ONLY),
        _case(c, "customs", 3),
        _seen(c, "customs", 3, "C1", "Cty Nhập Khẩu", bank_account_hash=BANK),
        _case(x, "qltt", 4),
        _seen(x, "qltt", 4, "X1", "Khác 1", platform="shopee", shop_url="https://shopee.vn/shop/777"),
        _seen(x, "qltt", 4, "X2", "Khác 2", platform="shopee", shop_url="https://shopee.vn/shop/777"),
        _case(e, "tax", 5),
        _seen(e, "tax", 5, "T1", "Hộ KD Mỹ", tax_code="0101234567", embargo=datetime(2026, 6, 1, tzinfo=UTC)),
    ]


def build_network_world(url: str) -> Iterator[NetworkWorld]:
    """The store at `url` with the events materialized, the sellers linked (cap 2), principals issued."""
    engine = make_engine(url)
    migrate(engine)
    events = network_events()
    with SqlCaseStore(engine).transaction() as tx:
        apply_events(tx, [stored_event(e, "t", 0, i) for i, e in enumerate(events)])
    sightings = [
        sighting_of(e.payload.subject_id, str(e.event_id), e.occurred_at, e.payload.model_dump(mode="json"))
        for e in events
        if isinstance(e.payload, SubjectIdentified)
    ]
    with engine.begin() as connection:
        EntityLinker(cap=2).link(SqlEntityTransaction(connection), sightings)
        entity_id = entities_of(connection, ["Q1"])["Q1"]
    tokens = {}
    for key, principal in WHO.items():
        save_principal(engine, principal)
        tokens[key] = issue_token(engine, principal.principal_id)
    try:
        yield NetworkWorld(engine, tokens, entity_id)
    finally:
        engine.dispose()
