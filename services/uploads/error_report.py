"""The error report of an upload, as CSV (UTF-8 with BOM, for Excel) or XLSX: one line per problem —
row, column, value, reason — refused at the preview or by the broker. Every text cell goes through the
export's defusing (`services.reports.cells.safe_text`): a cell the unit typed as `=cmd|...` comes back
as text, never as a formula Excel would run."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from services.reports.cells import safe_cell, safe_text
from services.store.upload_tables import UploadRowFate
from services.uploads.ledger import problems_of

HEADER = ("Dòng (row)", "Cột (column)", "Giá trị (value)", "Lý do (reason)")


def problem_lines(fates: Iterable[UploadRowFate]) -> list[tuple[int, str, str, str]]:
    lines: list[tuple[int, str, str, str]] = []
    for fate in fates:
        for item in problems_of(fate):
            lines.append((fate.row_number, str(item["column"]), str(item["value"]), str(item["reason"])))
        if fate.outcome == "refused":
            lines.append((fate.row_number, "", "", fate.reasons or ""))
    return lines


def errors_csv(fates: Iterable[UploadRowFate]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for number, column, value, reason in problem_lines(fates):
        writer.writerow([number, safe_text(column), safe_text(value), safe_text(reason)])
    return out.getvalue().encode("utf-8-sig")


def errors_xlsx(fates: Iterable[UploadRowFate]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Lỗi")
    sheet.append(list(HEADER))
    for line in problem_lines(fates):
        sheet.append([safe_cell(v) for v in line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
