"""Facts in the chain: numbering the car's facts as citations, showing them to a model, and the
facts-first run of the embedded model.

Every generation with a fact sheet numbers each fact it shows by its source's chunk, in the
request's one citation space (`PassageBook.source`), so "[3]" after a figure names the passage
that holds the fact's evidence. A remote model gets the numbered facts above the passages and
writes freely; the embedded model does not write figures at all: the realiser
(`generation.facts.compose.Writer`) writes each part from the plan's facts, and the model may
only polish a paragraph's wording (`generation.chain.polish`), its rewrite kept when every
figure, citation and the car's name survive.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generation.callbacks import Callbacks
from generation.chain.grounded import check_step, reference_for, summarize
from generation.chain.polish import polish
from generation.facts import FactSheet, SheetFact, Writer, Written, cite_fact, used_fact
from generation.facts.sheet import unattributed
from generation.markers import uncited
from generation.passages import Passage, cited_numbers
from generation.schemas import (
    BUSINESSES,
    STEP_MODELS,
    BlogResponse,
    CarInfo,
    GenerationResponse,
    SingleResponse,
    StepGrounding,
    StepOutput,
    StepTrace,
    UsedFact,
)

if TYPE_CHECKING:
    from generation.chain.run import Chain, ChainRun

REALISER = "facts/realiser"


@dataclass
class StepDone:
    """Yielded after each step (the SSE stream sends one event per step)."""

    step: str
    output: StepOutput
    trace: StepTrace
    grounding: StepGrounding
    passages: list[Passage]


def cite(run: ChainRun, step: str, fact: SheetFact) -> int:
    """The citation number of `fact`'s source in this request."""
    return cite_fact(run.book, step, fact)


def facts_block(run: ChainRun, step: str) -> str:
    """The car's facts, numbered by source, for a model's prompt."""
    sheet = run.sheet
    if sheet is None:
        return ""
    return "\n".join(numbered_facts(sheet, sheet.facts, lambda fact: cite(run, step, fact)))


def numbered_facts(
    sheet: FactSheet, facts: Sequence[SheetFact], number: Callable[[SheetFact], int]
) -> list[str]:
    """`facts` of `sheet` as a prompt shows them, a heading line then one numbered line each
    (the chain's steps and chat turns)."""
    lines = [f"Facts of the {sheet.car.name} / {sheet.name('zh')} 的参数:"]
    for fact in facts:
        variant = f" [{fact.variant}]" if fact.variant else ""
        if unattributed(sheet, fact):  # "1,000 HP" beside named versions' own figures
            variant = " [version not named]"
        lines.append(f"- {fact.label}{variant}: {fact.value} [{number(fact)}]")
    return lines


def used(run: ChainRun, step: str, facts: list[SheetFact]) -> list[UsedFact]:
    out = []
    for fact in facts:
        n = cite(run, step, fact)
        shown = run.book.shown.get(fact.citation.chunk_id or "")
        out.append(used_fact(fact, n=n, step=step, document=shown.document if shown else ""))
    return out


async def events(chain: Chain, run: ChainRun) -> AsyncIterator[StepDone | GenerationResponse]:
    """The facts-first run: each step written from the facts, polished where the model keeps
    every figure, checked like any model's text; then the response."""
    assert run.sheet is not None
    brief = run.brief
    await run.book.load_sources(f.citation.chunk_id or "" for f in run.sheet.facts)
    writer = chain.facts_writer(run)
    steps = BUSINESSES[brief.business]
    done: dict[str, StepDone] = {}
    for step in steps:
        started = time.perf_counter()
        run.step = step
        written = _write(writer, step)
        done[step] = await _finish(chain, run, step, written, started)
        yield done[step]
    outputs = [d.output for d in done.values()]
    common = common_fields(chain, run, outputs)
    if brief.business == "car_blog":
        o, m, e = (done[s].output.texts() for s in ("opening", "middle", "ending"))
        yield BlogResponse(
            title=o["title"], opening=o["text"], middle=m["text"], ending=e["text"], **common
        )
    else:
        yield SingleResponse(output=done["main"].output.model_dump(), **common)


