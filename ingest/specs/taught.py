"""Cars a document names that no alias file lists (`taught_index`).

A known make (`data/specs/cars.toml`'s brands, Chinese or English) right before a model
name in the document's title, a heading or a short heading-like line ("<strong>吉利星越L
</strong>"), or before the same model name twice in its prose, names a car. Where the name
ends is read from its shape, not from a list of words that follow it:

- a Latin or digit model code: "SU7", "L7", "C10", "Model 3", "Han EV" (words after the
  first only while they are codes: a digit, capitals, a single letter). A plain word must be
  glued to the make ("理想MEGA"): in English the next word after a make is as often a verb;
  a bare number is no name where a counter follows it ("2023年"); "2024款" is a model year;
- Chinese characters with a code after them: "星越L", "途观L", "宋PLUS";
- Chinese characters alone: where the document's repeats of the run after the make stop
  agreeing (a statistical word boundary): the shortest start of it that recurs more often
  than it does with its next character, followed by differing text ("海豹" recurs as
  "海豹的", "海豹搭载", "海豹正式上市"; "海豹正式上市" at most as the lead repeating the
  title); or a heading line's whole rest ("<strong>比亚迪海豹</strong>", "吉利帝豪：上市")
  when the document repeats it. At least two characters, never running into another make.

A run that starts with what follows makes in any news text rather than a model (the maker's
organisation: "大众汽车", "比亚迪旗下"; grammar: "丰田的"; a news verb: "小米发布") names no
car. Each car found gets the id `CarIndex.car` gives an unlisted car ("byd-海豹") and, for
this document, its model name alone as an alias ("海豹", "SU7"): later sentences and
sections using the short name are that car's.

Prose naming a make and model once ("作为对比，问界M5的轴距为…"), with no repeat of the code
alone, names a car in passing: no car of the document and no facts, but the figure after its
name is not the document's car's either; it matches only with its make written. A name that
starts, or is started by, a listed car of the same make the text names ("吉利帝豪" beside
"帝豪L") is that car.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cached_property
from pathlib import Path

from ingest.analysis import HAN
from ingest.document import ParsedDocument
from ingest.specs.cars import GAP, CarIndex, with_models
from ingest.specs.lead_cars import coded_car, lead_cars
from ingest.specs.line_cars import chinese_lines, english_lines, superseded
from ingest.specs.model_column import column_cars, header_cars
from ingest.specs.numbers import fold
from ingest.specs.taught_en import EnglishWhole, as_written, english_named, model_fields

_HEADING_LINE = 30  # a line this short with no sentence in it is a heading
_SENTENCE = re.compile(r"[，。！？,;；!?]")
_CJK_RUN = re.compile(f"[{HAN}]+")
_LONGEST = 6  # Chinese characters a model name has at most
# one word of a Latin model code, and the words that continue it: codes, not English words
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9+.]*(?:-[A-Za-z0-9+.]+)*")
_CODE_MORE = re.compile(r" (?:[A-Za-z]*\d[A-Za-z0-9+.-]*|[A-Z][A-Z0-9+.-]*[a-z]?)(?![A-Za-z0-9])")
_CODE_MAX = 24  # "Model S Plaid", "ID.4 CROZZ", "e-POWER": a model code is short
_MARKED = re.compile(r"\d|-|(?<=[a-z])[A-Z]|\s")  # a digit, hyphen, inner capital, two words
_QUOTE = re.compile(r"[“\"「『《]")
_LATIN = re.compile(r"[A-Za-z0-9]")
_LINE_END = re.compile(r"\s*(?:[:：]|$)")  # a heading line's name ends at its end or colon
_YEAR_MODEL = re.compile(r"(?:19|20)\d\d\s*款")
# a form's field naming the car's make and model: "| 品牌型号 | 丰田锋兰达 2023款 |", "车型：…",
# "中标品牌型号：…" (a short qualifier before the longer labels)
_ZH_MODEL_FIELD = re.compile(
    r"^[ \t|*]*(?:[\u4e00-\u9fff]{0,4}?(?:品牌型号|厂牌型号|车辆型号|车型名称|品牌车型)"
    r"|车辆名称|车型)[ \t*]*[|:：][ \t]*"
    r"(?P<v>[^|\n]{2,40})",
    re.MULTILINE,
)
# an engine's size after a model's code is no part of its name ("艾瑞泽8 2.0T")
_ENGINE_SIZE = re.compile(r" \d\.\d\s*[TL]?")  # "2024款海豹": the model year, then the name
# a counter or unit after a number: a quantity, not a model ("2023年", "30万辆")
_COUNTER = re.compile(r"\s*[年月日号款万千百亿元辆台家个位名座门项代次倍%]")
# What follows a make in news text without naming a model: the maker's organisation and
# business, the verbs news uses of a make, and grammar. Words, not the end of a name.
_NOT_NAMES = (
    "汽车",
    "集团",
    "品牌",
    "公司",
    "旗下",
    "官方",
    "中国",
    "全球",
    "股份",
    "控股",
    "工厂",
    "展台",
    "车展",
    "家族",
    "车型",
    "新车",
    "车主",
    "销量",
    "销售",
    "门店",
    "新能源",
    "纯电",
    "电动",
    "混动",
    "系列",
    "发布",
    "推出",
    "上市",
    "亮相",
    "宣布",
    "正式",
    "首发",
    "预售",
    "公布",
    "官宣",
    "开启",
    "迎来",
    "今年",
    "近日",
    "日前",
    "首款",
    "董事",
    "总裁",
    "创始",
)
# the same in Latin letters: a make's officers, a body type, its app ("特斯拉CEO")
_NOT_CODES = frozenset({"CEO", "CTO", "CFO", "COO", "VP", "SUV", "MPV", "APP", "OTA", "AI"})
# A powertrain after a model's name is a version of that model, not part of its name:
# "比亚迪汉EV", "唐DM-i", "宋PLUS DM-i" are the 汉, the 唐 and the 宋PLUS
_POWERTRAIN = re.compile(r"(?:EV|PHEV|HEV|REEV|EREV|DM-?[ip]?|DMi|DMp|e)(?![A-Za-z0-9])", re.I)
# What a make's technology is called, not a car: "比亚迪刀片电池", "吉利雷神混动系统",
# "长城柠檬平台"
_TECH_END = (
    "电池",
    "技术",
    "平台",
    "系统",
    "架构",
    "芯片",
    "电机",
    "电驱",
    "发动机",
    "变速箱",
    "混动",
    "底盘",
    "座舱",
    "智驾",
    "超充",
    "充电桩",
    "工厂",
    "基地",
    "专利",
)
_GRAMMAR = frozenset("的了和与及在将也都就又还已把被对向从为是等或并而于以让给这那该其之首")


def taught_index(
    index: CarIndex, doc: ParsedDocument
) -> tuple[CarIndex, dict[str, set[str]], set[str]]:
    """`index`, plus the cars `doc` names that it does not know (a copy, for this document
    only); the names the document gives each of them ("比亚迪海豹", "海豹"); and the cars
    its prose names only once in passing ("作为对比，问界M5的轴距为…"): no car of the
    document, but what is said right after their name is not the document's car's either."""
    if doc.file_type == "csv":
        return index, {}, set()
    title = fold(doc.title)
    headings = [fold(h) for h in dict.fromkeys(h for s in doc.sections for h in s.heading_path)]
    texts = [fold(section.text) for section in doc.sections if section.kind != "record"]
    whole = _Whole("\n".join([title, *headings, *texts]))
    lines = [line for text in texts for line in text.split("\n") if _heading_like(line)]
    lines += [_SENTENCE.split(v)[0] for v in zh_model_fields(texts)]  # "中标品牌型号：红旗…，…"
    named = _heading_cars(index, doc, title, (headings, lines), texts, whole)
    repeated: Counter[tuple[str, str]] = Counter()
    known: set[str] = set()  # the listed cars the prose names
    once: dict[tuple[str, str], str] = {}
    for text in texts:
        for brand, make, name in _named(index, text, whole, known=known):
            repeated[brand, name] += 1
            once.setdefault((brand, name), make)
    for (brand, name), make in once.items():
        # repeated after its make, or a model code the text repeats alone ("星越L")
        if repeated[brand, name] > 1 or (_LATIN.search(name) and whole.count(name) > 1):
            named.setdefault((brand, name), make)
    # the gazetteer's lines written without their make (`line_cars`)
    lined = chinese_lines(index, [title, *headings, *lines])
    for key in superseded(lined, [*named, *once]):  # "旅行" read by shape: the line's "旅行者"
        named.pop(key, None), once.pop(key, None)
    for brand, make, name in [
        *english_lines(index, [title, *headings], texts, whole.english),
        *lined,
        *column_cars(index, [title, *texts]),  # "| Model | Power |" over "| Kylaq | 120PS |"
        *header_cars(index, texts),  # "| Parameter | Renault Kiger RXT | Nissan Magnite XV |"
    ]:
        named.setdefault((brand, name), make)
    models: list[tuple[str, str, list[str]]] = []
    passing_models: list[tuple[str, str, list[str]]] = []
    names: dict[str, set[str]] = {}
    for (brand, name), make in [*named.items(), *once.items()]:
        car_id, _ = index.car(make, name)
        if car_id in index.model_names or car_id in names or not car_id:
            continue  # a listed car after all ("宏光MINI EV" of 五菱), or one seen already
        if _shortened(index, known, brand, name):
            continue  # "吉利帝豪" in a text about the 帝豪L: that car
        # a car in passing is one only where its make is written before it
        (models if (brand, name) in named else passing_models).append((car_id, make, [name]))
        joined = f"{make}{name}" if not make[-1].isascii() else f"{make} {name}"
        names[car_id] = {name, joined}
    index = with_models(with_models(index, models), passing_models, alone=False)
    return index, names, {car_id for car_id, _, _ in passing_models}


def _heading_cars(
    index: CarIndex,
    doc: ParsedDocument,
    title: str,
    headings_lines: tuple[list[str], list[str]],
    texts: list[str],
    whole: _Whole,
) -> dict[tuple[str, str], str]:
    """(brand, model name) → make as written, of the cars the title, headings and heading-like
    lines of `texts` name; an English document's from its title, else its file name, else
    what its headings and prose write twice."""
    headings, lines = headings_lines
    named: dict[tuple[str, str], str] = {}
    for place in [title, *headings, *lines]:
        # English prose and headings name rivals and features too: only the title is read
        english = place is title
        for brand, make, name in _named(index, place, whole, line=not english, english=english):
            named.setdefault((brand, name), make)
    for brand, make, name in lead_cars(index, headings, texts, whole.english):
        named.setdefault((brand, name), make)
    if not named:  # a form's model field ("YEAR/MAKE/MODEL ..... 2025 SUBARU OUTBACK")
        named = _field_cars(index, texts, whole)
    if named or any(hit.car for hit in index.find(title)):
        return named  # else the title names no car: its file name ("kia_ev9_kit") may
    stem = as_written(Path(doc.source).stem.replace("_", " "), whole.english)
    for brand, make, name in _named(index, stem, whole, english=True):
        named.setdefault((brand, name), make)
    titled = any(hit.car for hit in index.find(f"{title}\n{stem}"))
    if not named and not titled and not doc.metadata.get("model"):  # front matter: its car
        # an English title naming no model ("Subaru unveils the new Outback"): a make and
        # model its headings and prose write at least twice, or write once and the model
        # again alone ("## Lot 112 — 2023 Lotus Emira V6" … "The Emira"); an email's header
        # record counts ("Subject: … Fronx, Exter and Punch")
        records = [fold(s.text) for s in doc.sections if s.kind == "record"]
        named.update(_english_repeated(index, [*headings, *texts], whole, records))
    if not named and (coded := coded_car(index, [title, *headings, *texts])) is not None:
        brand, make, code = coded  # "Mazda lists …", "Every MX-5 …": the make's car of that code
        named[brand, code] = make
    return named


def _field_cars(index: CarIndex, texts: list[str], whole: _Whole) -> dict[tuple[str, str], str]:
    """The cars a form's model field names ("YEAR/MAKE/MODEL ..... 2025 SUBARU OUTBACK",
    "| 品牌型号 | 丰田锋兰达 2023款 … |")."""
    named: dict[tuple[str, str], str] = {}
    for field in model_fields(texts):
        for brand, make, name in _named(index, field, whole, english=field.isascii()):
            named.setdefault((brand, name), make)
    for field in zh_model_fields(texts):
        for brand, make, name in _named(index, field, whole, line=True):
            named.setdefault((brand, name), make)
    return named


def zh_model_fields(texts: list[str]) -> list[str]:
    """The values of a Chinese form's field naming the car ("| 品牌型号 | 丰田锋兰达 2023款 …
    |", an appraisal's or a listing's)."""
    return [m.group("v").strip() for text in texts for m in _ZH_MODEL_FIELD.finditer(text)]


