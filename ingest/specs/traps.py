"""English figures near a car's specs that are not its specs (`not_a_spec`).

Reviews, buyer's guides and window stickers set beside the car's own figures money that is
no price of the car (a destination charge, an option or package, a lease or finance offer,
a total with options), results a reviewer measured ("we averaged 41 mpg", a road test's
"Test results" list), a reading right after the verb that took it ("tested 512", "showed
8.4L/100km"), a tuner's figure (a remap stage's, a rolling road's: its clause or its row's
version says so), a rival's (a line opening "Vs …") and an earlier model's figure the text
measures the car against ("down from the 182 hp the 2.5-liter made in the 2023 model", "the
2025 model's 187 hp", "the outgoing model had 210 kW; its 82 kWh battery …": a clause opening
with "its" is about the subject of the clause before):
`tests/specs/README.md`, "What is deliberately left out". Each is read from the words of the
figure's own clause, by class of wording, never by a document's sentence.
"""

from __future__ import annotations

import re
from functools import lru_cache

# A clause ends at a sentence, line, table cell or semicolon (not a comma, nor a leader of dots).
_CLAUSE = re.compile(r"(?<![.\s])[.;!?](?=\s|$)|[|\n]")
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
_REACH = 90  # characters a clause reaches back from its figure at most

# Money that is not what the car costs: charges, options and offers, totals with options
_NOT_PRICE = re.compile(
    r"\b(?:destination|delivery|handling|freight|doc(?:umentation)? fee|fees?|taxe?s?|"
    r"options?|optional|package|pack|paint|accessor(?:y|ies)|upgrade|add-on|"
    r"lease|leasing|per month|a month|/mo(?:nth)?|monthly|due at signing|down payment|"
    r"apr|financing|finance|deposit|rebate|incentive|discount|bonus|savings|credit|"
    r"total msrp|total price|as[- ]tested|total options)\b",
    re.IGNORECASE,
)
# What a reviewer measured: their tests and their own driving
_MEASURED = re.compile(
    r"\b(?:we|our)\b[^.;|\n]{0,40}\b(?:averaged|observed|measured|recorded|saw|got|"
    r"tested|testing|test|hands|loop|drive)\b|\bobserved\b|\bas[- ]tested\b|"
    r"\bin (?:our|real-world) (?:testing|hands|driving)\b|\breal[- ]world\b",
    re.IGNORECASE,
)
# A reading: a figure right after the verb that read it off ("tested 512", "the trip computer
# showed 8.4L/100km", "measured at 182mm"), an inspection's or a test's, not the maker's
_READING = re.compile(
    r"\b(?:tested|measured|read|reads|showed|shows|showing|logged|clocked)(?:\s+(?:at|as))?\s*$",
    re.IGNORECASE,
)
# A tuner's figure: a remap stage's ("Stage 1: 240PS", a table's "| Stage 2 | 390PS |"), a
# map's or a rolling road's ("it lands at 345PS once remapped", "243PS on the rollers")
_TUNED = re.compile(
    r"\bstage[ \t]*[1-4]\b|\bremap(?:s|ped)?\b|\b(?:re)?mapped\b|\bon[ \t]+the[ \t]+"
    r"(?:rollers|dyno|rolling[ \t]+road)\b|\bdyno(?:ed)?\b",
    re.IGNORECASE,
)
# A line or clause that opens by setting a rival against the car ("13:05 Vs Force Gurkha -
# 140PS, 320Nm", "- versus the Jimny: 102PS"): its figures are the rival's
_RIVAL_LEAD = re.compile(r"[\s\d:.*•>#-]*(?:vs\.?|versus)[ \t]+(?:the[ \t]+)?[A-Z]", re.IGNORECASE)
# a fastener's tightening torque, not the engine's ("Wheel nut torque: 105 N.m")
_FASTENER = re.compile(r"\b(?:nuts?|bolts?|lugs?|tightening)[ \t]+torque\b", re.IGNORECASE)
# A heading over what a reviewer measured ("Test results", "Measured performance")
_MEASURED_HEADING = re.compile(
    r"\btest(?:ed|ing)?\s+(?:results?|data|figures)\b|\bmeasured\b|"
    r"\bobserved\b|\bas tested\b",
    re.IGNORECASE,
)
# A figure given against an earlier model's (or a later one's): last year's, "up from", a
# dated model's. (A previous generation the text describes is a variant of its own: the
# Armada's 5.6-liter V8.)
_EARLIER = re.compile(
    r"\blast year'?s\b|\b(?:up|down) from\b|\boutgoing\b|\bpredecessor\b|"
    r"\bthe old [A-Z][\w-]*'s\b|"  # "The old Triton's single-turbo 2.4 made 133kW and 430Nm"
    r"\b(?:19|20)\d\d\s+model'?s\b|\bin the (?:19|20)\d\d model\b|"
    # …or a later one's: "The 2026 redesign moves to a 285-hp engine", "the next generation"
    r"\b(?:19|20)\d\d\s+(?:redesign|refresh|facelift)\b|\bnext[- ]generation\b|\bupcoming\b|"
    # …or a dated one's, told in the past: "Our 2024 Trailblazers had the 1.2L engine"
    r"\b(?:19|20)\d\d\b[^.;|\n]{0,40}\b(?:had|was|were|used to)\b",
    re.IGNORECASE,
)


