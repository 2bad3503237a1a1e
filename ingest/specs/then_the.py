"""English clauses that give the same figure for another version in turn (`then_the`).

"Payload on the GLX cab chassis is 1,155kg; the GSR's is 980kg", "$29,730 for the Sport; the
Club is $34,040 and the RF Grand Touring $39,750", "Ground clearance on the GSR is 228mm; the
GLX cab chassis sits a little lower at 222mm": after a figure a reader took, a clause joined
to it (by ";" or "and", "while", "whereas", "but") whose subject is "the" and a version's name
(a capitalised word or a code, and the lower-case words up to its verb) and which gives a
figure in the same unit states the same attribute for that version. The Chinese form of the
same is `ingest.specs.parallel`.
"""

from __future__ import annotations

import re

from ingest.specs.shapes import Found
from ingest.specs.values import read
from ingest.specs.vocabulary import Vocabulary

_NAME = r"[A-Z][\w-]*(?:[ \t]+(?:[A-Z][\w-]*|\d[\w-]*))*"  # one line
_VERB = r"(?:is|are|sits|gets|has|makes|costs|comes|starts|runs|weighs|returns|tows|rides)"
# the joined clause, up to its figure: "; the GSR's is ", " and the RF Grand Touring "
_THEN = re.compile(
    rf"(?:\s+for\s+the\s+{_NAME}|(?:\s+[a-z-]+){{0,3}}?)"
    r"\s*(?:;|,?\s+(?:and|while|whereas|but))\s+the\s+"
    rf"(?P<v>{_NAME})(?P<rest>(?:\s+[a-z]+){{0,3}}?)(?:'s)?"
    rf"(?:\s+{_VERB}\b)?(?:\s+[a-z]+){{0,4}}?\s+(?=[$£€¥₹]|\d)"
)
_CHAIN = 4  # clauses one figure leads at most


def then_the(vocab: Vocabulary, text: str, found: list[Found]) -> list[Found]:
    """The figures later clauses give other versions after each of `found` (the module's
    docstring), each of the attribute of the figure they follow."""
    out: list[Found] = []
    taken = {f.value.start for f in found}
    for f in found:
        attr = vocab.attributes.get(f.attribute)
        end = f.value.end
        for _ in range(_CHAIN if attr is not None else 0):
            m = _THEN.match(text, end)
            if m is None or attr is None or m.end() in taken:
                break
            values = read(attr, text, m.end(), min(len(text), m.end() + 24), None, bare=False)
            if not values or values[0].start != m.end() or values[0].unit != f.value.unit:
                break
            rest = " ".join(m.group("rest").split())
            if re.fullmatch(rf"(?:\w+ )*{_VERB}", rest):
                rest = ""  # "the GSR is": the verb ends the name
            name = f"{m.group('v')} {rest}".strip()
            out.append(Found(f.attribute, values[0], m.start("v"), values[0].end, name))
            taken.add(m.end())
            end = values[0].end
    return out
