"""Reading agency exports (CSV, XLSX, JSON Lines) into numbered rows of header → cell.

Spreadsheets start with title lines ("BÁO CÁO KẾT QUẢ ...") and end with a total row, so the header
row is the first that names several known fields, and rows that only total the others are set aside.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from producers.importers.mapping import AgencyMapping, MappingError
from producers.importers.text import cell_text, key_of
from schemas.json_text import json_lines

FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
_HEADER_SEARCH_ROWS = 15
_TOTAL_WORDS = ("tong", "tong cong", "cong", "total", "tong so")


@dataclass(frozen=True)
class SourceRow:
    """One data row: its number as the user sees it (spreadsheet row or file line) and its cells."""

    number: int
    cells: dict[str, Any]
    problem: str | None = None
    """Why the row could not even be read (a JSON line that is not an object)."""


@dataclass
class Table:
    """The rows of an export under its recognised header, with what was set aside."""

    headers: list[str]
    rows: Iterator[SourceRow]
    total_rows: int
    ignored_columns: list[str] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    """(row number, why) of rows that are not case rows: blank lines, total lines."""


def file_format(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise MappingError(f"{path.name}: unsupported file type (use {', '.join(sorted(FORMATS))})") from None


MAX_COLUMNS = 500
"""Columns a sheet may have: a report has a few dozen; a cell in column XFD makes every row of a sized
XLSX 16,384 cells wide, so a wider sheet is refused before its rows are read."""


MAX_XLSX_INFLATED = 256 * 2**20
"""Bytes an XLSX may inflate to: a 50,000-row report inflates to tens of MiB."""


def read_table(path: Path, mapping: AgencyMapping, max_rows: int | None = None) -> Table:
    """The export's rows keyed by header; MappingError when no header row names the agency's fields, or
    when the file has more than `max_rows` lines or rows (counted while reading, blank ones included, so a
    small file that expands to millions of rows — zipped XLSX, a CSV of newlines — is refused early)."""
    kind = file_format(path)
    if kind == "jsonl":
        return _jsonl_table(path, mapping, max_rows)
    grid, unreadable = _csv_rows(path, max_rows) if kind == "csv" else (_xlsx_rows(path, max_rows), [])
    return _grid_table(grid, mapping, path, unreadable)


def _count(number: int, max_rows: int | None, path: Path) -> None:
    """Refuse the file once row `number` lies beyond `max_rows`."""
    if max_rows is not None and number > max_rows:
        raise MappingError(
            f"{path.name}: more than {max_rows:,} rows; split the file (or use the command line)"
        )


def _csv_rows(path: Path, max_rows: int | None = None) -> tuple[list[tuple[int, list[Any]]], list[SourceRow]]:
    """The CSV's rows by line number, and the lines the csv module could not split (a field over its
    131,072-character limit): those are reported as unreadable rows, the others still read."""
    text = _csv_text(path)
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows: list[tuple[int, list[Any]]] = []
    unreadable: list[SourceRow] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return rows, unreadable
        except csv.Error as exc:
            unreadable.append(SourceRow(reader.line_num, {}, f"unreadable CSV line: {exc}"))
        else:
            rows.append((reader.line_num, row))
        _count(len(rows) + len(unreadable), max_rows, path)


def _csv_text(path: Path) -> str:
    """UTF-8 (with or without BOM), else Windows-1258, as Excel on Vietnamese Windows saves CSV; text in
    neither is refused whole with where it fails (guessing would publish garbled names)."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as not_utf8:
        try:
            return raw.decode("cp1258")
        except UnicodeDecodeError:
            line = raw.count(b"\n", 0, not_utf8.start) + 1
            raise MappingError(
                f"{path.name}: line {line} holds byte 0x{raw[not_utf8.start]:02x}, which is not UTF-8, "
                "and the file is not Windows-1258 text either; save the report as CSV UTF-8"
            ) from None


