"""JSON from outside (schemas/json_text.py): every malformed input is a reason, never an exception, and a
JSON Lines text is split at "\\n" only, each line read on its own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.errors import CasehubError
from schemas.json_text import NotJson, json_lines, json_value
from services.cli.publishing import read_events

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)
BAD_LINES = {
    b"[\xff\xfe]": "UTF-8",
    b'{"a": "\xe2\x80"}': "UTF-8",  # a cut multi-byte character
    b"[" * 100_000: "nested too deep",
    b"[" + b"1" * 5_000 + b"]": "4300 digits",
    b"{bad": "not JSON",
    b"\x00": "not JSON",
    b'["\\ud800"]': "lone surrogate",  # half of a UTF-16 pair escaped alone: no UTF-8 holds it
    b'{"\\udc00 x": 1}': "lone surrogate",
    b'["\\ude00\\ud83d"]': "lone surrogate",  # a pair in the wrong order is two halves
    b"[NaN]": "NaN and Infinity are no JSON numbers",  # json.loads reads them; no JSON answer holds them
    b'{"a": -Infinity}': "NaN and Infinity are no JSON numbers",
    b"[1e400]": "past the largest a double holds",  # read as infinity
}


@pytest.mark.parametrize("text", list(BAD_LINES))
def test_every_way_json_can_be_malformed_is_a_reason(text: bytes) -> None:
    with pytest.raises(NotJson, match=BAD_LINES[text].replace("(", r"\(")):
        json_value(text)


@given(st.lists(JSON_VALUES, min_size=1, max_size=8), st.data())
def test_lines_read_back_as_written_and_one_bad_line_spoils_only_itself(values: list[Any], data: Any) -> None:
    """json.dumps(ensure_ascii=False) keeps U+2028, U+2029, U+0085 and \\x1c-\\x1e as they are: a reader
    splitting with str.splitlines would cut such a value in two."""
    lines = [json.dumps(v, ensure_ascii=False).encode() for v in values]
    bad_at = data.draw(st.integers(0, len(lines)))
    bad = data.draw(st.sampled_from(list(BAD_LINES)))
    lines.insert(bad_at, bad)
    ending = data.draw(st.sampled_from([b"\n", b"\r\n"]))
    read = list(json_lines(ending.join(lines) + ending))
    assert [line.number for line in read] == list(range(1, len(lines) + 1))
    assert read[bad_at].problem is not None and read[bad_at].value is None
    good = [line.value for line in read if line.problem is None]
    assert good == values


def test_a_bom_blank_lines_and_a_missing_last_newline_are_read() -> None:
    read = list(json_lines(b'\xef\xbb\xbf{"a": 1}\n\n  \n[2]'))
    assert [(line.number, line.value, line.blank) for line in read] == [
        (1, {"a": 1}, False),
        (2, None, True),
        (3, None, True),
        (4, [2], False),
    ]


def test_casehub_publish_lists_undecodable_and_too_deep_lines_instead_of_failing(tmp_path: Path) -> None:
    """The CLI read its file with read_text(encoding="utf-8") and json.loads per splitlines() line: a
    stray byte, a deeply nested line or a 5,000-digit number ended `casehub publish` in a traceback."""
    file = tmp_path / "events.jsonl"
    file.write_bytes(b"\n".join([b'{"x": "\xff"}', b"[" * 100_000, b"[" + b"1" * 5_000 + b"]", b"{bad"]))
    with pytest.raises(CasehubError) as refused:
        read_events(file)
    message = str(refused.value)
    assert message.startswith("4 lỗi; không gửi sự kiện nào")
    assert f"{file}:1: không phải UTF-8: byte 0xff" in message
    assert f"{file}:2: JSON lồng quá sâu" in message
    assert f"{file}:3: không đọc được JSON" in message and "set_int_max_str_digits" not in message
    assert f"{file}:4: không phải JSON" in message


def test_an_escaped_pair_is_one_character_and_a_lone_half_in_text_is_refused_too() -> None:
    assert json_value(b'{"a": "\\ud83d\\ude00"}') == {"a": "\U0001f600"}
    assert json_value(b'["\\u00e9"]') == ["\u00e9"]
    with pytest.raises(NotJson, match="lone surrogate"):
        json_value('["\ud800"]')  # text (not bytes) holding the half as it is
