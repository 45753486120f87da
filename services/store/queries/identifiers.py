"""Finding a seller by an identifier as people type it: phone numbers in any spelling the linker reads
(schemas/normalisation/phone.phone_key is the one phone rule: +84, 0084, the trunk 0, pre-2018 mobile
prefixes, separators), tax codes with or without the branch dash, shop URLs with or without scheme,
www., trailing slash or tracking parameters (`?smtt=…`), and bare shop ids. The typed text is read by
the same normalisers the linker uses (schemas/normalisation/fields.py),
so what would link a seller also finds it.

Stored identifiers are kept as published, beside their keys (schemas/normalisation/identifier_keys.py):
SQL finds the candidates by the typed text's keys in two indexes, `matches` decides.
"""

from __future__ import annotations

from sqlalchemy import Connection, Select, or_, select

from schemas.normalisation.fields import field_key, typed_keys
from schemas.normalisation.identifier_keys import canonical, typed_lookup, zalo_phone
from services.store.sql_store import PROJECTIONS

IDENTIFIERS = PROJECTIONS["subject_identifiers"]


def matches(kind: str, stored: str, typed: str) -> bool:
    """Whether a stored identifier of a kind is what the user typed: the typed text read by the linker's
    own normalisers (schemas/normalisation/fields.py) gives the stored value's matching key, or, for what
    no normaliser reads, the two spellings agree loosely. Phones never agree loosely: two spellings are one
    phone exactly when the linker's `phone_key` says so."""
    if not typed.strip():
        return False
    key = field_key(kind, stored)
    if key is None:
        return canonical(kind, stored) == canonical(kind, typed)
    platforms = (key[1].partition(":")[0],) if key[0] == "shop" else ()
    typed_as = typed_keys(typed, platforms)
    if key in typed_as or zalo_phone(key) in typed_as:
        return True
    return kind != "phone" and canonical(kind, stored) == canonical(kind, typed)


def candidate_subject_ids(connection: Connection, typed: str) -> set[str]:
    """Subjects with an identifier that may be the typed one (a superset; check with `matches`)."""
    query = candidates_query(typed)
    return {row.subject_id for row in connection.execute(query)} if query is not None else set()


def candidates_query(typed: str) -> Select[tuple[str]] | None:
    """The subjects whose identifiers have a matching key or loose key the typed text may be, each found
    in its index; None for a text that can be nothing."""
    matching, loose = typed_lookup(typed)
    if not matching and not loose:
        return None
    c = IDENTIFIERS.c
    return (
        select(c.subject_id)
        .where(or_(c.match_key.in_(sorted(matching)), c.loose_key.in_(sorted(loose))))
        .distinct()
    )
