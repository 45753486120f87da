"""A bad event line names its field and says what is wrong in Vietnamese, and every bad line is listed."""

from __future__ import annotations

import json
from pathlib import Path

import pydantic
import pytest

from producers.demo_data import demo_events
from schemas.errors import CasehubError
from schemas.events import CaseEvent, PenaltyDecided
from schemas.validation_messages import first_field, vietnamese_errors
from services.cli.publishing import read_events


def _line(event: CaseEvent, **changes: object) -> dict[str, object]:
    data: dict[str, object] = json.loads(event.model_dump_json())
    for path, value in changes.items():
        target = data
        *parents, last = path.split("__")
        for parent in parents:
            target = target[parent]  # type: ignore[assignment]
        if value is None:
            del target[last]  # type: ignore[attr-defined]
        else:
            target[last] = value  # type: ignore[index]
    return data


def test_a_bad_jsonl_file_lists_every_bad_line_with_its_field_in_vietnamese(tmp_path: Path) -> None:
    events = demo_events()
    penalty = next(e for e in events if isinstance(e.payload, PenaltyDecided))
    lines = [
        _line(events[0]),
        _line(penalty, payload__fine_vnd="abc"),
        _line(events[0], agency=None, occurred_at="2025-13-01"),
    ]
    file = tmp_path / "events.jsonl"
    file.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n{not json\n", "utf-8")
    with pytest.raises(CasehubError) as refused:
        read_events(file)
    message = str(refused.value)
    assert "validation error for" not in message
    assert f"{file}:2: fine_vnd: phải là số nguyên (nhận được: 'abc')" in message
    assert f"{file}:3: agency: thiếu trường bắt buộc" in message
    assert f"{file}:3: occurred_at: phải là thời điểm ISO 8601 có múi giờ" in message
    assert f"{file}:4: không phải JSON" in message
    assert message.startswith("4 lỗi; không gửi sự kiện nào")


def test_messages_name_nested_fields_and_keep_pydantics_words_for_types_not_translated() -> None:
    with pytest.raises(pydantic.ValidationError) as failed:
        PenaltyDecided.model_validate({"decision_number": "", "fine_vnd": -5, "additional_measures": [""]})
    lines = vietnamese_errors(failed.value)
    assert "decision_number: quá ngắn (tối thiểu 1 ký tự) (nhận được: '')" in lines
    assert "fine_vnd: phải lớn hơn hoặc bằng 0 (nhận được: -5)" in lines
    assert any(line.startswith("additional_measures[0]: quá ngắn") for line in lines)
    assert first_field(failed.value) == "decision_number"


def test_a_huge_value_is_shown_cut_short() -> None:
    with pytest.raises(pydantic.ValidationError) as failed:
        PenaltyDecided.model_validate({"decision_number": "x", "fine_vnd": "9" * 5000})
    (line,) = vietnamese_errors(failed.value)
    assert len(line) < 200 and line.endswith("…)")
