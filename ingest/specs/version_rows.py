"""A line per version, its figures as cells (`version_rows`): "小米SU7 Pro：售价24.59万元｜
后驱单电机｜最大功率220kW｜CLTC续航830km", "理想L7 Max: 37.98万元 | 双电机四驱 | 续航 210km";
or, in Chinese, cells parted by commas after a version's name ("N7 四驱智驾版：指导价33.98万元，
本月优惠1.8万元"): there a cell counts only with a label of its own (the dealer's 优惠 is none).

The line's name is the version every cell is about: the bracket of "小米SU7（标准版）" (标准版),
else
the name without the Chinese make in front of a Latin model ("小米SU7 Pro" → "SU7 Pro"); a name
that is only the car's ("小米SU7") names no version. A cell is a label and its figure ("最大功率
220kW", "CLTC续航700km"), a bare figure whose unit names its attribute ("37.98万元"), or words
naming the drive or the gearbox ("双电机四驱", "8速手自一体"), kept whole.
"""

from __future__ import annotations

import re

from ingest.specs.counts import engine_parts
from ingest.specs.numbers import quantities
from ingest.specs.outline import names_thing
from ingest.specs.phrases import UNIT_ATTRIBUTE
from ingest.specs.shapes import Found, values_of
from ingest.specs.values import Value
from ingest.specs.vocabulary import Vocabulary

_ROW = re.compile(
    r"^[ \t]*(?:[-*•][ \t]+)?(?:\*\*)?(?P<name>[^:\n|*]{2,30}?)(?:\*\*)?[ \t]*:(?:\*\*)?[ \t]*"
    r"(?P<cells>[^\n|]+(?:\|[^\n|]+){1,12})$",
    re.MULTILINE,
)
# "D9 DM-i 945 四驱旗舰型：指导价43.98万元，本月优惠2.0万元": a Chinese version's line
_COMMA_ROW = re.compile(
    r"^[ \t]*(?:[-*•][ \t]+)?(?:\*\*)?(?P<name>[^:\n|*，,。]{2,30}?)(?:\*\*)?[ \t]*:(?:\*\*)?[ \t]*"
    r"(?P<cells>[^\n|:]+)$",
    re.MULTILINE,
)
_NUMBERED = re.compile(r"^\d{1,2}[.、)）](?!\d)\s*")  # "1. 2.4T 两驱进取版": an item's number
_COUNTING = re.compile(r"[一二两三四五六七八九十\d]+(?:个|款|种)(?:版本|车型|配置)$")
_COMMA = re.compile(r"[，,；;。]")
_ZH_VERSION_NAME = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fffA-Za-z0-9+]*(?:版本|版|车型|型)$")
# an English list item: a version's name, then its figures split by commas ("- Q4 40 e-tron:
# rear-wheel drive, 150 kW (204 PS), 310 Nm, 0-100 km/h in 8.5 s"); three cells at least
_EN_ROW = re.compile(
    r"^[ \t]*[-*•][ \t]+(?:\*\*)?(?P<name>[A-Za-z0-9][^:\n|*,]{1,30}?)(?:\*\*)?[ \t]*:"
    r"(?:\*\*)?[ \t]*(?P<cells>[^\n,;|]+(?:, [^\n,;|]+){2,12})$",
    re.MULTILINE,
)
_LABEL_IN = re.compile(r"(?P<label>\S.*?)\s+in\s+(?=\d)")  # "0-100 km/h in 8.5 s"
_BRACKET = re.compile(r"\(([^()]{1,20})\)\s*$")
_RESTATED = re.compile(r"\s*\([^()]*\)\s*$")
_LEADING_ZH = re.compile(r"^[\u4e00-\u9fff]+(?=[A-Za-z0-9])")
_DRIVE = re.compile(
    r"前驱|后驱|四驱|两驱|全驱|二驱|[24]WD|AWD|FWD|RWD|(?:front|rear|all|four)-wheel drive",
    re.IGNORECASE,
)
_GEARBOX = re.compile(
    r"变速箱|变速器|双离合|手自一体|无级变速|CVT|DCT|\d+AT\b|\d+速", re.IGNORECASE
)
_DIGIT = re.compile(r"\d")
# A bare figure's unit that names its attribute in a version's row ("37.98万元", "150kW")
_ROW_UNITS = {**UNIT_ATTRIBUTE, "CNY": "price", "kW": "power"}


def row_version(name: str) -> str | None:
    """The version a row's name names, or None when it names only the car."""
    name = name.strip()
    bracket = _BRACKET.search(name)
    if bracket is not None:
        return bracket.group(1).strip() or None
    if " " not in name.strip():
        return None  # "小米SU7", "Model3": the car alone
    return _LEADING_ZH.sub("", name).strip() or None


