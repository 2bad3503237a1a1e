"""What every generation request shares: models, prompts, word lists, policies, callbacks.

Built once at startup (the API's lifespan, the CLI command) from explicit arguments; each
request then gets a `Chain` for its brief and a searcher. Model clients are built on first use
and kept, so the embedded model loads once per process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field

import anyio

from generation.callbacks import Callbacks
from generation.chain.run import Chain, ChainOptions
from generation.facts import Facts
from generation.guard import Guard, GuardPolicy
from generation.llm import build_llm
from generation.llm.base import LLM
from generation.models import ModelRegistry
from generation.passages import Searcher
from generation.prompts import PromptLibrary
from generation.schemas import Brief


@dataclass
class Generation:
    """The shared parts of generation; `chain(brief, searcher)` per request.

    Args:
        policies: guard policy per business; `default_policy` for the others.
        llm_timeout, llm_retries: passed to `build_llm` for every model client.
    """

    models: ModelRegistry
    prompts: PromptLibrary
    guard: Guard
    policies: Mapping[str, GuardPolicy] = field(default_factory=dict)
    default_policy: GuardPolicy = field(default_factory=GuardPolicy)
    callbacks: Callbacks = field(default_factory=Callbacks)
    options: ChainOptions = field(default_factory=ChainOptions)
    llm_timeout: float = 60.0
    llm_retries: int = 3
    llms: dict[str, LLM] = field(default_factory=dict)
    facts: Facts | None = None  # write from the brief's car's facts; None: from passages only

    def llm(self, name: str | None = None) -> LLM:
        """The client for model `name` (the registry's default when None); UnknownModel or
        UnavailableModel (422) before any work."""
        spec = self.models.usable(name)
        if spec.name not in self.llms:
            self.llms[spec.name] = build_llm(
                spec,
                callbacks=self.callbacks,
                timeout=self.llm_timeout,
                max_retries=self.llm_retries,
            )
        return self.llms[spec.name]

    def policy(self, business: str) -> GuardPolicy:
        return self.policies.get(business, self.default_policy)

    def chain(
        self,
        brief: Brief,
        searcher: Searcher,
        *,
        options: ChainOptions | None = None,
        limiter: anyio.CapacityLimiter | None = None,
    ) -> Chain:
        """A chain for `brief`: its model, its business's guard policy; its searches under
        `limiter` (the API's search limiter)."""
        llm = self.llm(brief.model)
        llm.spec.writes(brief.language)
        return Chain(
            llm=llm,
            searcher=searcher,
            prompts=self.prompts,
            guard=self.guard,
            policy=self.policy(brief.business),
            callbacks=self.callbacks,
            limiter=limiter,
            options=options or self.options,
            facts=self.facts,
        )

    async def aclose(self) -> None:
        """Close every model client (the lifespan calls this on shutdown)."""
        await asyncio.gather(*(llm.aclose() for llm in self.llms.values()))
        self.llms.clear()
