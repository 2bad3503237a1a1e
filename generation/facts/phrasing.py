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
from ingest.analysis import has_han
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
    text = words(fact.value, language, terms, units=units)
    if language != "en":
        return text
    pattern, said = _COUNT_CLAUSES["en"]
    return pattern.sub(said, english_only(text))


# A clause of a word value that is only a count ("5-door hatchback, 5 seats"): no sentence
# in Chinese ("五门两厢车，5座"), and a list in English; said as what the count gives.
_COUNT_CLAUSES = {
    "en": (re.compile(r",\s*(\d+) seats$"), r" with \1 seats"),
    "zh": (re.compile(r"(?<=[，；])(\d+)座(?=$|[，；])"), r"可坐\1人"),
}
# A clause of a value: parted by commas and semicolons; a bracketed aside.
_CLAUSE = re.compile(r"\s*[,，;；]\s*")
_ASIDE = re.compile(r"\s*[(（][^()（）]*[)）]")


def english_only(text: str) -> str:
    """A value for an English sentence without what the term list could not translate: a
    Chinese source's clause or aside left in Chinese ("1.5T inline four-cylinder turbocharged,
    排量1498 cc", "6-speed dual-clutch (集成电动机)") is left out, never Han characters or
    a Chinese comma in English copy; "" when nothing of it is English."""
    if not has_han(text):
        return text
    text = _ASIDE.sub(lambda m: "" if has_han(m.group()) else m.group(), text)
    kept = [c for c in _CLAUSE.split(text) if c.strip() and not has_han(c)]
    return ", ".join(c.strip() for c in kept).strip(" ,;:-")


def words(
    value: str, language: str, terms: Mapping[str, str], *, units: Mapping[str, str] | None = None
) -> str:
    """A word value as written, its layout tidied ("6 - speed" → "6-speed", a tyre size
    "205 / 65 R16" → "205/65 R16", a gloss that repeats its word dropped) and a data set's
    gearbox codes spelled out ("Man-6" → "6-speed manual" / "6速手动"); in Chinese translated
    by the term list when every word of it has a translation ("7-speed dual-clutch" →
    "7速双离合") or is a code ("GDi", "U2"), else kept as written (a half-translated "1.5 L
    turbo + 纯电 motor" reads worse than the English name); a figure's unit in Chinese by
    `units` ("排量1498 cc" → "排量1498毫升"), its punctuation full-width beside Chinese."""
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
    text = _chinese_units(text, units or {})
    if not re.search(r"[A-Za-z]", text):
        return _chinese_clauses(_unglossed(text))
    translated = re.sub(r"(?i)(\d+)-speed\b\s*", r"\1速", text)  # "6-speed manual" → "6速手动"
    translated = LAYOUT.sub(r"直列\1缸", translated)  # "inline-4" → "直列4缸", as figures read it
    translated = re.sub(r"(?i)(\d+)-cylinders?\b\s*", r"\1缸", translated)  # "4-cylinder" → "4缸"
    # a displacement: "1.5-litre turbocharged" → "1.5升涡轮增压"
    translated = re.sub(r"(?i)(\d+(?:\.\d+)?)[- ]?(?:litres?|liters?|l)\b\s*", r"\1升", translated)
    for word, chinese in sorted(terms.items(), key=lambda item: -len(item[0])):
        translated = re.sub(rf"(?i)(?<![a-z]){re.escape(word)}(?![a-z])", chinese, translated)
    left = re.findall(r"[A-Za-z][A-Za-z0-9-]*", translated)
    if any(re.search(r"[A-Za-z]{2,}", w) and not _CODE.fullmatch(w) for w in left):
        return _chinese_clauses(text)
    # no space beside a Chinese character; two codes keep theirs ("U2 CRDi")
    tight = re.sub(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+", "", translated)
    return _chinese_clauses(_unglossed(tight))


def _chinese_units(text: str, units: Mapping[str, str]) -> str:
    """A figure's Latin unit in Chinese by the unit table ("1498 cc" → "1498毫升"), when the
    text around it is Chinese (an English engine name keeps its "1.5 L")."""
    if not has_han(text):
        return text
    for symbol in sorted((u for u in units if u.isascii() and u.isalpha()), key=len, reverse=True):
        if not has_han(units[symbol]):
            continue
        pattern = rf"(?<=\d)\s*{re.escape(symbol)}(?![A-Za-z])"
        text = re.sub(pattern, units[symbol], text)
    return text


def _chinese_clauses(text: str) -> str:
    """Chinese punctuation beside Chinese text: a comma, a semicolon or a colon full-width
    (not a thousands comma), brackets round Chinese full-width, no space after any; a clause
    that is only a count said as what it gives ("，5座" → "，可坐5人")."""
    if not has_han(text):
        return text
    text = re.sub(r"(?<!\d),|,(?!\d)", "，", text)
    text = text.replace(";", "；").replace(":", "：")
    text = re.sub(
        r"\(([^()]*)\)",
        lambda m: f"（{m.group(1)}）" if has_han(m.group(1)) else m.group(),
        text,
    )
    text = re.sub(r"\s*([，；：（）])\s*", r"\1", text)
    pattern, said = _COUNT_CLAUSES["zh"]
    return pattern.sub(said, text)


# A tyre size: "205 / 65 R16", "P235/65R17".
_TYRE = re.compile(r"(?<![\d.])(\d{3})\s*/\s*(\d{2})\s*([A-Z]{0,2}R)\s*(\d{2})(?!\d)")
# A code a Chinese text keeps in Latin letters: an engine's ("GDi", "CRDi", "VGT", "U2",
# "VR35DDTT"), a gearbox's ("CVT", "DCT"): capitals after its first letter, or letters and digits.
_CODE = re.compile(r"[A-Za-z]*[A-Z][A-Za-z]*[A-Z][A-Za-z0-9]*|[A-Za-z]+\d[A-Za-z0-9]*|[A-Z]{2,}")
_GLOSS = re.compile(r"(\S+?)\s*[(（]\s*\1\s*[)）]")


def _unglossed(text: str) -> str:
    """ "前驱(前驱)" → "前驱": a word and its translated gloss that came out the same."""
    return _GLOSS.sub(r"\1", text)
