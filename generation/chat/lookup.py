"""Chat answers from facts: the topic cars' fact sheets, numbered in the turn's citation list.

A turn that asks for attributes of its topic cars gets their facts from the sheets
(`generation.facts.Facts`), each numbered by its source chunk in the turn's `PassageBook`, like
the passages. The embedded model does not state figures: its answer to a fact lookup is the
realised sentence itself ("The Lumen E2's boot holds 330 litres [3]." / "Meridian S的后备厢
容积为510升[2]。", `data/realise/{en,zh}.toml`, `[chat]`), one value per version when the
versions differ; an attribute without a fact is quoted from the car's passage that names it,
another question from the passage sentence that answers it (`generation.chat.quote`), "Tell me
about the Lumen E2" with its headline facts; when nothing answers, it says the documents don't.
A message about no car it knows ("hello") is told what chat answers (`about`). A remote model
gets the numbered facts in its prompt and answers freely.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from generation.chain.written import numbered_facts
from generation.chat.quote import matching, naming
from generation.chat.topic import Topic, Topics
from generation.errors import CarHasNoFacts, UnknownCar
from generation.facts import Facts, FactSheet, SheetFact, cite_fact, used_fact
from generation.facts.plan import Plan
from generation.facts.realise import Phrasebook, Realiser
from generation.grounding import Reference, check
from generation.passages import Passage, PassageBook, cited_numbers
from generation.schemas import CarInfo, StepGrounding, UsedFact
from ingest.specs.registry import CarRegistry
from ingest.specs.vocabulary import Vocabulary

CHAT_STEP = "chat"  # what a chat turn's retrieval and passages are labelled with
MAX_LISTED = 4  # the cars a message about none is told of, by name
MAX_FACT_LINES = 60  # a prompt's facts: the asked ones first, then the car's others
# What answers a question about an attribute the sheet lacks: brochures list their engines as
# the versions of the power figures ("Kappa 1.0 l Turbo GDi: 88.3 kW").
STANDS_IN = {"engine": ("power", "displacement"), "cylinders": ("displacement",)}

Number = Callable[[SheetFact], int]


@dataclass
class Sheets:
    """The topic cars' fact sheets (cars without facts are left out) and the turn's numbers."""

    sheets: list[FactSheet]
    book: PassageBook
    step: str
    numbers: dict[str, int] = field(default_factory=dict)  # fact key and car → number
    shown: list[tuple[FactSheet, SheetFact]] = field(default_factory=list)  # in `lines`

    @classmethod
    async def load(cls, facts: Facts, cars: Sequence[str], book: PassageBook, step: str) -> Sheets:
        sheets = []
        for car in cars:
            try:
                sheets.append(facts.sheet(car))
            except (UnknownCar, CarHasNoFacts):
                continue  # a car named in a message but not in the documents: passages only
        await book.load_sources(f.citation.chunk_id or "" for s in sheets for f in s.facts)
        return cls(sheets, book, step)

    def cars(self) -> list[CarInfo]:
        return [CarInfo(id=s.car.id, name=s.car.name) for s in self.sheets]

    def number(self, sheet: FactSheet, fact: SheetFact) -> int:
        """The citation number of `fact`'s source in this turn."""
        key = f"{sheet.car.id}|{fact.key}"
        if key not in self.numbers:
            self.numbers[key] = cite_fact(self.book, self.step, fact)
        return self.numbers[key]

    def lines(self, attributes: Sequence[str]) -> tuple[list[str], int]:
        """The numbered facts for a prompt, under a heading per car: the asked attributes'
        first, then the cars' others; and how many lines the asked ones take."""
        asked: list[str] = []
        rest: list[str] = []
        for part, chosen in ((asked, True), (rest, False)):
            for sheet in self.sheets:
                facts = [f for f in sheet.facts if (f.attribute in attributes) == chosen]
                if chosen:  # in the order asked
                    facts.sort(key=lambda f: attributes.index(f.attribute))
                if facts:
                    self.shown += [(sheet, f) for f in facts]
                    part += numbered_facts(sheet, facts, partial_number(self, sheet))
        return [*asked, *rest][:MAX_FACT_LINES], min(len(asked), MAX_FACT_LINES)

    def used(self, facts: Sequence[tuple[FactSheet, SheetFact]]) -> list[UsedFact]:
        out = []
        for sheet, fact in facts:
            n = self.number(sheet, fact)
            shown = next((p for p in self.book.shown.values() if p.n == n), None)
            document = shown.document if shown else ""
            out.append(used_fact(fact, n=n, step=self.step, document=document))
        return out


