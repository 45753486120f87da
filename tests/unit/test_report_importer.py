"""Agency reports in dry run: bad rows explained per column, good rows told as valid events, stable ids."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from producers.importers.importer import ImportResult, ReportImporter
from producers.importers.mapping import MappingError
from producers.importers.sources import MAX_COLUMNS
from schemas.events import CaseClosed, CaseEvent, CaseOpened, CaseReferred, PenaltyDecided, SubjectIdentified
from tests.import_samples import CUSTOMS_JSONL, QLTT_CSV, copy_sample, write_tax_workbook
from tests.publishing_fakes import RecordingPublisher

AT = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)


def dry_run(path: Path, agency: str) -> ImportResult:
    return ReportImporter(path, agency, publisher=None, recorded_at=AT).run()


def report_rows(result: ImportResult) -> list[dict[str, str]]:
    assert result.errors_file is not None
    with result.errors_file.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def test_a_messy_qltt_csv_reports_each_bad_cell_and_keeps_the_good_rows(tmp_path: Path) -> None:
    result = dry_run(copy_sample(QLTT_CSV, tmp_path), "qltt")
    assert (result.rows, result.published_rows, result.failed_rows, result.events) == (10, 5, 5, 35)
    assert result.skipped == [(11, "blank row"), (15, "total row (Tổng cộng)")]
    assert result.ignored_columns == ["STT", "Người lập"]
    problems = {(row["row"], row["column"]): row for row in report_rows(result)}
    assert problems["7", "Ngày kiểm tra"]["value"] == "30/02/2025"
    assert "unknown province" in problems["8", "Tỉnh/thành phố"]["reason"]
    assert problems["9", "SĐT"]["value"] == "12345"
    assert "not an amount" in problems["9", "Số tiền phạt (đồng)"]["reason"]
    assert "day first" in problems["10", "Ngày kiểm tra"]["reason"]
    assert "no fine" in problems["14", "Số tiền phạt (đồng)"]["reason"]


def test_a_row_becomes_a_whole_case_story_with_codes_as_of_its_date(tmp_path: Path) -> None:
    publisher = RecordingPublisher()
    result = ReportImporter(copy_sample(QLTT_CSV, tmp_path), "qltt", publisher, recorded_at=AT).run()
    events = publisher.sent
    assert result.published_events == len(events) == 35
    by_case: dict[str, list[CaseEvent]] = {}
    for event in events:
        by_case.setdefault(event.case_id, []).append(event)
    assert len(by_case) == 5
    first = next(iter(by_case.values()))
    assert [e.event_type for e in first] == [
        "CaseOpened",
        "SubjectIdentified",
        "InspectionConducted",
        "ViolationConfirmed",
        "GoodsSeized",
        "PenaltyDecided",
        "CaseClosed",
    ]
    opened = first[0].payload
    assert isinstance(opened, CaseOpened)
    assert (opened.province_code, opened.category, opened.platform, opened.goods_value_vnd) == (
        "24",
        "counterfeit",
        "shopee",
        15_000_000,
    )
    subject = first[1].payload
    assert isinstance(subject, SubjectIdentified) and subject.phone == "+84912345678"
    penalty = first[5].payload
    assert isinstance(penalty, PenaltyDecided) and penalty.fine_vnd == 25_000_000
    referred = [e for e in events if isinstance(e.payload, CaseReferred)]
    assert len(referred) == 1 and referred[0].payload.to_agency == "police"
    closed = [e.payload for e in events if isinstance(e.payload, CaseClosed)]
    assert {c.outcome for c in closed} == {"PENALIZED", "TRANSFERRED"}
    after_merger = [
        e.payload for e in events if isinstance(e.payload, CaseOpened) and e.occurred_at.month >= 7
    ]
    assert after_merger and {p.province_code for p in after_merger} == {"24"}


def test_the_same_file_imported_twice_gives_the_same_event_ids(tmp_path: Path) -> None:
    source = copy_sample(QLTT_CSV, tmp_path)
    ids: list[list[str]] = []
    for recorded_at in (AT, datetime(2026, 2, 1, tzinfo=UTC)):
        publisher = RecordingPublisher()
        ReportImporter(source, "qltt", publisher, recorded_at=recorded_at).run()
        ids.append([str(e.event_id) for e in publisher.sent])
    assert len(set(ids[0])) == 35 and ids[0] == ids[1]


def test_a_row_the_broker_did_not_confirm_is_reported_as_failed(tmp_path: Path) -> None:
    publisher = RecordingPublisher(refuse=lambda e: "timed out" if e.event_type == "PenaltyDecided" else None)
    result = ReportImporter(copy_sample(QLTT_CSV, tmp_path), "qltt", publisher, recorded_at=AT).run()
    unconfirmed = [p for p in result.problems if "not confirmed" in p.reason]
    assert len(unconfirmed) == 4  # the four good rows with a penalty; the referred row went through
    assert result.published_rows == 1 and result.failed_rows == 9


def test_a_customs_json_lines_export_reports_unreadable_lines_and_missing_keys(tmp_path: Path) -> None:
    result = dry_run(copy_sample(CUSTOMS_JSONL, tmp_path), "customs")
    assert (result.rows, result.published_rows, result.failed_rows) == (7, 2, 5)
    assert result.skipped == [(7, "blank line")]
    reasons = {row["row"]: row["reason"] for row in report_rows(result)}
    columns = {row["row"]: row["column"] for row in report_rows(result)}
    assert reasons["3"].endswith("(not JSON)")
    # 2 tỷ đồng for smuggled goods sold by an individual: above the 100M maximum of Decree 98/2020 Art. 4
    assert "vượt mức tối đa 100.000.000 đ đối với cá nhân" in reasons["8"] and columns["8"] == "So tien phat"
    assert "JSON object" in reasons["4"]
    assert "needed to identify the case" in reasons["6"]


def test_a_tax_workbook_with_excel_types_and_a_total_row(tmp_path: Path) -> None:
    result = dry_run(write_tax_workbook(tmp_path / "thue_2025.xlsx"), "tax")
    assert (result.rows, result.published_rows, result.failed_rows) == (5, 3, 2)
    assert [why for _, why in result.skipped] == ["blank row", "total row (Tổng cộng)"]
    problems = {(row["row"], row["column"]): row["reason"] for row in report_rows(result)}
    assert set(problems) == {("6", "Mã số thuế"), ("8", "Tỉnh")}


def test_a_clean_import_leaves_no_stale_error_report(tmp_path: Path) -> None:
    source = copy_sample(QLTT_CSV, tmp_path)
    dry_run(source, "qltt")
    assert (tmp_path / "qltt_bao_cao_thang.csv.errors.csv").exists()
    lines = source.read_text(encoding="utf-8").splitlines()
    source.write_text("\n".join(lines[:5]) + "\n", encoding="utf-8")  # titles, header, two good rows
    result = dry_run(source, "qltt")
    assert (result.published_rows, result.failed_rows) == (2, 0)
    assert not (tmp_path / "qltt_bao_cao_thang.csv.errors.csv").exists()


def test_a_wrong_agency_file_type_or_header_is_one_clear_error(tmp_path: Path) -> None:
    source = copy_sample(QLTT_CSV, tmp_path)
    with pytest.raises(MappingError, match="no column mapping for agency 'ecom'"):
        ReportImporter(source, "ecom", publisher=None)
    with pytest.raises(MappingError, match="unsupported file type"):
        ReportImporter(tmp_path / "report.pdf", "qltt", publisher=None)
    with pytest.raises(MappingError, match="no such file"):
        ReportImporter(tmp_path / "missing.csv", "qltt", publisher=None)
    unrelated = tmp_path / "unrelated.csv"
    unrelated.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(MappingError, match="no header row with qltt columns"):
        dry_run(unrelated, "qltt")


def test_a_value_the_contract_refuses_is_reported_on_its_column_in_vietnamese(tmp_path: Path) -> None:
    source = tmp_path / "dai.csv"
    long_link = "shopee.vn/" + "a" * 3000
    source.write_text(
        "Số hồ sơ,Ngày kiểm tra,Tỉnh,Hành vi vi phạm,Đường dẫn\n"
        f"HS-01,03/03/2025,Hà Nội,Hàng giả,{long_link}\n",
        encoding="utf-8",
    )
    result = dry_run(source, "qltt")
    (problem,) = report_rows(result)
    assert problem["column"] == "Đường dẫn"
    assert "đường dẫn quá dài (3,018 byte UTF-8; tối đa 2,000)" in problem["reason"]


def test_a_csv_in_no_known_encoding_is_refused_with_the_line_that_breaks_it(tmp_path: Path) -> None:
    """UTF-8 failed, then Windows-1258 raised UnicodeDecodeError (0x81 is no character there): a traceback."""
    source = copy_sample(QLTT_CSV, tmp_path)
    lines = source.read_bytes().count(b"\n")
    source.write_bytes(source.read_bytes() + b"\x81\x8d,abc\n")
    with pytest.raises(MappingError, match=rf"line {lines + 1} holds byte 0x81, which is not UTF-8"):
        dry_run(source, "qltt")


def test_a_csv_line_the_csv_module_cannot_split_is_one_unreadable_row(tmp_path: Path) -> None:
    """A field over the csv module's 131,072 characters raised csv.Error out of the import; now that line
    is a failed row with its reason and every other row is read as before."""
    before = dry_run(copy_sample(QLTT_CSV, tmp_path), "qltt")
    source = copy_sample(QLTT_CSV, tmp_path)
    lines = source.read_bytes().split(b"\n")
    huge = b'"' + b"x" * 200_000 + b'",' + lines[-2]
    source.write_bytes(b"\n".join([*lines[:-1], huge, lines[-1]]))
    result = dry_run(source, "qltt")
    reasons = {row["row"]: row["reason"] for row in report_rows(result)}
    assert reasons[str(len(lines))] == "unreadable CSV line: field larger than field limit (131072)"
    assert (result.published_rows, result.failed_rows) == (before.published_rows, before.failed_rows + 1)


def test_a_json_lines_export_splits_at_newlines_only_and_reads_past_a_line_that_is_not_utf8(
    tmp_path: Path,
) -> None:
    """A value holding U+2028 (a JSON string may) was cut in two by str.splitlines; a stray byte on one
    line failed the whole file."""
    before = dry_run(copy_sample(CUSTOMS_JSONL, tmp_path), "customs")
    source = copy_sample(CUSTOMS_JSONL, tmp_path)
    original = source.read_bytes()
    assert original.count("khai báo hải quan".encode()) == 1
    text = original.replace("khai báo hải quan".encode(), "khai\u2028báo\u2029hải\x85quan".encode())
    source.write_bytes(text + b'{"x": "\xff"}\n')
    result = dry_run(source, "customs")
    reasons = {row["row"]: row["reason"] for row in report_rows(result)}
    assert reasons[str(text.count(b"\n") + 1)].startswith("không phải UTF-8: byte 0xff")
    assert (result.rows, result.published_rows) == (before.rows + 1, before.published_rows)


def test_a_sheet_wider_than_any_report_is_refused_before_its_rows_are_read(tmp_path: Path) -> None:
    """One cell in column 600 made every row of a sized sheet 600 cells long (16,384 in column XFD)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Số quyết định", "Ngày kiểm tra", "Tỉnh"])
    sheet.cell(row=2, column=MAX_COLUMNS + 100, value="far")
    book.save(tmp_path / "wide.xlsx")
    with pytest.raises(MappingError, match=f"more than {MAX_COLUMNS} columns"):
        dry_run(tmp_path / "wide.xlsx", "qltt")


