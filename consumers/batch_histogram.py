"""A Prometheus histogram fed a whole batch's values at once (the end-to-end latency of each event).

prometheus_client's `Histogram.observe` takes one value per call, and each call takes the metric's lock,
walks the buckets in Python and adds to the sum: ~1.7 µs per event for the materializer's end-to-end
latency, paid on every event `casehub consume` writes (issue 17). Here a batch's values are sorted once
and each bucket's count found by bisection, under one lock per batch; what /metrics shows is the same
histogram (`_bucket` cumulative per `le`, `_count`, `_sum`, the same label and bucket spellings), served
through prometheus_client's documented custom-collector interface (`HistogramMetricFamily`).
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence

from prometheus_client import CollectorRegistry
from prometheus_client.core import HistogramMetricFamily
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString


class BatchHistogram(Collector):
    """One histogram metric, labelled; `observe_many` adds a batch of values to one label set's series."""

    def __init__(
        self,
        name: str,
        documentation: str,
        label_names: Sequence[str],
        buckets: Sequence[float],
        registry: CollectorRegistry,
    ) -> None:
        bounds = [float(b) for b in buckets]
        if not bounds or bounds != sorted(set(bounds)):
            raise ValueError("histogram buckets must be distinct and in increasing order")
        self.name = name
        self.documentation = documentation
        self.label_names = list(label_names)
        self._bounds = bounds
        self._les = [floatToGoString(b) for b in bounds]
        self._lock = threading.Lock()
        self._series: dict[tuple[str, ...], _Series] = {}
        registry.register(self)

    def observe_many(self, label_values: Sequence[str], values: Iterable[float]) -> None:
        """Add `values` (numbers, not NaN: seconds, say) to the series of `label_values`."""
        key = tuple(label_values)
        if len(key) != len(self.label_names):
            raise ValueError(f"{self.name} takes labels {self.label_names}, got {list(key)}")
        ordered = sorted(values)
        if not ordered:
            return
        below = [bisect_right(ordered, bound) for bound in self._bounds]  # values ≤ each bound
        total = sum(ordered)
        with self._lock:
            series = self._series.get(key)
            if series is None:
                series = self._series[key] = _Series(len(self._bounds))
            for i, count in enumerate(below):
                series.cumulative[i] += count
            series.count += len(ordered)
            series.total += total

    def describe(self) -> Iterator[HistogramMetricFamily]:
        yield HistogramMetricFamily(self.name, self.documentation, labels=self.label_names)

    def collect(self) -> Iterator[HistogramMetricFamily]:
        family = HistogramMetricFamily(self.name, self.documentation, labels=self.label_names)
        with self._lock:
            snapshot = [(key, list(s.cumulative), s.count, s.total) for key, s in self._series.items()]
        for key, cumulative, count, total in snapshot:
            buckets = [*zip(self._les, cumulative, strict=True), ("+Inf", count)]
            family.add_metric(list(key), buckets, total)
        yield family


class _Series:
    __slots__ = ("count", "cumulative", "total")

    def __init__(self, bounds: int) -> None:
        self.cumulative = [0] * bounds
        self.count = 0
        self.total = 0.0
