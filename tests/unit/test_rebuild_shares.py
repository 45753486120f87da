"""The rebuild's partitions dealt to replay processes: every partition with records exactly once, shares
about equal in records, none empty."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.rebuild_members import split_partitions

spans = st.tuples(st.integers(0, 1_000), st.integers(0, 5_000)).map(lambda s: (s[0], s[0] + s[1]))
snapshots = st.dictionaries(
    st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 15)), spans, max_size=40
)


@given(snapshots, st.integers(1, 8))
def test_every_partition_with_records_goes_to_exactly_one_share(
    snapshot: dict[tuple[str, int], tuple[int, int]], processes: int
) -> None:
    shares = split_partitions(snapshot, processes)
    dealt = [key for share in shares for key in share]
    assert sorted(dealt) == sorted(key for key, (start, end) in snapshot.items() if end > start)
    assert len(dealt) == len(set(dealt))
    assert all(shares) and len(shares) <= processes
    for share in shares:
        assert all(share[key] == snapshot[key] for key in share)


@given(snapshots, st.integers(2, 8))
def test_shares_differ_by_at_most_the_largest_partition(
    snapshot: dict[tuple[str, int], tuple[int, int]], processes: int
) -> None:
    shares = split_partitions(snapshot, processes)
    loads = [sum(end - start for start, end in share.values()) for share in shares]
    largest = max((end - start for start, end in snapshot.values()), default=0)
    if len(shares) == processes:
        assert max(loads) - min(loads) <= largest


def test_two_processes_get_four_equal_partitions_two_each() -> None:
    snapshot = {("t", p): (0, 100) for p in range(4)} | {("t", 9): (50, 50)}
    shares = split_partitions(snapshot, 2)
    assert [sorted(share) for share in shares] == [[("t", 0), ("t", 2)], [("t", 1), ("t", 3)]]
