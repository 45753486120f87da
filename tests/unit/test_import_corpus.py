"""The importer scored on a corpus of messy reports from the five agencies, each row labelled with its fate.

The corpus (tests/data/import_corpus/, built by tests/import_corpus.py) is imported file by file through
the real importer with a recording publisher (the contract checks and the Avro encoding run as in
production); a row is right when it is published with the labelled category, fine, goods value and the
unit's own number, or refused with a problem on the labelled field. The score is printed by agency.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import load_workbook

from producers.importers.importer import ImportResult, ReportImporter
from producers.importers.mapping import agency_mapping
from schemas.events import CaseEvent, CaseOpened, PenaltyDecided
from tests.import_corpus import AGENCIES, CORPUS
from tests.publishing_fakes import RecordingPublisher
from tests.run_figures import record

AT = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)
REQUIRED_SCORE = 0.95


def labels(path: Path) -> dict[int, str]:
    """Row number (as the importer counts it) → the `expected` cell."""
    if path.suffix == ".jsonl":
        lines = path.read_text(encoding="utf-8").splitlines()
        return {n: json.loads(line)["expected"] for n, line in enumerate(lines, start=1) if line.strip()}
    if path.suffix == ".csv":
        reader = csv.reader(path.read_text(encoding="utf-8-sig").splitlines())
        grid = [(reader.line_num, row) for row in reader]
    else:
        book = load_workbook(path, read_only=True)
        grid = [
            (n, ["" if v is None else str(v) for v in row])
            for n, row in enumerate(book.active.iter_rows(values_only=True), start=1)
        ]  # type: ignore[union-attr]
        book.close()
    header = next(row for _, row in grid if "expected" in row)
    column = header.index("expected")
    found = {}
    for number, row in grid:
        cell = row[column] if len(row) > column else ""
        if cell and cell != "expected":
            found[number] = cell
    return found


def judge(path: Path, agency: str) -> list[tuple[int, str, bool, str]]:
    """(row, expected, right, what happened) for every labelled row of one file."""
    publisher = RecordingPublisher()
    result = ReportImporter(path, agency, publisher, recorded_at=AT).run()
    mapping = agency_mapping(agency)
    problems: dict[int, list[str]] = defaultdict(list)
    fields: dict[int, set[str]] = defaultdict(set)
    for problem in result.problems:
        problems[problem.row].append(f"{problem.column}={problem.value!r}: {problem.reason}")
        if " or " in problem.column:  # the key fields, named together ("Số hồ sơ or Số quyết định")
            fields[problem.row].add("key")
            continue
        spec = mapping.field_of_header(problem.column) if problem.column else None
        fields[problem.row].add(spec.name if spec else "")
    cases = _published(publisher.sent)
    verdicts = []
    for number, expected in sorted(labels(path).items()):
        status, *facts = expected.split("|")
        if status == "refused":
            right = number in problems and facts[0] in fields[number]
            verdicts.append((number, expected, right, "; ".join(problems[number]) or "published"))
            continue
        category, fine, value, ref = (fact.partition("=")[2] or fact for fact in facts)
        seen = cases.get(ref)
        got = "refused: " + "; ".join(problems[number]) if number in problems else f"published {seen}"
        wanted = (category, None if fine == "-" else int(fine), None if value == "-" else int(value))
        verdicts.append((number, expected, number not in problems and seen == wanted, got))
    _no_row_lost(result, labels(path))
    return verdicts


def _published(events: list[CaseEvent]) -> dict[str, tuple[str, int | None, int | None]]:
    """The unit's own number → (category, fine, goods value) of the case published for it."""
    opened = {e.case_id: e for e in events if isinstance(e.payload, CaseOpened)}
    fines = {e.case_id: e.payload.fine_vnd for e in events if isinstance(e.payload, PenaltyDecided)}
    found = {}
    for case_id, event in opened.items():
        assert isinstance(event.payload, CaseOpened) and event.agency_case_ref is not None
        found[event.agency_case_ref] = (
            event.payload.category,
            fines.get(case_id),
            event.payload.goods_value_vnd,
        )
    return found


def _no_row_lost(result: ImportResult, labelled: dict[int, str]) -> None:
    """Every labelled row is either published or reported: nothing vanishes."""
    assert result.rows == len(labelled)
    assert result.published_rows + result.failed_rows == result.rows


def test_the_importer_gets_at_least_95_percent_of_the_corpus_rows_right(
    tmp_path: Path,
) -> None:
    by_agency: dict[str, list[tuple[int, str, bool, str]]] = defaultdict(list)
    wrong: list[str] = []
    for agency in AGENCIES:
        for shipped in sorted(CORPUS.glob(f"{agency}_*")):
            path = Path(shutil.copy(shipped, tmp_path))  # the error report is written beside the input
            for number, expected, right, got in judge(path, agency):
                by_agency[agency].append((number, expected, right, got))
                if not right:
                    wrong.append(f"  {path.name} row {number}: expected {expected}; got {got}")
    total = sum(len(v) for v in by_agency.values())
    right_total = sum(r for v in by_agency.values() for _, _, r, _ in v)
    section = "import corpus score (rows right / rows)"
    for agency, verdicts in by_agency.items():
        right = sum(r for _, _, r, _ in verdicts)
        refused = sum(e.startswith("refused") for _, e, _, _ in verdicts)
        score = f"{right:3}/{len(verdicts):3} = {right / len(verdicts):6.1%}"
        record(section, f"  {agency:8} {score}  ({refused} meant to be refused)")
    record(section, f"  {'all':8} {right_total:3}/{total:3} = {right_total / total:6.1%}", *wrong)
    assert total >= 200 and set(by_agency) == set(AGENCIES)
    assert right_total / total >= REQUIRED_SCORE, "\n".join(wrong)