@dataclass
class Told:
    """Sentences and the facts they state."""

    sentences: list[str] = field(default_factory=list)
    facts: list[SheetFact] = field(default_factory=list)


class ChatWriter:
    """Chat sentences in one language, from the phrasebook's `[chat]` section."""

    def __init__(self, book: Phrasebook, vocabulary: Vocabulary) -> None:
        self.book = book
        self.vocabulary = vocabulary
        self.language = book.language
        self.sep = "" if self.language == "zh" else " "

    def _phrase(self, name: str) -> str:
        return str(self.book.phrase("chat", name))

    def label(self, attribute: str) -> str:
        """The attribute as a sentence names it: "boot volume", "后备厢容积"."""
        labels: Mapping[str, str] = self.book.phrase("chat", "labels") or {}
        if attribute in labels:
            return labels[attribute]
        known = self.vocabulary.attributes.get(attribute)
        if known is None:
            return attribute.replace("_", " ")
        if self.language == "zh" and known.label_zh:
            return known.label_zh
        text = known.label
        return text[0].lower() + text[1:] if text[1:2].islower() else text

    def fact(
        self, sheet: FactSheet, attribute: str, facts: Sequence[SheetFact], number: Number
    ) -> str:
        """The facts of one attribute of one car as a cited sentence; one value per version
        when the versions' values differ, once with every source when they agree."""
        realiser = Realiser(self.book, sheet, cite=number)
        values: dict[str, list[SheetFact]] = {}
        for fact in facts:
            values.setdefault(self.book.value(fact), []).append(fact)
        car, label = sheet.name(self.language), self.label(attribute)
        if len(values) == 1:
            value, same = next(iter(values.items()))
            template = self._phrase(attribute) or self._phrase("*")
            return realiser.cited(template.format(car=car, label=label, value=value), same)
        items = []
        for value, same in values.items():
            variant = realiser.version(same[0].variant) if same[0].variant else car
            item = self._phrase("version").format(variant=variant, value=value)
            marks = "".join(f"[{n}]" for n in dict.fromkeys(number(f) for f in same))
            items.append(f"{item}{self.sep}{marks}")
        joined = ("；" if self.language == "zh" else "; ").join(items)
        return self._phrase("versions").format(car=car, label=label, items=joined)

    def overview(self, plan: Plan, sheet: FactSheet, number: Number) -> Told:
        """The car's headline facts (`plans.chat.overview`), after a lead naming the car."""
        realiser = Realiser(self.book, sheet, cite=number, seed=CHAT_STEP)
        told = Told()
        for topic in plan.topics(sheet, CHAT_STEP, "overview", set()):
            for sentence in realiser.topic(topic):
                told.sentences.append(sentence.text)
                told.facts += sentence.facts
        told.sentences = told.sentences[: plan.part(CHAT_STEP, "overview").sentences]
        if told.sentences:
            lead = self._phrase("overview").format(car=sheet.name(self.language))
            told.sentences.insert(0, lead)
        return told

    def quote(self, car: str, n: int, text: str) -> str:
        """A passage's sentence, quoted as what the documents say, with its number."""
        return self._phrase("quote").format(car=car, text=text, n=n)

    def dont_say(self, car: str, attribute: str | None = None) -> str:
        """The documents on the car don't say (what its attribute is)."""
        if attribute:
            return self._phrase("dont_say").format(car=car, label=self.label(attribute))
        return self._phrase("dont_say_car").format(car=car)

    def unknown_car(self, name: str) -> str:
        """The documents don't cover the car named `name` ("" for no name)."""
        return self._phrase("unknown_car").format(car=name) if name else ""

    def listing(self, names: Sequence[str], more: int) -> str:
        """The names as one list: "A, B and C" (and `more` others)."""
        items = [*names, *([self._phrase("more").format(n=more)] if more else [])]
        if len(items) < 2:
            return "".join(items)
        return self._phrase("list_sep").join(items[:-1]) + self._phrase("list_and") + items[-1]

    def about(self, cars: Sequence[str], more: int, example: FactSheet | None) -> str:
        """What chat answers: the indexed cars' specifications, with an example question."""
        if example is None or not example.facts:
            return self._phrase("about_none")
        car, label = example.name(self.language), self.label(example.facts[0].attribute)
        question = self._phrase("example").format(car=car, label=label)
        return self._phrase("about").format(cars=self.listing(cars, more), example=question)

    def join(self, sentences: Sequence[str]) -> str:
        return self.sep.join(s for s in sentences if s)


