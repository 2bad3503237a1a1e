"""An engine line of figures in a `label: value` block: "Engine: 2.0-litre four-cylinder
petrol, 118kW @ 6,500rpm, 192Nm @ 4,200rpm". Its cell names no one engine figure the label
reader could take (it holds several, none labelled), so its figures are read as a sentence's
are, by the unit or phrase that names each (`phrases.phrase_facts`): the size, the cylinders,
the power and the torque with their rpm, of the car the block is about (the engine the
line names is no version of it)."""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.specs.phrases import phrase_facts
from ingest.specs.shapes import KEY_VALUE, Found
from ingest.specs.vocabulary import Vocabulary

# a line that opens with an engine's label (the cheap test before `KEY_VALUE` reads it)
_ENGINE_LABEL = re.compile(r"^[ \t*•-]*(?:engine|发动机)", re.IGNORECASE | re.MULTILINE)


def engine_line_figures(vocab: Vocabulary, text: str, read: list[Found]) -> list[Found]:
    """The figures of the engine lines of `text` of which the `label: value` reader took
    nothing (`read`: its facts)."""
    out: list[Found] = []
    for line in _ENGINE_LABEL.finditer(text):
        m = KEY_VALUE.match(text, line.start())
        if m is None or vocab.lookup(m.group("label")) != "engine":
            continue
        if any(m.start() <= f.start < m.end() for f in read):
            continue
        skip = [(0, m.start("value")), (m.end(), len(text))]
        out += [replace(f, variant=None) for f in phrase_facts(vocab, text, skip)]
    return out
