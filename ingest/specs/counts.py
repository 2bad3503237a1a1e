"""Counts and sizes a phrase names without a label: airbags, cylinders, tyre sizes, engine
sizes (seat counts: `seats`).

- Airbags: a count written before the word ("6 Airbags standard", "six airbags as standard",
  "8个安全气囊"). A ceiling ("up to six airbags") is no count of this car's.
- Cylinders: the count an engine's name or description states ("2.5L 4-Cylinder Gasoline
  Engine", "1.5-litre 3-cylinder turbocharged petrol engine", "the 1.5L MPi petrol engine (4
  cylinders, 16 valves)", "V6", "1.5T三缸涡轮增压发动机"), in a sentence or line about an
  engine. Its variant is the engine's, when a sized engine name holds or leads the phrase.
- Tyres: a size in the tyre grammar (width / aspect ratio R rim: "195/65 R15",
  "205 / 65 R16", "225/45ZR18"), not a spare's; a line "Sigma, Delta: 185/65 R15 / Zeta,
  Alpha: 195/55 R16" names the trims each size is for.

Rows of one such phrase per column ("4 cylinders, 16 valves" three times on a spec page)
are told by `phrases._cell_rows`; this module reads the phrases in running text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ingest.specs.numbers import quantities
from ingest.specs.shapes import Found
from ingest.specs.sized import CYLINDER_SIZE, SIZED_ITEM
from ingest.specs.units import CC, LITRE, to_canonical
from ingest.specs.values import Value, compared, read
from ingest.specs.vocabulary import Vocabulary
from ingest.specs.wrap import line_start as wrapped_start

_WORD_COUNTS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "twelve": 12,
}  # fmt: skip
_ZH_COUNTS = {
    "两": 2,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_WORDS = "|".join(_WORD_COUNTS)

AIRBAGS = re.compile(
    rf"(?<![\w.])(?P<n>\d{{1,2}}|{_WORDS})\s+air\s?bags\b"
    r"|(?<![\d.])(?P<z>\d{1,2}|[两二三四五六七八九十])\s*个?\s*(?:安全)?气囊",
    re.IGNORECASE,
)
_CEILING = re.compile(r"(?:\bup\s+to|\bupto|最多|多达)\s*$", re.IGNORECASE)

CYLINDERS = re.compile(
    # "4-cylinder", "four cylinders", or an engine's layout and count: "inline-4", "flat-four"
    rf"(?<![\w.])(?P<c>(?P<lay>in-?line[\s-]*|(?:flat|boxer|straight)-)?"
    rf"(?P<n>\d{{1,2}}|{_WORDS})(?(lay)(?![\w-])|\s*-?\s*cyl(?:inders?)?\b))"
    r"(?:,\s*\d{1,2}\s+valves)?"
    # "V6", "W12", or an inline engine's code: "I-4", "I6"
    r"|(?<![A-Za-z0-9])(?P<v>[VW](?=6|8|10|12)|I-?(?=[3-6]))(?P<vn>\d\d?)(?![A-Za-z0-9])"
    r"|(?P<z>[三四五六八])缸",
    re.IGNORECASE,
)
_ENGINE_CUE = re.compile(r"engine|motor|powertrain|发动机|引擎|涡轮|增程器", re.IGNORECASE)
# a sized engine name: "2.5L", "1.5-litre", "1.5T", up to the word engine or a parenthesis
_SIZED = re.compile(r"(?<![\d.])\d\.\d\s*-?\s*(?:l|litre|liter)\b|(?<![\d.])\d\.\dT", re.I)

_NAME_RUN = re.compile(r"(?:[^.,;:()\n*]|\.(?=\d))*")
TYRE = re.compile(  # "185/65 R15"; a Chinese word may follow ("255/50 R20轮胎")
    r"(?<![\d/])(?P<w>[1-3]\d{2})[ \t]*/[ \t]*(?P<a>[2-9][05])[ \t]*Z?R[ \t]*(?P<r>1[2-9]|2[0-4])"
    r"(?![0-9A-Za-z_])"
)
_SPARE = re.compile(r"\bspare\b|备胎", re.IGNORECASE)
# "Sigma, Delta: 185/65 R15": the trims before a colon on the tyre's own line
_TRIMS = re.compile(
    r"(?:^|/)\s*(?:#*\s*tyres?\s+)?(?P<names>[A-Z][\w()+]*(?:\s*,\s*[A-Z][\w()+]*)*)\s*:\s*$", re.I
)


def heading_cylinders(text: str, headings: list[tuple[int, str | None]]) -> list[Found]:
    """ "2.5L 4-Cylinder Gasoline Engine", "3.5L V6 Gasoline Engine (Optional)": the count a
    variant's heading line names, for that variant."""
    out = []
    for start, name in headings:
        if name is None:
            continue
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if len(CYLINDERS.findall(text, start, end)) != 1:
            continue  # "Feature 4-Cylinder Engine V6 Engine": a header of two columns
        m = CYLINDERS.search(text, start, end)
        n = None if m is None else float(m.group("vn")) if m.group("v") else _count(m, "n", "z")
        if m is not None and n is not None and 1 <= n <= 16:
            value_end = m.end("c") if m.group("c") else m.end()
            out.append(Found("cylinders", Value(m.start(), value_end, (n,)), start, end, name))
    return out


