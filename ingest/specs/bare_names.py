"""A car named by its model designation alone once the document has named it whole.

Chinese car writing names a car with its make once ("理想L7", "问界M7", "哈弗H6") and then by
the designation alone ("L7 Air售价31.98万元", "M7全系标配7个安全气囊"). A designation is too short
to name a car anywhere (`cars.py` needs the make before "L7"), but inside a document that
named the car whole it names that car (`with_designations`). Only designations with a digit
count ("L7", "SL03", "SU7"), so a plain word ("Air", "Max") never becomes a car, and a
designation two of the document's cars share names neither.

The same holds when the document's own car is chosen by counting its names: a Chinese
comparison names one car by its make once and then by the bare designation ("小鹏G6" …
"G6车长4760mm"), so counting only the whole names makes the other car's mentions look few
and the document one car's (`counted_by_designation` counts the bare designations too).
"""

from __future__ import annotations

import re

from ingest.specs.cars import Hit
from ingest.specs.scope import DocCars

_DESIGNATION = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,9}")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _designation(name: str) -> str | None:
    word = name.split()[-1] if name.split() else ""
    if _DESIGNATION.fullmatch(word) and any(c.isdigit() for c in word) and len(word) >= 2:
        return word
    return None


def with_designations(
    hits: list[Hit], text: str, doc_cars: DocCars, models: dict[str, str]
) -> list[Hit]:
    """`hits` with the bare designations in `text` of the cars the document has named
    (`models`: car id → model name, as the alias file or the title gives it)."""
    named = set(doc_cars.names) | {h.car for h in hits if h.car}
    by_word: dict[str, set[str]] = {}
    for car in named:
        word = _designation(models.get(car, "") or doc_cars.names.get(car, ""))
        if word is not None:
            by_word.setdefault(word.casefold(), set()).add(car)
    added: list[Hit] = []
    for word, cars in by_word.items():
        if len(cars) != 1:
            continue
        car = next(iter(cars))
        pattern = rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])"
        for m in re.finditer(pattern, text, re.IGNORECASE):
            if not any(h.start < m.end() and m.start() < h.end for h in [*hits, *added]):
                added.append(Hit(m.start(), m.end(), car, models.get(car, word), ""))
    return sorted([*hits, *added], key=lambda h: h.start) if added else hits


def counted_by_designation(doc_cars: DocCars, texts: list[str], models: dict[str, str]) -> None:
    """Unset the Chinese document's own car when it was chosen among several named ones
    (`scope.document_car`'s count) and, counting each car's bare designation as a mention,
    it is no longer named at least twice as often as the next car."""
    if doc_cars.car is None or len(doc_cars.names) < 2 or not _CJK.search(" ".join(texts)):
        return
    by_word: dict[str, list[str]] = {}
    for car in doc_cars.names:
        word = _designation(models.get(car, "") or doc_cars.names[car])
        if word is not None:
            by_word.setdefault(word.casefold(), []).append(car)
    counts = {}
    for word, cars in by_word.items():
        if len(cars) == 1:
            pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", re.I)
            counts[cars[0]] = sum(len(pattern.findall(t)) for t in texts)
    own = counts.get(doc_cars.car, 0)
    if any(n * 2 > own for car, n in counts.items() if car != doc_cars.car):
        doc_cars.car = None
