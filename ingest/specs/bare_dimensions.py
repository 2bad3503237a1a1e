"""A Chinese run of dimensions opened by the bare letter 长: "车身尺寸：长4680毫米，宽1825毫米，
高1490毫米", "车身：长4610毫米、宽1860毫米", "尺寸为长4135毫米、宽1805毫米".

长 alone is too loose a label to read in a sentence ("比旧车长约200毫米"), so a figure after it
is a length only when the run goes on to at least one more dimension (宽 or 高) the way
`parallel.dimension_run` reads one after a named length.
"""

from __future__ import annotations

import re

from ingest.specs.numbers import quantities
from ingest.specs.parallel import dimension_run
from ingest.specs.shapes import Found, values_of
from ingest.specs.vocabulary import Vocabulary

# 长 opening a clause (after a colon, a comma, a list mark, 为/是 or the line's start),
# its figure right after
_OPEN = re.compile(r"(?:^|(?<=[：:，,。；;、\s为是]))(?P<d>长)度?\s*(?:为|是)?\s*(?=\d)", re.M)
_REACH = 20  # characters a figure and its unit take at most


def bare_dimensions(vocab: Vocabulary, text: str, found: list[Found]) -> list[Found]:
    """The length a run of dimensions opens with bare 长, and the dimensions that follow it,
    where `found` has no figure there yet."""
    if "length" not in vocab.attributes or "长" not in text:
        return []
    have = {f.value.start for f in found}
    out: list[Found] = []
    for m in _OPEN.finditer(text):
        if m.end() in have:
            continue
        figures = quantities(text[m.end() : m.end() + _REACH])
        if not figures or figures[0].start != 0:
            continue
        stop = m.end() + figures[0].end
        read = values_of(
            vocab, "length", "", text, m.end(), stop, m.start("d"), stop, None, single=True
        )
        if len(read) != 1 or read[0].value.unit is None:
            continue
        run = dimension_run(vocab, text, read)
        if not run or any(f.value.start in have for f in run):
            continue  # a length alone, or a run the readers already took
        out += [read[0], *run]
        have.update(f.value.start for f in [read[0], *run])
    return out