def count_facts(text: str, covered: object) -> list[Found]:
    """Airbag and cylinder counts and tyre sizes in `text`, outside the `covered` spans."""
    lowered = text.lower()
    out: list[Found] = []
    if "airbag" in lowered or "air bag" in lowered or "气囊" in text:
        out += _airbags(text, covered)
    if (
        "cyl" in lowered
        or "缸" in text
        or re.search(r"\b[vw](?:6|8|10|12)\b", lowered)
        or (
            re.search(r"\b(?:in-?line|flat-|boxer-|straight-)", lowered)  # "inline-4", "flat-four"
        )
    ):
        out += _cylinders(text, covered)
    if "r1" in lowered or "r2" in lowered or "r 1" in lowered:
        out += _tyres(text, covered)
    return out


def _count(m: re.Match[str], *groups: str) -> float | None:
    for group in groups:
        word = m.group(group)
        if word is None:
            continue
        if word.isdigit():
            return float(word)
        return float(_WORD_COUNTS.get(word.lower()) or _ZH_COUNTS.get(word, 0)) or None
    return None


def _airbags(text: str, covered: object) -> list[Found]:
    out = []
    for m in AIRBAGS.finditer(text):
        if callable(covered) and covered(m.start()):
            continue
        if _CEILING.search(text, max(0, m.start() - 12), m.start()) or compared(text, m.start()):
            continue
        n = _count(m, "n", "z")
        if n is None or not 1 <= n <= 12:
            continue
        group = "n" if m.group("n") else "z"
        end = m.end(group) + (text.startswith("个", m.end(group)))  # "7个安全气囊": "7个"
        out.append(Found("airbags", Value(m.start(group), end, (n,)), m.start(), m.end()))
    return out


def _cylinders(text: str, covered: object) -> list[Found]:
    out = []
    for m in CYLINDERS.finditer(text):
        if callable(covered) and covered(m.start()):
            continue
        n = float(m.group("vn")) if m.group("v") else _count(m, "n", "z")
        if n is None or not 1 <= n <= 16:
            continue
        line_start = wrapped_start(text, m.start())  # "a 1.5-litre\n4-cylinder diesel engine"
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        cue = _ENGINE_CUE.search(text, line_start, line_end) or under_engine_heading(
            text, m.start()
        )
        # "- **1.0 TSI petrol**: 999cc, three cylinders, …": an item naming an engine by its size
        item = SIZED_ITEM.match(text, line_start, m.start()) is not None
        end = m.end("c") if m.group("c") else m.end()  # "a 2.0-liter four-cylinder": sized
        cue = cue or any(c.end() == end for c in CYLINDER_SIZE.finditer(text, line_start, end))
        if not (cue or item) or compared(text, m.start()):
            continue  # "a V6" in passing, "比同等动力的V6发动机": not this engine's count
        variant, ev_start = _engine_name(text, line_start, m.start())
        if ev_start == m.start() and not m.group("z") and not item:
            continue  # "a twin-turbo V6", "from V8 to V6": no sized engine it belongs to
        value = Value(m.start(), end, (n,))
        out.append(Found("cylinders", value, min(ev_start, m.start()), end, variant))
    return out


