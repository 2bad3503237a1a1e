"""Which car each part of a document is about.

The document's car comes from its title, its `BRAND:`/`MODEL:` (or `Manufacturer:`/`Model:`)
lines, its file name, or — in an article naming several cars — the one it names far more
often than any other. A CSV row is about the car in its make/model columns. Inside a section,
a short line naming one car ("东风日产全新劲客", "五菱 NanoEV") starts that car's part of the
text; in a document about several cars, a line naming only a make starts a part whose car is
unknown, and no fact is taken there.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ingest.document import ParsedDocument, Section
from ingest.specs.cars import CarIndex, Hit, _year, slug
from ingest.specs.numbers import fold
from ingest.specs.subheads import TITLE_END, heading_sub_model, heading_trim, model_words
from ingest.specs.taught import zh_model_fields
from ingest.specs.taught_en import model_fields
from ingest.specs.wrap import wrapped

_META = re.compile(
    r"^[ \t]*(?:[-*]\s+)?(?P<key>brand|make|manufacturer|model|car)(?:\s*\([^)\n]*\))?[ \t]*[:：]"
    r"[ \t]*(?P<value>[^\n]{1,60}?)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_HEADING_LINE = 30  # a line this short naming a car is a heading for it
_SHOUTED = re.compile(r"[A-Z0-9 \t:;.,+&/()'—–-]{31,60}").fullmatch  # or "DEAL 3: TATA …"
_SENTENCE_MARK = re.compile(r"[，。！？,;；!?]|\d\s*(?:万|mm|kw|ps|nm)", re.IGNORECASE)
# "【腾势D9】…": a line that opens with a bracketed name (a car's, when one is named in it)
_BRACKET_HEAD = re.compile(r"[ \t]*[【\[][^】\]\n]{1,24}[】\]]")
# a digest's numbered block header ("【二、岚图梦想家：…】")
_NUMBERED = re.compile(r"[ \t]*[【\[][一二三四五六七八九十\d]{1,3}[、.．]")
# a short line that starts with a car's name and a colon heads its part even with a figure
# in it ("极氪7X：售价22.99万元起")
_NAME_COLON = re.compile(r"\s*[:：]")


@dataclass(slots=True)
class Scope:
    """Offsets where the car of a section's text changes: [(offset, car id or None)]."""

    changes: list[tuple[int, str | None]] = field(default_factory=list)
    sub_models: dict[str, str] = field(default_factory=dict)  # car id → "RAV4 Prime"
    # offsets where a heading line ("**Golf R:**") starts a car's sub-model, or ends one
    sub_changes: list[tuple[int, str, str | None]] = field(default_factory=list)

    def variant_of(
        self, car: str, variant: str | None, at: int, named: str | None = None
    ) -> str | None:
        """`variant` within the sub-model its sentence (`named`), else the heading line above
        `at`, else the section's heading names for `car`, if any."""
        sub = named or self._sub_at(car, at) or self.sub_models.get(car)
        if sub is None or (variant and sub.casefold() in variant.casefold()):
            return variant
        return f"{sub} {variant}" if variant else sub

    def _sub_at(self, car: str, at: int) -> str | None:
        sub = None
        for start, of, name in self.sub_changes:
            if start > at:
                break
            if of == car:
                sub = name
        return sub

    def car_at(self, offset: int) -> str | None:
        car = None
        for start, value in self.changes:
            if start > offset:
                break
            car = value
        return car

    def cars_between(self, start: int, end: int) -> set[str]:
        cars = {c for s, c in self.changes if start <= s < end and c}
        before = self.car_at(start)
        return cars | ({before} if before else set())


@dataclass(slots=True)
class DocCars:
    car: str | None = None  # the document's own car, when it has one
    year: str = ""
    trim: str | None = None  # the one trim an English document is about (`one_trim`)
    names: dict[str, str] = field(default_factory=dict)  # car id → display name
    multi: bool = False  # the document is about several cars
    aliases: dict[str, set[str]] = field(default_factory=dict)  # car id → other names used
    sub_models: dict[str, set[str]] = field(default_factory=dict)  # car → "Aurora X5 Hybrid"
    parts: list[str] = field(default_factory=list)  # the document's headings and texts
    body: str | None = None  # them joined, whitespace runs made single spaces (on demand)
    recurs: dict[str, bool] = field(default_factory=dict)  # sub-model name → named twice

    def names_twice(self, name: str) -> bool:
        """Whether the document names `name` at least twice (a sub-model, not a heading's
        title-case words: "Venue Key Features")."""
        if name not in self.recurs:
            if self.body is None:
                self.body = " ".join(" ".join(self.parts).split())
            self.recurs[name] = self.body.count(name) >= 2
        return self.recurs[name]


