"""The few facts of an event a reader scans a timeline for, labelled in both languages.

Which facts is each event type's `summary` (consumers/event_types/); how a field is labelled and shown
is here, shared by every type that carries the field.
"""

from __future__ import annotations

from typing import Any

from consumers.event_types.registry import entry_named
from services.reports.labels import label
from services.views.case_detail import TimelineEntry
from services.web.formatting import vnd

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "summary": ("Nội dung", "Summary"),
    "received_via": ("Kênh tiếp nhận", "Received via"),
    "platform": ("Nền tảng", "Platform"),
    "province_code": ("Mã tỉnh", "Province code"),
    "title": ("Tiêu đề", "Title"),
    "source": ("Nguồn phát hiện", "Source"),
    "channel": ("Kênh bán", "Channel"),
    "goods": ("Hàng hóa", "Goods"),
    "category": ("Loại vi phạm", "Category"),
    "display_name": ("Tên", "Name"),
    "kind": ("Loại", "Kind"),
    "shop_url": ("Gian hàng", "Shop"),
    "phone": ("Điện thoại", "Phone"),
    "tax_code": ("Mã số thuế", "Tax code"),
    "address": ("Địa chỉ", "Address"),
    "result": ("Kết quả", "Result"),
    "record_number": ("Số biên bản", "Record no."),
    "place": ("Địa điểm", "Place"),
    "legal_basis": ("Căn cứ pháp lý", "Legal basis"),
    "description": ("Mô tả", "Description"),
    "items": ("Hàng tạm giữ", "Goods seized"),
    "handling": ("Biện pháp", "Measure"),
    "fine_vnd": ("Tiền phạt", "Fine"),
    "decision_number": ("Số quyết định", "Decision no."),
    "violator_name": ("Người vi phạm", "Violator"),
    "to_agency": ("Chuyển đến", "Referred to"),
    "to_unit": ("Đơn vị nhận", "Receiving unit"),
    "reason": ("Lý do", "Reason"),
    "document_number": ("Số công văn", "Document no."),
    "reacting_agency": ("Cơ quan phản hồi", "Reacting agency"),
    "note": ("Ghi chú", "Note"),
    "own_case_id": ("Mã hồ sơ riêng", "Own case id"),
    "listing_urls": ("Đường dẫn", "Listings"),
    "request_reference": ("Số yêu cầu", "Request ref."),
    "due_at": ("Hạn", "Due"),
    "outcome": ("Kết quả", "Outcome"),
    "platform_reference": ("Mã xử lý của nền tảng", "Platform ref."),
}


CODED = {
    "category": "category",
    "platform": "platform",
    "channel": "channel",
    "to_agency": "agency_short",
    "reacting_agency": "agency_short",
    "province_code": "province",
}


def summary(entry: TimelineEntry, lang: str = "vi") -> list[tuple[tuple[str, str], str]]:
    """(label in vi/en, value) for the event's key facts that are present; codes shown with their names."""
    facts = []
    for name in entry_named(entry.event_type).summary:
        value = entry.payload.get(name)
        if value in (None, "", [], ()):
            continue
        shown = _shown(name, value)
        if name in CODED and isinstance(value, str):
            shown = (
                f"{label(CODED[name], value, lang)} ({value})"
                if name == "province_code"
                else label(CODED[name], value, lang)
            )
        facts.append((FIELD_LABELS.get(name, (name, name)), shown))
    return facts


def _shown(name: str, value: Any) -> str:
    if name == "fine_vnd":
        return vnd(value)
    if name == "legal_basis" and isinstance(value, dict):
        parts = [value.get("instrument"), f"Điều {value['article']}" if value.get("article") else None]
        if value.get("clause"):
            parts.append(f"khoản {value['clause']}")
        return ", ".join(p for p in parts if p)
    if name == "items" and isinstance(value, list):
        described = [f"{i.get('description')} ×{i.get('quantity'):g} {i.get('unit')}" for i in value]
        total = sum(i.get("value_vnd") or 0 for i in value)
        return "; ".join(described) + (f" — {vnd(total)}" if total else "")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
