"""Lists of codes (agencies, provinces, platforms) in one text column: the one codec, inside the store.

A column holds the sorted codes as ',a,b,' so that the position of ',a,' in it finds a row by any of them on
SQLite (`instr`) and PostgreSQL (`strpos`) alike (neither array nor JSON containment is portable across the
two); '' is the empty list. Not LIKE: SQLite's LIKE ignores ASCII case, so 'v' found a row holding 'V'.
The encoding never leaves the store: `CodeList` columns take and give tuples of codes, and `holds` is
the only filter over them. Why a TypeDecorator and not a dialect array: the tally triggers and the
partial (per-viewer) tables are plain SQL over the same text on both backends.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Dialect, Integer, String, literal, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

_SEPARATOR = ","


class CodeListError(ValueError):
    """A code that cannot be stored in a code list (it would split into two, or match across two)."""


def encode(codes: Iterable[str]) -> str:
    """('b', 'a') → ',a,b,'; () → ''. Duplicates are one code."""
    if isinstance(codes, str):  # an encoded (or a single) string here means a caller did the store's job
        raise TypeError(f"a code list takes a sequence of codes, not the string {codes!r}")
    unique = sorted(set(codes))
    for code in unique:
        _check(code)
    return _SEPARATOR + _SEPARATOR.join(unique) + _SEPARATOR if unique else ""


def decode(text: str | None) -> tuple[str, ...]:
    """',a,b,' (or a legacy ',,') → ('a', 'b')."""
    return tuple(code for code in (text or "").split(_SEPARATOR) if code)


class CodeList(TypeDecorator[tuple[str, ...]]):
    """A text column holding a list of codes: binds any iterable of codes, reads a sorted tuple."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else encode(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[str, ...] | None:
        return None if value is None else decode(value)

    def coerce_compared_value(self, op: Any, value: Any) -> Any:
        return String()  # LIKE patterns compare with the stored text, not a list


def holds(column: Any, code: str) -> ColumnElement[bool]:
    """Rows whose code list holds `code`."""
    _check(code)
    needle = literal(f"{_SEPARATOR}{code}{_SEPARATOR}", String())
    return _position(type_coerce(column, String()), needle) > 0


class _position(FunctionElement[int]):
    """Where a text occurs in another (1-based, 0 if nowhere), case-sensitive on both databases."""

    type = Integer()
    inherit_cache = True


@compiles(_position)
def _strpos(element: _position, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strpos({compiler.process(element.clauses, **kw)})"


@compiles(_position, "sqlite")
def _instr(element: _position, compiler: SQLCompiler, **kw: Any) -> str:
    return f"instr({compiler.process(element.clauses, **kw)})"


def _check(code: str) -> None:
    if not code or _SEPARATOR in code or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in code):
        raise CodeListError(
            f"{code!r} cannot be a code in a list (empty, holds {_SEPARATOR!r}, or a control character: "
            "SQLite's text functions stop at a NUL, so a list holding one would hide the codes after it)"
        )