def _english_repeated(
    index: CarIndex, texts: list[str], whole: _Whole, records: list[str]
) -> dict[tuple[str, str], str]:
    """(brand, model) → make of the makes and models English `texts` write twice, or,
    where they name no listed car, once with the model written again (capitalised, alone or
    in a header `records` holds): a deal's heading in capitals ("DEAL 2: HYUNDAI EXTER SX")."""
    seen: Counter[tuple[str, str]] = Counter()
    makes: dict[tuple[str, str], str] = {}
    spelt: dict[tuple[str, str], str] = {}  # a model as written, capitals of a heading last
    full = EnglishWhole(_Whole("\n".join([whole.text, *records]))) if records else whole.english
    known: set[str] = set()  # a listed car named: the document's cars are found, not these
    for text in texts:
        if text.isascii():
            for brand, make, name in english_named(index, text, full, known):
                key = brand, name.casefold()
                seen[key] += 1
                makes.setdefault(key, make)
                if key not in spelt or spelt[key].isupper():
                    spelt[key] = name
    return {
        (key[0], spelt[key]): makes[key]
        for key, n in seen.items()
        if n >= 2
        or not known
        and (re.search("[A-Za-z]", key[1]) and full.capitalised(spelt[key]) >= 2)
    }


class _Whole:
    """The document's text, for how often a name recurs and how."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._counts: dict[str, int] = {}  # each name is counted once: a long document
        self._varied: dict[str, bool] = {}  # names a make many times, the same names each time

    @cached_property
    def english(self) -> EnglishWhole:
        """The same text for English names (built when a document has English to read)."""
        return EnglishWhole(self)

    def count(self, name: str) -> int:
        if name not in self._counts:
            self._counts[name] = self.text.count(name)
        return self._counts[name]

    def varied(self, name: str) -> bool:
        """Whether the text after `name` differs between its repeats (a word ends there)."""
        if name not in self._varied:
            self._varied[name] = self._differs_after(name)
        return self._varied[name]

    def _differs_after(self, name: str) -> bool:
        after: set[str] = set()
        at = self.text.find(name)
        while at >= 0 and len(after) < 2:
            after.add(self.text[at + len(name) : at + len(name) + 1])
            at = self.text.find(name, at + 1)
        return len(after) > 1


def _heading_like(line: str) -> bool:
    stripped = line.strip()
    return 0 < len(stripped) <= _HEADING_LINE and _SENTENCE.search(stripped) is None


def _shortened(index: CarIndex, known: set[str], brand: str, name: str) -> bool:
    """Whether `name` starts a name of a listed car of `brand` that the text names, or one
    starts it: the same car, written shorter or longer."""
    name = name.casefold()
    return any(
        alias.casefold().startswith(name) or name.startswith(alias.casefold())
        for car in known
        if index.model_brand.get(car) == brand
        for alias in index.model_display.get(car, ())
    )


def _named(
    index: CarIndex,
    text: str,
    whole: _Whole,
    *,
    line: bool = False,
    known: set[str] | None = None,
    english: bool = False,
) -> list[tuple[str, str, str]]:
    """(brand id, make as written, model name) of each make in `text` followed by a model
    name no alias file lists (`line`: `text` is a heading line); the listed cars it names
    go to `known`. English text is read only with `english` (the title: its prose and
    headings also name rivals and a make's technologies, "Toyota Safety Sense")."""
    out: list[tuple[str, str, str]] = []
    if text.isascii():  # English names its models its own way
        return english_named(index, text, whole.english, known, title=True) if english else out
    for hit in index.find(text):
        if hit.car is not None:
            if known is not None:
                known.add(hit.car)
            continue
        make = text[hit.start : hit.end].strip()
        if make.isascii() and GAP.fullmatch(text, hit.end, hit.end + 1):
            continue  # "Hyundai MOTOR INDIA LTD": English names its models its own way
        name = _model_after(index, text, hit.end, whole, line=line)
        if name:
            out.append((hit.brand, make, name))
    return out


def _model_after(index: CarIndex, text: str, at: int, whole: _Whole, *, line: bool) -> str | None:
    """The model name right after a make ending at `at`, by its shape; None if none."""
    gap = GAP.match(text, at)
    start = gap.end() if gap else at
    if start - at > 4:
        return None
    year = _YEAR_MODEL.match(text, start)
    start = year.end() if year else start
    quoted = _QUOTE.match(text, start)  # 比亚迪“海豹”
    start = quoted.end() if quoted else start
    code = _code(text, start, glued=start == at)
    if code:
        return None if code.upper() in _NOT_CODES else code
    run = _CJK_RUN.match(text, start)
    if run is None:
        return None
    chars = run.group()[:_LONGEST]
    other = [s for s, _, _ in index.brand_names_scan.scan(chars)] if index.brand_names_scan else []
    chars = chars[: min(other, default=len(chars))]  # "比亚迪旗下腾势": not into another make
    said = text[at:start].strip() + chars  # "新能源" is no "新" + "能源"
    if not chars or said.startswith(_NOT_NAMES) or chars[0] in _GRAMMAR:
        return None
    end = start + len(chars)
    if end == run.end():  # "星越L": Chinese characters, then a code glued to them
        tail = _code(text, end, glued=True, tail=True)
        for name in (chars + tail, chars + tail.split()[0]) if tail else ():
            if whole.count(name) >= 2:
                # "汉EV", "唐DM-i": one character is a name when a powertrain follows it
                return chars if _POWERTRAIN.fullmatch(name[len(chars) :]) else name
    found = _chinese_name(text, start, end, chars, whole, line=line)
    if found is None or found.endswith(_TECH_END) or chars[len(found) :].startswith(_TECH_END):
        return None  # "比亚迪刀片电池": a technology the make names, not a car
    return found


def _chinese_name(
    text: str, start: int, end: int, chars: str, whole: _Whole, *, line: bool
) -> str | None:
    """The model name a run of Chinese characters after a make starts with, if any."""
    for k in range(2, len(chars) + 1):  # the shortest start that recurs as a word
        name, longer = chars[:k], text[start : start + k + 1]
        ends = len(longer) == k or not _CJK_RUN.fullmatch(longer)
        count = whole.count(name)
        if count >= 2 and (ends or count > whole.count(longer)) and whole.varied(name):
            return name
    # a heading line that is the make and the name only ("比亚迪海豹", "吉利帝豪：上市"); a
    # name of one character ("## 比亚迪汉") when the document says it a few times more
    if line and _LINE_END.match(text, end) and whole.count(chars) >= (2 if len(chars) > 1 else 4):
        return chars
    return None


def _code(text: str, start: int, *, glued: bool, tail: bool = False) -> str | None:
    """A Latin or digit model code at `start` ("SU7", "Model 3", "e-POWER"), if one is
    (`tail`: after a model's Chinese characters, where one letter is one: "星越L")."""
    m = _CODE.match(text, start)
    if m is None or (m.end() < len(text) and text[m.end()].isascii() and text[m.end()].isalnum()):
        return None
    end = m.end()
    while (
        (more := _CODE_MORE.match(text, end))
        and not (more.group().strip().isdigit() and _COUNTER.match(text, more.end()))
        and not _ENGINE_SIZE.fullmatch(more.group())
    ):  # "腾势N7 12月限时促销": a date after the name, no word of it; "艾瑞泽8 2.0T": a size
        end = more.end()
    code = text[start:end].rstrip(".")
    if len(code) > _CODE_MAX:
        return None  # a run of letters, not a model's code (and no id the API could serve)
    if code.isdigit() and (_COUNTER.match(text, start + len(code)) or len(code) == 4):
        return None  # "2023年", "30万辆", a year
    if not _MARKED.search(code) and not (glued and (len(code) > 1 or tail)):
        return None  # a plain word after an English make: "Tesla has"
    return code
