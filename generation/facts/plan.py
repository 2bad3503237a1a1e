"""The planner: which facts each part of each business writes about (`data/realise/plan.toml`).

A plan is a list of groups per (business, part). A group is a set of attributes written
together (an engine's displacement, power, torque and gearbox); groups marked per-variant are
taken one variant at a time, "engine:1" meaning the headline variant (the most powerful one).
A fact is used at most once per request: parts later in the request skip what earlier parts
wrote, so the blog's middle does not repeat the opening.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from generation.facts.sheet import (
    FactSheet,
    SheetFact,
    same_value,
    unattributed,
)
from generation.facts.verdict import Rule
from ingest.specs.measures import measured_under


@dataclass(frozen=True, slots=True)
class Topic:
    """Facts written together: one group, for one variant (None: the car as a whole)."""

    group: str
    variant: str | None
    facts: tuple[SheetFact, ...]


@dataclass(frozen=True)
class Part:
    groups: tuple[str, ...]
    sentences: int


@dataclass(frozen=True)
class Plan:
    """Groups and business plans, as `plan.toml` declares them."""

    groups: Mapping[str, tuple[str, ...]]
    per_variant: frozenset[str]
    parts: Mapping[tuple[str, str], Part]
    interests: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    car_wide: frozenset[str] = frozenset()
    cheapest_first: frozenset[str] = frozenset()
    each_version: frozenset[str] = frozenset()
    judgements: tuple[Rule, ...] = ()  # a review's strong and weak points
    regions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # theme → groups
    places: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # theme → its places

    @classmethod
    def load(cls, path: Path) -> Plan:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        parts = {
            (business, part): Part(tuple(spec["groups"]), int(spec["sentences"]))
            for business, by_part in data["plans"].items()
            for part, spec in by_part.items()
        }
        return cls(
            groups={name: tuple(attrs) for name, attrs in data["groups"].items()},
            per_variant=frozenset(data.get("per_variant", [])),
            parts=parts,
            interests={k: tuple(v) for k, v in data.get("interests", {}).items()},
            car_wide=frozenset(data.get("car_wide", [])),
            cheapest_first=frozenset(data.get("cheapest_first", [])),
            each_version=frozenset(data.get("each_version", [])),
            judgements=tuple(Rule.load(a, r) for a, r in data.get("judgements", {}).items()),
            regions={t: tuple(v["groups"]) for t, v in data.get("regions", {}).items()},
            places={t: tuple(v["places"]) for t, v in data.get("regions", {}).items()},
        )

    def part(self, business: str, part: str) -> Part:
        return self.parts.get((business, part), Part((), 0))

    def topics(
        self,
        sheet: FactSheet,
        business: str,
        part: str,
        used: set[str],
        *,
        first: Iterable[str] = (),
        skip: Callable[[Topic, Sequence[Topic]], bool] | None = None,
        scale: float = 1.0,
    ) -> list[Topic]:
        """The topics of one part, facts in `used` left out; groups in `first` go first.
        `skip(topic, chosen)`: a topic that says nothing new (the writer's judgement, given
        the topics chosen before it) is neither chosen nor counted in a group's limit.
        `scale`: how many times the default length the text is; a group's limit ("engine:3"
        versions) grows and shrinks with it, one version at least."""
        spec = self.part(business, part)
        first = list(dict.fromkeys(first))
        wanted = list(dict.fromkeys([g for g in first if g not in spec.groups] + list(spec.groups)))
        leading = [g.split(":")[0] for g in first]
        ordered = sorted(
            wanted, key=lambda g: leading.index(n) if (n := g.split(":")[0]) in leading else 99
        )
        found: list[Topic] = []
        taken: set[str] = set()
        for entry in ordered:
            group, _, limit = entry.partition(":")
            most = max(1, round(int(limit) * scale)) if limit else 0
            for topic in self._group(sheet, group, used):
                # a fact two groups hold ("power" a reader's interest put first, then the
                # plan's "engine:1") is said by the first
                fresh = tuple(f for f in topic.facts if f.key not in taken)
                if not fresh:
                    continue
                topic = replace(topic, facts=fresh) if fresh != topic.facts else topic
                if any(_same_row(t, topic) for t in found) or (skip and skip(topic, found)):
                    continue
                taken.update(f.key for f in fresh)
                host = self._host(found, topic)
                if host is not None:  # the rest of a version's battery, right after its range
                    found.insert(host + 1, topic)
                    continue
                found.append(topic)
                if most and sum(t.group == group for t in found) >= most:
                    break
        return found

    def _host(self, found: Sequence[Topic], topic: Topic) -> int | None:
        """A topic found before of the same version whose group shares attributes with
        `topic`'s (the "range" a reader asked for, then the plan's "ev"): `topic` is said
        after it, so that one version's figures are read together."""
        mine = set(self.groups.get(topic.group, ()))
        for n, t in enumerate(found):
            if t.variant == topic.variant and t.group != topic.group:
                if mine & set(self.groups.get(t.group, ())):
                    return n
        return None

    def _group(self, sheet: FactSheet, group: str, used: set[str]) -> list[Topic]:
        attributes = self.groups.get(group, ())
        facts = [f for f in sheet.facts if f.attribute in attributes and f.key not in used]
        # a figure beside two versions' own figures is a version's, or no one's
        facts = [f for f in facts if not unattributed(sheet, f)]
        if group not in self.per_variant:
            facts = self._car_wide(sheet, facts, used)
        if not facts:
            return []
        if group not in self.per_variant and group not in self.each_version:
            # a size or capacity two variants share is said once, under the first
            facts = [
                f
                for n, f in enumerate(facts)
                if not any(
                    o.attribute == f.attribute and o.variant != f.variant and same_value(o, f)
                    for o in facts[:n]
                )
            ]
        by_variant: dict[str | None, list[SheetFact]] = {}
        for fact in facts:
            by_variant.setdefault(fact.variant, []).append(fact)
        topics = [Topic(group, v, tuple(fs)) for v, fs in by_variant.items()]
        if group in self.cheapest_first:  # the opening states the price the title starts from
            return sorted(topics, key=_cheapest)
        return sorted(topics, key=_headline) if group in self.per_variant else topics

    def _car_wide(
        self, sheet: FactSheet, facts: list[SheetFact], used: set[str]
    ) -> list[SheetFact]:
        """An attribute of the whole car (`car_wide`: a body type) is said once, for the car:
        its car-level value, else the value every source gives alike, whichever trim row gave
        it ("The Toyota Tacoma is a pickup", not "The 2.7 L SemiAuto-6 2WD is a pickup"); rows
        that word it otherwise ("Midsize", "midsize car") are not said again, and rows that
        disagree with no value for the car say nothing ("The 1.8 L AMS-6 is a station
        wagon" of a Golf whose other rows are compact cars)."""
        out: list[SheetFact] = []
        for fact in facts:
            if fact.attribute not in self.car_wide:
                out.append(fact)
                continue
            alike = sheet.of(fact.attribute)
            if any(o.key in used for o in alike) or any(o.attribute == fact.attribute for o in out):
                continue
            chosen = next((o for o in alike if o.variant is None), None)
            if chosen is None and all(same_value(fact, o) for o in alike):
                chosen = replace(fact, variant=None)
            if chosen is not None:  # rows that disagree, with no word for the car: none said
                out.append(chosen)
        return out

    def groups_for_interests(self, interests: Iterable[str]) -> list[str]:
        """The groups a reader's interests point at ("动力" → power), the reader's first
        interest first."""
        found = [
            g
            for interest in interests
            for g, words in self.interests.items()
            if any(w in interest.casefold() for w in words)
        ]
        return list(dict.fromkeys(found))

    def themes(self, region: str) -> list[str]:
        """The driving themes of a region the plan knows ("哈尔滨", "Harbin": cold), in the
        plan's order; none for a region it does not."""
        place = region.casefold()
        return [t for t, places in self.places.items() if any(p in place for p in places)]


