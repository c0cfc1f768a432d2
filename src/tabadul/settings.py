"""The node's settings: one object, built at the edge and passed down.

Every setting can be given as an environment variable with the ``TABADUL_``
prefix (``TABADUL_DATABASE_URL``), or in ``tabadul.env`` inside the data
directory, which is how an operator keeps them with the node. Nothing here
is read at import time: the CLI and ``create_app`` call :func:`load_settings`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tabadul.errors import ConfigurationError

ENV_FILE_NAME = "tabadul.env"
SQLITE_FILE_NAME = "tabadul.sqlite3"


class Settings(BaseSettings):
    """Settings of one node (documented one by one in docs/settings.md)."""

    model_config = SettingsConfigDict(env_prefix="TABADUL_", extra="ignore")

    data_dir: Path = Field(description="Directory holding the node's files and SQLite database.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of a PostgreSQL database; the embedded SQLite file if unset.",
    )
    environment: Literal["development", "production"] = Field(
        default="development",
        description="'production' refuses settings that are only safe on a developer's machine.",
    )
    classification_levels: list[str] = Field(
        default=["RESTRICTED", "CONFIDENTIAL", "SECRET"],
        description="Classification levels, lowest first (JSON list in the environment).",
    )
    review_period_years: int = Field(
        default=3, ge=1, le=50, description="Years after recording at which a report is reviewed."
    )
    job_poll_seconds: float = Field(
        default=0.5, gt=0, description="How often an idle worker looks for new jobs."
    )
    job_backoff_seconds: float = Field(
        default=2.0, gt=0, description="First retry delay; doubles with every further attempt."
    )
    job_lease_seconds: float = Field(
        default=300.0,
        gt=0,
        description="How long a worker may hold a job before another worker may take it over.",
    )
    session_idle_minutes: int = Field(
        default=30, ge=1, description="A web session ends after this long without a request."
    )
    session_absolute_hours: int = Field(
        default=12, ge=1, description="A web session ends this long after sign-in, whatever."
    )
    signin_delay_after: int = Field(
        default=3,
        ge=1,
        description="Failed sign-ins (per account or address) before each try must wait longer.",
    )
    signin_lockout_after: int = Field(
        default=10, ge=2, description="Failed sign-ins that lock an account or address."
    )
    signin_lockout_minutes: int = Field(
        default=15, ge=1, description="How long a lockout lasts; failures older than this expire."
    )
    cookie_secure: bool = Field(
        default=True,
        description="Send session cookies over HTTPS only (browsers allow it on localhost too).",
    )
    audit_checkpoint_minutes: int = Field(
        default=60, ge=1, description="How often the node signs a checkpoint of its audit log."
    )
    match_threshold: float = Field(
        default=0.75,
        gt=0,
        le=1,
        description="Score from which correlation stores a hit for a person to review.",
    )
    job_yield_seconds: float = Field(
        default=1.0,
        ge=0,
        description=(
            "While partners' messages arrive, the worker of 'tabadul serve' waits up to this "
            "long before each background job, so that receiving goes first (0: never waits)."
        ),
    )
    exchange_timestamp_window_seconds: int = Field(
        default=300,
        ge=10,
        description="Envelopes older or newer than this (clock skew) are refused as stale.",
    )
    exchange_retry_base_seconds: float = Field(
        default=1.0, gt=0, description="First delay before re-sending to an unreachable partner."
    )
    exchange_retry_max_seconds: float = Field(
        default=300.0, gt=0, description="Longest delay between delivery attempts (backoff cap)."
    )
    exchange_batch_size: int = Field(
        default=100, ge=1, le=500, description="Messages sent to a partner in one HTTP request."
    )
    exchange_http_timeout_seconds: float = Field(
        default=10.0, gt=0, description="How long to wait for a partner node to answer."
    )
    exchange_flag_after_hours: float = Field(
        default=24.0,
        gt=0,
        description="Undelivered messages older than this are flagged to the administrator.",
    )
    exchange_reconcile_minutes: int = Field(
        default=60, ge=1, description="How often the node compares sent and received with partners."
    )
    exchange_four_eyes_tlp: str = Field(
        default="AMBER+STRICT",
        description="Shares at this TLP or above wait for a supervisor's approval.",
    )
    exchange_received_classification: str | None = Field(
        default=None,
        description="Classification given to reports received from partners (lowest if unset).",
    )
    exchange_invitation_hours: int = Field(
        default=72, ge=1, description="How long a partner invitation can be accepted."
    )
    query_contact: str | None = Field(
        default=None,
        description="Contact point named in automatic hit/no-hit answers (node name if unset).",
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", description="Level of the structured log written to standard error."
    )

    @field_validator("classification_levels")
    @classmethod
    def _levels_are_distinct(cls, levels: list[str]) -> list[str]:
        cleaned = [level.strip().upper() for level in levels if level.strip()]
        if not cleaned:
            raise ValueError("at least one classification level is needed")
        if len(set(cleaned)) != len(cleaned):
            raise ValueError("classification levels must be distinct")
        return cleaned

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        # SQLite is the embedded default and fine for one site; production nodes
        # that run several workers need PostgreSQL (jobs use SKIP LOCKED).
        if self.environment == "production" and self.database_url is None:
            raise ValueError("production nodes need TABADUL_DATABASE_URL (PostgreSQL)")
        return self

    @property
    def sqlalchemy_url(self) -> str:
        """The database to connect to: the configured one or the embedded SQLite file."""
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{self.data_dir / SQLITE_FILE_NAME}"


def normalise_database_url(url: str) -> str:
    """Point plain ``postgresql://`` URLs at the psycopg 3 driver we ship."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_settings(data_dir: Path | str, **overrides: object) -> Settings:
    """Build the settings for a node: environment, then ``tabadul.env``, then ``overrides``."""
    data_dir = Path(data_dir)
    env_file = data_dir / ENV_FILE_NAME
    try:
        return Settings(
            _env_file=env_file if env_file.is_file() else None,
            data_dir=data_dir,
            **overrides,  # type: ignore[arg-type]
        )
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise ConfigurationError(f"invalid settings: {exc}") from exc
