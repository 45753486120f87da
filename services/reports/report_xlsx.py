"""The BCĐ 389 periodic report as a workbook: a sheet by bucket and force, one by province."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from services.reports.bcd389 import Report
from services.reports.cells import safe_cell
from services.reports.labels import label

TITLE = (
    "BÁO CÁO KẾT QUẢ ĐẤU TRANH CHỐNG BUÔN LẬU, GIAN LẬN THƯƠNG MẠI VÀ HÀNG GIẢ "
    "TRÊN MÔI TRƯỜNG THƯƠNG MẠI ĐIỆN TỬ",
    "REPORT ON COMBATING SMUGGLING, TRADE FRAUD AND COUNTERFEITS IN E-COMMERCE",
)
MEASURE_KEYS = ("cases", "penalized_cases", "referred_cases", "fines_vnd", "goods_value_vnd")


def report_xlsx(report: Report, lang: str = "vi", issued_by: str = "") -> bytes:
    index = 1 if lang == "en" else 0
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = ("Theo nhóm và lực lượng", "By bucket and force")[index]
    _heading(sheet, report, index, issued_by)
    first = ("Nhóm BCĐ 389", "BCĐ 389 bucket")[index]
    second = ("Lực lượng chủ trì", "Lead force")[index]
    _table(sheet, [first, second], lang)
    for row in report.by_bucket_and_agency:
        sheet.append(
            [
                safe_cell(label("bucket", row["bucket"], lang)),
                safe_cell(label("agency_short", row["agency"], lang)),
            ]
            + [row[k] for k in MEASURE_KEYS]
        )
    for row in report.by_bucket:
        sheet.append(
            [safe_cell(label("bucket", row["bucket"], lang)), ("Cộng", "Subtotal")[index]]
            + [row[k] for k in MEASURE_KEYS]
        )
    total = sheet.max_row + 1
    sheet.append([("TỔNG CỘNG", "TOTAL")[index], ""] + [report.totals[k] for k in MEASURE_KEYS])
    for cell in sheet[total]:
        cell.font = Font(bold=True)
    _format(sheet)

    provinces = workbook.create_sheet(("Theo tỉnh, thành phố", "By province")[index])
    _heading(provinces, report, index, issued_by)
    _table(provinces, [("Mã", "Code")[index], ("Tỉnh, thành phố", "Province")[index]], lang)
    for row in report.by_province:
        provinces.append(
            [safe_cell(row["province"]), safe_cell(label("province", row["province"], lang))]
            + [row[k] for k in MEASURE_KEYS]
        )
    _format(provinces)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _heading(sheet: Worksheet, report: Report, index: int, issued_by: str) -> None:
    sheet.append([TITLE[index]])
    sheet["A1"].font = Font(bold=True, size=13)
    period = report.period
    sheet.append(
        [f"{('Kỳ báo cáo', 'Period')[index]}: {period.label} ({period.first_day} – {period.last_day})"]
    )
    generated = report.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    sheet.append([safe_cell(f"{('Lập lúc', 'Generated')[index]}: {generated} · {issued_by}")])
    sheet.append([])


def _table(sheet: Worksheet, keys: list[str], lang: str) -> None:
    sheet.append(keys + [label("measure", m, lang) for m in MEASURE_KEYS])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _format(sheet: Worksheet) -> None:
    widths = {"A": 38, "B": 22, "C": 10, "D": 14, "E": 18, "F": 20, "G": 24}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=6, min_col=6, max_col=7):
        for cell in row:
            cell.number_format = "#,##0"