def _engine_name(text: str, line_start: int, at: int) -> tuple[str | None, int]:
    """The sized engine name that holds or leads a phrase at `at` ("1.2-litre 3-cylinder
    turbocharged petrol engine", "1.5L MPi petrol engine (4 cylinders"), and where it starts."""
    before = text[line_start:at]
    sized = list(_SIZED.finditer(before))
    if not sized:
        return None, at
    start = line_start + sized[-1].start()
    between = text[start:at]
    if re.search(r"[,;:!?。；)]|\.(?!\d)", between) or len(between) > 60:
        return None, at
    if re.search(r"\bengine\b", between, re.I) and not re.search(r"engine\s*\(\s*$", between, re.I):
        return None, at  # the count follows another engine's whole name
    phrase = _NAME_RUN.match(text, start, min(len(text), at + 80))
    run = phrase.group() if phrase else text[start:at]
    named = re.split(r"\s+engine\b", run, maxsplit=1, flags=re.I)
    # "1.5L MPi petrol engine (4 cylinders": up to the word engine; else up to the count
    if len(named) > 1:
        name = named[0]
    else:
        count = CYLINDERS.search(run, at - start)
        name = run[: count.end() if count else at - start]
    name = " ".join(name.split())
    if re.search(r"\dT$", name):
        return None, start  # "1.5T三缸": the size alone names no variant
    return name or None, start


def _tyres(text: str, covered: object) -> list[Found]:
    out = []
    for m in TYRE.finditer(text):
        if callable(covered) and covered(m.start()):
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        before = text[line_start : m.start()]
        if _SPARE.search(before[-40:]):
            continue
        trims = _TRIMS.search(before)
        variant = trims.group("names") if trims else None
        ev_start = line_start + trims.start("names") if trims else m.start()
        out.append(Found("tyres", Value(m.start(), m.end()), ev_start, m.end(), variant))
    return out


# "a 1.5 litre petrol engine", "1.5T发动机", "1.5T+CVT的动力组合", "1.5L可变压缩比涡轮增压发动机",
# "NE1.5T高压直喷发动机", "发动机都会使用1.5T的版本": an engine's size (Chinese: in the
# clause that names the engine)
_ZH_CLAUSE = r"[^，。；,;！？!?\n]"
# What makes a sized name an engine's ("a 2.0-litre turbo engine", "the 5.6-liter V8, which
# produced 390 horsepower", "a 3.5L V6 producing 278 HP"): the word engine, or the verb that
# gives its output
ENGINE_NAMED = (
    r"(?:\s+engine\b|,?\s+(?:which|that)\s+(?:produced|produces|made|makes|delivered|delivers|"
    r"developed|develops|generated|generates)\b|\s+(?:producing|making|delivering|developing|"
    r"generating)\b"
    # "a 2.5-liter flat-four with 180 horsepower", "a 2.5-liter turbo of 281 hp", "the
    # 2.0-liter EcoBoost is up to 250 hp", "its 2.5-liter hybrid now makes 191 hp": its output
    # right after it ("a 2.0-liter four-cylinder" is an engine's size by its cylinders)
    r"|\s+(?:now\s+)?(?:with|of|makes|produces|develops|delivers|is\s+(?:up\s+to|good\s+for))"
    r"\s+(?=\d[\d,]*\s*-?\s*(?:hp|horsepower|bhp|ps|kw)\b|$))"  # $: a sentence
    # read up to its figure (`subjects`)
)
_ENGINE_SIZE = re.compile(
    r"(?<![\d.])(?P<size>\d\.\d)\s*-?\s*(?:l|litre|liter)\b(?P<name>[^.,;:()]{0,40}?)"
    # or its output right after a comma: "3.5L V6, 280 hp"
    + rf"(?:{ENGINE_NAMED}|,\s+(?=\d[\d,]*\s*-?\s*(?:hp|horsepower|bhp|ps|kw)\b))"
    + r"|(?<![\d.])(?P<t>\d\.\d)T(?=\s*(?:发动机|涡轮|[+＋]|的?动力))"
    rf"|(?<![\d.])(?P<z>\d\.\d)[TL升](?=(?:[\u4e00-\u9fff]{_ZH_CLAUSE}{{0,12}}?)?(?:发动机|增程器))"
    rf"|(?:发动机|增程器){_ZH_CLAUSE}{{0,10}}?(?<![\d.])(?P<y>\d\.\d)"
    r"(?:T(?![A-Za-z])|升(?=自然吸气|涡轮|[三四六八]缸))",  # spoken: "1.5升自然吸气四缸"
    re.IGNORECASE,
)


