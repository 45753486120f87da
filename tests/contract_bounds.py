"""Events at the edges of the contract: every bounded string at its longest (in 4-byte characters where
anything goes), every amount at its maximum. Whatever the contract accepts, every store must accept."""

from __future__ import annotations

from typing import Any, get_args

from pydantic import BaseModel

from schemas import bounds
from schemas.events import AnyPayload

WIDE = "😀"  # four bytes in UTF-8: the widest a character gets
_LONGEST = {
    bounds.check_line: WIDE * bounds.LINE_MAX,
    bounds.check_prose: ("Dòng\n" + WIDE * 5) * (bounds.PROSE_MAX // 10),
    bounds.check_identifier: WIDE * bounds.IDENTIFIER_MAX,
    bounds.check_url: "https://shopee.vn/" + "%C3" * ((bounds.URL_MAX_BYTES - 18) // 3),
}


def validators_of(field_info: Any) -> list[Any]:
    """The validator functions of a field, looking through Optional and tuples."""
    found = [getattr(m, "func", None) for m in field_info.metadata]
    for arg in get_args(field_info.annotation):
        for inner in [arg, *get_args(arg)]:
            found += [getattr(m, "func", None) for m in getattr(inner, "__metadata__", ())]
    return [f for f in found if f is not None]


def max_length_of(field_info: Any) -> int | None:
    lengths = [m.max_length for m in field_info.metadata if getattr(m, "max_length", None) is not None]
    for arg in get_args(field_info.annotation):
        for inner in [arg, *get_args(arg)]:
            for m in getattr(inner, "__metadata__", ()):
                lengths += [getattr(m, "max_length", None)] if getattr(m, "max_length", None) else []
                lengths += [
                    g.max_length for g in getattr(m, "metadata", ()) if getattr(g, "max_length", None)
                ]
    return min(lengths) if lengths else None


def longest_value(field_info: Any) -> str | None:
    """The longest value a bounded string field takes, or None for codes and other fixed shapes."""
    checks = validators_of(field_info)
    if bounds.check_url_safe_id in checks:
        return "X" * (max_length_of(field_info) or bounds.IDENTIFIER_MAX)
    for check in checks:
        if check in _LONGEST:
            value = _LONGEST[check]
            limit = max_length_of(field_info)
            return value[:limit] if limit is not None else value
    return None


def at_the_bounds(model: BaseModel, share: int = 1) -> Any:
    """`model` with every bounded string at its longest and every amount at MAX_VND (split in `share`
    equal parts among the items of a list, whose sum is bounded too)."""
    changes: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        current = getattr(model, name)
        if current is None:
            continue
        if isinstance(current, BaseModel):
            changes[name] = at_the_bounds(current)
        elif isinstance(current, tuple) and current and isinstance(current[0], BaseModel):
            changes[name] = tuple(at_the_bounds(item, len(current)) for item in current)
        elif isinstance(current, tuple) and current and isinstance(current[0], str):
            longest = longest_value(info)
            if longest is not None:
                changes[name] = tuple(longest for _ in current)
        elif isinstance(current, str) and (longest := longest_value(info)) is not None:
            changes[name] = longest
        elif isinstance(current, int) and not isinstance(current, bool) and name.endswith("_vnd"):
            changes[name] = bounds.MAX_VND // share
    data = {**model.model_dump(), **{k: v for k, v in changes.items()}}
    return type(model).model_validate(data)


def payload_at_the_bounds(payload: AnyPayload) -> AnyPayload:
    result: AnyPayload = at_the_bounds(payload)
    return result
