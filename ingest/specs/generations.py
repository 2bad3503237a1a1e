"""Sections about a car's past generations (`past_generations`).

An encyclopedia's history or a forum answer comparing generations heads a section per
generation: "### 第一代（2016-2021）", "### Second generation (SJ; 1981–1998)", then the current
one: "## Fourth generation (JB64/JB74; 2018–present)", "### 现款：2026款（第二代中期改款）". A
generation whose years are closed (an end year) is no longer built: its figures (the first
generation's 147kW, 4810毫米) are not the car's as it is sold, and a spec sheet that gave them
to the car would contradict its current figures. So when a document heads sections by two
generations or more, a section (and every section under it) whose heading names a generation
with a closed span of years gives no figure. A document about one generation only (a
classic car's page, "First generation (1989–1997)" alone) keeps its figures.
"""

from __future__ import annotations

import re

from ingest.document import ParsedDocument

_ORDINAL = r"[一二三四五六七八九十\d]{1,3}"
_GENERATION = re.compile(
    rf"第{_ORDINAL}代|(?:上|前|老)一?代|\b(?:first|second|third|fourth|fifth|sixth|seventh|"
    r"eighth|ninth|tenth|\d{1,2}(?:st|nd|rd|th))[ -]generation\b|\bgeneration " + r"\d{1,2}\b",
    re.IGNORECASE,
)
# "2016-2021", "1970–1981", "2016年-2021年": a span with an end year (not "2018–present")
_CLOSED = re.compile(r"(?<!\d)(?:19|20)\d\d\s*年?\s*[-–—~～至到]\s*(?:19|20)\d\d(?!\d)")


def past_generations(doc: ParsedDocument) -> set[str]:
    """The headings (as written) of `doc`'s sections about a past generation, when it heads
    sections by two generations or more; else none."""
    heads = {h for s in doc.sections for h in s.heading_path}
    generations = {h for h in heads if _GENERATION.search(h)}
    if len(generations) < 2:
        return set()
    return {h for h in generations if _CLOSED.search(h)}


def of_past(heading_path: tuple[str, ...], past: set[str]) -> bool:
    """Whether a section under `heading_path` is about a past generation (`past`)."""
    return bool(past) and any(h in past for h in heading_path)