def row_cell(
    vocab: Vocabulary,
    text: str,
    a: int,
    b: int,
    row: tuple[int, int],
    version: str | None,
    labelled: bool = False,
) -> list[Found]:
    cell = text[a:b].strip()
    lead = a + len(text[a:b]) - len(text[a:b].lstrip())
    digit = _DIGIT.search(cell)
    if digit is None:
        key = "drive" if _DRIVE.search(cell) else "transmission" if _GEARBOX.search(cell) else None
        if key is None or len(cell) > 20:
            return []
        end = lead + len(cell)
        return [Found(key, Value(lead, end), row[0], row[1], version)]
    label = cell[: digit.start()].strip()
    key = (vocab.lookup(label) or vocab.lookup(_OFFICIAL.sub("", label))) if label else None
    if key is None:  # "官方0-100公里/小时加速6.5秒": a label that holds figures of its own
        later = _later_label(vocab, cell, digit.start())
        if later is not None:
            label, key, digit = later
    within = _LABEL_IN.match(cell)
    if key is None and within is not None and vocab.lookup(within.group("label")):
        label, key = within.group("label"), vocab.lookup(within.group("label"))
        digit = re.compile(r"\d").search(cell, within.end())
        if digit is None:
            return []
    if key is None and labelled:
        return _unlabelled(vocab, text, lead, lead + len(cell), row, version)
    if key is None:
        found = quantities(_RESTATED.sub("", cell))  # "150 kW (204 PS)": one figure
        if len(found) != 1 or (found[0].unit is None and (label or not found[0].wan)):
            return []  # a bare "11.98万" is a price; "裸车价：11.98万" what a buyer paid
        key = _ROW_UNITS.get(found[0].unit.symbol) if found[0].unit else "price"  # "11.98万"
        if key is None:
            return []
    return values_of(
        vocab, key, label, text, lead + digit.start(), b, row[0], row[1], version, single=True
    )


def _later_label(vocab: Vocabulary, cell: str, first: int) -> tuple[str, str, re.Match[str]] | None:
    """The label a cell names before a later figure, when its first digits are the label's."""
    for m in list(_DIGIT_RUN.finditer(cell, first + 1))[::-1]:
        if (key := vocab.lookup(cell[: m.start()].strip())) is not None:
            return cell[: m.start()].strip(), key, m
    return None


_OFFICIAL = re.compile(r"^(?:原厂|官方|标配|厂商)")  # "原厂轮胎245/40 R19": the maker's own
_DIGIT_RUN = re.compile(r"(?<![\d.])\d")
_ENGINE_WORD = re.compile(r"发动机|引擎")
_FITTED = re.compile(r"^(?:配备|搭配|匹配|采用|配)")  # "配爱信8AT": fitted with


def _unlabelled(
    vocab: Vocabulary, text: str, a: int, b: int, row: tuple[int, int], version: str | None
) -> list[Found]:
    """A figure of a version's comma row with no label of its own that still says what it
    is: the engine it names ("2.0T四缸发动机": its size and cylinders) or its gearbox
    ("配爱信8AT")."""
    cell = text[a:b]
    if len(cell) > 20:
        return []
    engine = _ENGINE_WORD.search(cell)
    if engine and _DIGIT.search(cell, 0, engine.start()):  # not "发动机功率140kW": a label
        return engine_parts(vocab, text, Found("engine", Value(a, b), row[0], row[1], version))
    if _GEARBOX.search(cell) and not _DRIVE.search(cell):
        fitted = _FITTED.match(cell)
        return [Found("transmission", Value(a + (fitted.end() if fitted else 0), b), *row, version)]
    return []


_CELL = 30  # characters of an English row's cell at most: a figure and its unit, no prose


def _english_row(vocab: Vocabulary, name: str, cells: str) -> bool:
    """A comma list is a version's row when its name names a thing ("Q4 40 e-tron", not
    "EPA rating") and every cell is short: a figure, not a clause of prose."""
    return names_thing(vocab, name) and all(len(c.strip()) <= _CELL for c in cells.split(", "))


def version_rows(vocab: Vocabulary, text: str, skip: list[tuple[int, int]]) -> list[Found]:
    """The facts of every version row in `text` that no other reader took."""
    out: list[Found] = _comma_rows(vocab, text, skip)
    rows = [(m, "|") for m in _ROW.finditer(text)] if "|" in text else []
    rows += [(m, ", ") for m in _EN_ROW.finditer(text)]
    for m, bar in rows:
        if any(a <= m.start() < b for a, b in skip):
            continue
        if vocab.lookup(m.group("name")):
            continue  # "驱动方式：前驱|四驱": a label's line, not a version's
        if bar != "|" and not _english_row(vocab, m.group("name"), m.group("cells")):
            continue
        version = row_version(m.group("name"))
        pos = m.start("cells")
        for cell in m.group("cells").split(bar):
            out += row_cell(vocab, text, pos, pos + len(cell), (m.start(), m.end()), version)
            pos += len(cell) + len(bar)
    return out


def _comma_rows(vocab: Vocabulary, text: str, skip: list[tuple[int, int]]) -> list[Found]:
    """The labelled cells of lines that name a Chinese version, then its figures parted by
    commas; the name must name a version (a version word at its end), not a label."""
    out: list[Found] = []
    if ":" not in text:
        return out
    for m in _COMMA_ROW.finditer(text):
        name = m.group("name").strip()
        if any(a <= m.start() < b for a, b in skip) or not _ZH_VERSION_NAME.search(name):
            continue
        if _COUNTING.search(name):
            continue  # "它一共三个版本：A、B、C，指导价分别为…": a count, not a version's name
        if vocab.lookup(name):
            continue
        version = _NUMBERED.sub("", name)  # as written ("瑞虎8 1.6T 豪华型"), past "1. "
        row: list[Found] = []
        pos = m.start("cells")
        for i, cell in enumerate(_COMMA.split(m.group("cells"))):
            labelled = i > 0  # "510 舒享版：11.98万，电池56.2kWh": a first bare price is its own
            row += row_cell(
                vocab, text, pos, pos + len(cell), (m.start(), m.end()), version, labelled
            )
            pos += len(cell) + 1
        if any(f.attribute not in ("drive", "transmission") for f in row):
            out += row  # a figure with its label: not a sentence that names its drive
    return out
