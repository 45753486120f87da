"""A filtered case list as CSV (UTF-8 with BOM, so Excel reads Vietnamese) or XLSX, every cell defused."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from services.reports.cells import safe_cell
from services.reports.labels import label

COLUMNS = (
    ("case_id", ("Mã vụ việc", "Case id")),
    ("title", ("Tiêu đề", "Title")),
    ("status", ("Trạng thái", "Status")),
    ("opened_by", ("Cơ quan chủ trì", "Lead agency")),
    ("agencies", ("Các cơ quan", "Agencies")),
    ("province_code", ("Mã tỉnh (khi ghi nhận)", "Province code (as written)")),
    ("current_province_code", ("Tỉnh/thành hiện nay", "Current province")),
    ("category", ("Loại vi phạm", "Category")),
    ("bucket", ("Nhóm BCĐ 389", "BCĐ 389 bucket")),
    ("platform", ("Nền tảng", "Platform")),
    ("channel", ("Kênh bán", "Sales channel")),
    ("goods", ("Hàng hóa", "Goods")),
    ("total_fines_vnd", ("Tiền phạt (đồng)", "Fines (VND)")),
    ("goods_value_vnd", ("Trị giá hàng (đồng)", "Goods value (VND)")),
    ("first_event_at", ("Sự kiện đầu tiên", "First event")),
    ("last_event_at", ("Sự kiện gần nhất", "Last event")),
    ("event_count", ("Số sự kiện", "Events")),
)
LABELLED = {
    "current_province_code": "province",
    "category": "category",
    "bucket": "bucket",
    "status": "status",
}


def _values(row: dict[str, Any], lang: str) -> list[Any]:
    values = []
    for column, _ in COLUMNS:
        value = row.get(column)
        if column == "agencies" and isinstance(value, str):
            value = " ".join(a for a in value.split(",") if a)
        elif column in LABELLED and value:
            value = f"{value} - {label(LABELLED[column], value, lang)}"
        values.append(safe_cell(value))
    return values


def _headers(lang: str) -> list[str]:
    index = 1 if lang == "en" else 0
    return [names[index] for _, names in COLUMNS]


def cases_csv(rows: Sequence[dict[str, Any]], lang: str = "vi") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_headers(lang))
    for row in rows:
        writer.writerow(
            [v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime) else v for v in _values(row, lang)]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def cases_xlsx(rows: Sequence[dict[str, Any]], lang: str = "vi", title: str = "Vụ việc") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(_headers(lang))
    for row in rows:
        sheet.append(_values(row, lang))
    for index, (column, _) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 40 if column in ("title", "goods") else 18
        if column.endswith("_vnd"):
            for cell in sheet[get_column_letter(index)][1:]:
                cell.number_format = "#,##0"
        if column.endswith("_at"):
            for cell in sheet[get_column_letter(index)][1:]:
                cell.number_format = "yyyy-mm-dd hh:mm"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
