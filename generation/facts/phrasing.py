"""A fact's value as a sentence writes it, in English or Chinese.

Figures are written from the fact's parsed numbers and unit, not copied from the source's
layout ("1 500-4 000 r/min" → "1,500-4,000 rpm" / "1500-4000转/分"), in forms the grounding
check reads back to the same value; a second figure the source gives in another unit of the
same dimension follows in brackets ("88.3 kW (120 PS)"). Words (a gearbox, a fuel) are written
as the source has them, through the language's term list (`data/realise/{language}.toml`,
`[terms]`) when it has a translation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from generation.facts.sheet import SheetFact
from ingest.analysis import HAN_RUN, pinyin
from ingest.specs.figures import LAYOUT, spelled_codes
from ingest.specs.numbers import fold, quantities
from ingest.specs.units import UNITS_BY_SYMBOL

_COUNT_NOUNS = {
    "en": {"seats": "seats", "airbags": "airbags", "cylinders": "cylinders"},
    "zh": {"seats": "座", "airbags": "个安全气囊", "cylinders": "缸"},
}
_CURRENCY = {"USD": "$", "EUR": "€", "GBP": "£", "INR": "₹", "AUD": "A$"}
_CURRENCY_ZH = {"USD": "美元", "EUR": "欧元", "GBP": "英镑", "INR": "卢比", "AUD": "澳元"}


def number(value: float, language: str) -> str:
    """3995.0 → "3,995" (en) / "3995" (zh); 88.3 stays 88.3."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    return text.replace(",", "") if language == "zh" else text


def _figures(numbers: tuple[float, ...], language: str) -> str:
    return "-".join(number(n, language) for n in numbers)


def _price(numbers: tuple[float, ...], unit: str, language: str) -> str:
    if unit == "CNY":
        if language == "zh":
            if all(n >= 10_000 for n in numbers):
                return "-".join(f"{number(n / 10_000, 'zh')}万" for n in numbers) + "元"
            return _figures(numbers, "zh") + "元"
        return "RMB " + _figures(numbers, "en")
    if language == "zh" and unit in _CURRENCY_ZH:  # "$28,000" in Chinese: "28000美元"
        return _figures(numbers, "zh") + _CURRENCY_ZH[unit]
    sign = _CURRENCY.get(unit, unit + " ")
    return sign + _figures(numbers, "en")


def _quantity(
    numbers: tuple[float, ...], unit: str, language: str, units: Mapping[str, str]
) -> str:
    if unit in ("CNY", *_CURRENCY):
        return _price(numbers, unit, language)
    figures = _figures(numbers, language)
    word = units.get(unit, unit)
    tight = language == "zh" and not word.isascii()
    return f"{figures}{'' if tight else ' '}{word}"


def _alternatives(fact: SheetFact, language: str, units: Mapping[str, str]) -> list[str]:
    """The power the source also gives in another unit: "88.3 kW (120 PS)" (readers compare
    horsepower; other second figures, like kgm torque, are left out)."""
    dimension = UNITS_BY_SYMBOL[fact.unit].dimension if fact.unit in UNITS_BY_SYMBOL else None
    if dimension != "power":
        return []
    found = []
    for q in quantities(fold(unicodedata.normalize("NFKC", fact.value))):
        if q.unit is None or q.unit.symbol == fact.unit or q.unit.dimension != dimension:
            continue
        found.append(_quantity(q.numbers, q.unit.symbol, language, units))
    return found[:1]