@dataclass
class TurnFacts:
    """What the facts give one turn: numbered lines for the prompt, the facts they show, and
    for the embedded model the answer written without it (`direct`)."""

    lines: list[str] = field(default_factory=list)
    shown: list[UsedFact] = field(default_factory=list)
    cars: list[CarInfo] = field(default_factory=list)
    direct: str | None = None
    used: list[UsedFact] = field(default_factory=list)  # the facts `direct` states
    registry: CarRegistry | None = None  # judges figures against every car's facts
    asked: int = 0  # the first `lines`: the asked facts, kept before any passage
    about: set[str] = field(default_factory=set)  # chunks about the topic cars

    def settle(
        self, text: str, passages: Sequence[Passage], *, step: str
    ) -> tuple[str, Literal["facts", "model"], list[UsedFact], StepGrounding]:
        """The answer, who wrote it, the facts it states and its figures checked like
        generation's (`generation.grounding`)."""
        grounding = self.check(step, text, passages)
        if self.direct is not None:
            return text, "facts", self.used, grounding
        cited = cited_numbers(text)
        used = [f for f in self.shown if f.n in cited and _states(text, f)]
        return text, "model", used, grounding

    def check(self, step: str, text: str, passages: Sequence[Passage]) -> StepGrounding:
        """`text`'s figures against the first topic car's facts (another car's: `wrong_car`)
        and the passages about the topic cars; without one, against every passage."""
        cars = tuple(c.id for c in self.cars)
        if self.registry is None or not cars:
            reference = Reference(passages=passages)
        else:
            # a passage retrieved under the car filter or holding a fact is about the cars
            shown = [
                replace(p, cars=tuple(dict.fromkeys((*p.cars, *cars))))
                if p.chunk_id in self.about
                else p
                for p in passages
            ]
            reference = Reference(self.registry, cars[0], shown)
        report = check(text, reference)
        return StepGrounding(
            step=step,
            checked=report.checked,
            supported=report.supported,
            unsupported=report.unsupported,
            wrong_car=report.wrong_car,
            figures=report.figures,
        )


