"""Facts-first generation: the brief's car, its fact sheet, and text written from the facts.

`Facts` is built once per process (the API's services) over the car registry; for each request
it resolves the brief's car (`sheet.resolve_car`), builds its sheet (`sheet.build_sheet`) and
hands a `compose.Writer` for the brief's language. Plans and phrasebooks are data
(`data/realise/`), so a team can change what each business says and how without code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generation.facts.compose import Writer
from generation.facts.plan import Plan
from generation.facts.realise import Phrasebook
from generation.facts.sheet import FactSheet, SheetFact, build_sheet, resolve_car
from generation.facts.single import Written
from generation.schemas import Brief, UsedFact
from ingest.analysis import has_han
from ingest.specs.cars import CarIndex
from ingest.specs.registry import CarRegistry

if TYPE_CHECKING:
    from generation.passages import PassageBook

__all__ = ["Facts", "FactSheet", "SheetFact", "Writer", "Written", "cite_fact", "used_fact"]

LANGUAGES = ("en", "zh")


@dataclass
class Facts:
    """The registry, the plan and the phrasebooks; `sheet(car)` and `writer(...)` per request.

    `registry` may be given as a function that opens it: the API builds generation at start-up,
    and a ledger that cannot open then (a full disk, a corrupt file) must fail the requests that
    need facts, not the server's start.
    """

    source: CarRegistry | Callable[[], CarRegistry]
    plan: Plan
    books: Mapping[str, Phrasebook]
    index: CarIndex | None = None
    _zh: dict[str, str | None] = field(default_factory=dict)
    _registry: CarRegistry | None = None

    @classmethod
    def load(
        cls,
        registry: CarRegistry | Callable[[], CarRegistry],
        folder: Path,
        index: CarIndex | None = None,
    ) -> Facts:
        books = {lang: Phrasebook.load(folder, lang) for lang in LANGUAGES}
        return cls(registry, Plan.load(folder / "plan.toml"), books, index)

    @property
    def registry(self) -> CarRegistry:
        if self._registry is None:
            source = self.source
            self._registry = source if isinstance(source, CarRegistry) else source()
        return self._registry

    def sheet(self, car: str) -> FactSheet:
        """The car `car` names and its facts: UnknownCar (404) or CarHasNoFacts (422)."""
        summary = resolve_car(self.registry, car)
        sheet = build_sheet(self.registry, summary)
        sheet.chinese = self.chinese_name(summary.id, summary.name, summary.aliases)
        return sheet

    def writer(self, sheet: FactSheet, brief: Brief, cite: Callable[[SheetFact], int]) -> Writer:
        return Writer(self.plan, self.books[brief.language], sheet, brief, cite)

    def chinese_name(
        self, car_id: str, display: str = "", aliases: Sequence[str] = ()
    ) -> str | None:
        """The make's Chinese name and the model's ("极氪" + "001"), when the alias file has
        a Chinese name for the make: how Chinese text names an imported car (its Chinese
        market name, from the alias file's models or [names]: "丰田塔科马", else the name
        its documents give it, `aliases`: "宋L" of the BYD Song L). A car known by no
        Chinese name is known by its display name, whose make leads it ("Nissan Patrol" →
        "日产Patrol")."""
        if car_id in self._zh or self.index is None:
            return self._zh.get(car_id)
        index, name = self.index, None
        brand = index.model_brand.get(car_id) or self._leading_brand(display)
        if brand is not None:
            brand_zh = next(
                (a for a, b in index.brand_aliases.items() if b == brand and has_han(a)), None
            )
            brand_name = index.brand_names.get(brand, "")
            written = [a.removeprefix(brand_name).strip() for a in aliases if has_han(a)]
            names = [
                *index.model_display.get(car_id, []),
                *index.other_names.get(car_id, []),
                *sorted((a for a in written if has_han(a[:1])), key=len),
            ]
            model_zh = next((a for a in names if has_han(a)), None)
            full = index.model_names.get(car_id, display)
            model = model_zh or full.removeprefix(brand_name).strip()
            if brand_zh and model:  # "路虎卫士" holds its make: `_joined` writes it once
                name = _joined(brand_zh, model)
            elif model_zh:
                name = model_zh
        self._zh[car_id] = name
        return name

    def _leading_brand(self, display: str) -> str | None:
        """The brand the car's display name starts with ("Land Rover" of "Land Rover
        Defender"), found by the alias file's own name matcher."""
        hits = self.index.find(display) if self.index is not None else []
        return next((h.brand for h in hits if h.start == 0 and h.brand), None)


def _joined(make: str, model: str) -> str:
    """The make's Chinese name before the model's, written once where they overlap ("吉利银河"
    and "银河L7" are "吉利银河L7", not "吉利银河银河L7")."""
    for n in range(min(len(make), len(model)), 0, -1):
        if make.endswith(model[:n]) and has_han(model[:n]):
            return make + model[n:]
    return make + model


def used_fact(fact: SheetFact, *, n: int, step: str, document: str) -> UsedFact:
    """How a response lists a fact its text states: with its citation number `n`."""
    c = fact.citation
    return UsedFact(
        n=n,
        step=step,
        attribute=fact.attribute,
        label=fact.label,
        variant=fact.variant,
        value=fact.value,
        document=document,
        page=c.page,
        section=c.section,
        evidence=c.evidence,
    )


def cite_fact(book: PassageBook, step: str, fact: SheetFact) -> int:
    """The citation number of `fact`'s source in a request's `book` (numbered on first use)."""
    c = fact.citation
    return book.source(
        step,
        chunk_id=c.chunk_id or f"{c.doc_id}:{fact.key}",
        text=c.evidence,
        source=c.document or Path(c.source).name,
        page=c.page,
        section=c.section,
        doc_id=c.doc_id,
    )