# A data set's row number: "2.7 L SemiAuto-10 2WD #2" is another row of "…2WD #1"; no part
# of a version's name as a text writes it.
ROW_NUMBER = re.compile(r"\s*#\d+$")


def _same_row(a: Topic, b: Topic) -> bool:
    """Two numbered rows of one version in one group: the first speaks for the version (a
    reader cannot tell "#1" from "#2", and their names are written without the number)."""
    if a.group != b.group or not a.variant or not b.variant or a.variant == b.variant:
        return False
    if not (ROW_NUMBER.search(a.variant) or ROW_NUMBER.search(b.variant)):
        return False
    return ROW_NUMBER.sub("", a.variant) == ROW_NUMBER.sub("", b.variant)


def _cheapest(topic: Topic) -> float:
    return min((f.normalized for f in topic.facts if f.normalized is not None), default=1e18)


def _headline(topic: Topic) -> tuple[bool, float, int]:
    """The most powerful variant first (then the one with the most facts); a figure measured
    another way (the range of the WLTP city cycle) after those of the standard measure."""
    power = max((f.normalized or 0.0 for f in topic.facts if f.attribute == "power"), default=0.0)
    rng = max(
        (f.normalized or 0.0 for f in topic.facts if f.attribute == "electric_range"), default=0.0
    )
    measured = measured_under(topic.variant or "")[1] is not None
    return (measured, -(power or rng), -len(topic.facts))
