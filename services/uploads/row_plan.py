"""What would become of every row of an uploaded report, before anything is sent.

The importer of `casehub publish FILE --agency A` reads the file (the same header synonyms, category
matching, fine maxima and Vietnamese messages); this adds what an upload through the browser needs on
top: a row's cells as the file wrote them (so the page can mark the offending ones), the uploader's
province scope (a unit publishes the cases of its own provinces), and a row whose events repeat those of
an earlier row (the same decision number twice) refused rather than sent as a changed duplicate.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from producers.importers.case_report import CaseReport, read_case_report
from producers.importers.importer import ReportImporter
from producers.importers.mapping import agency_mapping
from producers.importers.problems import RowProblem
from producers.importers.sources import FORMATS, SourceRow, read_table
from producers.importers.text import cell_text
from schemas.errors import CasehubError
from schemas.events import CaseEvent
from schemas.reference.provinces import current_province

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


MAX_UPLOAD_ROWS = 50_000
"""Rows (blank ones included) of an uploaded file: a unit's monthly report has hundreds to a few thousand.
The 8 MiB byte limit alone does not bound the work: an 8 MiB CSV of short lines is 1.6 million rows
(~930 MB of memory to read in the API process), an 8 MiB XLSX a million rows and more. Larger exports
go through `casehub publish FILE --agency A` on the agency's own machine."""


class UnreadableFile(ValueError):
    """The file as a whole cannot be read as a report (its type, its bytes, no header row)."""


def shown(text: str) -> str:
    """Text safe to keep and show: control characters (NUL breaks PostgreSQL's JSON) become '�'."""
    return _CONTROL.sub("\ufffd", text)


@dataclass
class PlannedRow:
    """One data row: its cells, why it is refused (none: ok), and the events it would publish."""

    number: int
    cells: dict[str, str]
    problems: list[RowProblem] = field(default_factory=list)
    events: list[CaseEvent] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Plan:
    rows: list[PlannedRow]
    skipped: list[tuple[int, str]]
    ignored_columns: list[str]


@dataclass
class ReadReport:
    """A file read into its data rows (not yet checked), with what was set aside."""

    importer: ReportImporter
    rows: list[SourceRow]
    skipped: list[tuple[int, str]]
    ignored_columns: list[str]


def read_report(content: bytes, filename: str, agency: str, recorded_at: datetime) -> ReadReport:
    """The file's rows; UnreadableFile (a Vietnamese reason) when the file is not a report at all."""
    suffix = Path(filename).suffix.lower()
    if suffix not in FORMATS:
        raise UnreadableFile(
            f"không nhận loại tệp '{shown(suffix or filename)[:40]}': chỉ nhận CSV, XLSX hoặc JSONL "
            f"(unsupported file type; use {', '.join(sorted(FORMATS))})"
        )
    if not content.strip():
        raise UnreadableFile("tệp rỗng (the file is empty)")
    with tempfile.TemporaryDirectory(prefix="casehub-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        importer = ReportImporter(path, agency, None, recorded_at=recorded_at)
        try:
            table = read_table(path, agency_mapping(agency), max_rows=MAX_UPLOAD_ROWS)
            rows = list(table.rows)
        except Exception as exc:  # csv, zip, openpyxl, codecs: every way a file is not a report
            raise UnreadableFile(_unreadable(exc)) from exc
    if not rows:
        raise UnreadableFile("tệp không có dòng số liệu nào (the file has no data row)")
    return ReadReport(importer, rows, table.skipped, table.ignored_columns)


class RowPlanner:
    """Checks rows in file order; remembers the event ids of earlier rows to refuse a repeated case."""

    def __init__(self, importer: ReportImporter, provinces: frozenset[str]) -> None:
        self.importer = importer
        self.provinces = provinces
        self.first_row: dict[str, int] = {}

    def plan(self, rows: list[SourceRow]) -> list[PlannedRow]:
        planned = [_planned(row, self.importer, self.provinces) for row in rows]
        for row in planned:
            self._refuse_repeat(row)
        return planned

    def _refuse_repeat(self, row: PlannedRow) -> None:
        """A row that would publish an event id an earlier row publishes names the same case twice."""
        ids = [str(event.event_id) for event in row.events]
        earlier = next((self.first_row[i] for i in ids if i in self.first_row), None)
        if earlier is None:
            self.first_row.update(dict.fromkeys(ids, row.number))
            return
        row.problems.append(
            RowProblem(
                row.number,
                "",
                "",
                f"trùng vụ việc với dòng {earlier} (cùng số quyết định/biên bản/hồ sơ, cùng đơn vị, "
                f"cùng năm) — mỗi vụ việc ghi một dòng (same case as row {earlier})",
            )
        )
        row.events = []


def plan_report(
    content: bytes, filename: str, agency: str, provinces: frozenset[str], recorded_at: datetime
) -> Plan:
    """Every row's fate at once (the pages go chunk by chunk with RowPlanner, for their progress)."""
    read = read_report(content, filename, agency, recorded_at)
    rows = RowPlanner(read.importer, provinces).plan(read.rows)
    return Plan(rows, read.skipped, read.ignored_columns)


def _unreadable(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "không đọc được tệp dạng văn bản (not a text file in UTF-8 or Windows-1258)"
    detail = shown(str(exc))[:300]
    return f"không đọc được tệp báo cáo (cannot read the report): {detail}"


def _planned(row: SourceRow, importer: ReportImporter, provinces: frozenset[str]) -> PlannedRow:
    planned = PlannedRow(row.number, {shown(str(h)): shown(cell_text(v)) for h, v in row.cells.items()})
    report, problems = read_case_report(row, importer.mapping)
    if report is not None and not problems:
        events, problems = importer.events_of(report)
        planned.events = [event for event, _ in events]
        if planned.events and provinces:
            problems = _outside_scope(report, provinces)
    planned.problems = [RowProblem(p.row, shown(p.column), shown(p.value), shown(p.reason)) for p in problems]
    if planned.problems:
        planned.events = []
    return planned


def _outside_scope(report: CaseReport, provinces: frozenset[str]) -> list[RowProblem]:
    """A unit scoped to some provinces publishes only their cases (judged by today's 34 units)."""
    code = report.get("province")
    try:
        today = current_province(str(code), report.opened_on).code
    except (ValueError, CasehubError):
        today = str(code)
    if today in provinces:
        return []
    column = report.columns.get("province", "Tỉnh/thành phố")
    scope = ", ".join(sorted(provinces))
    return [
        RowProblem(
            report.row,
            column,
            str(code),
            f"tỉnh/thành phố {code} ngoài địa bàn của bạn ({scope}) (outside your province scope)",
        )
    ]
