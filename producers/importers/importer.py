"""Import an agency report: read rows → case facts → events → validate → publish; every bad row explained.

A row is published whole or not at all: its events are validated together first, and a row whose
events the broker did not all confirm is reported like a bad row (re-importing it later is safe).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pydantic
import structlog

from producers.errors import EventRejected
from producers.importers.case_report import CaseReport, read_case_report
from producers.importers.mapping import AgencyMapping, MappingError, agency_mapping
from producers.importers.problems import RowProblem, errors_path, write_problems
from producers.importers.report_events import report_events
from producers.importers.sources import SourceRow, file_format, read_table
from producers.publisher import Publisher, checked_wire_bytes
from schemas.codec import CaseEventCodec
from schemas.events import CaseEvent
from schemas.validation_messages import vietnamese_errors

logger = structlog.get_logger()
_BATCH_ROWS = 500
_PAYLOAD_FIELDS = {
    "": "",
    "province_code": "province",
    "fine_vnd": "fine",
    "listing_urls": "listing_url",
    "shop_url": "listing_url",
    "display_name": "seller_name",
    "violator_name": "seller_name",
    "quantity": "seized_quantity",
    "title": "goods",
    "goods_value_vnd": "goods_value",
    "value_vnd": "goods_value",
    "category": "category",
    "suspected_category": "category",
    "platform": "platform",
    "channel": "platform",
}
_MESSAGE_FIELDS = (
    ("fine_vnd", "fine"),
    ("province", "province"),
    ("categor", "category"),
    ("platform", "platform"),
    ("channel", "platform"),
)


@dataclass
class ImportResult:
    """What an import did: rows read and published, events sent, and every problem with its row."""

    source: Path
    agency: str
    rows: int = 0
    published_rows: int = 0
    events: int = 0
    published_events: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    errors_file: Path | None = None
    seconds: float = 0.0

    @property
    def failed_rows(self) -> int:
        return len({p.row for p in self.problems})


class ReportImporter:
    """One file of one agency; `publisher=None` is a dry run (validate and encode, send nothing)."""

    def __init__(
        self,
        source: Path,
        agency: str,
        publisher: Publisher | None,
        *,
        recorded_at: datetime | None = None,
        codec: CaseEventCodec | None = None,
    ) -> None:
        self.source = source
        self.mapping: AgencyMapping = agency_mapping(agency)
        file_format(source)
        if not source.is_file():
            raise MappingError(f"{source}: no such file")
        self.publisher = publisher
        self.recorded_at = recorded_at or datetime.now(UTC)
        self.codec = codec or (publisher.codec if publisher else CaseEventCodec())

    def run(
        self,
        on_rows: Callable[[int], None] | None = None,
        on_total: Callable[[int], None] | None = None,
    ) -> ImportResult:
        """Import the whole file; `on_total(rows)` once it is read, `on_rows(n)` as each batch is done."""
        started = time.monotonic()
        table = read_table(self.source, self.mapping)
        if on_total is not None:
            on_total(table.total_rows)
        result = ImportResult(self.source, self.mapping.agency, ignored_columns=table.ignored_columns)
        result.skipped = table.skipped
        batch: list[SourceRow] = []
        for row in table.rows:
            batch.append(row)
            if len(batch) >= _BATCH_ROWS:
                self._import_batch(batch, result, on_rows)
                batch = []
        self._import_batch(batch, result, on_rows)
        result.errors_file = errors_path(self.source)
        if result.problems:
            write_problems(result.errors_file, result.problems)
        elif result.errors_file.exists():
            result.errors_file.unlink()  # a clean re-import leaves no stale report behind
        result.seconds = time.monotonic() - started
        logger.info(
            "report_imported",
            source=str(self.source),
            agency=self.mapping.agency,
            rows=result.rows,
            failed_rows=result.failed_rows,
            events=result.published_events,
            dry_run=self.publisher is None,
            seconds=round(result.seconds, 3),
        )
        return result

    def _import_batch(
        self, rows: list[SourceRow], result: ImportResult, on_rows: Callable[[int], None] | None
    ) -> None:
        ready: dict[int, list[tuple[CaseEvent, bytes]]] = {}
        for row in rows:
            result.rows += 1
            report, problems = read_case_report(row, self.mapping)
            if report is not None:
                events, problems = self.events_of(report)
                if events:
                    ready[row.number] = events
            result.problems.extend(problems)
        result.events += sum(len(events) for events in ready.values())
        self._publish(ready, result)
        if on_rows is not None and rows:
            on_rows(len(rows))

    def events_of(self, report: CaseReport) -> tuple[list[tuple[CaseEvent, bytes]], list[RowProblem]]:
        """The row's events with their wire bytes, all valid, or the problems that stop the row."""
        try:
            events = report_events(report, self.mapping, self.recorded_at)
        except pydantic.ValidationError as exc:
            problems = []
            for error, reason in zip(exc.errors(include_url=False), vietnamese_errors(exc), strict=True):
                named = (str(part) for part in reversed(error["loc"]) if str(part) in _PAYLOAD_FIELDS)
                name = _PAYLOAD_FIELDS[next(named, "")] if error["loc"] else ""
                problems.append(self._problem(report, name, reason))
            return [], problems
        except ValueError as exc:
            name, _, reason = str(exc).partition(": ")
            return [], [self._problem(report, name if reason else "", str(exc))]
        try:
            return [(event, checked_wire_bytes(self.codec, event)) for event in events], []
        except EventRejected as exc:
            return [], [self._problem(report, _field_in(exc.reason), exc.reason)]

    def _problem(self, report: CaseReport, name: str, reason: str) -> RowProblem:
        spec = self.mapping.fields.get(name)
        column = report.columns.get(name, spec.label if spec else "")
        value = report.get(name)
        return RowProblem(report.row, column, "" if value is None else str(value), reason)

    def _publish(self, ready: dict[int, list[tuple[CaseEvent, bytes]]], result: ImportResult) -> None:
        if self.publisher is None:
            result.published_rows += len(ready)
            return
        row_of = {str(e.event_id): number for number, events in ready.items() for e, _ in events}
        report = self.publisher.publish_prepared(pair for events in ready.values() for pair in events)
        failed: dict[int, str] = {}
        for event_id, reason in report.failed:
            failed.setdefault(row_of[event_id], reason)
        for number, reason in failed.items():
            result.problems.append(RowProblem(number, "", "", f"not confirmed by the broker: {reason}"))
        result.published_rows += len(ready) - len(failed)
        result.published_events += report.sent


def _field_in(message: str) -> str:
    """The report field a contract message is about (province, category, platform), or ""."""
    lowered = message.lower()
    return next((name for word, name in _MESSAGE_FIELDS if re.search(word, lowered)), "")
