"""The regional Weibo post written from facts: at most 140 characters that speak to the region.

The region chooses what the post says as well as whom it greets: a region the plan knows
(`plan.toml`, `[regions]`: Harbin's winters, Chongqing's hills, Shenzhen's city traffic) puts
the facts its drivers weigh first (drive and ground clearance, power, size and range) and its
own lead ("For Harbin's long winters"); an unknown region is greeted by its name. The region's
words are the request's; its figures are the car's, each cited: the post as published carries
no [n] (read on a phone), its citations go to the response's `citations`
(`StepOutput.inline_citations`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from generation.facts.drafting import Written, cited, draft, joined
from generation.facts.realise import Sentence
from generation.markers import uncited
from generation.schemas import WEIBO_MAX_CHARS

if TYPE_CHECKING:
    from generation.facts.compose import Writer


def weibo(w: Writer) -> Written:
    """At most 140 characters, [n] markers apart: the region's readers addressed, the car
    named (by the lead when its first sentence does not), the facts that fit, a question."""
    r, brief = w.realiser, w.brief
    region = brief.region or ""
    themes = w.plan.themes(region)
    theme = next((t for t in themes if w.book.phrase("weibo", f"lead_{t}")), "")
    key = f"_{theme}" if theme else ""
    lead = r.line("weibo", f"lead{key}", region, region=region)
    named = r.line("weibo", f"lead_car{key}", region, region=region)
    first = [g for t in themes for g in w.plan.regions[t]]
    said: list[Sentence] = []
    most = w.plan.part("weibo_region", "main").sentences
    topics = w.topics("weibo_region", "main", first=first)
    if any(t.group in first for t in topics):  # the region's driving is what the post is about
        topics = [t for t in topics if t.group in first]
    for topic in topics:
        with draft(w):
            drafted = w.sentences(topic)
        for sentence in drafted:
            candidate = [*said, sentence]
            fits = _length(_post(w, lead, named, candidate, "")) <= WEIBO_MAX_CHARS
            if fits and len(said) < most:
                said.append(sentence)
                w.take(sentence)
    said = [cited(w, s) for s in said]
    closing = r.line("weibo", "closing", region)
    text = _post(w, lead, named, said, closing)
    if _length(text) > WEIBO_MAX_CHARS:
        text = _post(w, lead, named, said, "")
    tags = [t for t in (r.car.replace(" ", ""), region.replace(" ", "")) if t]
    facts = [f for s in said for f in s.facts]
    return Written({"text": text, "hashtags": tags}, facts, ())


def _length(text: str) -> int:
    """The post's length as published: without its [n] markers."""
    return len(uncited(text))


def _post(w: Writer, lead: str, named: str, said: Sequence[Sentence], closing: str) -> str:
    """The post as published: `named` (the lead and the car's name) unless the first sentence
    names the car itself."""
    names_car = bool(said) and any(
        n.casefold() in said[0].text.casefold() for n in w.sheet.names() if n
    )
    return joined(w, lead if names_car else named, [*(s.text for s in said), closing])
