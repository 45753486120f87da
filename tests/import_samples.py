"""Messy agency reports for the importer tests: the shipped CSV and JSONL files, an XLSX with Excel types."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

DATA = Path(__file__).parent / "data"
QLTT_CSV = DATA / "qltt_bao_cao_thang.csv"
CUSTOMS_JSONL = DATA / "customs_tam_giu.jsonl"

TAX_HEADERS = [
    "STT",
    "Số quyết định",
    "Ngày thanh tra",
    "Ngày ra quyết định",
    "Tỉnh",
    "Mã số thuế",
    "Họ tên",
    "Điện thoại",
    "Ngành hàng kinh doanh",
    "Nền tảng",
    "Doanh thu không kê khai",
    "Tiền phạt vi phạm hành chính",
    "Hành vi vi phạm",
]
TAX_ROWS: list[list[object]] = [
    # Excel keeps dates as dates, drops the leading 0 of tax codes and phones typed as numbers.
    [
        1,
        "501/QĐ-XPHC",
        datetime(2025, 3, 10),
        datetime(2025, 3, 20),
        "TP. Hồ Chí Minh",
        316000123,
        "Nguyễn Thị Lan",
        912345678,
        "Quần áo thời trang",
        "TikTok Shop",
        850000000.0,
        127500000.0,
        "Trốn thuế",
    ],
    [
        2,
        "502/QĐ-XPHC",
        "15/03/2025",
        "22/03/2025",
        "Thai Nguyen",
        "4601234567",
        "Lê Văn Hùng",
        "+84 977 111 222",
        "Đồ gia dụng",
        "Zalo",
        "1,2 tỷ",
        "36 triệu",
        "khai sai thuế",
    ],
    [
        3,
        "503/QĐ-XPHC",
        "18/03/2025",
        "25/03/2025",
        "Hà Nội",
        "abc123",
        "Phạm Văn Long",
        None,
        "Mỹ phẩm",
        "Shopee",
        "300 triệu",
        "15 triệu",
        "Trốn thuế",
    ],
    [
        4,
        "504/QĐ-XPHC",
        datetime(2025, 8, 5),
        datetime(2025, 8, 15),
        "Bình Dương",
        "0317000456",
        "Công ty TNHH Mỹ phẩm Sao Mai",
        None,
        "Mỹ phẩm",
        "Shopee",
        2e9,
        90000000,
        "Trốn thuế",
    ],
    [
        5,
        "505/QĐ-XPHC",
        datetime(2025, 9, 1),
        datetime(2025, 9, 9),
        "Atlantis",
        "0101234567",
        "Đỗ Thị Mai",
        None,
        "Thực phẩm",
        "Facebook",
        "50 triệu",
        "5 triệu",
        "Trốn thuế",
    ],
    [None] * 13,
    ["Tổng cộng", None, None, None, None, None, None, None, None, None, 3.5e9, 273500000, None],
]


def write_tax_workbook(path: Path) -> Path:
    """The tax office's list of penalised e-commerce sellers: title rows, typed cells, a total row."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["DANH SÁCH XỬ LÝ VI PHẠM VỀ THUẾ ĐỐI VỚI NGƯỜI BÁN HÀNG TRÊN NỀN TẢNG SỐ - NĂM 2025"])
    sheet.append([])
    sheet.append(TAX_HEADERS)
    for row in TAX_ROWS:
        sheet.append(row)
    book.save(path)
    return path


def copy_sample(sample: Path, folder: Path) -> Path:
    """A copy in the test's own folder, so the error report is written there."""
    return Path(shutil.copy(sample, folder / sample.name))
