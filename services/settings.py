"""One Settings object for every process, read from CASEHUB_* environment variables in main()."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.cpu_cores import cores_given

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

STORE_DRIVERS = ("postgresql", "postgresql+psycopg", "sqlite", "sqlite+pysqlite")
"""The database URL schemes the store runs on (psycopg is the PostgreSQL driver installed)."""
_STORE_URL_FORMS = "postgresql+psycopg://user@host/db or sqlite:///path"


def _parsed(url: str) -> URL | None:
    """SQLAlchemy's parse of a database URL, None when it is none. SQLAlchemy is imported here, not with
    this module: every command reads the settings, many open no database, and importing SQLAlchemy is
    ~0.2–0.4 s of a CLI start."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url)
    except ArgumentError:
        return None


def store_url_problem(url: str) -> str | None:
    """What makes `url` no store casehub runs on (None when it is one): the setting and `casehub rebuild
    --into` say it in a line instead of SQLAlchemy's traceback naming a plugin or its parser."""
    parsed = _parsed(url)
    if parsed is None:
        return f"not a database URL ({_STORE_URL_FORMS})"
    driver = parsed.drivername
    if driver not in STORE_DRIVERS:
        return f"casehub stores in PostgreSQL or SQLite, not {driver!r}: {_STORE_URL_FORMS}"
    return None


def shown_url(url: str) -> str:
    """A database URL fit for a message or a log: its password hidden; one that does not parse is not
    repeated at all (it may hold a password where the parser could not find it)."""
    parsed = _parsed(url)
    return "(the URL given)" if parsed is None else parsed.render_as_string(hide_password=True)


WEEK_S = 7 * 24 * 3600.0
"""The longest wait, interval or look-back a setting may name (NaN and infinity are refused too)."""
TOPIC_PARTITIONS_MAX = 10_000
"""Partitions of an agency topic at most: a typo of 80,000 would cripple the broker (Kafka's own advice is
a few thousand a broker)."""

