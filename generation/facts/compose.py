"""Each business's text, written from the car's facts (the data-to-text writer).

A `Writer` serves one request: it asks the plan for each part's topics, has the realiser write
them, and assembles the step's fields (a blog part's title and text, a push's title and body, a
Weibo post within 140 characters…). Facts it writes are marked used, so later parts do not
repeat them. Figures only ever come from facts; the fixed phrases around them (leads,
connectives, verdicts) hold none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from generation.facts.drafting import Written, lower_first, units
from generation.facts.plan import Plan, Topic
from generation.facts.powertrain import electric, plug_in
from generation.facts.realise import Phrasebook, Realiser, Sentence, pick
from generation.facts.sheet import (
    FactSheet,
    SheetFact,
    named_by_variant,
    names_may_agree,
    same_value,
    two_versions,
    unattributed,
)
from generation.facts.single import write_single
from generation.schemas import STEP_SHARE, Brief
from ingest.analysis import has_han
from ingest.specs.measures import measured_under
from ingest.specs.variants import is_model_year

DEFAULT_AUDIENCE = Brief.model_fields["audience"].default
DEFAULT_LENGTH: int = Brief.model_fields["length"].default
# A variant a title names in more characters than this ("3.5L V6 Gasoline Engine") leaves no
# room for a second headline phrase.
_TITLE_VARIANT_CHARS = 20
# What identifies an engine across documents, and how far apart two writings of one figure
# may be: 160 hp is 119.3 kW, the 160 PS of "117.5 kW (160 PS)" 117.5 kW.
_ENGINE_FIGURES = frozenset({"power", "torque"})
_ENGINE_SAME = 0.03
# Two lower-case English words in a row: a description, not a name ("coil suspension").
_ENGLISH_WORDS = re.compile(r"\b[a-z]{3,}\s+[a-z]{3,}\b")


class Writer:
    """Writes one brief's parts from one car's facts, in the brief's language."""

    def __init__(
        self,
        plan: Plan,
        book: Phrasebook,
        sheet: FactSheet,
        brief: Brief,
        cite: Callable[[SheetFact], int],
    ):
        self.plan = plan
        self.brief = brief
        self.sheet = sheet
        self.used: set[str] = set()
        self.said: list[SheetFact] = []  # what the request's text states, in order
        self.realiser = Realiser(book, sheet, cite=cite, seed=brief.business)
        self.book = book
        self._renamed: dict[str, str] = {}  # an engine's later name → the name the text gave it

    # -- the blog -------------------------------------------------------------------------

    def opening(self) -> Written:
        r = self.realiser
        sentences = [Sentence(r.line("blog", "opening_lead"))]
        facts = self.write(self.topics("car_blog", "opening"), sentences, "opening")
        middle = self.topics("car_blog", "middle")
        topics = list(dict.fromkeys(t.facts[0].label for t in middle))[:6]
        fields = {
            "title": self.title(),
            "text": r.join([s.text for s in sentences]),
            "topics": topics,
        }
        return Written(fields, facts, ("text",))

    def middle(self) -> Written:
        r = self.realiser
        sentences = [Sentence(r.line("blog", "middle_lead"))]
        topics = self.topics("car_blog", "middle")
        facts = self.write(topics, sentences, "middle", connect=True)
        if not facts:  # no details to lead into, and the ending says where figures come from
            sentences = [Sentence(r.line("blog", "middle_empty"))]
        return Written({"text": r.join([s.text for s in sentences])}, facts, ("text",))

    def ending(self) -> Written:
        r = self.realiser
        audience = self.brief.audience
        if audience == DEFAULT_AUDIENCE and self.book.language == "zh":
            audience = str(self.book.phrase("blog", "audience_default") or audience)
        suits = r.line("blog", self._suits(), audience=audience)
        text = r.join([r.line("blog", "verdict", suits=suits), r.line("blog", "closing")])
        return Written({"text": text}, [], ("text",))

    def title(self) -> str:
        """A title from the headline facts, whole phrases only (never cut mid-word)."""
        parts = self.headline()
        if not parts:
            return self.realiser.car
        a, b = parts[0], parts[1] if len(parts) > 1 else ""
        options = self.book.phrase("blog", "title")
        usable = [t for t in options if ("{b}" in t) == bool(b)]
        return pick(usable, self.sheet.car.id, "title").format(car=self.realiser.car, a=a, b=b)

    def headline(self) -> list[str]:
        """Up to two headline phrases ("up to 120 PS", "375 litres of boot space"), cited.

        The most power (the longest range) is a variant's when the sources name whose it is:
        the phrase names it ("up to 1,019 hp in the Turbo GT"), and a figure no variant is
        named for is not the car's maximum when named variants give theirs. One phrase names
        a version at most, a long name being the title's one phrase. A price says where it
        starts: the low end of a range."""
        r, sheet = self.realiser, self.sheet
        parts: list[str] = []
        price = min(sheet.of("price"), key=_price_key, default=None)
        named = False
        for attribute, fact in (
            ("power", self.top("power")),
            ("electric_range", self.top("electric_range")),
            ("boot_volume", sheet.first("boot_volume")),
            ("price", price and replace(price, numbers=price.numbers[:1])),
        ):
            if fact is None or len(parts) >= 2:
                continue
            variant = fact.variant if attribute in ("power", "electric_range") else None
            if variant and r.generation(variant):
                continue  # the model before this one's figure is no headline
            value = self.book.value(fact, short=True)
            # as written where no term translates it: an English title names no version in
            # pinyin ("4-seat Z Chao"), and a name with nothing to romanise reads the same
            short = re.sub(r"\s*\([^()]*\)", "", r.short(variant, pinyin=False)) if variant else ""
            short = short.strip()
            if short and self.book.language != "zh" and has_han(short):
                variant = None
            if variant and not is_model_year(variant):
                if named:
                    continue  # a title names one version
                short = short or variant
                key = r.worded(f"title_{attribute}_variant", fact.variant)
                phrase = r.line("blog", key, value=value, variant=short)
                named = True
            else:
                key = r.worded(f"title_{attribute}", fact.variant)
                phrase = r.line("blog", key, **{attribute: value})
            r.cite(fact)  # the title's figures are cited like the text's
            parts.append(phrase)
            if named and len(short) > _TITLE_VARIANT_CHARS:
                break  # an engine's long name is the title's one phrase
        return parts or self._other_headline()

    def _other_headline(self) -> list[str]:
        """A headline figure when the sources give no power, range, boot or price (the Ford
        F150's EPA rows: its title was the bare name): the most torque, else the engines'
        sizes ("2.7 L to 5 L engines"), cited."""
        r, sheet = self.realiser, self.sheet
        torque = self.top("torque")
        if torque is not None and not torque.variant:
            r.cite(torque)
            value = self.book.value(torque, short=True)
            return [r.line("blog", "title_torque", torque=value)]
        sizes = [f for f in sheet.of("displacement") if f.normalized]
        low = min(sizes, key=lambda f: f.normalized or 0.0, default=None)
        high = max(sizes, key=lambda f: f.normalized or 0.0, default=None)
        if low is None or high is None or same_value(low, high):
            return []
        r.cite(low)
        r.cite(high)
        values = {
            "low": self.book.value(low, short=True),
            "high": self.book.value(high, short=True),
        }
        return [r.line("blog", "title_displacement_range", **values)]

    def top(self, attribute: str) -> SheetFact | None:
        """The highest figure of `attribute` a variant has (or the car's, when no two
        variants name theirs)."""
        sheet = self.sheet
        found = [f for f in sheet.of(attribute) if not unattributed(sheet, f)]
        # a figure measured another way (a WLTP city range) is no headline beside the standard
        found = [f for f in found if measured_under(f.variant or "")[1] is None] or found
        return max(found, key=lambda f: f.normalized or 0.0, default=None)

    def _suits(self) -> str:
        """The ending's angle, from what drives the car (`powertrain`): electric, a plug-in
        hybrid as a whole, else (a petrol family with one hybrid version too) its room, its
        choice of engines, its size."""
        sheet = self.sheet
        boot = sheet.first("boot_volume")
        seats = sheet.first("seats")
        length = sheet.first("length")
        if electric(sheet.facts):
            return "suits_electric"
        if plug_in(sheet.facts, None):
            return "suits_plug_in"
        if (seats and seats.numbers and seats.numbers[0] >= 7) or (
            boot and (boot.normalized or 0) >= 400
        ):
            return "suits_family"
        if len({f.variant for f in sheet.of("power")}) >= 2:
            return "suits_choice"
        if length and 0 < (length.normalized or 0) < 4100:
            return "suits_compact"
        return "suits_default"

    # -- the one-step businesses ----------------------------------------------------------

    def single(self) -> Written:
        return write_single(self)

    # -- helpers --------------------------------------------------------------------------

    def topics(self, business: str, part: str, *, first: Sequence[str] = ()) -> list[Topic]:
        scale = self.scale if part == "middle" else 1.0  # the opening keeps to its headline
        topics = self.plan.topics(
            self.sheet, business, part, self.used, first=first, skip=self._skip, scale=scale
        )
        return self._one_name_per_engine(topics)

    def _one_name_per_engine(self, topics: Sequence[Topic]) -> list[Topic]:
        """An engine two documents name differently is written under the name the text gave
        it first: the Hyundai Creta's "turbo petrol" (160 hp) and "1.5l Turbo GDi petrol"
        (117.5 kW, 160 PS) are one engine when their names may agree and their power or
        torque is one figure (`_ENGINE_SAME` apart: 160 hp and 160 PS). Its figures the text
        has said are not said again, unless with the speed they peak at ("delivers 117.5 kW
        (160 PS) at 5,500 rpm" reads better than "Peak power arrives at 5,500 rpm"); one not
        yet written takes the other's figures into its sentence ("makes 116 hp and 250 Nm")."""
        kept: list[Topic] = []
        for topic in topics:
            before = [*self.said, *(f for t in kept for f in t.facts)]
            name = self._renamed.get(topic.variant or "")
            if name is None and topic.variant and topic.group in self.plan.per_variant:
                name = _same_engine(topic, before, self.sheet.facts)
                if name is not None:
                    self._renamed[topic.variant] = name
            if name is None:
                kept.append(topic)
                continue
            theirs = [f for f in before if f.variant == name]
            attributes = {f.attribute for f in topic.facts}
            facts = tuple(
                f
                for f in topic.facts
                if f"{f.attribute}_rpm" in attributes
                or not any(_engine_alike(f, o) for o in theirs)
            )
            host = next(
                (i for i, t in enumerate(kept) if t.variant == name and t.group == topic.group),
                None,
            )
            if host is not None:  # its sentence not yet written: one sentence for both
                mine = {f.attribute for f in facts}
                older = tuple(f for f in kept[host].facts if f.attribute not in mine)
                kept[host] = replace(kept[host], facts=older + facts)
            elif facts:
                kept.append(replace(topic, variant=name, facts=facts))
        return kept

    @property
    def scale(self) -> float:
        """How many times the default length a blog is asked to be (1 for the other
        businesses: their limits are characters, not the brief's length)."""
        if self.brief.business != "car_blog":
            return 1.0
        return self.brief.length / DEFAULT_LENGTH

    def room(self, part: str) -> float:
        """A blog part's share of the brief's length, in its units (words, Chinese
        characters); no limit beyond the sentence budget for the other businesses."""
        share = STEP_SHARE.get(part) if self.brief.business == "car_blog" else None
        return self.brief.length * share if share else float("inf")

    def _skip(self, topic: Topic, chosen: Sequence[Topic]) -> bool:
        return self._said_before(topic, chosen) or self._unsayable(topic)

    def _unsayable(self, topic: Topic) -> bool:
        """In Chinese, a version named by English words the term list does not translate
        ("coil suspension", "maximum air suspension height"): its figures are left out rather
        than said under an English description (a name or code, "Lumen E2 Core", stays)."""
        if self.book.language != "zh" or topic.variant is None:
            return False
        return _ENGLISH_WORDS.search(self.realiser.subject(topic.variant)) is not None

    def _said_before(self, topic: Topic, chosen: Sequence[Topic]) -> bool:
        """A version's engine (or battery, or performance) whose every fact its name does not
        say another version already states, under a name that does not contradict it, is
        that version said again (or a twin a reader cannot tell apart from it):
        the 4WD row of an engine the 2WD row gave, the "V6 Engine" of one document beside
        the "3.5L V6" of another, a gearbox named in English and in Chinese ("7-speed
        dual-clutch", "7速双离合变速箱"), a trim's gearbox the car's own sentence named."""
        # what its sentences would state: its name says the rest ("Man-6": the gearbox)
        stated = [f for f in topic.facts if not named_by_variant(f)]
        if topic.variant is None or topic.group not in self.plan.per_variant or not stated:
            return False
        before = [*self.said, *(f for t in chosen for f in t.facts)]
        others = {f.variant for f in before if f.variant != topic.variant}  # the car's too
        for other in others:
            theirs = [f for f in before if f.variant == other]
            if names_may_agree(topic.variant, other or "") and all(
                any(self._alike(f, o) for o in theirs) for f in stated
            ):
                return True
        return False

    def _alike(self, a: SheetFact, b: SheetFact) -> bool:
        """One value of one attribute, as the reader sees it: figures alike, or words of
        which one says the other ("7速双离合" in "7速双离合变速箱")."""
        if a.attribute != b.attribute:
            return False
        if a.numbers or b.numbers:
            return same_value(a, b)
        said, other = self.book.value(a).casefold(), self.book.value(b).casefold()
        return said in other or other in said

    def sentences(self, topic: Topic) -> list[Sentence]:
        introduced = topic.variant is not None and any(
            f.variant == topic.variant and f.key in self.used for f in self.sheet.facts
        )
        return self.realiser.topic(topic, introduced=introduced)

    def take(self, sentence: Sentence) -> None:
        """`sentence` is in the text: its facts (and what its subject's name says) are used."""
        self.said.extend((*sentence.facts, *sentence.implied))
        self.used.update(f.key for f in (*sentence.facts, *sentence.implied))

    def write(
        self,
        topics: Sequence[Topic],
        out: list[Sentence],
        part: str,
        *,
        connect: bool = False,
    ) -> list[SheetFact]:
        """Write `topics` into `out` up to the part's sentence budget and, in a blog, its share
        of the brief's length (a sentence goes in while half of it fits); mark their facts
        used. A longer text has more sentences (`scale`); a shorter one, as many as fit."""
        sentences = self.plan.part(self.brief.business, part).sentences
        budget = round(sentences * max(self.scale, 1.0))
        room = self.room(part)
        facts: list[SheetFact] = []
        seen_groups: set[str] = set()
        language = self.book.language
        for topic in topics:
            for n, sentence in enumerate(self.sentences(topic)):
                said = sum(units(s.text, language) for s in out)
                if budget <= 0 or (facts and said + units(sentence.text, language) / 2 > room):
                    return facts
                text = sentence.text
                if connect and n == 0 and topic.group not in seen_groups:
                    lead = _connective(self.book, topic.group, self.sheet.car.id)
                    text = lower_first(lead, text)
                seen_groups.add(topic.group)
                out.append(Sentence(text, sentence.facts))
                facts.extend(sentence.facts)
                self.take(sentence)
                budget -= 1
        return facts


