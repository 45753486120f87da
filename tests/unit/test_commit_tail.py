"""CommitTail: what a lag reader keeps of a commit-log partition between reports."""

from __future__ import annotations

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
