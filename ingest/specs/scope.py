"""Which car each part of a section is about (the document's own car: `doc_car`).

Inside a section, a short line naming one car ("东风日产全新劲客", "五菱 NanoEV") starts that
car's part of the text; in a document about several cars, a line naming only a make starts a
part whose car is unknown, and no fact is taken there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.document import Section
from ingest.specs.cars import CarIndex, Hit
from ingest.specs.leads import lead_trims, unknown_posts
from ingest.specs.numbers import fold
from ingest.specs.subheads import TITLE_END, heading_sub_model, heading_trim, model_words
from ingest.specs.wrap import wrapped

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
    # offsets where a heading line ("**Golf R:**") or a post's lead ("2025 Sienna XLE AWD, …")
    # starts a car's sub-model or trim, or ends one
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
    named = {h.car for h in hits}
    if base is None and doc_car.multi and len(named) == 1 and None not in named:
        scope.changes.append((hits[0].start, hits[0].car))  # a section of one car's prose: its
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
    return _with_leads(scope, section.text, hits)


def _with_leads(scope: Scope, text: str, hits: list[Hit]) -> Scope:
    """`scope` with the trims posts' and paragraphs' leads name ("2025 Toyota Sienna XLE AWD,
    …"), and no car over a post whose lead names a car no file knows ("a Kia Carnival SX")."""
    leads = lead_trims(text, hits)
    if leads:
        scope.sub_changes = sorted([*scope.sub_changes, *leads], key=lambda c: c[0])
    for start, end in unknown_posts(text, hits):
        back = scope.car_at(end)
        scope.changes = sorted([*scope.changes, (start, None), (end, back)], key=lambda c: c[0])
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
    r"[a-z]{1,2}\d[A-Za-z0-9]*|"  # "Emira i4", "X5 xDrive40i"
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
    designation = designation or _SUBJECT_VERB.match(text, m.end()) is not None
    return name if designation or doc_cars.names_twice(" ".join(name.split())) else None


# a word after the model that a verb follows is the sentence's subject: "The EV9 Air has …"
_SUBJECT_VERB = re.compile(r"[ \t]+(?:has|gets|adds|makes|uses|costs|offers)\b")
_DESIGNATION = re.compile(r"[A-Z]|[A-Z0-9-]{2,}|\S*\d\S*")
# a powertrain named after the model is a version of it even when named once ("Sportage Hybrid")
_POWERTRAIN = re.compile(r"Hybrid|Plug-in|PHEV|Electric|Diesel", re.IGNORECASE)