def _engine_alike(a: SheetFact, b: SheetFact) -> bool:
    """One power or torque figure of one engine as two documents write it (within
    `_ENGINE_SAME` when written in two units: 160 hp and 117.5 kW (160 PS)), or one value."""
    if a.attribute != b.attribute:
        return False
    if a.attribute in _ENGINE_FIGURES and a.normalized and b.normalized and a.unit != b.unit:
        if a.normalized_unit == b.normalized_unit:  # one unit as written: one figure exactly
            return abs(a.normalized - b.normalized) <= _ENGINE_SAME * max(
                a.normalized, b.normalized
            )
    return same_value(a, b) or same_value(b, a)  # at the coarser one's precision


def _same_engine(
    topic: Topic, before: Sequence[SheetFact], every: Sequence[SheetFact]
) -> str | None:
    """The name the text gave `topic`'s engine, when another version said before has its
    power or torque and no other figure of it disagrees; never when a third version of the
    car (`every`: the sheet's facts) has that figure too (the Creta's "1.5-litre" 116 hp may be
    the 115 PS petrol or the 116 PS diesel)."""
    name = topic.variant or ""
    variants = dict.fromkeys(f.variant for f in before if f.variant and f.variant != name)
    for other in variants:
        if other is None or not names_may_agree(name, other):
            continue
        if two_versions(name, other):
            continue  # "2WD" and "4WD", "petrol" and "diesel": two versions
        theirs = [f for f in before if f.variant == other]
        shared = [(f, o) for f in topic.facts for o in theirs if f.attribute == o.attribute]
        pairs = [
            (f, o) for f, o in shared if f.attribute in _ENGINE_FIGURES and _engine_alike(f, o)
        ]
        if not pairs or not all(_engine_alike(f, o) for f, o in shared):
            continue
        third = {
            g.variant
            for f, o in pairs
            for g in every
            if g.variant not in (name, other) and (_engine_alike(g, f) or _engine_alike(g, o))
        }
        if not third:
            return other
    return None


def _connective(book: Phrasebook, group: str, seed: str) -> str:
    return pick(list(book.connectives.get(group, [])), seed, group)


def _price_key(fact: SheetFact) -> tuple[str, float]:
    """The lowest price first (within one currency): the title says "from"."""
    return (fact.unit or "", fact.normalized if fact.normalized is not None else float("inf"))
