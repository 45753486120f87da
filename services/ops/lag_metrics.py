"""Lag gauges for Prometheus, read from the sampler's latest report at scrape time.

A collector (rather than Gauge objects set by the sampler) exposes exactly the partitions of the
latest report: a partition or group that disappears does not linger as a stale series.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from services.ops.burrow import LagStatus
from services.ops.lag_sampler import LagSampler

PARTITION_LABELS = ["group", "topic", "partition"]


class LagCollector(Collector):
    def __init__(self, sampler: LagSampler) -> None:
        self.sampler = sampler

    def collect(self) -> Iterator[GaugeMetricFamily]:
        messages = GaugeMetricFamily(
            "casehub_consumer_lag_messages", "Log-end offset minus committed offset.", labels=PARTITION_LABELS
        )
        seconds = GaugeMetricFamily(
            "casehub_consumer_lag_seconds", "Age of the oldest unconsumed message.", labels=PARTITION_LABELS
        )
        committed = GaugeMetricFamily(
            "casehub_consumer_committed_offset", "The group's committed offset.", labels=PARTITION_LABELS
        )
        log_end = GaugeMetricFamily(
            "casehub_partition_log_end_offset", "The partition's log-end offset.", labels=PARTITION_LABELS
        )
        catch_up = GaugeMetricFamily(
            "casehub_consumer_catch_up_seconds",
            "Estimated seconds until lag is zero at the window's pace (absent when not catching up).",
            labels=PARTITION_LABELS,
        )
        status = GaugeMetricFamily(
            "casehub_consumer_partition_status",
            "1 for the partition's Burrow status, 0 for the others.",
            labels=[*PARTITION_LABELS, "status"],
        )
        group_status = GaugeMetricFamily(
            "casehub_consumer_group_status",
            "1 for the group's Burrow status (worst partition), 0 for the others.",
            labels=["group", "status"],
        )
        report = self.sampler.latest
        for group in report.groups if report else ():
            for state in LagStatus:
                group_status.add_metric([group.group, state.value], float(group.status == state))
            for row in group.partitions:
                labels = [group.group, row.topic, str(row.partition)]
                messages.add_metric(labels, row.lag_messages)
                if row.committed_offset is not None:  # never committed: no series, the lag still counts
                    committed.add_metric(labels, row.committed_offset)
                log_end.add_metric(labels, row.log_end_offset)
                if row.oldest_unconsumed_at is not None:  # aged to the scrape, not to the sample
                    seconds.add_metric(labels, max(time.time() - row.oldest_unconsumed_at.timestamp(), 0.001))
                elif row.lag_seconds is not None:
                    seconds.add_metric(labels, row.lag_seconds)
                if row.catch_up_seconds is not None:
                    catch_up.add_metric(labels, row.catch_up_seconds)
                for state in LagStatus:
                    status.add_metric([*labels, state.value], float(row.status == state))
        yield from (messages, seconds, committed, log_end, catch_up, status, group_status)
        yield from self._sampler_health()

    def _sampler_health(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "casehub_lag_sampler_up", "1 when the last lag evaluation reached the broker, else 0."
        )
        up.add_metric([], float(self.sampler.sampled_at is not None and self.sampler.failure is None))
        age = GaugeMetricFamily("casehub_lag_sample_age_seconds", "Seconds since the last lag evaluation.")
        if self.sampler.sampled_at is not None:
            age.add_metric([], max(time.time() - self.sampler.sampled_at, 0.0))
        yield from (up, age)
