"""Pydantic's validation errors as one Vietnamese line each, naming the field: what an agency clerk reads.

`str(ValidationError)` starts "1 validation error for CaseEvent" and goes on in English over several
lines; a report or an API answer needs "payload.fine_vnd: phải là số nguyên (nhận được: 'abc')". Error
types are pydantic's stable identifiers (pydantic-core ErrorType); a type not listed here keeps
pydantic's own English message, so nothing is hidden.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

_MAX_SHOWN = 60

VI: Mapping[str, str] = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không có trong hợp đồng dữ liệu",
    "string_type": "phải là chuỗi ký tự",
    "string_too_short": "quá ngắn (tối thiểu {min_length} ký tự)",
    "string_too_long": "quá dài (tối đa {max_length} ký tự)",
    "string_pattern_mismatch": "sai định dạng (mẫu {pattern})",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "int_from_float": "phải là số nguyên, không có phần lẻ",
    "float_type": "phải là số",
    "float_parsing": "phải là số",
    "greater_than": "phải lớn hơn {gt}",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "less_than": "phải nhỏ hơn {lt}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "bool_type": "phải là đúng/sai (true/false)",
    "bool_parsing": "phải là đúng/sai (true/false)",
    "enum": "không phải giá trị cho phép ({expected})",
    "literal_error": "không phải giá trị cho phép ({expected})",
    "uuid_type": "phải là UUID",
    "uuid_parsing": "phải là UUID",
    "date_type": "phải là ngày (YYYY-MM-DD)",
    "date_parsing": "phải là ngày (YYYY-MM-DD)",
    "date_from_datetime_parsing": "phải là ngày (YYYY-MM-DD)",
    "datetime_type": "phải là thời điểm ISO 8601 có múi giờ",
    "datetime_parsing": "phải là thời điểm ISO 8601 có múi giờ",
    "datetime_from_date_parsing": "phải là thời điểm ISO 8601 có múi giờ",
    "timezone_aware": "thời điểm phải có múi giờ (ví dụ +07:00)",
    "too_short": "quá ít phần tử (tối thiểu {min_length})",
    "too_long": "quá nhiều phần tử (tối đa {max_length})",
    "list_type": "phải là danh sách",
    "tuple_type": "phải là danh sách",
    "dict_type": "phải là đối tượng JSON",
    "model_type": "phải là đối tượng JSON",
    "model_attributes_type": "phải là đối tượng JSON",
    "union_tag_invalid": "loại không hợp lệ ({tag}); cho phép: {expected_tags}",
    "union_tag_not_found": "thiếu trường phân loại {discriminator}",
    "json_invalid": "không phải JSON hợp lệ",
    "value_error": "giá trị không hợp lệ: {error}",
    "text_too_long": "quá dài ({length} ký tự; tối đa {limit})",
    "link_too_long": "đường dẫn quá dài ({size} byte UTF-8; tối đa {limit})",
    "control_character": "chứa ký tự điều khiển {character} ở vị trí {position}",
    "id_not_link_safe": "mã {shown} chỉ được gồm chữ A-Z a-z, chữ số và . _ ~ : - (để dùng trong đường dẫn)",
    "date_out_of_range": "ngày {day} nằm ngoài khoảng hệ thống ghi nhận ({first} đến {end})",
    "assertion_error": "giá trị không hợp lệ: {error}",
}


def vietnamese_errors(error: ValidationError, prefix: str = "") -> list[str]:
    """Every error of a validation as 'field.path: lý do (nhận được: …)', in Vietnamese."""
    return [_line(item, prefix) for item in error.errors(include_url=False)]


def first_field(error: ValidationError) -> str:
    """The dotted path of the first failing field ('' when the whole object is wrong)."""
    errors = error.errors(include_url=False)
    return _path(errors[0]["loc"]) if errors else ""


def _line(item: Mapping[str, Any], prefix: str) -> str:
    path = _path(item["loc"])
    where = ".".join(p for p in (prefix, path) if p) or "(toàn bộ)"
    template = VI.get(str(item["type"]))
    context = dict(item.get("ctx") or {})
    if "error" in context:
        context["error"] = str(context["error"]).removeprefix("Value error, ")
    try:
        reason = template.format(**context) if template else str(item["msg"])
    except (KeyError, IndexError):
        reason = str(item["msg"])
    if item["type"] == "missing":
        return f"{where}: {reason}"
    return f"{where}: {reason} (nhận được: {_shown(item.get('input'))})"


def _path(loc: Sequence[int | str]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif parts:
            parts.append(f".{part}")
        else:
            parts.append(str(part))
    return "".join(parts)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"
