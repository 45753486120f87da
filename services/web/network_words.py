"""The network page's words (Vietnamese, English), merged into the UI's dictionary by services/web/i18n."""

from __future__ import annotations

NETWORK_WORDS: dict[str, tuple[str, str]] = {
    "network": ("Mạng lưới đối tượng", "Seller network"),
    "network_open": ("Xem mạng lưới liên kết", "Open the linked network"),
    "network_note": (
        "Chỉ gồm đối tượng, định danh và liên kết trong hồ sơ bạn được xem; "
        "đối tượng chỉ có trong hồ sơ hạn chế không hiện ở đây.",
        "Only subjects, identifiers and links in records you may see; "
        "a subject known only from restricted records does not appear.",
    ),
    "network_missing": ("Không có mạng lưới nào bạn được xem.", "No network you may see."),
    "subject_id": ("Mã đối tượng", "Subject id"),
    "linked_subjects": ("Đối tượng liên kết", "Linked subjects"),
    "linking_identifiers": ("Định danh và trạng thái liên kết", "Identifiers and whether they link"),
    "why_linked": ("Vì sao liên kết", "Why linked"),
    "link_event": ("Sự kiện", "Event"),
    "history": ("Lịch sử gộp / tách", "Merge / split history"),
    "reason": ("Lý do", "Reason"),
    "action": ("Thao tác", "Action"),
    "hidden_holders": (
        "Cơ quan có hồ sơ hạn chế về các đối tượng này — liên hệ trước khi xử lý",
        "Agencies holding restricted records on these subjects — contact them before acting",
    ),
    "inbox": ("Hộp cảnh báo", "Alerts inbox"),
    "inbox_note": (
        "Cảnh báo gửi cơ quan của bạn và cảnh báo chung; trạng thái là của cơ quan bạn.",
        "Alerts addressed to your agency and those shared with all; states are your agency's.",
    ),
    "inbox_empty": ("Không có cảnh báo nào.", "No alerts."),
    "state": ("Trạng thái xử lý", "State"),
    "state_new": ("Mới", "New"),
    "state_acknowledged": ("Đã tiếp nhận", "Acknowledged"),
    "state_assigned": ("Đã giao", "Assigned"),
    "state_closed": ("Đã đóng", "Closed"),
    "rule": ("Quy tắc", "Rule"),
    "seller": ("Đối tượng / mạng lưới", "Seller / entity"),
    "mine": ("Giao cho tôi", "Assigned to me"),
    "summary": ("Nội dung", "Summary"),
    "acknowledge": ("Tiếp nhận", "Acknowledge"),
    "assign": ("Giao", "Assign"),
    "close": ("Đóng", "Close"),
    "reopen": ("Mở lại", "Reopen"),
    "note": ("Ghi chú", "Note"),
    "start_referral": ("Chuyển vụ việc", "Start a referral"),
    "nav_inbox": ("Cảnh báo", "Alerts"),
}
