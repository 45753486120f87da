"""From a credential to a principal. Tokens today; an OIDC resolver (verify the JWT, map claims to agency,
role and provinces) only has to implement PrincipalResolver to replace them."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Protocol

from sqlalchemy import Engine, Table, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from consumers.clock import utcnow
from services.access.principal import Principal, Role
from services.store.access_tables import ApiTokenRow, PrincipalRow

PRINCIPALS: Table = PrincipalRow.__table__  # type: ignore[assignment]
TOKENS: Table = ApiTokenRow.__table__  # type: ignore[assignment]
TOKEN_PREFIX = "chub_"
DEMO_LABEL = "demo"
DEMO_REFUSED = "demo principals work only in demo mode (casehub up); this server refuses their tokens"


class DemoPrincipalRefused(Exception):
    """A demo token presented to a server not in demo mode: well-known tokens must prove nobody there."""


class PrincipalResolver(Protocol):
    def resolve(self, credential: str) -> Principal | None:
        """The principal a bearer credential proves, or None when it proves nobody."""
        ...


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenResolver:
    """API tokens stored as SHA-256 hashes; revoked, expired or disabled ones prove nobody."""

    def __init__(self, engine: Engine, demo: bool = False) -> None:
        """`demo`: the demo principals' well-known tokens are accepted (`casehub up` only)."""
        self.engine = engine
        self.demo = demo

    def resolve(self, credential: str) -> Principal | None:
        """The principal, None for nobody; DemoPrincipalRefused for a demo token outside demo mode."""
        now = utcnow()
        query = (
            select(PRINCIPALS, TOKENS.c.label)
            .join(TOKENS, TOKENS.c.principal_id == PRINCIPALS.c.principal_id)
            .where(
                TOKENS.c.token_hash == token_hash(credential),
                TOKENS.c.revoked_at.is_(None),
                or_(TOKENS.c.expires_at.is_(None), TOKENS.c.expires_at > now),
                PRINCIPALS.c.disabled_at.is_(None),
            )
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        if not self.demo and row.label == DEMO_LABEL:
            raise DemoPrincipalRefused(DEMO_REFUSED)
        return principal_of(row._mapping)


def has_demo_tokens(engine: Engine) -> bool:
    """Was this store seeded with the demo principals (live demo tokens)?"""
    query = select(TOKENS.c.token_hash).where(TOKENS.c.label == DEMO_LABEL, TOKENS.c.revoked_at.is_(None))
    with engine.connect() as connection:
        return connection.execute(query.limit(1)).first() is not None


def principal_of(row: object) -> Principal:
    values = dict(row)  # type: ignore[call-overload]
    return Principal(
        principal_id=values["principal_id"],
        display_name=values["display_name"],
        agency=values["agency"],
        role=Role(values["role"]),
        provinces=frozenset(values["provinces"]),
    )


def save_principal(engine: Engine, principal: Principal) -> None:
    """Create or update a principal (its tokens stay valid)."""
    values = {
        "principal_id": principal.principal_id,
        "display_name": principal.display_name,
        "agency": principal.agency,
        "role": principal.role.value,
        "provinces": principal.provinces,
        "created_at": utcnow(),
        "disabled_at": None,
    }
    insert = (postgresql if engine.dialect.name == "postgresql" else sqlite).insert
    statement = insert(PRINCIPALS).values(values)
    changed = {
        k: statement.excluded[k] for k in ("display_name", "agency", "role", "provinces", "disabled_at")
    }
    with engine.begin() as connection:
        connection.execute(statement.on_conflict_do_update(index_elements=["principal_id"], set_=changed))


def issue_token(
    engine: Engine,
    principal_id: str,
    label: str | None = None,
    expires_at: datetime | None = None,
    token: str | None = None,
) -> str:
    """A new token for a principal; only its hash is stored, so this is the one time it is seen."""
    token = token or TOKEN_PREFIX + secrets.token_urlsafe(24)
    row = {
        "token_hash": token_hash(token),
        "principal_id": principal_id,
        "label": label,
        "created_at": utcnow(),
        "expires_at": expires_at,
        "revoked_at": None,
    }
    insert = (postgresql if engine.dialect.name == "postgresql" else sqlite).insert
    with engine.begin() as connection:
        connection.execute(insert(TOKENS).values(row).on_conflict_do_nothing(index_elements=["token_hash"]))
    return token


def list_principals(engine: Engine) -> list[Principal]:
    with engine.connect() as connection:
        rows = connection.execute(select(PRINCIPALS).order_by(PRINCIPALS.c.principal_id))
        return [principal_of(row._mapping) for row in rows]
