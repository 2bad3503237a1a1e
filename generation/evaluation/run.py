"""The generation eval: cars × businesses × languages through the chain the API runs.

Each case is one brief, generated the way `POST /v1/generate/{business}` generates it
(`Generation.chain(brief, searcher)`: start, then every event), timed as a whole request and
measured (`generation.evaluation.metrics`). A failure is recorded with the status and error
type the API would answer with; an exception the API would turn into a 500 is a crash.

The cars, unless named, are chosen from the registry: the cars whose fact sheets are largest,
picked one at a time so that the chosen ones cover the most source documents and both
languages of the sources (a car whose facts come from Chinese documents is picked early).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from generation.evaluation.metrics import Measured, measure
from generation.facts import Facts, FactSheet
from generation.facts.sheet import build_sheet
from generation.passages import Searcher
from generation.schemas import BUSINESSES, Brief, GenerationResponse, UserProfile
from generation.service import Generation

log = logging.getLogger(__name__)

LANGUAGES = ("en", "zh")
# The briefs' business inputs, per language: a reader for push_personal, a region for weibo.
PROFILES = {
    "en": UserProfile(
        nickname="Sam", city="Leeds", age_group="25-34", interests=["fuel economy", "space"]
    ),
    "zh": UserProfile(
        nickname="小林",
        city="杭州",
        age_group="25-34",
        budget="20万元以内",
        interests=["油耗", "空间"],
    ),
}
REGIONS = {"en": "Shanghai", "zh": "上海"}
CANDIDATES = 40  # sheets built when choosing cars: the registry's cars with the most facts


@dataclass(frozen=True)
class Case:
    car: str
    business: str
    language: str

    def brief(self, model: str | None = None) -> Brief:
        values: dict[str, Any] = {
            "car": self.car,
            "business": self.business,
            "language": self.language,
            "model": model,
        }
        if self.business == "push_personal":
            values["user_profile"] = PROFILES[self.language]
        if self.business == "weibo_region":
            values["region"] = REGIONS[self.language]
        return Brief.model_validate(values)


def cases(
    cars: Sequence[str],
    businesses: Sequence[str] = tuple(BUSINESSES),
    languages: Sequence[str] = LANGUAGES,
) -> list[Case]:
    """Every car × business × language, car by car."""
    return [Case(c, b, lang) for c in cars for b in businesses for lang in languages]


@dataclass
class Candidate:
    car_id: str
    facts: int
    documents: frozenset[str]
    languages: frozenset[str]


def _candidate(sheet: FactSheet) -> Candidate:
    docs = frozenset(f.citation.doc_id for f in sheet.facts)
    langs = frozenset(
        "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in f.citation.evidence) else "en"
        for f in sheet.facts
    )
    return Candidate(sheet.car.id, len(sheet.facts), docs, langs)


def choose_cars(facts: Facts, n: int) -> list[str]:
    """`n` car ids: among the cars with the most facts, each next pick the one adding a source
    language not yet covered, then the most documents not yet covered, then the most facts."""
    summaries = sorted(
        (c for c in facts.registry.cars() if c.facts), key=lambda c: (-c.facts, c.id)
    )
    pool = []
    for summary in summaries[: max(CANDIDATES, 4 * n)]:
        sheet = build_sheet(facts.registry, summary)
        if sheet.facts:
            pool.append(_candidate(sheet))
    chosen: list[Candidate] = []
    docs: set[str] = set()
    langs: set[str] = set()
    while pool and len(chosen) < n:
        best = min(
            pool,
            key=lambda c: (-len(c.languages - langs), -len(c.documents - docs), -c.facts, c.car_id),
        )
        pool.remove(best)
        chosen.append(best)
        docs |= best.documents
        langs |= best.languages
    return [c.car_id for c in chosen]


# Called after each case with (done, total, its measures): the CLI prints a line.
Progress = Callable[[int, int, Measured], None]


def _prompts(generation: Generation, brief: Brief, sheet: FactSheet | None) -> list[str]:
    """What the model is told besides the text: the polish instruction (the embedded model's
    only prompt on the facts-first path) and the brief's own words."""
    car = sheet.name(brief.language) if sheet is not None else brief.car
    rendered = generation.prompts.render(
        "polish",
        "paragraph",
        model=brief.model,
        variables={"brief": brief, "text": "", "car": car},
    )
    told = [m["content"] for m in rendered.messages]
    return [*told, *brief.guarded_fields().values()]


async def run_case(
    generation: Generation, searcher: Searcher, case: Case, model: str | None
) -> Measured:
    """One brief through the API's chain, timed and measured."""
    brief = case.brief(model)
    started = time.perf_counter()
    sheet: FactSheet | None = None
    try:
        chain = generation.chain(brief, searcher)
        run = chain.start(brief)
        sheet = run.sheet
        response: GenerationResponse | None = None
        async for event in chain.events(run):
            if isinstance(event, GenerationResponse):
                response = event
        assert response is not None, "the chain ended without a response"
    except Exception as e:  # the outcome the API would answer with
        seconds = time.perf_counter() - started
        status = getattr(e, "status", 500)
        kind = getattr(e, "type", "internal_error")
        if not isinstance(status, int) or not isinstance(kind, str):
            status, kind = 500, "internal_error"
        # one line: what the API says (a 500's message is the exception, its traceback logged)
        message = " ".join(str(e).split())
        if status == 500:
            message = f"{type(e).__name__}: {message}"[:300]
            log.error("%s %s %s crashed", case.car, case.business, case.language, exc_info=True)
        return Measured(
            case.car,
            case.business,
            case.language,
            status=status,
            error_type=kind,
            error=message,
            seconds=seconds,
        )
    seconds = time.perf_counter() - started
    names = sheet.names() + [sheet.name("zh")] if sheet is not None else [case.car]
    return measure(
        response.model_dump(mode="json"),
        car=case.car,
        language=case.language,
        seconds=seconds,
        names=names,
        prompts=_prompts(generation, brief, sheet),
    )


async def run_all(
    generation: Generation,
    searcher: Searcher,
    todo: Iterable[Case],
    *,
    model: str | None = None,
    progress: Progress | None = None,
) -> list[Measured]:
    """Every case in turn (one at a time, so latencies are a lone request's); model clients
    closed at the end."""
    todo = list(todo)
    measured: list[Measured] = []
    try:
        for case in todo:
            measured.append(await run_case(generation, searcher, case, model))
            if progress is not None:
                progress(len(measured), len(todo), measured[-1])
    finally:
        await generation.aclose()
    return measured