# …or said after the figure, before the clause goes on: "(from 238 hp last year)", "250 hp
# previously"
_EARLIER_AFTER = re.compile(r"[^,;.()\n\d]{0,12}?\b(?:last year|previously)\b", re.IGNORECASE)


# a clause whose subject is a pronoun: what it refers to is the clause before's subject
# a figure a change adds to the one before: "the facelift added 19PS", "gains an extra 20 hp"
_ADDED = re.compile(
    r"\b(?:add(?:s|ed)?|gain(?:s|ed)?|an?\s+(?:extra|additional|further))"
    r"(?:\s+(?:an?\s+)?(?:extra|additional|further|another))?\s+$",
    re.IGNORECASE,
)
_BACK = re.compile(r"\s*(?:its|it|their|they)\b", re.IGNORECASE)


def not_a_spec(
    text: str,
    attribute: str,
    at: int,
    end: int,
    headings: tuple[str, ...],
    variant: str | None = None,
) -> bool:
    """Whether an English figure at `text[at:end]` is no spec of the car: money other than
    its price, a reviewer's measurement, a tuner's or an earlier model's figure, by its
    clause's words (and its version's: `variant`, a table row's "Stage 1")
    (and, for a measurement, the heading it is under: `headings` without the title); of a
    Chinese figure, whether it is the earlier model's (`earlier_model`)."""
    if _CJK.search(text):  # English words only ("£", "€" and dashes are English writing's too)
        return earlier_model(text, at) or _other_year(text, at, headings)
    before = _clause_before(text, at)
    if _BACK.match(before) and len(before) < at:  # "…; its 82 kWh battery": the clause before
        before = _clause_before(text, at - len(before) - 1) + " " + before  # is its subject
    if attribute == "price":
        own = _since_last_figure(before)
        if _NOT_PRICE.search(own) or _NOT_PRICE.search(_clause_after(text, end)):
            return True
    if _MEASURED.search(before) or any(_MEASURED_HEADING.search(h) for h in headings):
        return True
    if _READING.search(before):
        return True
    if _RIVAL_LEAD.match(before) or (attribute == "torque" and _FASTENER.search(before)):
        return True  # a rival's figure; a wheel nut's torque
    if _ADDED.search(before):  # "The 2024 facelift added 19PS": a difference, not a figure
        return True
    if _TUNED.search(f"{before} {_clause_after(text, end)} {variant or ''} {_row_head(text, at)}"):
        return True  # a tuner's stage, map or rolling road: not the maker's figure
    return _EARLIER.search(before) is not None or _EARLIER_AFTER.match(text, end) is not None


def _row_head(text: str, at: int) -> str:
    """The first cell of the table row holding `at` ("| Stage 1 | 420PS |"), else ""."""
    line = text[text.rfind("\n", 0, at) + 1 : at]
    return line.split("|")[1] if line.lstrip().startswith("|") and line.count("|") > 1 else ""


