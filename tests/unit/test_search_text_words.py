"""The word-by-word fold (remembered words) against the fold of the whole text, its oracle."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from services.store.queries import text as folding
from services.store.queries.text import fold_text, fold_whole, search_text

# Words the way titles and goods hold them, and what else text can hold: combining marks anywhere (after
# a space too), Greek sigma (its lower case depends on its neighbours), đ/Đ, NUL and control characters.
pieces = st.sampled_from(
    [
        " ",
        "  ",
        "Σ",
        "ΑΣ",
        "σ",
        "đ",
        "Đ",
        "\u0301",
        "\u0323",
        "\u034f",
        "İ",
        "ß",
        "ﬃ",
        "\x00",
        "\t",
        "\n",
        "'",
        ".",
    ]
)
texts = st.lists(st.one_of(st.text(max_size=12), pieces), max_size=12).map("".join)


@settings(max_examples=1_000)
@given(texts)
@example("Hàng GIẢ đồng hồ ΑΣ Σ ΑΣ'Σ .Σ")
@example(" \u0301a  b ")
def test_the_word_by_word_fold_is_the_whole_texts_fold(text: str) -> None:
    assert fold_text(text) == fold_whole(text)
    assert fold_text(text) == fold_whole(text)  # the second time from remembered words


@given(st.lists(st.one_of(st.none(), texts), min_size=3, max_size=3))
def test_search_text_folds_the_parts_joined(parts: list[str | None]) -> None:
    assert search_text(*parts) == fold_whole(" ".join(part or "" for part in parts))


def test_remembered_words_are_bounded_and_long_words_not_kept() -> None:
    folding._FOLDED_WORDS.clear()
    long_word = "Ả" * (folding._KEPT_WORD_LENGTH + 1)
    assert fold_text(long_word) == "a" * len(long_word)
    assert long_word not in folding._FOLDED_WORDS
    for i in range(folding._FOLDED_WORDS_LIMIT + 5):
        fold_text(f"w{i}")
    assert len(folding._FOLDED_WORDS) <= folding._FOLDED_WORDS_LIMIT
    assert fold_text("Hàng giả") == "hang gia"