def engine_sizes(vocab: Vocabulary, text: str, covered: Callable[[int], bool]) -> list[Found]:
    """The displacement an engine's name states; the name (in a sentence) is the variant."""
    attr = vocab.attributes["displacement"]
    out = []
    named = list(_ENGINE_SIZE.finditer(text))
    starts = {m.start() for m in named}
    named += [m for m in CYLINDER_SIZE.finditer(text) if m.start() not in starts]
    for m in named:
        zh = next((g for g in ("t", "z", "y") if m.groupdict().get(g)), None)
        at = m.start(zh) if zh else m.start()
        if covered(at) or (zh and compared(text, at)):
            continue
        size = m.group(zh) if zh else m.group("size")
        converted = to_canonical(float(size), LITRE, attr.dimension)
        if converted is None or not attr.plausible(converted[0]):
            continue
        figure_end = m.end(zh) + 1 if zh else _figure_end(text, m.start(), m.end())
        value = Value(at, figure_end, (float(size),), "L", converted[0], converted[1])
        variant = None if zh else " ".join(text[m.start() : m.end("name")].split())
        named_end = m.end() if zh or m.group().lower().endswith("engine") else m.end("name")
        out.append(Found("displacement", value, m.start(), max(named_end, figure_end), variant))
    return out + _listed_sizes(vocab, text, covered, {f.value.start for f in out})


# "**Engine Options:**": a bold heading line over a list of engines
_ENGINE_HEADING = re.compile(
    r"[ \t]*(?:#+[ \t]*)?\*\*[^*\n]*\b(?:engines?|powertrains?)\b[^*\n]*\*\*:?[ \t]*", re.I
)
_LIST_ITEM = re.compile(r"[ \t]*[-*•][ \t]")
_NAMED_ITEM = re.compile(r"[ \t]*[-*•][ \t]+\*\*[^*\n]+\*\*[ \t]*:[^:]*$")  # "- **P400**: …"


def under_engine_heading(text: str, at: int) -> bool:
    """Whether the list item holding offset `at` is one of a list under an engines heading
    ("**Engine Options:**" / "- **P400**: 395-horsepower 3.0L turbocharged inline 6-cylinder")."""
    end = text.rfind("\n", 0, at) + 1
    if not _LIST_ITEM.match(text, end):
        return False
    while end > 0:
        start = text.rfind("\n", 0, end - 1) + 1
        line = text[start : end - 1]
        if line.strip() and not _LIST_ITEM.match(line):
            return _ENGINE_HEADING.fullmatch(line) is not None
        end = start
    return False


def _listed_sizes(
    vocab: Vocabulary, text: str, covered: Callable[[int], bool], taken: set[int]
) -> list[Found]:
    """The one size a list item under an engines heading states ("- **P400**: 395-horsepower
    3.0L turbocharged inline 6-cylinder"), after the item's bold name: its engine's
    displacement, of no variant here (the item's name gives one)."""
    attr = vocab.attributes["displacement"]
    out = []
    for m in _LITRES.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        if m.start() in taken or covered(m.start()) or not under_engine_heading(text, m.start()):
            continue
        if len(_LITRES.findall(text, line_start, line_end)) != 1 or compared(text, m.start()):
            continue
        if not _NAMED_ITEM.match(text[line_start : m.start()]):
            continue  # "- i-Force 2.4L Turbo: Expected …": a size in the item's name
        converted = to_canonical(float(m.group("size")), LITRE, attr.dimension)
        if converted is not None and attr.plausible(converted[0]):
            value = Value(m.start(), m.end(), (float(m.group("size")),), "L", *converted)
            out.append(Found("displacement", value, m.start(), m.end()))
    return out


def _figure_end(text: str, start: int, end: int) -> int:
    unit = re.match(r"\d\.\d\s*-?\s*(?:l|litre|liter)\b", text[start:end], re.IGNORECASE)
    return start + (unit.end() if unit else 3)


def stated_counts(vocab: Vocabulary, text: str, covered: Callable[[int], bool]) -> list[Found]:
    """ "Seating capacity is five.", "The number of airbags is 6": a count label, a verb
    that states it, and the count in figures or words."""
    pattern = _stated(vocab)
    out: list[Found] = []
    if " is " not in text and " are " not in text:
        return out
    for m in pattern.finditer(text) if pattern is not None else ():
        if covered(m.start()):
            continue
        key = vocab.lookup(m.group("label"))
        n = _count(m, "n")
        attr = vocab.attributes.get(key) if key else None
        if attr is None or n is None or not attr.plausible(n):
            continue
        out.append(Found(attr.key, Value(m.start("n"), m.end("n"), (n,)), m.start(), m.end("n")))
    return out


_STATED: dict[int, re.Pattern[str] | None] = {}