def document_car(index: CarIndex, doc: ParsedDocument) -> DocCars:
    found = DocCars(year=_year(doc.title))
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
    return _record_car(index, make, model)


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


def section_scope(
    index: CarIndex,
    section: Section,
    doc_car: DocCars,
    record: tuple[str, str] | None,
    hits: list[Hit],
    carried: str | None = None,
) -> Scope:
    """Where each car's part of `section` starts; `carried`: the car whose part the section
    before, under the same headings, ended in (a text's blocks split by its shape)."""
    if record is not None:
        return Scope([(0, record[0])])
    base = carried or doc_car.car
    for heading in reversed(section.heading_path):
        cars = {h.car for h in index.find(heading) if h.car}
        if len(cars) == 1:
            base = cars.pop()
            break
    subs = _sub_models(index, section.heading_path, doc_car) or _named_sub_models(section, doc_car)
    scope = Scope([(0, base)], subs)
    if not hits:
        return scope
    pos = 0
    i = 0
    for line in section.text.split("\n"):
        end = pos + len(line)
        stripped = line.strip()
        while i < len(hits) and hits[i].start < pos:
            i += 1
        in_line = []
        j = i
        while j < len(hits) and hits[j].end <= end:
            in_line.append(hits[j])
            j += 1
        head = _BRACKET_HEAD.match(section.text, pos, end)
        if head is not None:  # "【腾势N7】五座中型SUV，…": a bracketed car heads its part
            in_line = [h for h in in_line if h.end <= head.end()]
        if (
            in_line
            and stripped
            and (
                head is not None
                or (len(stripped) <= _HEADING_LINE or pos and _SHOUTED(stripped))  # not a title
                and (
                    not _SENTENCE_MARK.search(fold(stripped))
                    or _NAME_COLON.match(section.text, in_line[0].end)
                    and not section.text[pos : in_line[0].start].strip()
                )
            )
        ):
            _heading_line(scope, section.text, in_line, pos, doc_car)
        elif head and not in_line and doc_car.multi and _NUMBERED.match(section.text, pos, end):
            scope.changes.append((pos, None))  # "【二、岚图梦想家：…】": a car no file lists
        pos = end + 1
    return scope


def _heading_line(scope: Scope, text: str, in_line: list[Hit], pos: int, doc_car: DocCars) -> None:
    """A short line naming one car starts its part of the text (and its sub-model's, when
    it names one: "**Golf R:**"); in a document about several cars, one naming only a make
    starts a part whose car is unknown."""
    cars = {h.car for h in in_line if h.car}
    if len(cars) == 1:
        car = cars.pop()
        subs_named = {
            heading_sub_model(text, h) or sub_model(text, h, doc_car)
            for h in in_line
            if h.car == car
        }
        if len(subs_named) == 1:
            scope.sub_changes.append((pos, car, subs_named.pop()))
        if doc_car.multi or car != doc_car.car:
            scope.changes.append((pos, car))
            doc_car.names.setdefault(car, next(h.name for h in in_line if h.car == car))
    elif doc_car.multi and doc_car.car is None:
        scope.changes.append((pos, None))


# "What is the RAV4 Prime and how does it differ…", "G3i 460G": a capitalised word or a model
# code right after a car's name makes a sub-model of it, unless it says what the text is
# ("RAV4 Specifications")
# a version's number after the model ("The Elroq 60 has …"), not a figure ("Elroq 60 kW")
_UNIT_WORD = (
    r"(?:mph|mpg|kw|kwh|hp|bhp|ps|nm|km|mi|miles?|kg|lbs?|mm|in|l|litres?|liters?|cc|"
    r"percent|per|seconds?|sec|s|x|and|or|to)\b"
)
_SUB_MODEL = re.compile(
    r"[ \t]*\n?[ \t]*(?<=\s)(?P<word>[A-Z][A-Za-z0-9-]{1,20}|(?![AI]\b)[A-Z]|"
    r"\d[A-Za-z0-9-]*[A-Za-z][A-Za-z0-9-]*|\d{2,3}(?![\d.,]|[ \t]*(?:[^\w\s]|" + _UNIT_WORD + r")))"
    r"(?![A-Za-z0-9_-])"  # "Baleno CNG_Brochure": a file name, no model word
)


