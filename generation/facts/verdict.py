"""A review's judgement from the car's facts: its strong and weak points, and the sentiment.

A review that only lists figures judges nothing, and a verdict that praises every car ("a
well-rounded package") is no judgement either. The plan (`data/realise/plan.toml`,
`[judgements]`) says, per attribute, from which figure (in the dimension's canonical unit) a
value is a strength and from which a weakness; the car's best figure of the attribute is
judged (its biggest boot, its quickest version), so a weakness is one every version has. The
phrases that say a point hold no figures: the figures are in the sentences before, cited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from generation.facts.powertrain import plug_in
from generation.facts.sheet import FactSheet, SheetFact, unattributed
from generation.schemas import Sentiment
from ingest.specs.measures import measured_under


@dataclass(frozen=True)
class Rule:
    """When one attribute's best figure is a strength or a weakness."""

    attribute: str
    higher_is_better: bool
    strength: float
    weakness: float
    # the canonical unit the marks are in, when an attribute has more than one ("L/100km" for
    # fuel economy: an electric car's MPGe is kWh/100km and is not judged by them)
    unit: str | None = None
    # "electric": judged on electric cars only (a plug-in hybrid's 80 km on electricity alone
    # is no short range by an electric car's marks: its engine goes on)
    powertrain: str | None = None

    @classmethod
    def load(cls, attribute: str, spec: Mapping[str, Any]) -> Rule:
        return cls(
            attribute=attribute,
            higher_is_better=bool(spec.get("higher_is_better", True)),
            strength=float(spec["strength"]),
            weakness=float(spec["weakness"]),
            unit=spec.get("unit"),
            powertrain=spec.get("powertrain"),
        )


@dataclass(frozen=True)
class Judgement:
    """What a review says of the car beyond its figures."""

    strengths: tuple[str, ...] = ()  # attributes, best first
    weaknesses: tuple[str, ...] = ()
    missing: tuple[str, ...] = field(default=())  # attributes a buyer asks for that no source gives
    backing: tuple[SheetFact, ...] = ()  # the figure each point was judged by, in their order

    @property
    def sentiment(self) -> Sentiment:
        if len(self.strengths) > len(self.weaknesses):
            return "positive"
        if len(self.weaknesses) > len(self.strengths):
            return "negative"
        return "neutral"


def judge(sheet: FactSheet, rules: Sequence[Rule], asked: Sequence[str] = ()) -> Judgement:
    """The car's strengths and weaknesses by `rules`, and which of `asked` no fact gives."""
    strengths: list[SheetFact] = []
    weaknesses: list[SheetFact] = []
    for rule in rules:
        best = _best(sheet, rule)
        if best is None or best.normalized is None:
            continue
        if _at_least(best.normalized, rule.strength, rule):
            strengths.append(best)
        elif not _at_least(best.normalized, rule.weakness, rule):
            weaknesses.append(best)
    missing = tuple(a for a in asked if not sheet.of(a))
    return Judgement(
        tuple(f.attribute for f in strengths),
        tuple(f.attribute for f in weaknesses),
        missing,
        (*strengths, *weaknesses),
    )


def _at_least(value: float, mark: float, rule: Rule) -> bool:
    """Is `value` as good as `mark` or better?"""
    return value >= mark if rule.higher_is_better else value <= mark


def _best(sheet: FactSheet, rule: Rule) -> SheetFact | None:
    """The car's best figure of the rule's attribute (its biggest boot, its quickest version)."""
    facts = [
        f
        for f in sheet.of(rule.attribute)
        if f.normalized is not None
        and rule.unit in (None, f.normalized_unit)
        and not unattributed(sheet, f)
        and measured_under(f.variant or "")[1] is None  # not a boot with the seats folded
        and not (rule.powertrain == "electric" and plug_in(sheet.facts, f.variant))
    ]
    if not facts:
        return None
    pick = max if rule.higher_is_better else min
    return pick(facts, key=lambda f: f.normalized or 0.0)
