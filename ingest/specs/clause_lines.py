"""A Chinese `参数：值` line whose value is clauses, each with a label or a version of its own
(`clause_cells`).

A notice's or a spec list's block (a record section) writes "车身尺寸：长4890毫米，宽1890毫米，
高1505毫米；轴距2810毫米", "驱动电机：单电机，最大功率150kW" or "动力电池：磷酸铁锂，510km出行版电池
容量为59.1kWh，610km出行版为71.3kWh": the line's label is a topic (or a label that cannot take
the value whole), and the `label: value` reader gets nothing from it. Each clause is then read
alone: one with a label of its own and a figure ("宽1890毫米") is that attribute; one led by a
version's name ("510km出行版电池容量为59.1kWh", "标准版49.8kWh") is that version's, of the label
it names, else of the clause before it, else of the line's. A clause without a label or a
version ("磷酸铁锂", "约19分钟") gives nothing.
"""

from __future__ import annotations

import re

from ingest.specs.shapes import Found, values_of
from ingest.specs.version_rows import row_cell
from ingest.specs.vocabulary import Vocabulary

_LINE = re.compile(r"^[ \t]*(?P<label>[^:\n]{1,16}):[ \t]*(?P<value>[^\n]+)$", re.M)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CLAUSE = re.compile(r"[^，,；;。]+")
# "510km出行版电池容量为59.1kWh", "标准版49.8kWh", "610km出行版为71.3kWh"
_VERSIONED = re.compile(
    r"(?P<v>[^，,；;。]{1,16}?(?:版本|版))(?P<label>[^\d，,；;。]{0,10}?)(?:为|是)?\s*(?=\d)"
)


def clause_cells(vocab: Vocabulary, text: str, found: list[Found]) -> list[Found]:
    """The figures of `text`'s lines of clauses on which no fact of `found` lies."""
    out: list[Found] = []
    for m in _LINE.finditer(text):
        value = m.group("value")
        if not _CJK.search(value) or any(m.start() <= f.start < m.end() for f in found):
            continue
        line_key = vocab.lookup(m.group("label"))
        clauses = list(_CLAUSE.finditer(text, m.start("value"), m.end()))
        if len(clauses) < 2 and line_key is not None:
            continue  # one figure under an attribute's label: the `label: value` reader's
        key = line_key if line_key != "LWH" else None
        for c in clauses:
            named = _VERSIONED.match(text, c.start(), c.end())
            if named is None:
                out += row_cell(vocab, text, *c.span(), m.span(), None, labelled=True)
                continue
            key = vocab.lookup(named.group("label")) or key
            if key is not None:
                version = named.group("v").strip()
                out += values_of(
                    vocab, key, "", text, named.end(), c.end(), *m.span(), version, single=True
                )
    return out
