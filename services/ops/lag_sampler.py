"""Re-evaluates lag on a timer in a daemon thread, so /metrics and /readyz answer without touching Kafka."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence

import structlog

from schemas.errors import CasehubError
from services.ops.cluster_offsets import ClusterOffsets
from services.ops.lag import LagReport, LagWindow, UnknownGroup, consumer_lag

logger = structlog.get_logger()


class LagSampler:
    """Keeps the latest LagReport (and the latest failure) for whoever needs lag without waiting."""

    def __init__(
        self,
        open_cluster: Callable[[], ClusterOffsets],
        window: LagWindow,
        groups: Sequence[str] | None = None,
        interval_s: float = 15.0,
        expected: Mapping[str, str] | None = None,
    ) -> None:
        self.open_cluster = open_cluster
        self.window = window
        self.groups = list(groups) if groups else None
        self.interval_s = interval_s
        self.expected = dict(expected or {})
        self.latest: LagReport | None = None
        self.failure: CasehubError | None = None
        self.sampled_at: float | None = None
        self._cluster: ClusterOffsets | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sample(self) -> LagReport | None:
        """One evaluation now; a failure is kept (and logged) instead of raised, the last report stays."""
        structlog.contextvars.bind_contextvars(lag_groups=self.groups or "all")
        try:
            if self._cluster is None:
                self._cluster = self.open_cluster()
            self.latest = consumer_lag(self._cluster, self.window, self.groups, expected=self.expected)
            self.failure = None
        except UnknownGroup as exc:  # a consumer that has not committed yet: expected at start-up
            self.failure = exc
            logger.info("lag_group_not_committed_yet", reason=str(exc))
        except CasehubError as exc:
            self.failure = exc
            logger.warning("lag_sample_failed", reason=str(exc))
            self._drop_cluster()
        except Exception as exc:  # a defect of ours: one line, and the next sample starts afresh
            self.failure = CasehubError(f"lag sample failed: {exc!r}")
            logger.error("lag_sample_failed", reason=repr(exc))
            self._drop_cluster()
        finally:
            self.sampled_at = time.time()
            structlog.contextvars.unbind_contextvars("lag_groups")
        return self.latest

    def start(self) -> LagSampler:
        self._thread = threading.Thread(target=self._run, name="lag-sampler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval_s + 15)
        self._drop_cluster()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval_s)

    def _drop_cluster(self) -> None:
        if self._cluster is not None:
            try:
                self._cluster.close()
            except Exception as exc:  # closing a broken client must not kill the sampler
                logger.debug("lag_cluster_close_failed", reason=str(exc))
            self._cluster = None
