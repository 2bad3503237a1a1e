"""Figures a text only speculates about ("官方称未来还有可能配置2.0T的动力版本", "新车或许之后会
推出2.0T动力版本", "Nissan may later offer a 2.0-litre", "is expected to offer a range of
around 500 km"), or says of cars in general
("市场上很多纯电动车的真实续航里程也就400km左右", "most EVs on the market manage 250 miles"):
neither is a spec of the car the text is about (tests/specs/README.md, "What is
deliberately left out")."""

from __future__ import annotations

import re

from ingest.specs.wrap import wrapped

_MAYBE = re.compile(
    r"可能|或许|也许|之后会|未来还|\b(?:may|might|could)\s+(?:later\s+|also\s+|eventually\s+|"
    r"one day\s+)?(?:offer|add|get|receive|gain|come|follow|arrive)\b|\bin the future\b|"
    r"\brumou?r(?:s|ed)?\b|\b(?:is|are)\s+(?:said|expected|tipped|likely)\s+to\b|\breportedly\b"
    # rumours ("或将超过240kW", "有望达到200km", "听说还有个四驱版") and a test's or an owner's
    # measurement ("实测纯电续航约95km", "实际跑出来的续航在170km左右"), not the maker's figure
    r"|或将|或会|有望|传闻|据传|听说|网传|实测|实际(?:平均)?(?:跑|测|开|续航|油耗|电耗|能耗|表现)|"
    r"测试(?:中|下来|结果)|看仪表|仪表(?:显示|上)"  # a reading of the car's own dashboard
    # cars in general as the clause's subject
    r"|市场上|(?:很多|许多|不少)[^，,。]{0,6}车|大多数|大部分[^，,。]{0,6}车|"
    r"\b(?:most|many|other|typical|average)\s+(?:[\w-]+\s+)?(?:evs|cars|vehicles|suvs|rivals|competitors)\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"[，,。；;！？!?\n]|\.(?:\s|$)")


# A measurement holds for its whole sentence ("我们实测的百公里加速是10.2秒，油耗在12L/100km上下")
# until the maker's figure is named again ("…，官方数据为9.5秒")
_MEASURED = re.compile(r"实测|实际测|我们测|测试中|实际跑|实际开|长测|跑下来")
_SENTENCE = re.compile(r"[。！？!?\n]")
_OFFICIAL = re.compile(r"官方|厂家|工信部")


def speculative(text: str, at: int) -> bool:
    """Whether the clause holding offset `at` only says the figure may come, or gives it
    for cars in general, or its sentence gives a measurement rather than the maker's figure."""
    cuts = [m.end() for m in _CLAUSE.finditer(text, max(0, at - 120), at)]
    start = cuts[-1] if cuts else max(0, at - 120)
    if _MAYBE.search(text, start, at) is not None or _asked(text, at):
        return True
    stops = [m.end() for m in _SENTENCE.finditer(text, max(0, at - 120), at)]
    measured = list(_MEASURED.finditer(text, stops[-1] if stops else max(0, at - 120), at))
    return bool(measured) and _OFFICIAL.search(text, measured[-1].end(), at) is None


# where a sentence ends ("?" asks): a stop, or a line break that does not wrap it
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|[。！？]|\n")


def _asked(text: str, at: int) -> bool:
    """Whether the figure at `at` is in a question ("does the hybrid really only do 30\nmpg on
    gas?"): a question asks about a figure, it does not state one. An FAQ's answer line
    with no stop of its own ends at its line break, before the next question."""
    for end in _SENTENCE_END.finditer(text, at, at + 200):
        if end.group() == "\n" and wrapped(text, end.start()):
            continue
        return end.group() in "?？"
    return False
