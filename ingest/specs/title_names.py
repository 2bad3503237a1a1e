"""The other name a title gives the document's car beside its own (`title_alias`).

"子午线S（Meridian S）参数配置详解" names the Meridian S in Chinese too, whatever else (its
front matter's `model: Meridian S`) found that car: the name before the bracket becomes an
alias of the car the bracket names.
"""

from __future__ import annotations

import re

from ingest.specs.scope import DocCars
from ingest.specs.subheads import TITLE_END
from ingest.specs.variants import name_key

# "子午线S（Meridian S）": a name, then its Latin name in brackets
_NAMED = re.compile(
    r"(?P<other>[^\s(（)）][^(（)）]{0,30}?)\s*[(（]\s*(?P<latin>[A-Za-z][^()（）]{0,40}?)\s*[)）]"
)


def title_alias(title: str, doc_cars: DocCars) -> DocCars:
    """`doc_cars` with the name its title writes beside its car's Latin name an alias."""
    car = doc_cars.car
    name = doc_cars.names.get(car, "") if car is not None else ""
    m = _NAMED.match(title.strip())
    if car is None or m is None or name_key(m.group("latin")) != name_key(name):
        return doc_cars
    other = TITLE_END.split(m.group("other"), maxsplit=1)[0].strip()
    if other and name_key(other) != name_key(name):
        doc_cars.aliases.setdefault(car, set()).add(other)
    return doc_cars
