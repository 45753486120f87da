"""One row of an agency report read into typed facts, or the reasons it cannot be (per column)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from producers.importers.cell_words import category_code, platform_code, platform_of_url, yes_no
from producers.importers.dates import parse_date
from producers.importers.identifiers import parse_phone, parse_tax_code
from producers.importers.mapping import AgencyMapping
from producers.importers.money import parse_number, parse_vnd
from producers.importers.places import province_code
from producers.importers.problems import RowProblem
from producers.importers.sources import SourceRow
from producers.importers.text import cell_text


@dataclass(frozen=True)
class CaseReport:
    """The facts of one report row, in contract terms; `values` holds every parsed field by name."""

    row: int
    key_field: str
    key: str
    opened_on: date
    values: dict[str, Any]
    columns: dict[str, str]
    """field name → the header it came from, so a later problem can name the user's column."""

    def get(self, name: str) -> Any:
        return self.values.get(name)


def _quantity(value: Any) -> float:
    """A count as written: 1.500 and 1,500 are fifteen hundred, 2,5 and 2.5 two and a half."""
    number = float(value) if isinstance(value, int | float) else float(parse_number(cell_text(value)))
    if number <= 0:
        raise ValueError("số lượng phải lớn hơn 0 (a quantity must be more than 0)")
    return number


_SCHEME = re.compile(r"^(?:(https?):)?//", re.IGNORECASE)
_WEB_HOST = re.compile(
    r"^www\.|\.(vn|com|net|org|info|store|shop|online|site|biz|asia|me|io|top|xyz)$", re.IGNORECASE
)
"""A bare domain ('mypham.vn', 'www.sonxinh.store') is a web address; 'sonxinh.official' a shop id."""


def _url(value: Any) -> str:
    """A web address with or without its scheme ("shopee.vn/abc", "HTTPS://…", "//fb.com/x") as https://…"""
    text = cell_text(value).rstrip(".,;").strip("<>\"' ").rstrip(".,;")
    scheme = _SCHEME.match(text)
    bare = text[scheme.end() :] if scheme else text
    host = bare.split("/", 1)[0].split("?", 1)[0]
    if not bare or " " in bare or "." not in host or host.startswith(".") or host.endswith("."):
        raise ValueError(
            f"không phải địa chỉ web: {text!r} (not a web address; ghi ví dụ shopee.vn/ten-shop)"
        )
    kind = (scheme.group(1) or "https").lower() if scheme else "https"
    return f"{kind}://{bare}"


def _shop(value: Any) -> str:
    """A shop link (kept as a URL) or a bare shop id as the platform shows it ('sonxinh.official')."""
    text = cell_text(value)
    host = _SCHEME.sub("", text).split("/", 1)[0]
    if (
        "/" in _SCHEME.sub("", text)
        or _SCHEME.match(text)
        or _WEB_HOST.search(host)
        or platform_of_url(f"https://{host}")
    ):
        return _url(text)
    if " " in text or not text:
        raise ValueError(f"không phải đường dẫn hay mã gian hàng: {text!r} (not a shop link or id)")
    return text


_UNDATED: dict[str, Callable[[Any], Any]] = {
    "text": cell_text,
    "date": parse_date,
    "money": parse_vnd,
    "phone": parse_phone,
    "tax_code": parse_tax_code,
    "url": _url,
    "shop": _shop,
    "yes_no": lambda v: yes_no(cell_text(v)),
    "quantity": _quantity,
}
_DATED: dict[str, Callable[[str, date], str]] = {
    "province": province_code,
    "category": category_code,
    "platform": platform_code,
}


def read_case_report(row: SourceRow, mapping: AgencyMapping) -> tuple[CaseReport | None, list[RowProblem]]:
    """The typed row, or None and every problem found (all columns are checked, not just the first)."""
    if row.problem is not None:
        return None, [RowProblem(row.number, "", "", row.problem)]
    raw, columns = _cells_by_field(row, mapping)
    problems: list[RowProblem] = []
    values: dict[str, Any] = {}

    def fail(name: str, reason: str) -> None:
        header = columns.get(name, mapping.fields[name].label)
        problems.append(RowProblem(row.number, header, cell_text(raw.get(name)), reason))

    for name, value in raw.items():
        kind = mapping.fields[name].kind
        if kind in _UNDATED:
            try:
                values[name] = _UNDATED[kind](value)
            except ValueError as exc:
                fail(name, str(exc))
    for name, default in mapping.defaults.items():
        if name not in raw:
            raw[name] = default
    opened_on = values.get("opened_on")
    for name in (n for n in raw if mapping.fields[n].kind in _DATED):
        if isinstance(opened_on, date):
            try:
                values[name] = _DATED[mapping.fields[name].kind](cell_text(raw[name]), opened_on)
            except ValueError as exc:
                fail(name, str(exc))
    if "platform" not in raw:
        links = (values.get(n) for n in ("listing_url", "shop_url"))
        hosts = (platform_of_url(link) for link in links if isinstance(link, str) and "://" in link)
        found = next((code for code in hosts if code is not None), None)
        if found is not None:
            values["platform"] = found
    for name in mapping.required:
        if name not in raw:
            fail(name, f"thiếu {mapping.fields[name].label} (is required)")
    key_field = next((name for name in mapping.key if name in values), None)
    if key_field is None:
        labels = " or ".join(mapping.fields[name].label for name in mapping.key)
        problems.append(
            RowProblem(
                row.number,
                labels,
                "",
                f"cần {labels} để nhận diện vụ việc ({labels} is needed to identify the case)",
            )
        )
    if problems or key_field is None or not isinstance(opened_on, date):
        return None, problems
    return CaseReport(row.number, key_field, values[key_field], opened_on, values, columns), []


def _cells_by_field(row: SourceRow, mapping: AgencyMapping) -> tuple[dict[str, Any], dict[str, str]]:
    """Non-blank cells by field name (the first non-blank wins when two columns mean the same field)."""
    raw: dict[str, Any] = {}
    columns: dict[str, str] = {}
    for header, value in row.cells.items():
        spec = mapping.field_of_header(header)
        if spec is None or spec.name in raw:
            continue
        columns.setdefault(spec.name, header)
        if cell_text(value) != "":
            raw[spec.name] = value
            columns[spec.name] = header
    return raw, columns
