"""The upload's row plan and error report without a broker or a database: every file either plans or is
refused as unreadable (nothing else escapes), kept text has no control characters, rows can only be the
uploader's agency's, and the error report never hands Excel a formula."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from services.ingest.event_batch import Outcome
from services.reports.cells import DANGEROUS
from services.store.upload_tables import UploadRowFate
from services.uploads.error_report import errors_csv, errors_xlsx
from services.uploads.publishing import row_outcome
from services.uploads.row_plan import PlannedRow, UnreadableFile, plan_report, shown
from tests.upload_samples import FORMULA, big_qltt_report, qltt_report_with_hostile_rows

NOW = datetime(2026, 1, 5, tzinfo=UTC)
CONTROL = {chr(c) for c in range(32) if chr(c) not in "\t\n"} | {"\x7f"}


def test_the_hostile_report_plans_five_good_rows_and_refuses_every_other_with_its_cell() -> None:
    plan = plan_report(qltt_report_with_hostile_rows(), "r.csv", "qltt", frozenset(), NOW)
    assert [row.number for row in plan.rows if row.ok] == [4, 5, 6, 12, 13]
    refused = {row.number: row.problems for row in plan.rows if not row.ok}
    assert sorted(refused) == [7, 8, 9, 10, 14, 16, 17, 18]
    assert refused[16][0].column == "Tỉnh/thành phố" and refused[16][0].value == FORMULA
    assert "\x00" not in refused[17][0].value and "U+0000" in refused[17][0].reason
    assert "trùng vụ việc với dòng 4" in refused[18][0].reason
    assert plan.skipped == [(11, "blank row"), (15, "total row (Tổng cộng)")]
    assert all(event.agency == "qltt" for row in plan.rows for event in row.events)


def test_rows_naming_another_agency_still_publish_only_as_the_uploaders_agency() -> None:
    lines = [
        {
            "agency": "customs",
            "Số quyết định": "1/QĐ",
            "Ngày kiểm tra": "03/03/2025",
            "Tỉnh": "Hà Nội",
            "Hành vi vi phạm": "Hàng giả",
            "Số tiền phạt": "5 triệu",
            "Ngày ra quyết định": "04/03/2025",
        },
        {
            "event_id": "5f0c7f0e-3c52-4d84-9c1e-0d2b8b5b8e11",
            "agency": "customs",
            "case_id": "VN-X",
            "payload": {"type": "CaseOpened"},
        },
    ]
    content = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode()
    plan = plan_report(content, "lines.jsonl", "qltt", frozenset(), NOW)
    assert "agency" in plan.ignored_columns
    assert plan.rows[0].ok and {e.agency for e in plan.rows[0].events} == {"qltt"}
    assert not plan.rows[1].ok and plan.rows[1].events == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    content=st.one_of(
        st.binary(max_size=2048),
        st.text(max_size=500).map(lambda t: ("Số quyết định,Ngày kiểm tra,Tỉnh\n" + t).encode()),
    ),
    suffix=st.sampled_from([".csv", ".xlsx", ".jsonl", ".txt", ".exe", ""]),
)
def test_any_bytes_either_plan_or_are_refused_as_unreadable_and_keep_no_control_character(
    content: bytes, suffix: str
) -> None:
    try:
        plan = plan_report(content, f"x{suffix}", "qltt", frozenset(), NOW)
    except UnreadableFile as refused:
        assert str(refused) and not CONTROL & set(str(refused))
        return
    for row in plan.rows:
        kept = [
            *row.cells,
            *row.cells.values(),
            *(t for p in row.problems for t in (p.column, p.value, p.reason)),
        ]
        assert not any(CONTROL & set(text) for text in kept)
        assert row.ok == (not row.problems) and (row.ok or not row.events)


def _fate(number: int, column: str, value: str) -> UploadRowFate:
    item = {"column": shown(column), "value": shown(value), "reason": shown(value)}
    return UploadRowFate(
        upload_id="u",
        row_number=number,
        preview="refused",
        cells={},
        problems={"items": [item]},
        events=0,
        outcome="refused",
        reasons=shown(value),
    )


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=40), st.text(max_size=80)), min_size=1, max_size=8))
def test_no_cell_of_the_error_report_is_a_formula(cells: list[tuple[str, str]]) -> None:
    fates = [_fate(i + 1, column, value) for i, (column, value) in enumerate(cells)]
    lines = list(csv.reader(io.StringIO(errors_csv(fates).decode("utf-8-sig"))))
    assert len(lines) == 1 + 2 * len(cells)
    assert not any(cell[:1] in DANGEROUS for line in lines[1:] for cell in line[1:])
    sheet = load_workbook(io.BytesIO(errors_xlsx(fates))).worksheets[0]
    texts = [c for row in sheet.iter_rows(min_row=2, values_only=True) for c in row if isinstance(c, str)]
    assert not any(text[:1] in DANGEROUS for text in texts)


def test_a_rows_outcome_is_accepted_duplicate_or_refused_from_its_events_answers() -> None:
    row = PlannedRow(4, {})
    sent = [Outcome(0, "a", "accepted", "t.qltt", 1, 10), Outcome(1, "b", "accepted", "t.qltt", 1, 12)]
    stored = Outcome(2, "c", "duplicate")
    lost = Outcome(3, "d", "refused", reasons=["broker không xác nhận"])
    accepted = row_outcome(row, [*sent, stored])
    assert (accepted.outcome, accepted.topic, accepted.partition, accepted.offsets) == (
        "accepted",
        "t.qltt",
        1,
        "10-12",
    )
    assert row_outcome(row, [stored, stored]).outcome == "duplicate"
    refused = row_outcome(row, [*sent, lost])
    assert refused.outcome == "refused" and "broker không xác nhận" in refused.reasons


def test_a_big_report_plans_every_row() -> None:
    plan = plan_report(big_qltt_report(100), "big.csv", "qltt", frozenset(), NOW)
    assert len(plan.rows) == 100 and all(row.ok for row in plan.rows)
    assert len({str(e.event_id) for row in plan.rows for e in row.events}) == sum(
        len(r.events) for r in plan.rows
    )