def _clause_before(text: str, at: int) -> str:
    start = max(0, at - _REACH)
    cuts = [m.end() for m in _CLAUSE.finditer(text, start, at)]
    return text[cuts[-1] if cuts else start : at]


def _since_last_figure(clause: str) -> str:
    """A price's own words start after the figure before it ("$30,500 and … at $43,300")."""
    figures = list(re.finditer(r"\d[\d,.]*\s*%?", clause))
    return clause[figures[-1].end() :] if figures else clause


def _clause_after(text: str, end: int) -> str:
    stop = _CLAUSE.search(text, end, end + 40)
    clause = text[end : stop.start() if stop else end + 40]
    # up to the next figure: its words are its own, and so is a bracket's ("£27,995 (as
    # tested £29,090)": the bracket names what the price in it is)
    nxt = re.search(r"[$\d(（]", clause)
    return clause[: nxt.start()] if nxt else clause


# The model a new one replaces, named as such ("老款", "上一代"); after a word of comparing
# ("相比上一代的290N·m") it is a variant of its own (`around`), not left out here
_ZH_EARLIER = re.compile(
    r"(?<!相比)(?<!相较)(?<!对比)(?<!比起)(?<![较比与])(?:老款|旧款|上一?代|前代)"
)
# "由老款的185kW提升至195kW", "从老款的3060mm加长到3090mm": past these the figure is the new one's
_TO_NEW = re.compile(r"至|到|变为|变成|改为")
_ZH_CLAUSE = re.compile(r"[，,。；;！？!?\n（(）)]")


def earlier_model(text: str, at: int) -> bool:
    """Whether the Chinese figure at `at` is the earlier model's: its clause names that model
    before it ("由老款的185kW", "（老款为30.98-50.98万元）"), with no "to" between ("…提升至
    195kW" is the new one's); a bracket right after the earlier model's name describes it
    ("取代了老款的2.5T V6（最大功率210kW）")."""
    cuts = list(_ZH_CLAUSE.finditer(text, max(0, at - 60), at))
    start = cuts[-1].end() if cuts else max(0, at - 60)
    if _names_earlier(text, start, at):
        return True
    if not cuts or cuts[-1].group() not in "（(":
        return False
    opening = cuts[-1].start()  # inside a bracket: what the clause said right before it
    before = [m.end() for m in _ZH_CLAUSE.finditer(text, max(0, opening - 30), opening)]
    return _names_earlier(text, before[-1] if before else max(0, opening - 30), opening)


_YEAR_MODEL = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*款")
_ZH_SENTENCE = re.compile(r"[。！？!?\n]")
_THIS_YEAR = re.compile(r"今年|新款|现款|本款|新车")  # the sentence turns back to the new one


@lru_cache(maxsize=32)
def _newest_year(text: str) -> int:
    return max((int(y) for y in _YEAR_MODEL.findall(text)), default=0)


def _other_year(text: str, at: int, headings: tuple[str, ...]) -> bool:
    """Whether the sentence holding `at` is about another model year than the text's own,
    up to a turn back to it: its own is the one its headings name ("原厂参数（按2023款出厂资料
    核对）", an appraisal's car), else the newest it names ("2025款秦L…" then "2024款起售价是
    10.58万")."""
    if "款" not in text:
        return False
    start = max((m.end() for m in _ZH_SENTENCE.finditer(text, max(0, at - 120), at)), default=0)
    named = list(_YEAR_MODEL.finditer(text, max(start, at - 120), at))
    if not named:
        return False
    headed = [int(y) for h in headings for y in _YEAR_MODEL.findall(h)]
    own = headed[-1] if headed else _newest_year(text)
    if int(named[-1].group(1)) == own:
        return False
    return _THIS_YEAR.search(text, named[-1].end(), at) is None


def _names_earlier(text: str, start: int, at: int) -> bool:
    named = list(_ZH_EARLIER.finditer(text, start, at))
    return bool(named) and _TO_NEW.search(text, named[-1].end(), at) is None
