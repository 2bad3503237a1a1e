"""Whether an English drive phrase ("all-wheel drive", "AWD") states the car's drive
(`drive_ok`): not a variant's name heading its figures ("RWD: 220 miles"), a topic line, a
question, one of two alternatives, or a drive only some trims are offered with (`ON_SOME`
says which), but a drive the car has, comes with or is offered in."""

from __future__ import annotations

import re

WHEELS = r"(?:front|rear|all|four)[- ]wheel[- ]drive"
_DRIVE_OFFER = re.compile(
    r"(?:\b(?:available|offered|comes?|sold)\s+(?:only\s+)?(?:in|with)|\bfeaturing|\bfeatures|"
    r"\bstandard|\b(?:is|are))\s+$",
    re.I,
)
_HEADING_LINE = re.compile(r"[ \t]*(?:#+[ \t]*)?\*\*[^*\n]{2,60}\*\*:?[ \t]*")
# a list item that names a trim, then at most two words before the drive its text opens with
_ITEM_OPENS = re.compile(r"[ \t]*[-*•][ \t]+\*\*[^*\n]{1,40}\*\*[ \t]*:[ \t]*(?:[\w-]+[ \t]+){0,2}")
_QUESTION = re.compile(r"[^.;!?。\n]*[?？]")  # the rest of its line asks
_OR_ANOTHER = re.compile(
    rf"[^.;\n]{{0,40}}?\bor\s+(?:the\s+)?(?:AWD|RWD|FWD|4WD|2WD|{WHEELS})\b", re.I
)
# "Standard all-wheel drive on most hybrid trims": offered on some, no spec of the car's
_SOME_TRIMS = re.compile(
    r"\b(?:most|some|select|certain|higher|lower|upper)\s+(?:[\w-]+\s+)?"
    r"(?:trims?|models?|variants?|versions?|grades?)\b",
    re.I,
)
# "AWD is available on select trims", "offers 4WD on select trims": a drive some versions
# have, whose variant is the versions the text names that way ("standard on most hybrid
# trims" hedges how many, as "up to" does, and stays unread)
ON_SOME = re.compile(
    r"(?:\s+(?:is|are)\s+(?:also\s+)?(?:available|offered|optional|standard))?\s+(?:on|in|for)\s+"
    r"(?P<v>(?:some|select|selected|certain)\s+(?:[\w-]+\s+)?"
    r"(?:trims?|models?|variants?|versions?|grades?))\b",
    re.I,
)


def drive_ok(text: str, m: re.Match[str], a: int, b: int) -> bool:
    if re.match(r"\s*:", text[m.end() : m.end() + 2]):
        return False  # "RWD: 220 miles": a variant's name heading its figures
    line_start = text.rfind("\n", 0, m.start()) + 1
    line_end = text.find("\n", m.end())
    if _HEADING_LINE.fullmatch(text, line_start, len(text) if line_end < 0 else line_end):
        return False  # "**Dual-Motor AWD System:**": a topic, not a car's drive
    if re.match(r"(?:single|dual|twin|tri)", m.group(), re.I):
        return True
    if _ITEM_OPENS.fullmatch(text, line_start, m.start()):
        return True  # "- **Taycan 4S**: All-wheel drive with 536 HP": what the trim is
    if ON_SOME.match(text, m.end()):
        return True  # "AWD is available on select trims": a drive of those versions
    if _SOME_TRIMS.search(text, a, b) or _QUESTION.match(text, m.end()):
        return False  # offered on some trims; a question states nothing
    if _OR_ANOTHER.match(text, m.end(), b):
        return False  # "RWD (318-mile range) or AWD": either, and the reader cannot say which
    if re.match(r"\s+only\b", text[m.end() :], re.I):
        return True
    if _DRIVE_OFFER.search(text[max(a, m.start() - 30) : m.start()]):
        return True
    before = text[a : m.start()]
    return bool(_HAS_DRIVE.search(before)) and not _IF_YOU.search(before)


# "Every one of them has all-wheel drive", "comes with a six-speed automatic and i-Activ
# all-wheel drive as standard", "gets Honda's i-VTM4 torque-vectoring all-wheel drive": the
# car has it, a few words of its maker's name for it between
_HAS_DRIVE = re.compile(
    r"\b(?:has|have|gets?|uses?)\s+(?:[\w'’-]+\s+){0,3}$|"
    r"\b(?:comes?|is|are)\s+(?:standard\s+)?(?:with|equipped with)\s+[^.;:]*\band\s+"
    r"(?:[\w'’-]+\s+){0,2}$",
    re.IGNORECASE,
)
_IF_YOU = re.compile(
    r"\b(?:if|whether|unless|when|you)\b", re.IGNORECASE
)  # "if you have an AWD model"
