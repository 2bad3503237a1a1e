"""The content chain: brief → retrieved passages → typed steps → checked, traced response.

`car_blog` runs three steps, each a pydantic model:

1. opening (+ title, + the topics the body will cover) from the brief and the passages
   retrieved for the brief;
2. middle from the brief, the opening and the passages retrieved for those topics: passages
   already shown in step 1 are skipped unless nothing else is found;
3. ending from the opening and the middle, without new retrieval.

The other businesses are one step (`main`). `Chain` is an answer flow
(`generation.answer.AnswerFlow`): each step is `prepare` (its passages through the request's
`PassageBook`, its prompt rendered from the per-model override or business default) then
`answer`, which asks for JSON and re-asks on invalid output (`generation.chain.structured`),
checks its figures against every passage shown so far and re-asks once with the unsupported
ones (`generation.chain.grounded`), then applies the business's guard policy to its text
(`generation.guard`). Passages are numbered across the whole request, so a
citation [n] in any part of the text names one entry of `citations`.

A model without JSON mode (the embedded SmolLM2) answers the blog's steps in plain text, which
the step's model reads (`StepOutput.from_plain`: a title line, then the paragraph); a JSON
answer is still understood. The single-step businesses always answer in JSON.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import anyio

from generation.answer import AnswerFlow, Prepared
from generation.callbacks import Callbacks
from generation.chain import structured, written
from generation.chain.grounded import (
    GroundingMode,
    GroundingPolicy,
    apply_policy,
    check_step,
    reference_for,
    unbacked,
)
from generation.chain.written import StepDone
from generation.errors import GenerationFailed, SensitiveInput
from generation.facts import Facts, FactSheet, Writer
from generation.guard import (
    Guard,
    GuardHit,
    GuardPolicy,
    GuardReport,
    check_input,
    words_of,
)
from generation.llm.base import LLM, Completion, Message
from generation.passages import PassageBook, Searcher
from generation.prompts import PromptLibrary
from generation.schemas import (
    BUSINESSES,
    STEP_MODELS,
    STEP_SHARE,
    BlogResponse,
    Brief,
    GenerationResponse,
    SingleResponse,
    StepGrounding,
    StepOutput,
    StepTrace,
    Usage,
    UsedFact,
)

DEFAULT_TOPICS = ("engine and performance", "dimensions and space", "fuel economy and price")


@dataclass(frozen=True)
class ChainOptions:
    """Knobs of a chain run; the API builds these from settings."""

    k: int = 5  # passages per step
    max_retries: int = 2  # attempts per structured call, the first included
    grounding: GroundingMode = "reask"
    grounding_policy: GroundingPolicy = "drop"  # figures still unbacked after the re-ask
    temperature: float = 0.7
    search_mode: str = "hybrid"
    max_passage_chars: int = 1500
    polish: bool = True  # the embedded model may rewrite a written paragraph (figures kept)
    # A paragraph with more figures than this is not polished: a small model rarely copies
    # many figures right, and a rejected rewrite costs a model call for nothing.
    polish_max_figures: int = 4


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
    sheet: FactSheet | None = None  # the brief's car and its facts
    written: bool = False  # the facts-first run (the embedded model)
    facts_used: list[UsedFact] = field(default_factory=list)
    polished: list[str] = field(default_factory=list)
    step: str = ""  # the step being written (facts-first runs)
    cited_apart: set[int] = field(default_factory=set)  # cited outside the text (a Weibo post)


@dataclass(kw_only=True)
class PreparedStep(Prepared):
    """One step's prompt, ready to send (`events` are the step's)."""

    run: ChainRun
    step: str
    model: type[StepOutput]
    words: int
    trace: StepTrace


class Chain(AnswerFlow[PreparedStep, StepDone]):
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
        limiter: anyio.CapacityLimiter | None = None,
        options: ChainOptions | None = None,
        facts: Facts | None = None,
    ):
        super().__init__(
            llm=llm,
            searcher=searcher,
            prompts=prompts,
            guard=guard,
            policy=policy,
            callbacks=callbacks,
            limiter=limiter,
        )
        self.options = options or ChainOptions()
        self.facts = facts

    # -- entry points ------------------------------------------------------------------------

    def start(self, brief: Brief, *, request_id: str | None = None) -> ChainRun:
        """Check the brief before anything is generated: SensitiveInput (422) on a hit the
        policy rejects. Split from the run so a stream can fail with a status code first."""
        events = self.request_events(brief.business, request_id)
        options = self.options
        book = self.book(k=options.k, mode=options.search_mode, max_chars=options.max_passage_chars)
        run = ChainRun(brief=brief, callbacks=events, book=book)
        run.guard.policy = self.policy
        try:
            hits = check_input(self.guard, brief.guarded_fields(), self.policy)
        except SensitiveInput as e:
            self._report_hits(run, e.hits, where="input")
            raise
        run.guard.input_hits = hits
        self._report_hits(run, hits, where="input")
        if self.facts is not None:  # UnknownCar (404), CarHasNoFacts (422): before any call
            run.sheet = self.facts.sheet(brief.car)
            run.written = self.llm.spec.kind == "local"
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
            if run.written:
                async for event in written.events(self, run):
                    yield event
            elif run.brief.business == "car_blog":
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
        opening = await self.answer(await self.prepare(run, "opening", [query], {}))
        yield opening

        topics = list(getattr(opening.output, "topics", []) or DEFAULT_TOPICS)[:4]
        queries = [f"{brief.car} {t}" for t in topics]
        variables = {"opening": opening.output, "topics": topics}
        middle = await self.answer(await self.prepare(run, "middle", queries, variables))
        yield middle

        variables = {"opening": opening.output, "middle": middle.output}
        ending = await self.answer(await self.prepare(run, "ending", [], variables))
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
        done = await self.answer(await self.prepare(run, step, [query], {}))
        yield done
        yield SingleResponse(output=done.output.model_dump(), **self._common(run, [done.output]))

    def _common(self, run: ChainRun, outputs: list[StepOutput]) -> dict[str, Any]:
        return written.common_fields(self, run, outputs)

    def facts_writer(self, run: ChainRun) -> Writer:
        """The realiser's writer for this run's brief and sheet (facts-first runs)."""
        assert self.facts is not None and run.sheet is not None
        sheet = run.sheet
        return self.facts.writer(sheet, run.brief, lambda f: written.cite(run, run.step, f))

    # -- one step ----------------------------------------------------------------------------

    async def prepare(
        self, run: ChainRun, step: str, queries: list[str], variables: Mapping[str, Any]
    ) -> PreparedStep:
        """The step's passages (none without `queries`) and its rendered prompt."""
        brief = run.brief
        events = run.callbacks.child(step=step)
        passages = await run.book.retrieve(step, queries, events)
        if run.sheet is not None:
            await run.book.load_sources(f.citation.chunk_id or "" for f in run.sheet.facts)
        model = STEP_MODELS[(brief.business, step)]
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
                "facts": written.facts_block(run, step),
                **variables,
            },
        )
        trace = StepTrace(
            step=step,
            model=self.llm.name,
            prompt_template=rendered.template,
            retrieved_ids=[p.chunk_id for p in passages],
            query=queries,
        )
        return PreparedStep(
            messages=rendered.messages,
            passages=passages,
            events=events,
            run=run,
            step=step,
            model=model,
            words=words,
            trace=trace,
        )

    async def answer_stream(
        self, prepared: PreparedStep, *, incremental: bool = True
    ) -> AsyncGenerator[str | StepDone, None]:
        """The step's checked output: JSON is shown only once it is valid, grounded and
        guarded, so there are no pieces before it."""
        yield await self._answer(prepared)

    async def _answer(self, prepared: PreparedStep) -> StepDone:
        run, step, model, trace = prepared.run, prepared.step, prepared.model, prepared.trace
        brief, events, words = run.brief, prepared.events, prepared.words
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

        result = await ask(prepared.messages, None)
        reference = reference_for(self.facts, run.sheet, run.book.shown.values())
        grounding = check_step(step, result.output, reference, self.options.grounding)
        if unbacked(grounding) and self.options.grounding == "reask":
            before = unbacked(grounding)
            text = self.prompts.feedback("grounding", {**note, "unsupported": before})
            result = await ask([*result.messages, {"role": "user", "content": text}], "grounding")
            grounding = check_step(step, result.output, reference, self.options.grounding)
            grounding.reasked, grounding.unsupported_before_reask = True, before

        output, result = await self._apply_guard(run, step, result, ask, note)
        if step in run.guard.regenerated:  # new text: its figures are checked again
            grounding = check_step(step, output, reference, self.options.grounding, grounding)
        if self.options.grounding == "reask":  # what is still unbacked: dropped, flagged or 422
            output = apply_policy(output, grounding, self.options.grounding_policy)
        if not model.inline_citations:  # figures read where the published text has them
            output = written.published(run, output)
            dropped = grounding.dropped
            grounding = check_step(step, output, reference, self.options.grounding, grounding)
            grounding.dropped = dropped

        for c in completions:
            trace.prompt_tokens += c.prompt_tokens
            trace.completion_tokens += c.completion_tokens
            trace.cost = round(trace.cost + c.cost, 10)
        trace.calls = len(completions)
        written.record_step(run, events, self.llm.name, trace, grounding, started)
        return StepDone(step, output, trace, grounding, prepared.passages)

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
        action = action or (self.policy.input if where == "input" else self.policy.output)
        self.report_hits(run.callbacks, hits, where=where, action=action)

    @staticmethod
    def _words(brief: Brief, step: str) -> int:
        if brief.business != "car_blog":
            return brief.length
        return max(30, round(brief.length * STEP_SHARE[step]))

    @staticmethod
    def _max_tokens(words: int, brief: Brief) -> int:
        # ~1.4 tokens per English word, ~1.5 per Chinese character, plus JSON and a margin.
        per_unit = 1.5 if brief.language == "zh" else 1.4
        return int(words * per_unit * 1.5) + 120