def value_text(
    fact: SheetFact,
    language: str,
    *,
    units: Mapping[str, str],
    terms: Mapping[str, str],
    short: bool = False,
    attribute_units: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """The fact's value for a sentence in `language`; `short`: the main figure alone;
    `attribute_units`: unit words for one attribute ("2.7 L" for an engine, not "litres")."""
    attribute_units = attribute_units or {}
    if fact.numbers and fact.unit:
        units = {**units, **attribute_units.get(fact.attribute, {})}
        main = _quantity(fact.numbers, fact.unit, language, units)
        extra = [] if short else _alternatives(fact, language, units)
        if extra:
            return f"{main}（{extra[0]}）" if language == "zh" else f"{main} ({extra[0]})"
        return main
    if fact.numbers and fact.attribute in _COUNT_NOUNS[language]:
        noun = _COUNT_NOUNS[language][fact.attribute]
        count = number(fact.numbers[0], language)
        return f"{count}{noun}" if language == "zh" else f"{count} {noun}"
    return words(fact.value, language, terms)


def words(value: str, language: str, terms: Mapping[str, str]) -> str:
    """A word value as written, its layout tidied ("6 - speed" → "6-speed", a tyre size
    "205 / 65 R16" → "205/65 R16", a gloss that repeats its word dropped) and a data set's
    gearbox codes spelled out ("Man-6" → "6-speed manual" / "6速手动"); in Chinese translated
    by the term list when every word of it has a translation ("7-speed dual-clutch" →
    "7速双离合") or is a code ("GDi", "U2"), else kept as written (a half-translated "1.5 L
    turbo + 纯电 motor" reads worse than the English name)."""
    text = unicodedata.normalize("NFKC", value).strip().strip("。.;；,，")
    text = re.sub(r"\s*-\s*", "-", re.sub(r"\s+", " ", text))
    text = _TYRE.sub(r"\1/\2 \3\4", text)
    key = text.casefold()
    if key in terms:
        return terms[key]
    text = spelled_codes(text, language)
    if language == "en":
        if re.fullmatch(r"[A-Z][a-z]+", text):
            return text.lower()  # "Petrol" in a sentence: "runs on petrol"
        # a Chinese source's words: "CVT变速箱"; the longest first ("超长续航" before "长续航")
        for word, english in sorted(terms.items(), key=lambda item: -len(item[0])):
            if not word.isascii():
                text = text.replace(word, f" {english} ")
        text = re.sub(r"(\d)\s+-(?=[a-z])", r"\1-", re.sub(r"\s+", " ", text)).strip()
        return _unglossed(text)
    if not re.search(r"[A-Za-z]", text):
        return _unglossed(text)
    translated = re.sub(r"(?i)(\d+)-speed\b\s*", r"\1速", text)  # "6-speed manual" → "6速手动"
    translated = LAYOUT.sub(r"直列\1缸", translated)  # "inline-4" → "直列4缸", as figures read it
    translated = re.sub(r"(?i)(\d+)-cylinders?\b\s*", r"\1缸", translated)  # "4-cylinder" → "4缸"
    # a displacement: "1.5-litre turbocharged" → "1.5升涡轮增压"
    translated = re.sub(r"(?i)(\d+(?:\.\d+)?)[- ]?(?:litres?|liters?|l)\b\s*", r"\1升", translated)
    for word, chinese in sorted(terms.items(), key=lambda item: -len(item[0])):
        translated = re.sub(rf"(?i)(?<![a-z]){re.escape(word)}(?![a-z])", chinese, translated)
    left = re.findall(r"[A-Za-z][A-Za-z0-9-]*", translated)
    if any(re.search(r"[A-Za-z]{2,}", w) and not _CODE.fullmatch(w) for w in left):
        return text
    # no space beside a Chinese character; two codes keep theirs ("U2 CRDi")
    tight = re.sub(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+", "", translated)
    return _unglossed(tight.replace(",", "，"))


# A tyre size: "205 / 65 R16", "P235/65R17".
_TYRE = re.compile(r"(?<![\d.])(\d{3})\s*/\s*(\d{2})\s*([A-Z]{0,2}R)\s*(\d{2})(?!\d)")
# A code a Chinese text keeps in Latin letters: an engine's ("GDi", "CRDi", "VGT", "U2",
# "VR35DDTT"), a gearbox's ("CVT", "DCT"): capitals after its first letter, or letters and digits.
_CODE = re.compile(r"[A-Za-z]*[A-Z][A-Za-z]*[A-Z][A-Za-z0-9]*|[A-Za-z]+\d[A-Za-z0-9]*|[A-Z]{2,}")
_GLOSS = re.compile(r"(\S+?)\s*[(（]\s*\1\s*[)）]")


def _unglossed(text: str) -> str:
    """ "前驱(前驱)" → "前驱": a word and its translated gloss that came out the same."""
    return _GLOSS.sub(r"\1", text)


def romanised(text: str) -> str:
    """`text` with each run of Chinese characters left in it written in pinyin, one
    capitalised word per run ("潮流 version" → "Chaoliu version", "4-seat Z潮 version" →
    "4-seat Z Chao version"): how an English sentence names a Chinese trim no term
    translates."""

    def word(match: re.Match[str]) -> str:
        start, end = match.span()
        before = " " if start and text[start - 1].isalnum() else ""
        after = " " if end < len(text) and text[end].isalnum() else ""
        return f"{before}{pinyin(match.group()).capitalize()}{after}"

    return HAN_RUN.sub(word, text)
