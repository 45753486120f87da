"""Report files for the upload tests: the shipped QLTT report with hostile rows added, and big files."""

from __future__ import annotations

from tests.import_samples import QLTT_CSV

FORMULA = "=cmd|' /C calc'!A0"
HOSTILE_ROWS = (
    # a formula where the province goes (refused: no such province; the error report must defuse it)
    f'11,21/QĐ-XPVPHC,15/BB-VPHC,20/08/2025,27/08/2025,"{FORMULA}",Đội QLTT số 4,Hàng giả,Áo giả,Zalo,,'
    "Mai Văn Khoa,0912 000 111,,4.000.000,,,5.000.000,không,,X\n"
    # a NUL inside the goods (refused by the contract: no control characters)
    "12,22/QĐ-XPVPHC,16/BB-VPHC,20/08/2025,27/08/2025,Bắc Giang,Đội QLTT số 4,Hàng giả,Quần\x00áo,Zalo,,"
    "Mai Văn Khoa,0912 000 111,,4.000.000,,,5.000.000,không,,X\n"
    # the same case as row 4 (same decision number, unit and year): refused, not sent twice
    "13,12/QĐ-XPVPHC,05/BB-VPHC,03/03/2025,10/03/2025,Bắc Giang,Đội QLTT số 1,Hàng giả,Son,Shopee,,"
    "Nguyễn Thị Hằng,0912 345 678,,15.000.000 đ,120,thỏi,25 triệu,không,,X\n"
)
GOOD_ROWS, EVENTS_PER_GOOD_ROW = 5, 7
"""The shipped report's 5 good rows (each a concluded case: 7 events); every other row is refused."""


def qltt_report_with_hostile_rows() -> bytes:
    """The shipped report (5 good rows, 5 bad) plus a formula, a NUL and a repeated case: 8 refused."""
    text = QLTT_CSV.read_text(encoding="utf-8-sig")
    return (text.rstrip("\n") + "\n" + HOSTILE_ROWS).encode("utf-8-sig")


def big_qltt_report(rows: int) -> bytes:
    """A report of `rows` good QLTT cases (distinct decision numbers) in Hà Nội, as a unit types them."""
    head = (
        "Số quyết định,Số biên bản,Ngày kiểm tra,Ngày ra quyết định,Tỉnh/thành phố,Hành vi vi phạm,"
        "Hàng hóa vi phạm,Nền tảng,Tên đối tượng,SĐT,Số tiền phạt (đồng)\n"
    )
    body = "".join(
        f"{i}/QĐ-XPVPHC,{i}/BB,03/03/2025,10/03/2025,Hà Nội,Hàng giả,Son môi,Shopee,"
        f"Nguyễn Văn {i},0912 345 678,25 triệu\n"
        for i in range(1, rows + 1)
    )
    return (head + body).encode()