def _write(writer: Writer, step: str) -> Written:
    """The writer's part for `step`: the blog's three, or the one-step businesses' `main`."""
    parts = {"opening": writer.opening, "middle": writer.middle, "ending": writer.ending}
    return parts.get(step, writer.single)()


async def _finish(
    chain: Chain, run: ChainRun, step: str, written: Written, started: float
) -> StepDone:
    brief = run.brief
    model = STEP_MODELS[(brief.business, step)]
    fields = dict(written.fields)
    trace = StepTrace(step=step, model=chain.llm.name, prompt_template=REALISER)
    for name in written.prose:
        better = await polish(chain, run, step, fields[name], trace)
        if better is not None:
            fields[name] = better
            run.polished.append(f"{step}.{name}" if len(written.prose) > 1 else step)
    output = model.model_validate(fields, context={"title_max": brief.title_max})
    # the step's sources are the passages its text cites (a stream shows them with the part)
    cited = set().union(*(cited_numbers(t) for t in output.texts().values()))
    output = published(run, output)
    reference = reference_for(chain.facts, run.sheet, run.book.shown.values())
    grounding = check_step(step, output, reference, chain.options.grounding)
    run.facts_used.extend(used(run, step, written.facts))
    record_step(run, run.callbacks.child(step=step), chain.llm.name, trace, grounding, started)
    sources = sorted((p for p in run.book.shown.values() if p.n in cited), key=lambda p: p.n)
    return StepDone(step, output, trace, grounding, sources)


def published(run: ChainRun, output: StepOutput) -> StepOutput:
    """`output` as its reader sees it: a business whose text carries no [n] (a Weibo post, read
    on a phone: `inline_citations`) has its markers taken out, the passages they named marked
    cited in the response's `citations` all the same (`ChainRun.cited_apart`)."""
    if type(output).inline_citations:
        return output
    texts = output.texts()
    run.cited_apart.update(*(cited_numbers(t) for t in texts.values()))
    return output.model_copy(update={name: uncited(text) for name, text in texts.items()})


def record_step(
    run: ChainRun,
    events: Callbacks,
    model: str,
    trace: StepTrace,
    grounding: StepGrounding,
    started: float,
) -> None:
    """A finished step into the run's trace and grounding, and its `chain.step` event."""
    trace.latency_ms = round((time.perf_counter() - started) * 1000, 1)
    run.trace.append(trace)
    run.grounding.append(grounding)
    events.emit(
        "chain.step",
        model=model,
        prompt_template=trace.prompt_template,
        prompt_tokens=trace.prompt_tokens,
        completion_tokens=trace.completion_tokens,
        cost=trace.cost,
        latency_ms=trace.latency_ms,
        retrieved_ids=trace.retrieved_ids,
        calls=trace.calls,
        reasks=trace.reasks,
        checked=grounding.checked,
        supported=grounding.supported,
        unsupported=len(grounding.unsupported),
        wrong_car=len(grounding.wrong_car),
    )


def common_fields(chain: Chain, run: ChainRun, outputs: list[Any]) -> dict[str, Any]:
    """The response fields every business shares."""
    sheet = run.sheet
    return {
        "business": run.brief.business,
        "model": chain.llm.name,
        "car": CarInfo(id=sheet.car.id, name=sheet.car.name) if sheet else None,
        "writer": "facts" if run.written else "model",
        "facts": run.facts_used,
        "polished": run.polished,
        "citations": run.book.citations(
            [
                *(t for o in outputs for t in o.texts().values()),
                *(f"[{n}]" for n in run.cited_apart),
            ]
        ),
        "grounding": summarize(
            run.grounding, chain.options.grounding, chain.options.grounding_policy
        ),
        "guard": run.guard,
        "trace": run.trace,
        "usage": run.usage,
    }
