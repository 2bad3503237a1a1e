"""The chain's grounding report: each step's figures judged against the car's facts and the
passages shown so far (`generation.grounding.Reference`), what the policy did with the figures
still unbacked after the re-ask (drop their sentences, flag them, or fail with 422), and the
request's summary."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Literal

from generation.errors import UngroundedFigures
from generation.facts import Facts, FactSheet
from generation.grounding import FigureCheck, GroundingReport, Reference, check
from generation.schemas import Dropped, Grounding, StepGrounding, StepOutput

GroundingMode = Literal["reask", "flag", "off"]
GroundingPolicy = Literal["drop", "flag", "fail"]

# Where a sentence ends: 。！？ anywhere, .!? before a space or the end, a line break.
_SENTENCE_END = re.compile(r"[。！？]+|[.!?]+(?=\s|$)|\n+")


def reference_for(
    facts: Facts | None, sheet: FactSheet | None, passages: Iterable[Any]
) -> Reference:
    """What a step's figures are judged against: the brief's car's facts and every other
    car's when the run has a fact sheet, and the passages shown so far; the numbers in the
    names of the car's versions are read as names."""
    if facts is None or sheet is None:
        return Reference(passages=passages)
    reference = Reference(facts.registry, sheet.car.id, passages)
    # a version's name is a name, not its figure ("Defender 90" is no 90 of another car's)
    numbered = [v for v in sheet.variants() if any(ch.isdigit() for ch in v)]
    reference.names = sorted({*reference.names, *numbered}, key=len, reverse=True)
    return reference


def check_step(
    step: str,
    output: StepOutput,
    reference: Reference,
    mode: GroundingMode,
    previous: StepGrounding | None = None,
) -> StepGrounding:
    """The step's figures against `reference`; `previous`: the check before a re-ask."""
    if mode == "off":
        return StepGrounding(step=step)
    report = check(list(output.texts().items()), reference)
    result = StepGrounding(
        step=step,
        checked=report.checked,
        supported=report.supported,
        unsupported=report.unsupported,
        wrong_car=report.wrong_car,
        figures=report.figures,
    )
    if previous is not None:
        result.reasked = previous.reasked
        result.unsupported_before_reask = previous.unsupported_before_reask
    return result


def unbacked(grounding: StepGrounding) -> list[FigureCheck]:
    """The step's figures that are unsupported or another car's, in reading order."""
    return [f for f in grounding.figures if f.verdict != "supported"]


def apply_policy(
    output: StepOutput, grounding: StepGrounding, policy: GroundingPolicy
) -> StepOutput:
    """What happens to figures still unbacked after the re-ask: `drop` removes the sentences
    carrying them (reported in `grounding.dropped`; the figures stay in the counts), `flag`
    keeps them, `fail` raises UngroundedFigures (422)."""
    bad = unbacked(grounding)
    if not bad or policy == "flag":
        return output
    if policy == "fail":
        raise UngroundedFigures(
            f"{len(bad)} figure(s) in {grounding.step} are not backed by this car's facts "
            f"or passages: {', '.join(f.text for f in bad)}",
            figures=[f.model_dump() for f in bad],
        )
    texts = output.texts()
    kept: dict[str, str] = {}
    for name, text in texts.items():
        spans = _sentences(text)
        drop: dict[tuple[int, int], list[FigureCheck]] = {}
        for figure in (f for f in bad if f.field == name):
            span = next((s for s in spans if s[0] <= figure.start < s[1]), None)
            if span is not None:
                drop.setdefault(span, []).append(figure)
        if not drop:
            continue
        for (start, end), figures in drop.items():
            grounding.dropped.append(
                Dropped(
                    step=grounding.step,
                    field=name,
                    sentence=text[start:end].strip(),
                    figures=figures,
                    reason=_reason(figures),
                )
            )
        kept[name] = "".join(
            text[s:e] for s, e in spans if (s, e) not in drop
        ).strip()  # the sentences left, as written
    return output.model_copy(update=kept)


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _reason(figures: list[FigureCheck]) -> str:
    parts = []
    for f in figures:
        if f.verdict == "wrong_car" and f.backing is not None:
            parts.append(f"{f.text} is {f.backing.car}'s {f.backing.attribute} ({f.backing.value})")
        else:
            parts.append(f"{f.text} is in none of this car's facts or passages")
    return "; ".join(parts)


def summarize(
    steps: list[StepGrounding], mode: GroundingMode, policy: GroundingPolicy = "drop"
) -> Grounding:
    """The request's grounding: every step's counts and verdict, and the action, in words."""
    summary = Grounding(
        checked=sum(s.checked for s in steps),
        supported=sum(s.supported for s in steps),
        unsupported=[u for s in steps for u in s.unsupported],
        wrong_car=[u for s in steps for u in s.wrong_car],
        dropped=[d for s in steps for d in s.dropped],
        policy=policy,
        mode=mode,
        steps=steps,
    )
    report = GroundingReport(checked=summary.checked, supported=summary.supported)
    if summary.checked:
        report.verdict = "grounded" if summary.checked == summary.supported else "flagged"
    summary.verdict = report.verdict
    reasked = [s.step for s in steps if s.reasked]
    left = len(summary.unsupported) + len(summary.wrong_car)
    dropped = f"; dropped {len(summary.dropped)} sentence(s)" if summary.dropped else ""
    if mode == "off":
        summary.action = "not checked (grounding is off)"
    elif reasked:
        summary.action = f"re-asked {', '.join(reasked)} once with the unsupported figures; " + (
            f"{left} figure(s) still unsupported" if left else "all figures now supported"
        )
    elif left:
        summary.action = f"flagged {left} unsupported figure(s)"
    elif summary.checked:
        summary.action = "none: every figure is backed by a passage or fact"
    else:
        summary.action = "none: the text states no figures"
    summary.action += dropped
    return summary
