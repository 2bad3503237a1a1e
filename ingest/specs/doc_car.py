"""The cars a whole document is about (`document_car`) and the car of a CSV row (`record_car`).

The document's car comes from its title, its `BRAND:`/`MODEL:` (or `Manufacturer:`/`Model:`)
lines, its file name, or — in an article naming several cars — the one it names far more
often than any other. A CSV row is about the car in its make/model columns.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from ingest.document import ParsedDocument, Section
from ingest.specs.cars import CarIndex, _year, slug
from ingest.specs.scope import DocCars
from ingest.specs.subheads import TITLE_END
from ingest.specs.taught import zh_model_fields
from ingest.specs.taught_en import model_fields

_META = re.compile(
    r"^[ \t]*(?:[-*]\s+)?(?P<key>brand|make|manufacturer|model|car)(?:\s*\([^)\n]*\))?[ \t]*[:：]"
    r"[ \t]*(?P<value>[^\n]{1,60}?)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)


# a title's year that dates the piece, not a model: "… SUVs of 2026", "(December 2026)",
# "WINTER 2026"
_DATED = re.compile(
    r"(?i)\b(?:of|in|winter|spring|summer|autumn|fall|(?:jan|febr)uary|march|april|may|june|july|august|september|october|"
    r"november|december)\s+(?:19|20)\d\d\b"
)


def document_car(index: CarIndex, doc: ParsedDocument) -> DocCars:
    found = DocCars(year="" if _DATED.search(doc.title) else _year(doc.title))
    if doc.file_type == "csv":
        found.multi = True
        return found
    headings = dict.fromkeys(h for section in doc.sections for h in section.heading_path)
    found.parts = [*headings, *(section.text for section in doc.sections)]
    front = _front_matter(doc)
    if front.get("year") and not found.year:
        found.year = front["year"]
    front_car = _front_car(index, front)
    candidates = [index.from_title(doc.title), front_car, _meta_car(index, doc)]
    candidates.append(_field_car(index, doc))
    stem = index.from_title(Path(doc.source).stem.replace("_", " "))
    if stem is not None and len({h.car for h in index.find(doc.title) if h.car}) > 1:
        # a title naming two cars ("一台大众ID.3、一台吉利博越"): a file name naming one of
        # them is the document's car only when the text names it far more than the other
        stem = stem if _dominant(_counts(index, doc, DocCars())) == stem[0] else None
    candidates.append(stem)
    for candidate in candidates:
        if candidate is not None:
            car_id, name, year = candidate
            found.car, found.names[car_id] = car_id, name
            return found
    counts = _counts(index, doc, found)
    found.car = _dominant(counts)
    found.multi = len(counts) > 1
    if not counts:
        _titled_car(doc, found)
    return found


def _counts(index: CarIndex, doc: ParsedDocument, found: DocCars) -> Counter[str]:
    """How often the document names each car (its title's and a post's #topic#'s twice)."""
    counts: Counter[str] = Counter()
    for section in doc.sections:
        topics = [m.span() for m in _TOPIC.finditer(section.text)]
        for hit in index.find(section.text):
            if hit.car:
                counts[hit.car] += 1 + any(a <= hit.start < b for a, b in topics)
                found.names[hit.car] = hit.name
    for hit in index.find(doc.title):
        if hit.car:
            counts[hit.car] += 2
            found.names[hit.car] = hit.name
    return counts


# "#比亚迪唐DM-i# 新款正式上市": a post's topic names what it is about, as a title does
_TOPIC = re.compile(r"#[^#\s]{2,24}#")


def _dominant(counts: Counter[str]) -> str | None:
    """The car named at least three times and twice as often as any other, if one is."""
    top = counts.most_common(2)
    if top and top[0][1] >= 3 and (len(top) == 1 or top[0][1] >= 2 * top[1][1]):
        return top[0][0]
    return None


def _front_car(index: CarIndex, front: dict[str, str]) -> tuple[str, str, str] | None:
    if front.get("brand") and front.get("model"):
        return (*index.car(front["brand"], front["model"]), "")
    if front.get("model"):  # "model: Aurora X5": a known car named in it, or that name
        return index.from_title(front["model"]) or _named_model(front["model"])
    return None


def _named_model(name: str) -> tuple[str, str, str] | None:
    """A model of no known make given whole ("Aurora X5"): its slug, if it is a name."""
    car_id = slug(name)
    if not car_id or not 1 < len(name.split()) <= 4 or not name[0].isupper():
        return None
    return car_id, name, ""


# A title's car name ends where its description starts: "Lumen E2 - Technical
# Specifications", "Aurora X5 Specifications", "子午线S（Meridian S）参数配置详解".
_LATIN_IN_PARENS = re.compile(r"[(（]\s*([A-Za-z][A-Za-z0-9 .\-]{1,40}?)\s*[)）]")
_TITLE_REPEATS = 3  # times a name must recur in the text to be the document's car
# What marks a word of a make-less title as a model's name: a digit, a hyphen, a capital
# inside it ("Aurora X5", "Lumen E2"; a single letter too: "Meridian S").
_NAME_MARK = re.compile(r"\d|-|(?<=\w)[A-Z]")


def _field_car(index: CarIndex, doc: ParsedDocument) -> tuple[str, str, str] | None:
    """The car a form's one model field names ("YEAR/MAKE/MODEL ..... 2025 SUBARU OUTBACK")."""
    texts = [s.text for s in doc.sections if s.kind != "record"]
    fields = set(model_fields(texts)) or set(zh_model_fields(texts))  # "| 品牌型号 | 丰田锋兰达 |"
    return index.from_title(fields.pop()) if len(fields) == 1 else None


def _titled_car(doc: ParsedDocument, found: DocCars) -> None:
    """A car of no known make: the name a title starts with, when the text keeps using it
    (a Latin name in brackets wins, "子午线S（Meridian S）": the id needs Latin letters)."""
    title = doc.title.strip()
    head = TITLE_END.split(title, maxsplit=1)[0].strip()
    latin = _LATIN_IN_PARENS.search(title)
    body = "\n".join(section.text for section in doc.sections).casefold()
    if latin is not None:
        name, other = latin.group(1).strip(), head
        recurs = body.count(name.casefold()) + body.count(other.casefold()) >= _TITLE_REPEATS
    else:
        name, other = head, ""
        recurs = body.count(name.casefold()) >= _TITLE_REPEATS
    car_id = slug(name)
    words = name.split()
    if not recurs or not car_id or not 1 <= len(words) <= 4 or not name[0].isupper():
        return
    if not any(_NAME_MARK.search(word) or len(word) == 1 for word in words):
        return  # "Fuel Economy Guide Database files": words, not a model's name
    found.car, found.names[car_id] = car_id, name
    if other and other != name:
        found.aliases.setdefault(car_id, set()).add(other)


def _front_matter(doc: ParsedDocument) -> dict[str, str]:
    """`brand`, `model` and `year` from the document's own metadata (Markdown front matter)."""
    meta = doc.metadata
    found = {
        "brand": meta.get("brand") or meta.get("make") or meta.get("manufacturer") or "",
        "model": meta.get("model") or "",
        "year": meta.get("year") or meta.get("model_year") or "",
    }
    return {key: value for key, value in found.items() if value}


def _meta_car(index: CarIndex, doc: ParsedDocument) -> tuple[str, str, str] | None:
    for section in doc.sections[:3]:
        meta = {
            m.group("key").lower(): m.group("value").strip() for m in _META.finditer(section.text)
        }
        make = meta.get("brand") or meta.get("manufacturer") or meta.get("make") or ""
        found = _front_car(index, {"brand": make, "model": meta.get("model") or ""})
        if found is not None:
            return found
    return None


def record_car(index: CarIndex, section: Section) -> tuple[str, str] | None:
    """The car of a CSV row: its make and model columns (EPA writes "ACURA ILX" as Model)."""
    meta: dict[str, str] = {}
    for m in _META.finditer(section.text):
        meta.setdefault(m.group("key").lower(), m.group("value").strip())
    make = meta.get("manufacturer") or meta.get("brand") or meta.get("make")
    model = meta.get("model") or meta.get("car")  # a "car" column: make and model in one
    if model is None:  # a Chinese list's row: "品牌: 长安", "车型: Lumin"
        zh = {m.group("key"): m.group("value").strip() for m in _ZH_META.finditer(section.text)}
        make, model = zh.get("品牌") or make, zh.get("车型") or zh.get("车系")
    return _record_car(index, make, model)


_ZH_META = re.compile(
    r"^[ \t]*(?P<key>品牌|车型|车系)[ \t]*[:：][ \t]*(?P<value>[^\n]{1,30}?)[ \t]*$", re.MULTILINE
)
_RECORD_CARS: dict[tuple[int, str | None, str | None], tuple[str, str] | None] = {}


def _record_car(index: CarIndex, make: str | None, model: str | None) -> tuple[str, str] | None:
    key = (id(index), make, model)
    if key not in _RECORD_CARS:
        if len(_RECORD_CARS) > 50_000:
            _RECORD_CARS.clear()
        _RECORD_CARS[key] = _resolve(index, make, model)
    return _RECORD_CARS[key]


def _resolve(index: CarIndex, make: str | None, model: str | None) -> tuple[str, str] | None:
    if not model:
        return None
    if make and index.brand_of(make) is None and len(make.split()) > 1:
        make = None  # Cars93's "Make" column is the full name: Manufacturer wins
    if not make:
        hits = index.find(model)
        if hits and hits[0].start == 0:
            if hits[0].car:
                return hits[0].car, hits[0].name
            make, model = model[: hits[0].end], model[hits[0].end :].strip()
        else:
            return None
    if not model:
        return None
    return index.car(make, model)