async def turn_facts(
    facts: Facts,
    topics: Topics,
    topic: Topic,
    language: str,
    book: PassageBook,
    car_passages: Sequence[Passage],
    *,
    local: bool,
) -> TurnFacts:
    """The facts of a turn about `topic`'s cars (numbered in `book`).

    Args:
        car_passages: the passages retrieved about the cars (none when the search had to
            leave the car filter out).
        local: the embedded model, which does not answer about a car: the answer is written
            from the facts and quoted from the car's passages (`direct`).
    """
    cars, attributes = topic.cars, topic.attributes
    sheets = await Sheets.load(facts, cars, book, CHAT_STEP)
    # the embedded model writes nothing about a car: its prompt needs no facts
    lines, keep = ([], 0) if local and cars else sheets.lines(attributes)
    found = TurnFacts(lines, [], sheets.cars(), registry=facts.registry, asked=keep)
    found.shown = sheets.used(sheets.shown)
    found.about = {p.chunk_id for p in car_passages} | {
        f.citation.chunk_id for s in sheets.sheets for f in s.facts if f.citation.chunk_id
    }
    if not local:
        return found
    writer = ChatWriter(facts.books[language], topics.vocabulary)
    if not cars:  # what chat answers, not the small model's free writing
        found.direct = writer.join([writer.unknown_car(topic.unknown), about(facts, writer)])
        return found
    by_id = {s.car.id: s for s in sheets.sheets}
    names = [by_id[c].name(language) if c in by_id else car_name(facts, c) for c in cars]
    said: list[str] = []
    stated: list[tuple[FactSheet, SheetFact]] = []
    unsaid: list[str] = []
    texts = [p.text for p in car_passages]
    for car, name in zip(cars, names, strict=True):
        sheet = by_id.get(car)
        for asked in attributes:
            attribute = next(
                (a for a in (asked, *STANDS_IN.get(asked, ())) if sheet and sheet.of(a)), asked
            )
            of = sheet.of(attribute) if sheet else []
            if sheet is not None and of:
                said.append(writer.fact(sheet, attribute, of, partial_number(sheets, sheet)))
                stated += [(sheet, f) for f in of]
                continue
            # no fact: the passage sentence that names it, else the documents don't say
            # by its labels or own words ("DC charging"), a spec row labelled so first
            names = topics.names.get(attribute, [])
            own = topics.own_words.get(attribute, [])
            quote = _first(naming(t, names, words=own, labelled=True) for t in texts) or _first(
                naming(t, names, words=own) for t in texts
            )
            if quote is not None:
                said.append(writer.quote(name, car_passages[quote[0]].n, quote[1]))
            else:
                unsaid.append(writer.dont_say(name, attribute))
    if not attributes and topic.words:  # the sentence that answers, else they don't say
        quote = matching(texts, topic.words)
        if quote is not None:
            said.append(writer.quote(names[0], car_passages[quote[0]].n, quote[1]))
        else:
            unsaid += [writer.dont_say(name) for name in names]
    elif not attributes:  # "Tell me about the Lumen E2": its headline facts
        for car, name in zip(cars, names, strict=True):
            sheet = by_id.get(car)
            told = Told()
            if sheet is not None:
                told = writer.overview(facts.plan, sheet, partial_number(sheets, sheet))
                stated += [(sheet, f) for f in told.facts]
            said += told.sentences or [writer.dont_say(name)]
    found.direct = writer.join(said + unsaid)
    found.used = sheets.used(stated)
    return found


def about(facts: Facts, writer: ChatWriter) -> str:
    """What chat answers on the embedded model, for a message about no car it knows ("hello",
    "What is a plug-in hybrid?"): the cars with facts, most facts first, and a question about
    the first one's first fact."""
    cars = sorted((c for c in facts.registry.cars() if c.facts), key=lambda c: -c.facts)
    sheets = []
    for car in cars[:MAX_LISTED]:
        try:
            sheets.append(facts.sheet(car.id))
        except (UnknownCar, CarHasNoFacts):
            continue  # removed since it was listed
    names = [s.name(writer.language) for s in sheets]
    return writer.about(names, len(cars) - len(names), sheets[0] if sheets else None)


def _first(found: Iterable[str | None]) -> tuple[int, str] | None:
    """The index and value of the first value that is not None."""
    for index, value in enumerate(found):
        if value is not None:
            return index, value
    return None


def partial_number(sheets: Sheets, sheet: FactSheet) -> Number:
    return lambda fact: sheets.number(sheet, fact)


def car_name(facts: Facts, car_id: str) -> str:
    """A car's name when it has no sheet: the registry's, the alias file's, else its id."""
    known = facts.registry.car(car_id)
    if known is not None:
        return known.name
    index = facts.index
    return index.model_names.get(car_id, car_id) if index is not None else car_id


def _states(text: str, fact: UsedFact) -> bool:
    """Whether `text` gives `fact`'s figure (or its words, for a fact without one)."""
    figures = [f for f in re.findall(r"\d[\d,.]*", fact.value) if f.strip(",.")]
    if not figures:
        return fact.value.strip().casefold() in text.casefold()
    plain = text.replace(",", "")
    return any(f.replace(",", "").strip(".") in plain for f in figures[:1])
