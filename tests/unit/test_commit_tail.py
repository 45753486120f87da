"""CommitTail: what a lag reader keeps of a commit-log partition between reports."""

from __future__ import annotations

import struct
from typing import NamedTuple

from hypothesis import given
from hypothesis import strategies as st

from services.ops.burrow import OffsetCommit
from services.ops.commit_tail import CommitTail

P0 = ("casehub.cases.qltt", 0)
P1 = ("casehub.cases.qltt", 1)


def test_keeps_only_the_groups_it_follows_in_the_logs_order() -> None:
    tail = CommitTail(frozenset({"hub"}), since_ms=1_000, position=7)
    tail.add("hub", P0, OffsetCommit(5, 1_100))
    tail.add("someone-else", P0, OffsetCommit(9, 1_150))
    tail.add("hub", P1, OffsetCommit(2, 1_200))
    tail.add("hub", P0, OffsetCommit(6, 1_300))
    assert tail.commits_of("hub") == {
        P0: [OffsetCommit(5, 1_100), OffsetCommit(6, 1_300)],
        P1: [OffsetCommit(2, 1_200)],
    }
    assert tail.commits_of("someone-else") == {}


def test_serves_its_groups_from_its_look_back_on_and_nothing_else() -> None:
    tail = CommitTail(frozenset({"hub", "entities"}), since_ms=1_000, position=0)
    assert tail.serves({"hub"}, 1_000) and tail.serves({"hub", "entities"}, 5_000)
    assert not tail.serves({"hub"}, 999)  # older commits were never read
    assert not tail.serves({"hub", "peer"}, 1_000)  # a group it did not keep


def test_forgets_what_fell_out_of_the_look_back_and_then_serves_no_earlier_one() -> None:
    tail = CommitTail(frozenset({"hub"}), since_ms=1_000, position=0)
    for offset, at in ((1, 1_000), (2, 2_000), (3, 3_000)):
        tail.add("hub", P0, OffsetCommit(offset, at))
    tail.add("hub", P1, OffsetCommit(9, 1_500))
    tail.forget_before(2_000)
    assert tail.commits_of("hub") == {P0: [OffsetCommit(2, 2_000), OffsetCommit(3, 3_000)]}
    assert not tail.serves({"hub"}, 1_500)
    tail.forget_before(1_000)  # a look-back never moves back
    assert tail.since_ms == 2_000


class Record(NamedTuple):
    """The fields of kafka-python's ConsumerRecord that the reader uses."""

    key: bytes | None
    value: bytes | None
    timestamp: int
    offset: int


def commit_record(group: str, offset: int, at_ms: int, position: int) -> Record:
    def string(text: str) -> bytes:
        return struct.pack(">h", len(text)) + text.encode()

    key = struct.pack(">h", 1) + string(group) + string(P0[0]) + struct.pack(">i", P0[1])
    value = struct.pack(">hq", 1, offset) + string("") + struct.pack(">qq", at_ms, -1)
    return Record(key, value, at_ms, position)


garbage_keys = st.one_of(
    st.binary(max_size=40),
    # a commit key's type then anything: truncated or wrong strings, the records a decoder chokes on
    st.builds(
        lambda kind, rest: struct.pack(">h", kind) + rest, st.sampled_from([0, 1, 2]), st.binary(max_size=40)
    ),
)


@given(st.lists(st.tuples(st.booleans(), garbage_keys, st.one_of(st.none(), st.binary(max_size=40)))))
def test_unreadable_records_are_skipped_and_every_commit_around_them_kept(
    mixed: list[tuple[bool, bytes, bytes | None]],
) -> None:
    tail = CommitTail(frozenset({"hub"}), since_ms=0, position=0)
    records, expected = [], []
    for position, (is_commit, key, value) in enumerate(mixed):
        if is_commit:
            records.append(commit_record("hub", position, 1_000 + position, position))
            expected.append(OffsetCommit(position, 1_000 + position))
        else:
            records.append(Record(key, value, 0, position))  # any bytes: truncated, metadata, garbage
    tail.take(records)
    kept = tail.commits_of("hub").get(P0, [])
    assert [c for c in kept if c in expected] == expected  # garbage may parse as a commit, never lose one
