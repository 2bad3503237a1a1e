"""The chain's grounding report: each step's figures checked against the passages shown so far
(`generation.grounding`), and the request's summary with what was done about the unsupported
ones (re-asked once, flagged, or not checked)."""

from __future__ import annotations

from typing import Literal

from generation.grounding import Evidence, check
from generation.schemas import Grounding, StepGrounding, StepOutput

GroundingMode = Literal["reask", "flag", "off"]


def check_step(
    step: str,
    output: StepOutput,
    evidence: Evidence,
    mode: GroundingMode,
    previous: StepGrounding | None = None,
) -> StepGrounding:
    """The step's figures against `evidence`; `previous`: the check before a re-ask."""
    if mode == "off":
        return StepGrounding(step=step)
    report = check("\n".join(output.texts().values()), evidence)
    result = StepGrounding(step=step, **report.model_dump())
    if previous is not None:
        result.reasked = previous.reasked
        result.unsupported_before_reask = previous.unsupported_before_reask
    return result


def summarize(steps: list[StepGrounding], mode: GroundingMode) -> Grounding:
    """The request's grounding: every step's counts, and the action taken, in words."""
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
        summary.action = f"re-asked {', '.join(reasked)} once with the unsupported figures; " + (
            f"{left} figure(s) still unsupported" if left else "all figures now supported"
        )
    elif summary.unsupported:
        summary.action = f"flagged {len(summary.unsupported)} unsupported figure(s)"
    else:
        summary.action = "none: every figure is backed by a passage"
    return summary
