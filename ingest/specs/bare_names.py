"""A car named by its model designation alone once the document has named it whole.

Chinese car writing names a car with its make once ("理想L7", "问界M7", "哈弗H6") and then by
the designation alone ("L7 Air售价31.98万元", "M7全系标配7个安全气囊"). A designation is too short
to name a car anywhere (`cars.py` needs the make before "L7"), but inside a document that
named the car whole it names that car (`with_designations`). Only designations with a digit
count ("L7", "SL03", "SU7"), so a plain word ("Air", "Max") never becomes a car, and a
designation two of the document's cars share names neither.
"""

from __future__ import annotations

import re

from ingest.specs.cars import Hit
from ingest.specs.scope import DocCars

_DESIGNATION = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,9}")


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
