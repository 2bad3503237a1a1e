"""Table columns and rows whose structure says which car or engine their figures are of.

- Columns of one model in different model years ("| | 2025 Ram 1500 | 2026 Ram 1500 |", a
  model-year-changes article): the newest year is the car the text presents; the older
  columns are last year's car, whose figures are no spec of it (`newest_year`). The year of
  the newest holds for the whole table, so it names no variant.
- An engine row whose cells name an engine and then its output ("| Base engine | 3.0L
  Hurricane I6, 420 hp |"): each cell's name is the variant of its figures (`engine_row`),
  and of the rows that label it again with an attribute ("| Base engine torque | 469 lb-ft
  |", `of_engine_row`).
"""

from __future__ import annotations

import re

from ingest.specs.vocabulary import Vocabulary

_MODEL_YEAR = re.compile(r"(?<![\d.])(?:19|20)\d\d(?![\d.])")
# a cell's engine name, a comma, then a figure: "3.0L Hurricane I6, 420 hp"
_NAMED_OUTPUT = re.compile(r"^\s*(?P<name>[^,\n|]{3,60}?)\s*,\s*\d")


def newest_year(variants: list[str | None]) -> tuple[list[str | None], set[int]]:
    """Column headers with the indices of the columns to leave out: when every header names
    the same thing in a different model year, the newest column has no variant and the
    older ones are left out; otherwise the headers as they are and none left out."""
    if len(variants) < 2 or any(v is None for v in variants):
        return variants, set()
    years = [_MODEL_YEAR.findall(v or "") for v in variants]
    if any(len(y) != 1 for y in years) or len({y[0] for y in years}) != len(years):
        return variants, set()
    rests = {" ".join(_MODEL_YEAR.sub(" ", v or "").split()).casefold() for v in variants}
    if len(rests) != 1:
        return variants, set()
    newest = max(range(len(years)), key=lambda i: years[i][0])
    return [None] * len(variants), {i for i in range(len(variants)) if i != newest}


def engine_row(vocab: Vocabulary, label: str, cells: list[str]) -> list[str | None] | None:
    """Each cell's engine name, when `label` names an engine ("Engine", "Base engine") and
    a cell gives a name, a comma and a figure; None for any other row."""
    words = label.split()
    if not words or "engine" not in (vocab.lookup(label), vocab.lookup(words[-1])):
        return None
    names = [_named(cell) for cell in cells]
    return names if any(names) else None


def _named(cell: str) -> str | None:
    m = _NAMED_OUTPUT.match(cell)
    return m.group("name") if m else None


def of_engine_row(
    vocab: Vocabulary, label: str, engines: dict[str, list[str | None]], key: str | None
) -> tuple[list[str | None] | None, str | None]:
    """(each column's engine, the attribute) of a row labelled by an engine row's label and an
    attribute ("Base engine torque" after "Base engine"); else (None, `key`)."""
    folded = " ".join(label.split()).casefold()
    for head, names in engines.items():
        if folded.startswith(head + " "):
            rest = vocab.lookup(folded[len(head) + 1 :])
            if rest is not None:
                return names, rest
    return None, key


def newest_labels(labels: list[str]) -> tuple[list[str], set[int]]:
    """Header labels that name one attribute in different model years ("| Grade | 2026 price |
    2025 price | Change |"): the newest column's label without its year, and the indices of
    the older columns (last year's figures, left out); other labels as they are."""
    groups: dict[str, list[tuple[str, int]]] = {}
    for i, label in enumerate(labels):
        years = _MODEL_YEAR.findall(label)
        rest = " ".join(_MODEL_YEAR.sub(" ", label).split()).casefold()
        if len(years) == 1 and rest:
            groups.setdefault(rest, []).append((years[0], i))
    out, older = list(labels), set()
    for columns in groups.values():
        if len(columns) < 2 or len({y for y, _ in columns}) != len(columns):
            continue
        newest = max(columns)[1]
        out[newest] = " ".join(_MODEL_YEAR.sub(" ", labels[newest]).split())
        older |= {i for _, i in columns if i != newest}
    return out, older