AGENCY_CODES = ("qltt", "customs", "tax", "police", "bcd389", "ipvn")
"""Agencies with a case topic; BCĐ 389 publishes the tips its public form and hotline receive (and their
dismissals), which its own users triage (services/tips)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASEHUB_", extra="ignore")

    home: Path = Field(
        default=Path(".casehub"),
        validate_default=True,  # made absolute (`_absolute`) like a home given in the environment
        description="Where local data lives: broker logs, SQLite file.",
    )
    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_controller_port: int = Field(default=9093, ge=1, le=65_535)
    kafka_security: Literal["sasl_ssl", "plaintext"] = Field(
        default="sasl_ssl",
        description="sasl_ssl: SCRAM-SHA-512 over TLS with ACLs (default); plaintext: an open loopback "
        "broker, only when explicitly asked for (a development broker without trust).",
    )
    kafka_username: str = Field(
        default="", description="The Kafka user this process logs in as; empty: the user of its role."
    )
    kafka_password: SecretStr = Field(
        default=SecretStr(""), description="Its password; empty: read from its credentials file."
    )
    kafka_ca_file: Path | None = Field(
        default=None, description="CA that signed the broker certificate; default: <home>/tls/ca.pem."
    )
    kafka_credentials_dir: Path | None = Field(
        default=None, description="One 0600 file per Kafka user; default: <home>/credentials."
    )
    kafka_admin_user: str = Field(default="admin", description="The hub admin: the broker's only super user.")
    kafka_brokers: int = Field(default=1, ge=1, le=9, description="Brokers `casehub up` starts locally.")
    database_url: str = ""
    topic_prefix: str = "casehub.cases."
    dead_letter_topic: str = "casehub.deadletters"
    topic_partitions: int = Field(
        default=8,
        ge=1,
        le=TOPIC_PARTITIONS_MAX,
        description="Partitions of each agency topic created: room for 1, 2, 4 or 8 consumer processes.",
    )
    consumer_group: str = "casehub-materializer"
    consumer_processes: int | None = Field(
        default=None,
        ge=1,
        le=64,
        description="Materializer processes `casehub consume` runs as members of its group; by default one "
        "per core it is given (affinity and cgroup quota, services/cpu_cores.py), one on SQLite (one writer "
        "at a time).",
    )
    max_poll_records: int = Field(
        default=8000,
        ge=1,
        le=100_000,
        description="Records a poll hands over at most; the batch budget cuts them into parts "
        "(consumers/batch_budget.py), bigger in a backlog.",
    )
    batch_budget_ms: int = Field(
        default=250,
        ge=0,
        le=60_000,
        description="The materializer writes a polled batch in parts of about this many ms of work each, "
        "so a backlog's first records commit sooner (consumers/batch_budget.py); 0: each poll whole.",
    )
    consumer_session_timeout_ms: int = Field(
        default=10_000,
        ge=1_000,
        le=1_800_000,
        description="Kafka's session timeout; the broker takes 6 s to 30 min by default (group.min/max...).",
    )
    consumer_stall_s: float = Field(
        default=60.0,
        ge=0.1,
        le=WEEK_S,
        allow_inf_nan=False,
        description="A consumer retrying one batch (or not polling) this long is not ready.",
    )
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65_535)
    schema_registry_url: str = Field(
        default="", description="Confluent-compatible registry to ask for schema ids not bundled."
    )
    schema_registry_token: SecretStr | None = Field(
        default=None,
        description="API token the hub's own clients show the registry (a steward's to register).",
    )
    audit_key: SecretStr | None = Field(
        default=None, description="The audit chain's HMAC key; default: audit.key in home (0600, created)."
    )
    connect_timeout_s: float = Field(default=10.0, gt=0, le=3_600, allow_inf_nan=False)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] | None = Field(
        default=None,
        description="CASEHUB_LOG_LEVEL; unset: INFO for long-running processes (consume, api, up: the "
        "per-batch summary shows), WARNING for one-shot commands (they print their own result).",
    )
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(
        default=9464,
        ge=0,
        le=65_535,
        description="Prometheus /metrics, /healthz, /readyz of a consumer; 0 picks a free port.",
    )
    lag_window_commits: int = Field(
        default=10, ge=1, le=1_000, description="Burrow's window: commits per partition."
    )
    lag_min_distance_s: float = Field(
        default=1.0,
        ge=0,
        le=WEEK_S,
        allow_inf_nan=False,
        description="Commits closer than this share a slot.",
    )
    lag_lookback_s: float = Field(
        default=900.0,
        gt=0,
        le=WEEK_S,
        allow_inf_nan=False,
        description="How far back the commit log is read.",
    )
    lag_sample_interval_s: float = Field(
        default=15.0,
        ge=0.05,
        le=WEEK_S,
        allow_inf_nan=False,
        description="How often lag gauges are refreshed.",
    )
    # Entities and early warning (consumers/entity, consumers/alerts)
    entity_group: str = Field(default="casehub-entities", description="Consumer group of the entity linker.")
    entity_link_cap: int = Field(
        default=20,
        ge=2,
        le=1_000_000,
        description="An identifier on more subjects than this links none of them.",
    )
    alerts_topic_prefix: str = Field(
        default="casehub.alerts.", description="Alerts for agency X go to <prefix>X; X alone may read them."
    )
    alert_interval_s: float = Field(
        default=30.0,
        ge=0.05,
        le=WEEK_S,
        allow_inf_nan=False,
        description="How often the alert rules are evaluated.",
    )
    alert_repeat_cases: int = Field(
        default=3, ge=1, le=100_000, description="Confirmed cases that make a repeat."
    )
    alert_repeat_window_days: int = Field(
        default=365, ge=1, le=36_500, description="...within this many days."
    )
    alert_spike_baseline_weeks: int = Field(
        default=12, ge=1, le=520, description="Weeks of history a spike is judged by."
    )
    alert_spike_mads: float = Field(
        default=3.0, ge=0, le=1_000, allow_inf_nan=False, description="Scaled MADs over the median: a spike."
    )
    alert_spike_min_cases: int = Field(
        default=4, ge=1, le=1_000_000, description="A week with fewer cases is never a spike."
    )
    alert_referral_days: int = Field(
        default=30, ge=1, le=3_650, description="Days a referred agency has to react."
    )
    smtp_host: str = Field(default="", description="SMTP server for notification e-mail; empty: no e-mail.")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_sender: str = Field(default="casehub@localhost", description="The From: of notification e-mail.")
    smtp_username: str = ""
    smtp_password: SecretStr = Field(default=SecretStr(""), description="Never logged (SecretStr).")
    smtp_starttls: bool = Field(default=False, description="STARTTLS before logging in.")
    smtp_timeout_s: float = Field(default=10.0, gt=0, le=3_600, allow_inf_nan=False)
    notify_max_attempts: int = Field(default=5, ge=1, le=100, description="E-mail attempts before giving up.")
    webhook_key: SecretStr = Field(
        default=SecretStr(""), description="Master key webhook secrets derive from; empty: webhooks refused."
    )
    webhook_max_attempts: int = Field(
        default=6, ge=1, le=100, description="Deliveries tried; then a dead letter."
    )
    webhook_backoff_s: float = Field(
        default=30.0,
        gt=0,
        le=WEEK_S,
        allow_inf_nan=False,
        description="First retry delay, doubled each time.",
    )
    webhook_timeout_s: float = Field(default=10.0, gt=0, le=3_600, allow_inf_nan=False)
    webhook_allowed_networks: list[str] = Field(
        default_factory=list,
        description="Networks (CIDR, a JSON list) webhooks may reach besides public addresses, e.g. a VPN.",
    )
    notify_backfill_days: int = Field(
        default=7,
        ge=0,
        le=3_650,
        description="A new subscription is told of matching facts this many days old.",
    )
    # Public tips (services/tips)
    tip_key: SecretStr | None = Field(
        default=None,
        description="Secret of the tip desk: reporters' contacts are HMAC'd with a key derived from it and "
        "the public form's tokens signed with another; default: tips.key in home (0600, created).",
    )
    tip_key_id: str = Field(
        default="tip1",
        pattern=r"^[a-z0-9][a-z0-9-]{0,31}$",
        description="Key id in front of each reporter hash; change it with the key so digests never mix.",
    )
    tip_rate_limit: str = Field(
        default="5/minute;30/hour", description="Tip posts allowed per client address (`limits` syntax)."
    )
    tip_form_min_s: float = Field(
        default=3.0,
        ge=0,
        le=WEEK_S,
        allow_inf_nan=False,
        description="A form posted sooner is a bot: refused.",
    )
    tip_form_max_s: float = Field(
        default=3600.0, gt=0, le=WEEK_S, allow_inf_nan=False, description="A form older than this is refused."
    )

    @field_validator("home", "kafka_ca_file", "kafka_credentials_dir")
    @classmethod
    def _absolute(cls, path: Path | None) -> Path | None:
        """Paths as absolute from where the process started: the broker's JVM runs in its own data
        directory and reads the TLS files it is told of from there, so a relative `.casehub/tls/...`
        (the default home, `make demo`) named nothing; printed paths are whole too."""
        return path.expanduser().absolute() if path is not None else None

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        """'info' and 'INFO' are one level; '' is unset."""
        return (value.strip().upper() or None) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _derived_topics_are_not_agency_topics(self) -> Settings:
        """The dead-letter and alert topics must never match the agency pattern the consumers subscribe to."""
        pattern = re.compile(self.agency_topic_pattern)
        for name in (self.dead_letter_topic, self.alerts_topic_of("x")):
            if pattern.match(name):
                raise ValueError(f"topic {name!r} would be read as an agency case topic ({pattern.pattern})")
        return self

    @field_validator("database_url")
    @classmethod
    def _a_store_casehub_runs_on(cls, url: str) -> str:
        """PostgreSQL (psycopg) or SQLite: anything else would fail later, deep in SQLAlchemy, with a
        traceback naming a plugin or a module instead of the setting."""
        problem = store_url_problem(url) if url else None
        if problem is not None:
            raise ValueError(problem)
        return url

    @field_validator("webhook_allowed_networks")
    @classmethod
    def _networks_are_cidrs(cls, cidrs: list[str]) -> list[str]:
        """A malformed network is refused at start rather than read as no network at all."""
        for cidr in cidrs:
            try:
                ipaddress.ip_network(cidr.strip(), strict=False)
            except ValueError:
                raise ValueError(f"not a network in CIDR form: {cidr!r}") from None
        return cidrs

    @property
    def consumer_members(self) -> int:
        """How many materializer processes `casehub consume` runs: the setting, else one per core given
        (at most 64), else one on SQLite, whose single writer lock the members would only take in turn."""
        if self.consumer_processes is not None:
            return self.consumer_processes
        parsed = _parsed(self.store_url)
        if parsed is not None and parsed.get_backend_name() == "sqlite":
            return 1
        return min(64, cores_given())

    @property
    def store_url(self) -> str:
        """The database URL; SQLite inside `home` unless CASEHUB_DATABASE_URL says otherwise."""
        return self.database_url or f"sqlite:///{(self.home / 'casehub.db').resolve()}"

    @property
    def ca_file(self) -> Path:
        return self.kafka_ca_file or self.home / "tls" / "ca.pem"

    @property
    def credentials_dir(self) -> Path:
        return self.kafka_credentials_dir or self.home / "credentials"

    def kafka_principal(self, role: str) -> str:
        """The Kafka user a hub role logs in as (the admin has its own setting)."""
        return self.kafka_admin_user if role == "admin" else str(role)

    def alerts_topic_of(self, agency: str) -> str:
        return f"{self.alerts_topic_prefix}{agency}"

    def agency_topic(self, agency: str) -> str:
        return f"{self.topic_prefix}{agency}"

    @property
    def agency_topic_pattern(self) -> str:
        return "^" + self.topic_prefix.replace(".", r"\.") + r"[a-z0-9]+$"

    def agency_of_topic(self, topic: str) -> str | None:
        return topic.removeprefix(self.topic_prefix) if topic.startswith(self.topic_prefix) else None