def _sub_models(index: CarIndex, headings: tuple[str, ...], doc_car: DocCars) -> dict[str, str]:
    """The sub-model each car named in the section's deepest heading naming it is."""
    out: dict[str, str] = {}
    for heading in reversed(headings[1:]):  # the first is the document's title: its car
        named: dict[str, set[str]] = {}
        for hit in with_own_name(index.find(heading), heading, doc_car):
            if hit.car is not None and hit.car not in out:
                sub = heading_trim(heading, hit) or sub_model(heading, hit, doc_car)
                named.setdefault(hit.car, set()).add(sub or "")
        for car, subs in named.items():  # "" is the car itself; two: "…GTI and Golf R?"
            out[car] = subs.pop() if len(subs) == 1 else ""
    return {car: name for car, name in out.items() if name}


def with_own_name(hits: list[Hit], text: str, doc_cars: DocCars) -> list[Hit]:
    """`hits` with the places that name the document's own car when no alias file knows it
    ("Aurora X5", from its title): its sentences are about it like any known car's."""
    car = doc_cars.car
    name = doc_cars.names.get(car, "") if car else ""
    if not car or len(name) < 3 or any(h.car == car for h in hits):
        return hits
    model = name.split(maxsplit=1)[-1]  # "Taycan" of "Porsche Taycan", after its make
    pattern = re.escape(name)
    if model != name and len(model) >= 3 and any(h.brand for h in hits):
        pattern = rf"(?:{re.escape(name.split()[0])}\s+)?\b{re.escape(model)}\b"
    own = [
        Hit(m.start(), m.end(), car, name, "")
        for m in re.finditer(pattern, text, re.IGNORECASE)
        if not any(h.start < m.end() and m.start() < h.end for h in hits)
    ]
    return sorted([*hits, *own], key=lambda h: h.start) if own else hits


def _named_sub_models(section: Section, doc_car: DocCars) -> dict[str, str]:
    """ "### Hybrid system" after "… as the Aurora X5 Hybrid": a heading that names a
    sub-model the document named before by its last word is about that sub-model."""
    out: dict[str, str] = {}
    for heading in reversed(section.heading_path[1:]):  # the title is the whole document's
        words = set(re.findall(r"[\w-]+", heading.casefold()))
        for car, names in doc_car.sub_models.items():
            found = {n for n in names if n.split()[-1].casefold() in words}
            if len(found) == 1 and car not in out:
                out[car] = found.pop()
        if out:
            break
    return out


def sub_model(text: str, hit: Hit, doc_cars: DocCars) -> str | None:
    """ "RAV4 Prime" where `text` names the car of `hit` followed by a model word
    ("Toyota RAV4 Prime", "G3i 460G搭载"); None when the name stands alone. A model word is
    a designation ("GTI", "460G", "R"), or a word the document puts after the car's name
    more than once ("Prime", "Hybrid"): a title-case heading's next word is no sub-model."""
    m = _SUB_MODEL.match(text, hit.end)
    if m is None or TITLE_END.match(m.group()):
        return None
    wrap = text.find("\n", hit.end, m.start("word"))
    if wrap >= 0 and not wrapped(text, wrap):
        return None  # "Model: Lumen E2\nBody style: …": the next line's first word
    model = model_words(text, hit)  # "RAV4", "Santa Fe", or "Aurora X5" whole
    if not model:
        return None
    name = f"{model} {m.group('word')}"
    designation = _DESIGNATION.fullmatch(m.group("word")) is not None
    designation = designation or _POWERTRAIN.fullmatch(m.group("word")) is not None
    return name if designation or doc_cars.names_twice(" ".join(name.split())) else None


_DESIGNATION = re.compile(r"[A-Z]|[A-Z0-9-]{2,}|\S*\d\S*")
# a powertrain named after the model is a version of it even when named once ("Sportage Hybrid")
_POWERTRAIN = re.compile(r"Hybrid|Plug-in|PHEV|Electric|Diesel", re.IGNORECASE)
