"""The content chain: brief → retrieved passages → typed steps → checked, traced response.

`car_blog` runs three steps, each a pydantic model:

1. opening (+ title, + the topics the body will cover) from the brief and the passages
   retrieved for the brief;
2. middle from the brief, the opening and the passages retrieved for those topics: passages
   already shown in step 1 are skipped unless nothing else is found;
3. ending from the opening and the middle, without new retrieval.

The other businesses are one step (`main`) through the same step runner. Every step renders its
prompt (per-model override or business default), asks for JSON and re-asks on invalid output
(`generation.chain.structured`), checks its figures against every passage shown so far and re-asks
once with the unsupported ones (`generation.grounding`), then applies the business's guard
policy to its text (`generation.guard`). Passages are numbered across the whole request, so a
citation [n] in any part of the text names one entry of `citations`.

A model without JSON mode (the embedded SmolLM2) answers the blog's steps in plain text, which
the step's model reads (`StepOutput.from_plain`: a title line, then the paragraph); a JSON
answer is still understood. The single-step businesses always answer in JSON.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from generation.callbacks import Callbacks
from generation.chain import structured
from generation.errors import GenerationFailed, SensitiveInput
from generation.grounding import Evidence, check
from generation.guard import (
    Guard,
    GuardHit,
    GuardPolicy,
    GuardReport,
    check_input,
    words_of,
)
from generation.llm.base import LLM, Completion, Message
from generation.passages import Passage, PassageBook, Searcher
from generation.prompts import PromptLibrary
from generation.schemas import (
    BUSINESSES,
    STEP_MODELS,
    BlogResponse,
    Brief,
    GenerationResponse,
    Grounding,
    SingleResponse,
    StepGrounding,
    StepOutput,
    StepTrace,
    Usage,
)

log = logging.getLogger(__name__)

GroundingMode = Literal["reask", "flag", "off"]
DEFAULT_TOPICS = ("engine and performance", "dimensions and space", "fuel economy and price")
# Share of the brief's length per blog step.
SPLIT = {"opening": 0.2, "middle": 0.6, "ending": 0.2}


@dataclass(frozen=True)
class ChainOptions:
    """Knobs of a chain run; the API builds these from settings."""

    k: int = 5  # passages per step
    max_retries: int = 2  # attempts per structured call, the first included
    grounding: GroundingMode = "reask"
    temperature: float = 0.7
    search_mode: str = "hybrid"
    max_passage_chars: int = 1500


@dataclass
class StepDone:
    """Yielded after each step (the SSE stream sends one event per step)."""

    step: str
    output: StepOutput
    trace: StepTrace
    grounding: StepGrounding
    passages: list[Passage]


@dataclass
class ChainRun:
    """The state of one request as the steps accumulate it."""

    brief: Brief
    callbacks: Callbacks
    book: PassageBook
    trace: list[StepTrace] = field(default_factory=list)
    grounding: list[StepGrounding] = field(default_factory=list)
    guard: GuardReport = field(default_factory=GuardReport)
    usage: Usage = field(default_factory=Usage)
    queries: dict[str, list[str]] = field(default_factory=dict)  # step → retrieval queries


class Chain:
    """Runs a brief through one business's steps with one model."""

    def __init__(
        self,
        *,
        llm: LLM,
        searcher: Searcher,
        prompts: PromptLibrary,
        guard: Guard,
        policy: GuardPolicy | None = None,
        callbacks: Callbacks | None = None,
        options: ChainOptions | None = None,
    ):
        self.llm = llm
        self.searcher = searcher
        self.prompts = prompts
        self.guard = guard
        self.policy = policy or GuardPolicy()
        self.callbacks = callbacks or Callbacks()
        self.options = options or ChainOptions()

    # -- entry points ------------------------------------------------------------------------

    def start(self, brief: Brief, *, request_id: str | None = None) -> ChainRun:
        """Check the brief before anything is generated: SensitiveInput (422) on a hit the
        policy rejects. Split from the run so a stream can fail with a status code first."""
        events = self.callbacks.child(
            business=brief.business, request_id=request_id or uuid.uuid4().hex[:12]
        )
        book = PassageBook(
            self.searcher,
            k=self.options.k,
            mode=self.options.search_mode,
            max_chars=self.options.max_passage_chars,
        )
        run = ChainRun(brief=brief, callbacks=events, book=book)
        run.guard.policy = self.policy
        try:
            hits = check_input(self.guard, brief.guarded_fields(), self.policy)
        except SensitiveInput as e:
            self._report_hits(run, e.hits, where="input")
            raise
        run.guard.input_hits = hits
        self._report_hits(run, hits, where="input")
        return run

    async def run(self, brief: Brief) -> GenerationResponse:
        """The whole response for `brief` (any business)."""
        run = self.start(brief)
        response: GenerationResponse | None = None
        async for event in self.events(run):
            if isinstance(event, GenerationResponse):
                response = event
        assert response is not None
        return response

    async def events(self, run: ChainRun) -> AsyncIterator[StepDone | GenerationResponse]:
        """Each finished step, then the response."""
        try:
            if run.brief.business == "car_blog":
                async for event in self._blog(run):
                    yield event
            else:
                async for event in self._single(run):
                    yield event
        except GenerationFailed as e:
            # Re-raised with the whole request's usage, not only the failing call's.
            raise GenerationFailed(str(e), attempts=e.attempts, usage=run.usage.model_dump()) from e

    # -- businesses --------------------------------------------------------------------------

    async def _blog(self, run: ChainRun) -> AsyncIterator[StepDone | GenerationResponse]:
        brief = run.brief
        query = f"{brief.car} {brief.angle}"
        first = await self._retrieve(run, "opening", [query])
        opening = await self._step(run, "opening", {}, first)
        yield opening

        topics = list(getattr(opening.output, "topics", []) or DEFAULT_TOPICS)[:4]
        second = await self._retrieve(run, "middle", [f"{brief.car} {t}" for t in topics])
        middle = await self._step(
            run, "middle", {"opening": opening.output, "topics": topics}, second
        )
        yield middle

        ending = await self._step(
            run, "ending", {"opening": opening.output, "middle": middle.output}, []
        )
        yield ending

        yield BlogResponse(
            title=getattr(opening.output, "title", ""),
            opening=opening.output.texts()["text"],
            middle=middle.output.texts()["text"],
            ending=ending.output.texts()["text"],
            **self._common(run, [opening.output, middle.output, ending.output]),
        )

    async def _single(self, run: ChainRun) -> AsyncIterator[StepDone | GenerationResponse]:
        brief = run.brief
        (step,) = BUSINESSES[brief.business]
        query = " ".join(p for p in (brief.car, brief.angle, brief.region or "") if p)
        passages = await self._retrieve(run, step, [query])
        done = await self._step(run, step, {}, passages)
        yield done
        yield SingleResponse(output=done.output.model_dump(), **self._common(run, [done.output]))

    def _common(self, run: ChainRun, outputs: list[StepOutput]) -> dict[str, Any]:
        return {
            "business": run.brief.business,
            "model": self.llm.name,
            "citations": run.book.citations(t for o in outputs for t in o.texts().values()),
            "grounding": self._grounding_summary(run),
            "guard": run.guard,
            "trace": run.trace,
            "usage": run.usage,
        }

    async def _retrieve(self, run: ChainRun, step: str, queries: list[str]) -> list[Passage]:
        run.queries[step] = queries
        return await run.book.retrieve(step, queries, run.callbacks.child(step=step))

    # -- one step ----------------------------------------------------------------------------

    async def _step(
        self, run: ChainRun, step: str, variables: Mapping[str, Any], passages: list[Passage]
    ) -> StepDone:
        brief = run.brief
        model = STEP_MODELS[(brief.business, step)]
        events = run.callbacks.child(step=step)
        words = self._words(brief, step)
        rendered = self.prompts.render(
            brief.business,
            step,
            model=self.llm.name,
            variables={
                "brief": brief,
                "passages": passages,
                "shape": model.shape(),
                "words": words,
                **variables,
            },
        )
        trace = StepTrace(
            step=step,
            model=self.llm.name,
            prompt_template=rendered.template,
            retrieved_ids=[p.chunk_id for p in passages],
            query=run.queries.get(step, []),
        )
        started = time.perf_counter()
        completions: list[Completion] = []
        # A model without JSON mode may answer the blog's steps in plain prose (SmolLM2 writes
        # prose far better than JSON); its override prompts ask for exactly that.
        plain = model.from_plain if model.plain and not self.llm.spec.json_mode else None
        note = {"shape": model.shape(), "plain": plain is not None}  # for the re-asks

        async def ask(messages: list[Message], reason: str | None) -> structured.Structured[Any]:
            if reason:
                trace.reasks.append(reason)
            try:
                result = await structured.generate(
                    self.llm,
                    messages,
                    model,
                    max_retries=self.options.max_retries,
                    context={"title_max": brief.title_max},
                    max_tokens=self._max_tokens(words, brief),
                    temperature=self.options.temperature,
                    callbacks=events,
                    feedback=lambda error: self.prompts.feedback(
                        "invalid", {**note, "error": error}
                    ),
                    plain=plain,
                )
            except GenerationFailed as e:
                run.usage.merge(e.usage)
                raise
            for c in result.completions:
                run.usage.add(c.prompt_tokens, c.completion_tokens, c.cost)
            completions.extend(result.completions)
            trace.reasks.extend("invalid" for _ in result.errors)
            trace.repaired += int(result.repaired)
            return result

        result = await ask(rendered.messages, None)
        evidence = Evidence(run.book.texts())
        grounding = self._check(step, result.output, evidence)
        if grounding.unsupported and self.options.grounding == "reask":
            text = self.prompts.feedback(
                "grounding", {**note, "unsupported": grounding.unsupported}
            )
            result = await ask([*result.messages, {"role": "user", "content": text}], "grounding")
            before = grounding.unsupported
            grounding = self._check(step, result.output, evidence)
            grounding.reasked, grounding.unsupported_before_reask = True, before

        output, result = await self._apply_guard(run, step, result, ask, note)
        if step in run.guard.regenerated:  # new text: its figures are checked again
            grounding = self._check(step, output, evidence, previous=grounding)

        for c in completions:
            trace.prompt_tokens += c.prompt_tokens
            trace.completion_tokens += c.completion_tokens
            trace.cost = round(trace.cost + c.cost, 10)
        trace.calls = len(completions)
        trace.latency_ms = round((time.perf_counter() - started) * 1000, 1)
        run.trace.append(trace)
        run.grounding.append(grounding)
        events.emit(
            "chain.step",
            model=self.llm.name,
            prompt_template=rendered.template,
            prompt_tokens=trace.prompt_tokens,
            completion_tokens=trace.completion_tokens,
            cost=trace.cost,
            latency_ms=trace.latency_ms,
            retrieved_ids=trace.retrieved_ids,
            calls=trace.calls,
            reasks=trace.reasks,
            unsupported=len(grounding.unsupported),
        )
        return StepDone(step, output, trace, grounding, passages)

    async def _apply_guard(
        self, run: ChainRun, step: str, result: Any, ask: Any, note: dict[str, Any]
    ) -> tuple[StepOutput, Any]:
        policy = self.policy
        output: StepOutput = result.output
        hits = self._scan(output, step)
        tries = 0
        while hits and policy.output == "regenerate" and tries < policy.max_regenerations:
            tries += 1
            self._report_hits(run, hits, where="output", action="regenerate")
            text = self.prompts.feedback("guard", {**note, "words": words_of(hits)})
            result = await ask([*result.messages, {"role": "user", "content": text}], "guard")
            output = result.output
            run.guard.regenerated.append(step)
            hits = self._scan(output, step)
        if not hits:
            return output, result
        action = "allow" if policy.output == "allow" else "mask"
        self._report_hits(run, hits, where="output", action=action)
        run.guard.output_hits.extend(hits)
        if action == "mask":
            masked = {
                name: self.guard.mask(
                    text, [h for h in hits if h.field == f"{step}.{name}"], char=policy.mask_char
                )
                for name, text in output.texts().items()
            }
            output = output.model_copy(update=masked)
            run.guard.masked.append(step)
        return output, result

    # -- helpers -----------------------------------------------------------------------------

    def _scan(self, output: StepOutput, step: str) -> list[GuardHit]:
        hits: list[GuardHit] = []
        for name, text in output.texts().items():
            hits.extend(self.guard.scan(text, field=f"{step}.{name}"))
        return hits

    def _report_hits(
        self, run: ChainRun, hits: list[GuardHit], *, where: str, action: str | None = None
    ) -> None:
        if not hits:
            return
        action = action or (self.policy.input if where == "input" else self.policy.output)
        log.warning("sensitive words in the %s (%s): %s", where, action, ", ".join(words_of(hits)))
        run.callbacks.emit(
            "guard.hit",
            where=where,
            action=action,
            words=words_of(hits),
            hits=[h.model_dump() for h in hits],
        )

    def _check(
        self,
        step: str,
        output: StepOutput,
        evidence: Evidence,
        previous: StepGrounding | None = None,
    ) -> StepGrounding:
        if self.options.grounding == "off":
            return StepGrounding(step=step)
        report = check("\n".join(output.texts().values()), evidence)
        result = StepGrounding(step=step, **report.model_dump())
        if previous is not None:
            result.reasked = previous.reasked
            result.unsupported_before_reask = previous.unsupported_before_reask
        return result

    def _grounding_summary(self, run: ChainRun) -> Grounding:
        mode = self.options.grounding
        steps = run.grounding
        summary = Grounding(
            checked=sum(s.checked for s in steps),
            supported=sum(s.supported for s in steps),
            unsupported=[u for s in steps for u in s.unsupported],
            mode=mode,
            steps=steps,
        )
        reasked = [s.step for s in steps if s.reasked]
        if mode == "off":
            summary.action = "not checked (grounding is off)"
        elif reasked:
            left = len(summary.unsupported)
            summary.action = (
                f"re-asked {', '.join(reasked)} once with the unsupported figures; "
                + (f"{left} figure(s) still unsupported" if left else "all figures now supported")
            )
        elif summary.unsupported:
            summary.action = f"flagged {len(summary.unsupported)} unsupported figure(s)"
        else:
            summary.action = "none: every figure is backed by a passage"
        return summary

    @staticmethod
    def _words(brief: Brief, step: str) -> int:
        if brief.business != "car_blog":
            return brief.length
        return max(30, round(brief.length * SPLIT[step]))

    @staticmethod
    def _max_tokens(words: int, brief: Brief) -> int:
        # ~1.4 tokens per English word, ~1.5 per Chinese character, plus JSON and a margin.
        per_unit = 1.5 if brief.language == "zh" else 1.4
        return int(words * per_unit * 1.5) + 120