def _stated(vocab: Vocabulary) -> re.Pattern[str] | None:
    """The count labels of `vocab` before "is"/"are" and a count, as one pattern."""
    if id(vocab) not in _STATED:
        labels = sorted(
            (
                label
                for label, key in vocab.labels.items()
                if key in vocab.attributes
                and vocab.attributes[key].dimension == "count"
                and label.isascii()
                and " " in label  # "seating capacity", not a loose "seats"
            ),
            key=len,
            reverse=True,
        )
        _STATED[id(vocab)] = (
            re.compile(
                rf"\b(?P<label>{'|'.join(re.escape(x) for x in labels)})\s+(?:is|are)\s+"
                rf"(?:a\s+total\s+of\s+)?(?P<n>\d{{1,2}}|{_WORDS})(?![\w-])",
                re.IGNORECASE,
            )
            if labels
            else None
        )
    return _STATED[id(vocab)]


# "four-cylinder (enhanced)": a bracket after the last word qualifies the whole engine
# a bracket that qualifies a figure ("(16 valves)", "(enhanced)"); one of capitals and codes
# only names the engine's technology ("3.8-liter V6 (GDI/MPI)", "(FA24)") and leaves it be
_BRACKET_AFTER = re.compile(r"[ \t]*\((?![A-Z0-9/+ -]+\))")
# "1.5L", "2.0-litre"; a Chinese spec list's "1.5T" is a 1.5-litre turbo ("发动机：1.5T 四缸")
_LITRES = re.compile(
    r"(?<![\d.])(?:(?P<size>\d\.\d)\s*-?\s*(?:l|litres?|liters?|t)(?![a-z0-9])"
    r"|(?P<cc>\d,?\d{3})\s*(?:cc|cm3|cm³)(?![a-z0-9]))",  # "1,498cc": a size in cubic cm
    re.IGNORECASE,
)
_ZH_COUNT = {"三": 3.0, "四": 4.0, "五": 5.0, "六": 6.0, "八": 8.0}


def engine_parts(vocab: Vocabulary, text: str, engine: Found) -> list[Found]:
    """What an engine's stated value says of its size and cylinders ("Engine: 1.8L 4-Cylinder
    Hybrid Synergy Drive"): that engine's displacement and cylinder count, of its variant. A
    value naming two sizes or two counts ("2.0L or 2.5L") names no one of them, and a figure a
    bracket follows is left to what reads that bracket."""
    a, b = engine.value.start, engine.value.end
    out = []
    sizes = list(_LITRES.finditer(text, a, b))
    attr = vocab.attributes.get("displacement")
    if len(sizes) == 1 and attr is not None:
        m = sizes[0]
        size, unit = (m.group("size"), LITRE) if m.group("size") else (m.group("cc"), CC)
        number = float(size.replace(",", ""))
        converted = to_canonical(number, unit, attr.dimension)
        if (
            converted is not None
            and attr.plausible(converted[0])
            and not _BRACKET_AFTER.match(text, m.end())
        ):
            value = Value(m.start(), m.end(), (number,), unit.symbol, *converted)
            out.append(Found("displacement", value, engine.start, b, engine.variant))
    counts = list(CYLINDERS.finditer(text, a, b))
    if len(counts) == 1 and "cylinders" in vocab.attributes:
        m = counts[0]
        if m.group("z"):
            n: float | None = _ZH_COUNT[m.group("z")]
        else:
            n = float(m.group("vn")) if m.group("v") else _count(m, "n")
        end = m.end("c") if m.group("c") else m.end()
        if n is not None and 1 <= n <= 16 and not _BRACKET_AFTER.match(text, end):
            out.append(
                Found("cylinders", Value(m.start(), end, (n,)), engine.start, b, engine.variant)
            )
    return out + _outputs(vocab, text, engine)


def _outputs(vocab: Vocabulary, text: str, engine: Found) -> list[Found]:
    """The power and torque an engine's value states after its name ("2.5L Turbo 4-Cylinder,
    281 hp / 311 lb-ft"): the first figure of each, when each is stated once (a restatement
    in another unit in brackets after it: "150PS (110kW)")."""
    out = []
    for key in ("power", "torque"):
        attr = vocab.attributes.get(key)
        found = [
            q
            for q in quantities(text, engine.value.start, engine.value.end)
            if q.unit is not None and q.unit.dimension == key and len(q.numbers) == 1
        ]
        if attr is None or not found or any(_BRACKET_AFTER.match(text, q.end) for q in found):
            continue
        if len(found) > 1 and not all(text[q.start - 1] in "(（" for q in found[1:]):
            continue
        values = read(attr, text, found[0].start, found[0].end, None, bare=False)
        if len(values) == 1:
            out.append(Found(key, values[0], engine.start, engine.value.end, engine.variant))
    return out