def test_a_row_limit_refuses_a_file_once_it_is_passed_and_not_at_it(tmp_path: Path) -> None:
    from producers.importers.mapping import agency_mapping
    from producers.importers.sources import read_table

    source = tmp_path / "r.csv"
    source.write_bytes("Số quyết định,Ngày kiểm tra,Tỉnh\n".encode() + b"x,1,\n" * 9)
    assert read_table(source, agency_mapping("qltt"), max_rows=10).total_rows == 9
    with pytest.raises(MappingError, match="more than 9 rows"):
        read_table(source, agency_mapping("qltt"), max_rows=9)


def test_a_workbook_that_inflates_past_the_bound_is_refused_before_openpyxl_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zip bomb (here 8 MiB of zeros against a bound lowered to 4 MiB; the real bound is 256 MiB):
    openpyxl reads shared strings whole, so the declared sizes are checked before it opens the file."""
    import zipfile

    from producers.importers import sources

    monkeypatch.setattr(sources, "MAX_XLSX_INFLATED", 4 * 2**20)
    source = write_tax_workbook(tmp_path / "bomb.xlsx")
    assert dry_run(source, "tax").rows > 0  # the workbook itself is well within the bound
    with (
        zipfile.ZipFile(source, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/padding.bin", "w") as padding,
    ):
        for _ in range(8):
            padding.write(bytes(2**20))
    assert source.stat().st_size < 2**20
    with pytest.raises(MappingError, match="inflates to 8 MiB; at most 4 MiB are read"):
        dry_run(source, "tax")
