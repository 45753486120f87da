"""Why a tip form was refused, in Vietnamese (the English in brackets), naming the field as the form does.

Pydantic's messages are English and echo the input; a refused contact must not come back in an answer or
an audit row, so only the field and the kind of error are said, never the value."""

from __future__ import annotations

from pydantic import ValidationError

FIELD_NAMES = {
    "category": "Loại vi phạm",
    "description": "Nội dung tin báo",
    "platform": "Nền tảng",
    "shop_url": "Đường dẫn gian hàng",
    "province_code": "Tỉnh / thành phố",
    "contact": "Liên hệ",
    "token": "Mã biểu mẫu",
}
KINDS = {
    "missing": "chưa được điền",
    "string_too_short": "quá ngắn",
    "string_too_long": "quá dài",
    "too_long": "quá dài",
    "too_short": "quá ngắn",
    "text_too_long": "quá dài",
    "link_too_long": "quá dài",
    "control_character": "chứa ký tự điều khiển không hợp lệ",
    "string_pattern_mismatch": "không đúng định dạng",
    "extra_forbidden": "không phải là trường của biểu mẫu",
    "string_type": "phải là văn bản",
}


def refusal_message(error: ValidationError) -> str:
    """One line: '<field>: <what is wrong> (<field>: <pydantic's type>)' for the first error."""
    first = error.errors(include_input=False, include_url=False)[0]
    field = str(first["loc"][-1]) if first["loc"] else "body"
    kind = KINDS.get(first["type"], "không hợp lệ")
    limit = first.get("ctx", {}).get("max_length") or first.get("ctx", {}).get("min_length")
    detail = f" (giới hạn {limit} ký tự)" if limit is not None and "too" in first["type"] else ""
    return f"{FIELD_NAMES.get(field, field)}: {kind}{detail} ({field}: {first['type']})"
