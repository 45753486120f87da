"""Search text without Vietnamese diacritics, the same way in Python, SQLite and PostgreSQL.

"hang gia" finds "hàng giả" and "HÀNG GIẢ": both sides are folded to lower-case ASCII base letters (đ → d).
PostgreSQL does it with translate(); SQLite, which has neither translate() nor a Unicode lower(), calls
fold_text itself, registered on the connection by enable_folding. Decomposed input is folded too.
Case search does not fold at query time: `cases` and `case_audience_views` keep their folded id, title and
goods in the column `search_text` (migration 0009, indexed with pg_trgm on PostgreSQL; written by the
materializer with `search_text` below on PostgreSQL since migration 0015, generated on SQLite), and the
folded words are matched against it with a plain LIKE.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import ColumnElement, Connection, String, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

_LOWER = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
_BASE = "aaaaaaaaaaaaaaaaadeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyy"
ACCENTED = _LOWER + _LOWER.upper()
PLAIN = _BASE + _BASE
# Combining marks of decomposed Vietnamese: grave, acute, circumflex, tilde, breve, hook, horn, dot below.
COMBINING = "\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323"
SQLITE_FOLD = "casehub_fold"


_FOLDED_WORDS: dict[str, str] = {}
"""Folded words by word: titles and goods repeat a small vocabulary, so a case's search text is looked up
word by word (~2.8 µs on the simulator's titles and goods) instead of folded character by character by
`fold_whole` (~8.5 µs). Bounded: cleared when full; long words are not kept."""
_FOLDED_WORDS_LIMIT = 50_000
_KEPT_WORD_LENGTH = 40


def fold_text(text: str) -> str:
    """Lower-case ASCII base letters of a text, as the SQL side folds a column.

    Word by word (split at spaces, each word folded once and remembered): the same as `fold_whole` on the
    whole text, because every step of the fold works within a word: decomposing and dropping combining
    marks is per character, and lower-casing looks at a character's neighbours only for the Greek final
    sigma, whose context a space ends (tests/unit/test_search_text_words.py checks it on any text).
    """
    if len(_FOLDED_WORDS) >= _FOLDED_WORDS_LIMIT:
        _FOLDED_WORDS.clear()
    folded_words = []
    for word in text.split(" "):
        folded = _FOLDED_WORDS.get(word)
        if folded is None:
            folded = fold_whole(word)
            if len(word) <= _KEPT_WORD_LENGTH:
                _FOLDED_WORDS[word] = folded
        folded_words.append(folded)
    return " ".join(folded_words)


def fold_whole(text: str) -> str:
    """The fold of a text in one piece: đ → d, decomposed (NFD), combining marks dropped, lower-cased."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


class folded(FunctionElement[str]):
    """SQL: a text column folded like fold_text (for LIKE against a folded search term)."""

    type = String()
    inherit_cache = True
    name = "folded"


@compiles(folded, "postgresql")
def _folded_postgresql(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    (argument,) = element.clauses
    inner = compiler.process(argument, **kw)
    dropped = "".join(COMBINING)
    return f"lower(translate({inner}, '{ACCENTED}{dropped}', '{PLAIN}'))"


@compiles(folded)
def _folded_default(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    (argument,) = element.clauses
    return f"{SQLITE_FOLD}({compiler.process(argument, **kw)})"


def search_text(*parts: str | None) -> str:
    """A case's id, title and goods as one folded text, as the store keeps it in `search_text`: written
    with it on PostgreSQL (migration 0015), and used for rows the store does not hold (a viewer's cases
    refolded on the request). Words never hold
    a space, so a word is in it exactly when it is in one of the parts."""
    return fold_text(" ".join(part or "" for part in parts))


def enable_folding(connection: Connection) -> None:
    """Give a SQLite connection the fold as a function (PostgreSQL has translate() built in)."""
    if connection.dialect.name == "sqlite":
        register_fold(connection.connection.driver_connection)


def register_fold(sqlite_connection: Any) -> None:
    """Register the fold on a raw sqlite3 connection: the generated `search_text` of migration 0009 calls it,
    so every connection that writes or reads cases needs it (`engine.make_engine` does this on connect)."""
    sqlite_connection.create_function(SQLITE_FOLD, 1, _fold_or_none, deterministic=True)


def _fold_or_none(text: str | None) -> str | None:
    return None if text is None else fold_text(str(text))


def contains_folded(column: ColumnElement[Any], term: str) -> ColumnElement[bool]:
    """column contains term, ignoring case and diacritics on both sides."""
    return folded(func.coalesce(column, "")).like(folded_pattern(term), escape="\\")


def folded_pattern(term: str) -> str:
    """A LIKE pattern (escape character backslash) finding the folded term anywhere."""
    return "%" + _escape_like(fold_text(term)) + "%"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
