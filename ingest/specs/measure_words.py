"""The words that name another measure of an attribute than the car's own figure: a city
cycle, the rear seats folded, a battery depleted (and the weighted economy it is set
beside). `measures` reads them in a label, `bracket_cells` in a bracket before its figure."""

from __future__ import annotations

import re

# the words of a label (the text from its line's start to the figure) that name the measure
CITY = re.compile(r"\b(?:(?:WLTP|EPA|CLTC|NEDC)[ \t]+)?(?:city|urban)\b|市区|城市工况", re.I)
FOLDED = re.compile(
    r"\b(?:(?:rear[ \t]+)?seats?[ \t]+(?:down|folded)|(?:rear[ \t]+)?seats?[ \t]+fold(?:ed)?)\b"
    r"|座椅放倒|后排放倒",
    re.I,
)
DEPLETED = re.compile(r"亏电|馈电|\bbattery[ \t-]+depleted\b|\bcharge[ \t-]+sustaining\b", re.I)
WEIGHTED = re.compile(r"加权|\bweighted\b", re.I)
