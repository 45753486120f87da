"""JSON read from outside (files, request bodies, schema texts): every way it can be malformed is a reason,
never an exception that escapes as a traceback.

`json.loads` fails in more ways than `JSONDecodeError`: text nested deeper than the interpreter's stack
raises `RecursionError`, an integer of more than 4,300 digits a plain `ValueError` (CPython's limit on
integer parsing), bytes that are not UTF-8 `UnicodeDecodeError`. And JSON Lines end at "\\n" only:
`str.splitlines` also splits at U+2028, U+2029, U+0085 and the \\x1c-\\x1e separators, which JSON strings may
hold as they are, so a description pasted with a LINE SEPARATOR would become two broken lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_BOM = b"\xef\xbb\xbf"


class NotJson(ValueError):
    """The text is not JSON; the message says why, in Vietnamese and English."""


class LoneSurrogate(NotJson):
    """JSON whose string escapes half of a UTF-16 pair alone: valid JSON, yet no Unicode text."""


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
"""A \\uD800-\\uDFFF escape: a pair of them is one character (an escaped emoji), one alone is none."""


def escapes_a_surrogate(data: bytes) -> bool:
    """Whether JSON bytes escape a surrogate at all (rare): only then need a value be checked whole (text,
    unlike bytes, may hold a lone half as it is)."""
    return _SURROGATE_ESCAPE.search(data) is not None


def json_value(text: str | bytes) -> Any:
    """The JSON value of `text`; raises NotJson with the reason for any malformed input.

    JSON lets a string escape half of a UTF-16 pair alone (`"\\ud800"`), which `json.loads` turns into a
    Python string no UTF-8 can hold: echoed in an answer or written to a store it failed there (a 500 from
    the ingest API, found by hand in session 17), so such text is refused here, where its reason is known."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotJson(f"không phải JSON: {exc.msg} ở cột {exc.colno} (not JSON)") from None
    except UnicodeDecodeError as exc:
        raise NotJson(
            f"không phải UTF-8: byte {_byte_at(exc)} ở vị trí {exc.start + 1} (not UTF-8)"
        ) from None
    except RecursionError:
        raise NotJson("JSON lồng quá sâu (JSON nested too deep)") from None
    except ValueError as exc:  # an integer longer than CPython parses (4,300 digits); its advice cut off
        raise NotJson(f"không đọc được JSON: {str(exc).split(';')[0]} (unreadable JSON)") from None
    if isinstance(text, str) or escapes_a_surrogate(text):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            lone = exc.object[exc.start : exc.end].encode("unicode_escape").decode("ascii")
            raise LoneSurrogate(
                f"không phải Unicode hợp lệ: nửa cặp UTF-16 {lone} đứng một mình (not valid Unicode: a lone "
                "surrogate)"
            ) from None
    return value


@dataclass(frozen=True)
class JsonLine:
    """One line of a JSON Lines text: its number (from 1) and its value, or why it has none (a blank line
    has neither)."""

    number: int
    value: Any = None
    problem: str | None = None
    blank: bool = False


def json_lines(data: bytes) -> Iterator[JsonLine]:
    """The lines of JSON Lines `data`, each read on its own: a line that is not UTF-8 or not JSON is
    reported with its number, and the lines around it are still read. A leading UTF-8 byte-order mark and
    "\\r\\n" endings are accepted; the end of the text after a last "\\n" is no line."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            yield JsonLine(number, blank=True)
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield JsonLine(
                number, problem=f"không phải UTF-8: byte {_byte_at(exc)} ở cột {exc.start + 1} (not UTF-8)"
            )
            continue
        try:
            yield JsonLine(number, json_value(text))
        except NotJson as exc:
            yield JsonLine(number, problem=str(exc))


def _byte_at(exc: UnicodeDecodeError) -> str:
    return f"0x{exc.object[exc.start]:02x}"
