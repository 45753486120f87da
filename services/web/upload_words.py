"""The upload pages' words (Vietnamese, English), merged into the UI's dictionary by services/web/i18n."""

from __future__ import annotations

UPLOAD_WORDS: dict[str, tuple[str, str]] = {
    "nav_uploads": ("Tải báo cáo lên", "Upload a report"),
    "uploads": ("Tải báo cáo lên", "Upload a report"),
    "uploads_note": (
        "Chọn tệp báo cáo (CSV, XLSX hoặc JSONL) của đơn vị. Hệ thống xem trước từng dòng — dòng nào "
        "hợp lệ, dòng nào bị từ chối và vì sao — trước khi gửi bất cứ điều gì. Sự kiện được gửi vào "
        "kênh của cơ quan bạn; gửi lại cùng tệp không tạo bản ghi trùng.",
        "Choose your unit's report file (CSV, XLSX or JSONL). Every row is previewed — which are valid, "
        "which are refused and why — before anything is sent. Events go to your agency's topic; sending "
        "the same file again adds no duplicate.",
    ),
    "upload_file": ("Tệp báo cáo", "Report file"),
    "upload_preview": ("Xem trước", "Preview"),
    "upload_max": ("Tối đa", "At most"),
    "upload_history": ("Lịch sử tải lên của đơn vị", "Your unit's upload history"),
    "no_uploads": ("Chưa có lần tải lên nào.", "No uploads yet."),
    "uploaded_at": ("Thời điểm", "When"),
    "uploaded_by": ("Người tải lên", "Uploaded by"),
    "file_name": ("Tệp", "File"),
    "upload_status": ("Trạng thái", "Status"),
    "rows": ("Số dòng", "Rows"),
    "rows_ok": ("Hợp lệ", "Valid"),
    "rows_refused": ("Bị từ chối", "Refused"),
    "row": ("Dòng", "Row"),
    "fate": ("Kết quả", "Fate"),
    "reasons": ("Lý do", "Reasons"),
    "st_unreadable": ("không đọc được", "unreadable"),
    "st_previewed": ("đã xem trước", "previewed"),
    "st_publishing": ("đang gửi", "publishing"),
    "st_published": ("đã gửi", "published"),
    "fate_ok": ("hợp lệ", "ok"),
    "fate_refused": ("bị từ chối", "refused"),
    "out_accepted": ("đã nhận", "accepted"),
    "out_duplicate": ("đã có", "duplicate"),
    "out_refused": ("bị từ chối", "refused"),
    "publish_rows": ("Gửi các dòng hợp lệ", "Publish the valid rows"),
    "publish_again": ("Gửi lại (an toàn, không trùng)", "Publish again (safe, no duplicates)"),
    "publishing_progress": ("Đang gửi", "Publishing"),
    "reading_progress": ("Đang kiểm tra từng dòng", "Checking every row"),
    "rows_read": ("dòng đã kiểm tra", "rows checked"),
    "st_reading": ("đang kiểm tra", "checking"),
    "download_errors": ("Tải báo cáo lỗi", "Download the error report"),
    "set_aside": ("Dòng bỏ qua", "Rows set aside"),
    "ignored_columns": ("Cột không dùng", "Ignored columns"),
    "published_summary": ("Kết quả gửi", "Outcome"),
    "where": ("Nơi lưu (topic/partition/offset)", "Where (topic/partition/offset)"),
    "page_rows": ("Các dòng", "Rows"),
}