def _xlsx_rows(path: Path, max_rows: int | None = None) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook  # only XLSX imports pay for openpyxl

    _refuse_zip_bomb(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException ...
        raise MappingError(f"{path.name}: not a readable XLSX workbook ({type(exc).__name__})") from exc
    try:
        sheet = book.worksheets[0]
        if (sheet.max_column or 0) > MAX_COLUMNS:
            raise MappingError(f"{path.name}: more than {MAX_COLUMNS} columns; a report has a few dozen")
        rows = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            _count(number, max_rows, path)
            if len(row) > MAX_COLUMNS:  # a sheet without its size: each row as long as its last cell
                raise MappingError(f"{path.name}: row {number} has more than {MAX_COLUMNS} columns")
            rows.append((number, list(row)))
        return rows
    finally:
        book.close()


def _refuse_zip_bomb(path: Path) -> None:
    """An XLSX is a zip: openpyxl reads its shared strings whole, even in read-only mode, so a few MiB
    that inflate to gigabytes would exhaust memory before a row is counted. The sizes the zip declares
    bound what Python's zipfile will inflate (it stops at the declared size), so they are checked first."""
    try:
        with zipfile.ZipFile(path) as archive:
            inflated = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: openpyxl says so in its own words below
    if inflated > MAX_XLSX_INFLATED:
        raise MappingError(
            f"{path.name}: the workbook inflates to {inflated / 2**20:,.0f} MiB; "
            f"at most {MAX_XLSX_INFLATED // 2**20} MiB are read"
        )


def _grid_table(
    grid: list[tuple[int, list[Any]]], mapping: AgencyMapping, path: Path, unreadable: list[SourceRow]
) -> Table:
    at = _header_row(grid, mapping, path)
    headers = [cell_text(cell) for cell in grid[at][1]]
    known = [h for h in headers if h and mapping.field_of_header(h)]
    table = Table(headers=headers, rows=iter(()), total_rows=0)
    table.ignored_columns = [h for h in headers if h and h not in known]
    rows = []
    for number, values in grid[at + 1 :]:
        if _set_aside(number, values, table):
            continue
        cells = {h: v for h, v in zip(headers, values, strict=False) if h in known}
        rows.append(SourceRow(number, cells))
    rows = sorted([*rows, *unreadable], key=lambda row: row.number)
    table.rows, table.total_rows = iter(rows), len(rows)
    return table


def _header_row(grid: list[tuple[int, list[Any]]], mapping: AgencyMapping, path: Path) -> int:
    best, best_hits = -1, 1
    for index, (_, values) in enumerate(grid[:_HEADER_SEARCH_ROWS]):
        hits = sum(1 for v in values if cell_text(v) and mapping.field_of_header(cell_text(v)))
        if hits > best_hits:
            best, best_hits = index, hits
    if best < 0:
        raise MappingError(
            f"{path.name}: no header row with {mapping.agency} columns "
            f"in the first {_HEADER_SEARCH_ROWS} rows "
            "(see docs/importers.md for the column names)"
        )
    return best


def _set_aside(number: int, values: list[Any], table: Table) -> bool:
    """Blank rows and total rows ("Tổng cộng", in any column) are not cases; they are listed, not read."""
    texts = [cell_text(v) for v in values if cell_text(v)]
    if not texts:
        table.skipped.append((number, "blank row"))
        return True
    if key_of(texts[0]).rstrip(": ") in _TOTAL_WORDS:
        table.skipped.append((number, f"total row ({texts[0]})"))
        return True
    return False


def _jsonl_table(path: Path, mapping: AgencyMapping, max_rows: int | None = None) -> Table:
    """Each line read on its own (a bad line is a failed row, the others still read); a file where no
    line is JSON is no JSON Lines export at all and is refused whole, like a CSV without a header row."""
    seen: dict[str, None] = {}
    rows: list[SourceRow] = []
    table = Table(headers=[], rows=iter(()), total_rows=0)
    for line in json_lines(path.read_bytes()):
        number = line.number
        _count(number, max_rows, path)
        if line.blank:
            table.skipped.append((number, "blank line"))
            continue
        if line.problem is not None:
            rows.append(SourceRow(number, {}, line.problem))
            continue
        cells = line.value
        if not isinstance(cells, dict):
            rows.append(SourceRow(number, {}, f"a line must hold a JSON object, not {type(cells).__name__}"))
            continue
        seen.update(dict.fromkeys(cells))
        if not _set_aside(number, list(cells.values()), table):
            rows.append(SourceRow(number, {k: v for k, v in cells.items() if mapping.field_of_header(k)}))
    unreadable = [row.problem for row in rows if row.problem is not None and not row.cells]
    if rows and len(unreadable) == len(rows) and not seen:
        raise MappingError(f"{path.name}: no line is a JSON object (line {rows[0].number}: {unreadable[0]})")
    table.headers = list(seen)
    table.ignored_columns = [h for h in seen if not mapping.field_of_header(h)]
    table.rows, table.total_rows = iter(rows), len(rows)
    return table
