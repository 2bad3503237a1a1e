"""Facts from sentences, English and Chinese.

A figure belongs to a label when the sentence says so plainly: the label then the figure in
the same clause ("The Nexon has a length of 3993 mm", "轴距为：2620毫米", "maximum power of
84.4 kW (115 PS) at 6,300 rpm"), or the figure then the label ("4,300 mm in overall length",
"29 MPG city", "250 Nm of torque"). The figure's unit must be of the label's dimension;
figures with no unit are never taken from prose.
"""

from __future__ import annotations

import re

from ingest.specs.numbers import Quantity, quantities
from ingest.specs.shapes import Found, _values_of
from ingest.specs.values import read
from ingest.specs.vocabulary import Vocabulary, unit_hint

_CLAUSE_END = re.compile(r"[。！？；;!?\n]|\.(?:\s|$)")
_WINDOW = 48  # characters from the end of a label to its figure
# A change, not a value: "续航里程提升10km", "提升续航里程达61.6km", "increased by 20 hp"
_DELTA = re.compile(
    r"提升|提高|增加|降低|减少|缩短|加长|多出|相比|\bby\b|increase|decrease|more than|less than",
    re.IGNORECASE,
)
_POSTFIX = re.compile(
    r"\s*(?:(?:of|in|for)\s+)?(?:(?:overall|total|the)\s+)?"
    r"(?P<one>[A-Za-z][\w-]*)(?P<two>[ \t]+[A-Za-z][\w-]*)?",
)


def sentences(vocab: Vocabulary, text: str, skip: list[tuple[int, int]]) -> list[Found]:
    """Label–figure pairs in the prose of `text`, outside the spans already read."""
    labels = [m for m in vocab.find_labels(text) if not any(s <= m[0] < e for s, e in skip)]
    if not labels:
        return []
    figures = [q for q in quantities(text) if q.unit is not None]
    labels = [m for m in labels if not any(q.start <= m[0] < q.end for q in figures)]
    taken: set[int] = set()
    out = _figure_then_label(vocab, text, figures, taken)
    # label then figure, in the same clause, before the next label
    for i, m in enumerate(labels):
        if any(f.start <= m[0] < f.end for f in out):
            continue
        stop = _clause_end(text, m[1])
        nxt = labels[i + 1][0] if i + 1 < len(labels) else len(text)
        stop = min(stop, nxt, m[1] + _WINDOW)
        for q in figures:
            if q.start < m[1] or q.start >= stop or q.start in taken:
                continue
            gap = text[max(0, m[0] - 4) : m[0]] + " " + text[m[1] : q.start]
            if _DELTA.search(gap):
                break
            found = _bind(vocab, m, text, q.start, _value_end(text, q.end), m[0], None)
            if found:
                out.extend(found)
                taken.add(q.start)
                break
    return out


def _figure_then_label(
    vocab: Vocabulary, text: str, figures: list[Quantity], taken: set[int]
) -> list[Found]:
    """ "4,300 mm in overall length", "34 MPG combined", "250 Nm of torque"."""
    out: list[Found] = []
    for q in figures:
        m = _POSTFIX.match(text, q.end)
        if m is None:
            continue
        for end in (m.end("two"), m.end("one")):
            if end < 0 or vocab.lookup(text[m.start("one") : end]) is None:
                continue
            found = _bind(vocab, (m.start("one"), end), text, q.start, q.end, q.start, end)
            if found:
                out.extend(found)
                taken.add(q.start)
                break
    return out


def _bind(
    vocab: Vocabulary,
    m: tuple[int, int],
    text: str,
    start: int,
    end: int,
    ev_start: int,
    ev_end: int | None,
) -> list[Found]:
    label = text[m[0] : m[1]]
    key = vocab.lookup(label)
    if key is None:
        return []
    if key != "LWH":
        attr = vocab.attributes[key]
        values = read(attr, text, start, end, unit_hint(label), bare=False)
        if not values or values[0].start != start:
            return []
        end = values[0].rpm[1] if values[0].rpm else values[0].end
    return _values_of(
        vocab,
        key,
        "",
        text,
        start,
        end,
        ev_start,
        ev_end if ev_end is not None else end,
        None,
        single=False,
    )


def _value_end(text: str, end: int) -> int:
    """Extend a figure over a restatement and an engine speed: "(115 PS) at 6,300 rpm"."""
    m = re.match(
        r"\s*[(（][^)）\n]{1,20}[)）](?:\s*(?:at|@|/)\s*[\d ,.\-]+\s*(?:rpm|r/min))?",
        text[end:],
        re.I,
    )
    if m is None:
        m = re.match(r"\s*(?:at|@|/)\s*[\d ,.\-]+\s*(?:rpm|r/min)", text[end:], re.I)
    return end + (m.end() if m else 0)


def _clause_end(text: str, start: int) -> int:
    m = _CLAUSE_END.search(text, start)
    return m.start() if m else len(text)
