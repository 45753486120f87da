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
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_BOM = b"\xef\xbb\xbf"


class NotJson(ValueError):
    """The text is not JSON; the message says why, in Vietnamese and English."""


class BeyondJson(NotJson):
    """What Python's parser reads but no JSON text may hold: a string escaping half of a UTF-16 pair alone
    (valid escape syntax, yet no Unicode), the constants NaN, Infinity and -Infinity (not JSON at all), or a
    number past the largest double (read as infinity).
    Read, they failed later — written to a store, or echoed in an answer, where they cannot be encoded."""


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
"""A \\uD800-\\uDFFF escape: a pair of them is one character (an escaped emoji), one alone is none."""


_HUGE_NUMBER = re.compile(rb"[eE][+]?0*[1-9][0-9]{2}|[0-9]{300}")
"""An exponent of 100 or more, or 300 digits in a row: where a float past the largest double may be."""


def may_go_beyond_json(data: bytes) -> bool:
    """Whether JSON bytes might hold what `BeyondJson` refuses (rare): only then need they be checked whole.
    Text, unlike bytes, may hold a lone half as it is."""
    return (
        _SURROGATE_ESCAPE.search(data) is not None
        or b"NaN" in data
        or b"Infinity" in data
        or _HUGE_NUMBER.search(data) is not None
    )


def _no_constant(name: str) -> Any:
    raise BeyondJson(f"không phải JSON: {name} (not JSON: NaN and Infinity are no JSON numbers)")


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise BeyondJson(f"số quá lớn: {text[:40]} (a number past the largest a double holds)")
    return number


def json_value(text: str | bytes) -> Any:
    """The JSON value of `text`; raises NotJson with the reason for any malformed input, BeyondJson for what
    `json.loads` reads but no JSON text holds (a 500 from the ingest API and others, found by hand in
    session 17): refused here, where the reason is known."""
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except BeyondJson:
        raise
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
    if isinstance(text, str) or _SURROGATE_ESCAPE.search(text) is not None:
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            lone = exc.object[exc.start : exc.end].encode("unicode_escape").decode("ascii")
            raise BeyondJson(
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
