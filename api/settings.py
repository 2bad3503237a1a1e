"""specrag's one settings class. Built once at an entry point (the CLI group, `create_app`).

The one place that finds specrag's own data (prompts, word lists, glossary, model table,
samples): the lower layers take every path as an argument.
"""

from __future__ import annotations

import importlib.resources
import os
from functools import cache
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from generation.chain.grounded import GroundingPolicy
from generation.chat.memory import Policy
from generation.guard import GuardPolicy
from ingest.embedding.model import NATIVE, Backend, Hint

# `data/` as a wheel installs it (pyproject.toml maps this package onto the folder).
DATA_PACKAGE = "specrag_data"


@cache
def shipped_data() -> Path:
    """specrag's `data/`: the folder beside the code in a source checkout (an editable install
    included), else the copy a wheel installed as the package `specrag_data`."""
    checkout = Path(__file__).resolve().parents[1]
    if (checkout / "pyproject.toml").is_file() and (checkout / "data").is_dir():
        return checkout / "data"
    installed = importlib.resources.files(DATA_PACKAGE)
    if not isinstance(installed, Path):  # e.g. inside a zip: prompts and lists need files
        raise RuntimeError(f"specrag's data must be installed as files, not in {installed}")
    return installed


class Settings(BaseSettings):
    """Every knob, read from `SPECRAG_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="SPECRAG_", extra="ignore")

    data_dir: Path = Field(default=Path(".specrag"), description="Chroma, ledger, lexical index")
    collection: str = Field(default="specrag", min_length=3, max_length=63)
    chroma_url: str | None = Field(default=None, description="http://host:port of `chroma run`")
    # Unset: one SQLite file per store in the data dir. A PostgreSQL URL: the ledger, facts,
    # jobs, sessions and usage of the collection in one schema there, shared by instances.
    database_url: SecretStr | None = Field(
        default=None, description="postgresql+psycopg://user:password@host:port/database"
    )
    # Unset: jobs run in this process, one at a time. Set: `/v1/documents` and `/v1/ingest`
    # enqueue one task per file for `specrag worker` processes (on any machine).
    queue_url: str | None = Field(
        default=None, description="redis://host:port/db of the ingest queue (Celery's broker)"
    )

    chunk_tokens: int = Field(default=256, ge=32, le=8192)
    chunk_overlap: int = Field(default=32, ge=0)
    encoding: str = "cl100k_base"
    # what OpenAI clients tokenize /v1/embeddings input with when they send token ids
    embed_input_encoding: str = Field(
        default="cl100k_base", description="decodes token-id input to /v1/embeddings"
    )

    embed_model: str = Field(
        default="all-MiniLM-L6-v2",
        description="name or path; also use-multilingual-v3 or multilingual-e5-small "
        "(specrag[multilingual], their own runtime: embed_backend does not apply)",
    )
    # A multilingual model for the mostly-Chinese chunks only, in a second collection that
    # Chinese queries also search (MiniLM reads no Chinese); see BENCHMARKS.md "Sixth pass".
    second_embed_model: str = Field(
        default="use-multilingual-v3",
        description="use-multilingual-v3 or multilingual-e5-small for a second collection of "
        "the mostly-Chinese chunks, searched by Chinese queries; empty turns it off (so does a "
        "multilingual embed_model)",
    )
    # OpenVINO runs the same weights (vectors within cosine 0.9999 of torch's, the same index)
    # about 3x faster than torch here, at the CPU's default precision (bf16 where AVX-512 BF16
    # exists); openvino-int8 is 1.2x faster again at ingest; BENCHMARKS.md "Encoder backends".
    embed_backend: Backend = Field(
        default="openvino",
        description="openvino (default), openvino-int8, torch, onnx or onnx-int8",
    )
    embed_hint: Hint | None = Field(
        default=None,
        description="openvino: latency or throughput; unset: throughput for `specrag serve` "
        "(concurrent requests) and `specrag ingest` (concurrent batches), latency otherwise",
    )
    # 16 is faster than 64 on CPU and keeps peak memory under 1 GB (activations grow with it)
    embed_batch_size: int = Field(default=16, ge=1, le=4096)
    # Chroma writes cost per call: one per 256 chunks, not per encoder batch (-7 CPU-s on the
    # shared corpus). A file is committed to the ledger once all its chunks are written.
    store_batch: int = Field(default=256, ge=1, le=4096, description="chunks per Chroma write")

    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=0)
    # `/v1/query` searches run at once (the rest queue). Concurrent searches share encoder
    # runs and Chroma calls (`Searcher._nearest`), so more of them in flight cost less each:
    # at 100k chunks with 16 clients (alternating runs of 3,000 requests, shared runs in
    # both), 16 threads gave 130-144 QPS where 4 gave 108-111.
    search_threads: int = Field(
        default=16, ge=1, le=64, description="concurrent /v1/query searches"
    )
    # On SIGTERM the server stops accepting and lets requests in flight finish for this long,
    # then cancels them (an embedded-model generation stops at its next token) and exits.
    shutdown_seconds: int = Field(
        default=10, ge=0, description="grace period for requests in flight at shutdown"
    )
    max_file_mb: float = Field(default=100.0, gt=0)
    # Comma-separated in the environment: SPECRAG_EXCLUDE='SOURCES.md,drafts/,*.tmp.md'.
    exclude: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="gitignore globs no ingest reads (with each folder's .specragignore)",
    )
    # A client that sends its body slowly holds a connection and a task: 408 past these.
    body_timeout: float = Field(
        default=30.0, gt=0, le=3600, description="seconds a request body may pause"
    )
    body_max_seconds: float = Field(
        default=300.0, gt=0, le=86400, description="seconds a whole request body may take"
    )
    max_requests_per_client: int = Field(
        default=64, ge=1, le=100_000, description="requests in flight per client IP (then 429)"
    )
    max_connections: int = Field(
        default=1000, ge=1, le=1_000_000, description="`specrag serve`: connections (then 503)"
    )
    keep_alive_seconds: int = Field(
        default=5, ge=1, le=3600, description="`specrag serve`: idle keep-alive connections"
    )
    glossary: Path | None = Field(
        default_factory=lambda: shipped_data() / "glossary" / "car_terms.txt",
        description="bilingual car-spec glossary for query expansion; empty to turn it off",
    )
    roots: list[Path] = Field(
        default_factory=list, description="ingest only below these folders (empty: anywhere)"
    )
    # spec sheets: facts extracted at ingest, the car registry (`/v1/cars`)
    specs: bool = Field(default=True, description="extract spec facts at ingest")
    spec_attributes: Path = Field(
        default_factory=lambda: shipped_data() / "specs" / "attributes.toml",
        description="the attribute vocabulary of spec facts",
    )
    car_aliases: list[Path] = Field(
        default_factory=list,
        description="extra car alias files (TOML, as data/specs/cars.toml), after the shipped one",
    )

    api_key: SecretStr | None = None
    samples_dir: Path = Field(default_factory=lambda: shipped_data() / "samples")

    # generation
    models_file: Path = Field(
        default_factory=lambda: shipped_data() / "models.toml", description="model and price table"
    )
    prompts_dir: Path = Field(
        default_factory=lambda: shipped_data() / "prompts",
        description="prompt templates: {business}/[{model}/]{step}.j2",
    )
    realise_dir: Path = Field(
        default_factory=lambda: shipped_data() / "realise",
        description="facts-first writing: plan.toml and the en/zh phrasebooks",
    )
    sensitive_words_dir: Path = Field(
        default_factory=lambda: shipped_data() / "sensitive_words",
        description="the word lists every guard loads: each *.txt in this folder",
    )
    default_model: str | None = Field(default=None, description="overrides the table's default")
    sensitive_words: list[Path] = Field(
        default_factory=list, description="extra word lists, one word per line"
    )
    guard_policies: dict[str, GuardPolicy] = Field(
        default_factory=dict,
        description="per business: input reject|allow, output mask|regenerate|allow",
    )
    llm_timeout: float = Field(default=60.0, gt=0, le=600)
    llm_retries: int = Field(default=3, ge=0, le=10)
    generation_k: int = Field(default=5, ge=1, le=20, description="passages retrieved per step")
    generation_max_retries: int = Field(default=2, ge=1, le=5, description="attempts per step")
    grounding_policy: GroundingPolicy = Field(
        default="drop",
        description="figures still unbacked after the re-ask: drop their sentence, flag, or 422",
    )
    callbacks: list[str] = Field(default_factory=lambda: ["log", "ledger"])

    # chat (`POST /v1/chat`, `specrag chat`): a session's memory unless the request sets it
    chat_memory_policy: Policy = Field(default="tokens", description="window, tokens or summary")
    chat_max_turns: int = Field(default=10, ge=1, le=1000, description="window: turns kept")
    chat_max_tokens: int = Field(
        default=2000, ge=32, le=1_000_000, description="tokens, summary: the memory's budget"
    )
    chat_answer_tokens: int = Field(
        default=512, ge=16, le=32_000, description="tokens reserved for each answer"
    )

    @field_validator("second_embed_model")
    @classmethod
    def _second_model_known(cls, value: str) -> str:
        if value and value not in NATIVE:
            raise ValueError(f"{value!r} is not one of {', '.join(NATIVE)} (or empty: off)")
        return value

    @field_validator("glossary", mode="before")
    @classmethod
    def _glossary_off(cls, value: object) -> object:
        return None if value in ("", None) else value

    @field_validator("database_url", mode="before")
    @classmethod
    def _postgresql(cls, value: object) -> object:
        if value in ("", None):
            return None
        text = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        try:
            url = sa.make_url(text)
        except sa.exc.ArgumentError as e:
            raise ValueError(f"not a database URL ({e})") from e
        if url.get_backend_name() != "postgresql" or url.get_driver_name() not in (
            "psycopg",
            "psycopg2",  # SQLAlchemy's default for postgresql://: read as psycopg (installed)
        ):
            raise ValueError(
                f"{url.drivername!r} is not supported: give a postgresql+psycopg:// URL, or "
                "leave it unset for SQLite files in the data dir"
            )
        return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)

    @field_validator("data_dir", "samples_dir", "prompts_dir", "realise_dir", "sensitive_words_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def car_alias_files(self) -> tuple[Path, ...]:
        """The shipped car alias file, then the user's (later files win)."""
        return (shipped_data() / "specs" / "cars.toml", *self.car_aliases)

    @field_validator("exclude", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("roots", "sensitive_words", "car_aliases")
    @classmethod
    def _absolute_paths(cls, value: list[Path]) -> list[Path]:
        return [path.expanduser().resolve() for path in value]

    @field_validator("sensitive_words", "car_aliases")
    @classmethod
    def _lists_exist(cls, value: list[Path]) -> list[Path]:
        missing = [str(path) for path in value if not path.is_file()]
        if missing:
            raise ValueError(f"file not found: {', '.join(missing)}")
        return value

    @model_validator(mode="after")
    def _overlap_below_size(self) -> Settings:
        if self.chunk_overlap >= self.chunk_tokens // 2:
            raise ValueError(
                f"chunk_overlap ({self.chunk_overlap}) must be under half of "
                f"chunk_tokens ({self.chunk_tokens})"
            )
        return self

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @field_validator("queue_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value in ("", None):
            return None
        assert value is not None
        if not value.startswith(("redis://", "rediss://")):
            raise ValueError(f"queue_url must be a redis:// or rediss:// URL, not {value!r}")
        return value


def with_throughput_hint(settings: Settings) -> Settings:
    """`settings` with an unset OpenVINO hint read as throughput: for the server (requests at
    once) and ingest (batches at once, one per stream: 5% faster on the shared corpus here,
    and robust to the parse workers' share of the cores)."""
    if settings.embed_hint is not None:
        return settings
    return settings.model_copy(update={"embed_hint": "throughput"})
