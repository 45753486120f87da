"""One Settings object for every process, read from CASEHUB_* environment variables in main()."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

AGENCY_CODES = ("qltt", "customs", "tax", "police", "ipvn")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASEHUB_", extra="ignore")

    home: Path = Field(
        default=Path(".casehub"), description="Where local data lives: broker logs, SQLite file."
    )
    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_controller_port: int = 9093
    database_url: str = ""
    topic_prefix: str = "casehub.cases."
    dead_letter_topic: str = "casehub.deadletters"
    topic_partitions: int = 3
    consumer_group: str = "casehub-materializer"
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    schema_registry_url: str = Field(
        default="", description="Confluent-compatible registry to ask for schema ids not bundled."
    )
    connect_timeout_s: float = 10.0
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(
        default=9464, description="Prometheus /metrics, /healthz, /readyz of a consumer; 0 picks a free port."
    )
    lag_window_commits: int = Field(default=10, description="Burrow's window: commits per partition.")
    lag_min_distance_s: float = Field(default=1.0, description="Commits closer than this share a slot.")
    lag_lookback_s: float = Field(default=900.0, description="How far back the commit log is read.")
    lag_sample_interval_s: float = Field(default=15.0, description="How often lag gauges are refreshed.")

    @property
    def store_url(self) -> str:
        """The database URL; SQLite inside `home` unless CASEHUB_DATABASE_URL says otherwise."""
        return self.database_url or f"sqlite:///{(self.home / 'casehub.db').resolve()}"

    def agency_topic(self, agency: str) -> str:
        return f"{self.topic_prefix}{agency}"

    @property
    def agency_topic_pattern(self) -> str:
        return "^" + self.topic_prefix.replace(".", r"\.") + r"[a-z0-9]+$"

    def agency_of_topic(self, topic: str) -> str | None:
        return topic.removeprefix(self.topic_prefix) if topic.startswith(self.topic_prefix) else None
