"""Whether a kW figure in a sentence is an engine's output: kW is power or charging, and
an engine's "produces 85 kW", "The 1.9-litre … makes 112kW" or "136kW at 5800rpm" is power."""

from __future__ import annotations

import re

_POWER_VERB = re.compile(
    r"\bengine\s+(?:produces|develops|delivers|generates|makes|puts\s+out)\s*$", re.I
)

# "The 1.9-litre … makes 112kW", "a 2.5-litre … petrol engine producing 136kW": a verb of
# output after an engine named earlier in the sentence; or a figure at an engine speed
_OUTPUT_VERB = re.compile(
    r"\b(?:produces|producing|develops|developing|delivers|delivering|generates|generating|"
    r"makes|making|puts\s+out)\s*$",
    re.IGNORECASE,
)
_ENGINE_WORD = re.compile(
    r"\d\.\d\s*-?\s*(?:litre|liter|l)\b|\b(?:engine|diesel|petrol|gasoline|V\d{1,2}|turbo)\b",
    re.IGNORECASE,
)
_AT_SPEED = re.compile(r"\s*(?:at|@)\s*[\d,]+(?:\s*[-–]\s*[\d,]+)?\s*(?:rpm|r/min)\b", re.I)
# "245kW and 460Nm combined", "one 160kW, 350Nm motor": a torque beside it, as a pair
_TORQUE = r"\d[\d,.]*\s*(?:Nm|N·m|N\.m|lb[\s.-]*ft)\b"
_WITH_TORQUE = re.compile(  # "200 kW (272 hp) and 343 Nm": its restatement between
    rf"(?:\s*\([^()\n]{{1,16}}\))?\s*(?:,|/|and|,\s*and)\s*{_TORQUE}", re.IGNORECASE
)
_AFTER_TORQUE = re.compile(rf"{_TORQUE}\s*(?:,|/|and|,\s*and)\s*$", re.IGNORECASE)


def engine_kw(text: str, start: int, end: int) -> bool:
    """Whether a kW figure is an engine's output (not a charger's)."""
    if _POWER_VERB.search(text, max(0, start - 40), start) or _AT_SPEED.match(text, end):
        return True
    if _WITH_TORQUE.match(text, end) or _AFTER_TORQUE.search(text, max(0, start - 24), start):
        return True
    verb = _OUTPUT_VERB.search(text, max(0, start - 16), start)
    if verb is None:
        return False
    clause = re.split(r"[.;!?](?=\s)|\n", text[max(0, start - 200) : verb.start()])[-1]
    return _ENGINE_WORD.search(clause) is not None
