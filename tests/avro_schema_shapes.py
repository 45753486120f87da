"""Small Avro schema builders for the compatibility checker's tests (records, fields, enums, fixed)."""

from __future__ import annotations

from typing import Any

from schemas.compatibility import can_read


def record(name: str, *fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "record", "name": name, "fields": list(fields), **extra}


def field(name: str, type_: Any, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **extra}


def enum(symbols: list[str], name: str = "Source", **extra: Any) -> dict[str, Any]:
    return {"type": "enum", "name": name, "symbols": symbols, **extra}


def fixed(size: int, name: str = "Hash", **extra: Any) -> dict[str, Any]:
    return {"type": "fixed", "name": name, "size": size, **extra}


def messages(reader: Any, writer: Any) -> list[str]:
    """The checker's findings as strings: `reader` reading data written with `writer`."""
    return [str(issue) for issue in can_read(reader, writer)]
