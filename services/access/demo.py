"""Demo principals with well-known tokens, for `casehub up` and the web UI's demo switcher only."""

from __future__ import annotations

from sqlalchemy import Engine

from services.access.principal import Principal, Role
from services.access.resolver import DEMO_LABEL, issue_token, save_principal

DEMO_PRINCIPALS = (
    Principal("demo-bcd389-analyst", "Chuyên viên Văn phòng BCĐ 389", "bcd389", Role.ANALYST),
    Principal("demo-qltt-analyst", "Chuyên viên Cục QLTT", "qltt", Role.ANALYST),
    Principal(
        "demo-qltt-hanoi-officer",
        "Kiểm soát viên QLTT Hà Nội",
        "qltt",
        Role.AGENCY_OFFICER,
        frozenset({"01"}),
    ),
    Principal("demo-customs-analyst", "Chuyên viên Cục Hải quan", "customs", Role.ANALYST),
    Principal(
        "demo-tax-hcm-officer", "Cán bộ Thuế TP. Hồ Chí Minh", "tax", Role.AGENCY_OFFICER, frozenset({"79"})
    ),
    Principal("demo-police-analyst", "Điều tra viên A05", "police", Role.ANALYST),
    Principal("demo-ipvn-analyst", "Chuyên viên Cục Sở hữu trí tuệ", "ipvn", Role.ANALYST),
    Principal("demo-admin", "Quản trị hệ thống (BCĐ 389)", "bcd389", Role.ADMIN),
    Principal("demo-ops", "Vận hành hệ thống", None, Role.OPS),
)


def demo_token(principal: Principal) -> str:
    """Demo tokens are public knowledge; never seed them outside a demo."""
    return principal.principal_id


def seed_demo_principals(engine: Engine) -> dict[str, str]:
    """Create the demo principals and their tokens (idempotent); principal id → token."""
    tokens = {}
    for principal in DEMO_PRINCIPALS:
        save_principal(engine, principal)
        tokens[principal.principal_id] = issue_token(
            engine, principal.principal_id, label=DEMO_LABEL, token=demo_token(principal)
        )
    return tokens
