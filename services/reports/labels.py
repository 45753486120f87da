"""Names people read for the codes the store keeps, in Vietnamese or English, from the reference data
where it has them (agencies, provinces, categories, platforms, channels, handling codes)."""

from __future__ import annotations

from functools import cache

from consumers.event_types.registry import entry_named
from schemas.errors import ContractViolation
from schemas.reference import (
    agencies,
    category_history,
    channels,
    handling_codes,
    platforms,
    province_history,
)

LANGS = ("vi", "en")

BUCKETS = {
    "banned_smuggled": ("Hàng cấm, hàng nhập lậu", "Banned and smuggled goods"),
    "trade_tax_fraud": ("Gian lận thương mại, gian lận thuế", "Trade and tax fraud"),
    "counterfeit_ip": ("Hàng giả, xâm phạm sở hữu trí tuệ", "Counterfeits and IP infringement"),
}
STATUSES = {
    "stub": ("Chưa đủ thông tin", "Incomplete"),
    "tip": ("Tin báo", "Tip received"),
    "open": ("Đã mở hồ sơ", "Opened"),
    "inspected": ("Đã kiểm tra", "Inspected"),
    "violation_confirmed": ("Xác định vi phạm", "Violation confirmed"),
    "penalized": ("Đã xử phạt", "Penalized"),
    "referred": ("Chuyển cơ quan điều tra", "Referred for investigation"),
    "closed": ("Đã kết thúc", "Closed"),
}
LEVELS = {
    "ALL_AGENCIES": ("Chia sẻ mọi cơ quan", "Shared with all agencies"),
    "LISTED_AGENCIES": ("Chỉ các cơ quan được chỉ định", "Listed agencies only"),
    "OWNER_ONLY": ("Chỉ cơ quan sở hữu", "Owner only"),
}
AGENCIES_SHORT = {
    "qltt": ("QLTT", "Market surveillance"),
    "customs": ("Hải quan", "Customs"),
    "tax": ("Thuế", "Tax"),
    "police": ("Công an (A05)", "Police (A05)"),
    "ipvn": ("Cục SHTT", "IP Office"),
    "ecom": ("Cục TMĐT", "E-commerce Agency"),
    "bcd389": ("BCĐ 389", "Steering Committee 389"),
}
MEASURES = {
    "cases": ("Số vụ", "Cases"),
    "penalized_cases": ("Số vụ đã xử phạt", "Cases penalized"),
    "referred_cases": ("Số vụ chuyển cơ quan điều tra", "Cases referred for investigation"),
    "fines_vnd": ("Tiền phạt (đồng)", "Fines (VND)"),
    "goods_value_vnd": ("Trị giá hàng vi phạm (đồng)", "Goods value (VND)"),
}
_TABLES = {
    "agency_short": AGENCIES_SHORT,
    "bucket": BUCKETS,
    "status": STATUSES,
    "level": LEVELS,
    "measure": MEASURES,
}
NONE = ("Chưa xác định", "Not established")


def label(kind: str, code: str | None, lang: str = "vi") -> str:
    """The name of a code of a kind (agency, province, category, platform, channel, handling, bucket, ...)."""
    index = 1 if lang == "en" else 0
    if code is None or code == "":
        return NONE[index]
    if kind == "event_type":
        return _event_type_label(code, index)
    table = _TABLES.get(kind)
    if table is not None:
        return table[code][index] if code in table else code
    return _reference_label(kind, code, index)


def _event_type_label(code: str, index: int) -> str:
    """An event type is named by its entry (consumers/event_types/); an unknown code shows as itself."""
    try:
        return entry_named(code).label[index]
    except ContractViolation:
        return code


@cache
def _reference_label(kind: str, code: str, index: int) -> str:
    try:
        if kind == "agency":
            row = agencies().get(code)
            return (row.name_vi, row.name_en)[index] if row else code
        if kind == "province":
            return province_history(code)[-1].name
        if kind == "category":
            latest = category_history(code)[-1]
            return (latest.name_vi, latest.name_en)[index]
        if kind == "platform":
            found = platforms().get(code)
            return found.name if found else code
        if kind == "channel":
            ch = channels().get(code)
            return (ch.name_vi, ch.name_en)[index] if ch else code
        if kind == "handling":
            h = handling_codes().get(code)
            return f"{h.siena_equivalent} · {(h.name_vi, h.name_en)[index]}" if h else code
    except ContractViolation:
        return code
    return code
