"""BatchHistogram shows on /metrics what prometheus_client's Histogram shows for the same values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, Histogram, generate_latest

from consumers.batch_histogram import BatchHistogram
from consumers.metrics import END_TO_END_BUCKETS

NAME = "casehub_test_latency_seconds"
BOUNDS = [float(b) for b in END_TO_END_BUCKETS]

values = st.one_of(
    st.sampled_from([0.0, *BOUNDS]),  # exactly on a bucket's bound: counted in it (le = less or equal)
    st.floats(min_value=0.0, max_value=200_000.0, allow_nan=False),
)
batches = st.lists(st.tuples(st.sampled_from(["g1", "g2"]), st.lists(values, max_size=60)), max_size=8)


def samples(registry: CollectorRegistry) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in registry.collect()
        for s in family.samples
        if not s.name.endswith("_created")  # Histogram's creation time: not a count
    }


@given(batches)
def test_the_same_buckets_count_and_sum_as_one_observe_per_value(fed: list[tuple[str, list[float]]]) -> None:
    ours_registry, theirs_registry = CollectorRegistry(), CollectorRegistry()
    ours = BatchHistogram(NAME, "test", ["group"], END_TO_END_BUCKETS, ours_registry)
    theirs = Histogram(NAME, "test", ["group"], buckets=END_TO_END_BUCKETS, registry=theirs_registry)
    for group, batch in fed:
        ours.observe_many((group,), batch)
        for value in batch:
            theirs.labels(group).observe(value)
    ours_samples, theirs_samples = samples(ours_registry), samples(theirs_registry)
    assert ours_samples.keys() == theirs_samples.keys()
    for key, expected in theirs_samples.items():
        assert ours_samples[key] == pytest.approx(expected, rel=1e-9, abs=1e-6), key


def test_exposition_spells_buckets_as_prometheus_client_does() -> None:
    registry = CollectorRegistry()
    histogram = BatchHistogram(NAME, "test", ["group"], END_TO_END_BUCKETS, registry)
    histogram.observe_many(("g",), [0.05, 5.0, 100_000.0])
    text = generate_latest(registry).decode()
    assert "# TYPE casehub_test_latency_seconds histogram" in text
    assert 'casehub_test_latency_seconds_bucket{group="g",le="0.05"} 1.0' in text
    assert 'casehub_test_latency_seconds_bucket{group="g",le="5.0"} 2.0' in text
    assert 'casehub_test_latency_seconds_bucket{group="g",le="86400.0"} 2.0' in text
    assert 'casehub_test_latency_seconds_bucket{group="g",le="+Inf"} 3.0' in text
    assert 'casehub_test_latency_seconds_count{group="g"} 3.0' in text


def test_refuses_unordered_buckets_and_wrong_labels() -> None:
    with pytest.raises(ValueError, match="increasing"):
        BatchHistogram(NAME, "test", ["group"], [1, 0.5], CollectorRegistry())
    with pytest.raises(ValueError, match="increasing"):
        BatchHistogram(NAME, "test", ["group"], [], CollectorRegistry())
    histogram = BatchHistogram(NAME, "test", ["group"], [1], CollectorRegistry())
    with pytest.raises(ValueError, match="takes labels"):
        histogram.observe_many(("g", "extra"), [0.5])
