"""The chat models behind one interface (`generation.llm.base.LLM`): `build_llm` picks the
client for a model's kind: an OpenAI-compatible endpoint (`openai.py`) or the embedded model
(`local.py`)."""

from __future__ import annotations

from generation.callbacks import Callbacks
from generation.llm.base import LLM
from generation.models import ModelSpec


def build_llm(
    spec: ModelSpec,
    *,
    callbacks: Callbacks | None = None,
    timeout: float = 60,
    max_retries: int = 3,
    backoff: float = 0.5,
) -> LLM:
    """The client for `spec`: an OpenAI-compatible endpoint or the embedded model.

    Args:
        timeout, max_retries, backoff: per attempt, for remote models; `backoff` is the first
            retry's delay in seconds, doubled per attempt and capped at 8 s.
    """
    # Each backend is imported when first built: `import generation.llm.counting` (the CLI's
    # settings need it) must not pay for the openai client (~0.7 s) or OpenVINO GenAI.
    if spec.kind == "openai":
        from generation.llm.openai import OpenAILLM

        return OpenAILLM(
            spec, callbacks=callbacks, timeout=timeout, max_retries=max_retries, backoff=backoff
        )
    if spec.kind == "local":
        from generation.llm.local import LocalLLM

        # No wall-clock cut for the embedded model: it is bounded by max_tokens, and on two
        # busy cores a remote-sized timeout would truncate answers mid-JSON.
        return LocalLLM(spec, callbacks=callbacks)
    raise ValueError(f"model {spec.name!r}: unknown kind {spec.kind!r}")
