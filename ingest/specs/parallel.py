"""Parallel Chinese clauses: one label, then each car or version in turn (`parallel`).

"官方CLTC纯电续航两驱版为240km，四驱版为200km", "L7 Pro售价33.98万元，L7 Max则为37.98万元",
"官方指导价方面，星越L为13.72万－18.52万元，途观L则为21.58万－28.58万元": after a clause that
binds a label to its figure, a clause that only names its subject and gives a figure of the same
kind ("四驱版为200km", "途观L则为…") states the same attribute for that subject. The subject is
named in the clause itself: a version ("…版", "…型", a designation such as "380TSI") or a car;
the car is then the one `sentence_car` finds before the figure.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.specs.numbers import quantities
from ingest.specs.shapes import Found, values_of
from ingest.specs.vocabulary import Vocabulary

# ", <subject>则为 <figure>": a clause naming its subject, a verb of being, then the figure
_NEXT = re.compile(
    r"\s*[,;，；]\s*(?:而|但|另外)?\s*"
    r"(?P<subject>[^\s,;，；。！？!?:：]{1,16}?(?:[ \t][A-Za-z0-9.]{1,12})?)"
    r"\s*(?:则|则是|则为|则要|则需|为|是|仅为|也有|达到|可达|约为)+\s*(?=\d)"
)
_VERSION = re.compile(r"(?:版|型|款|车型|版本)$|\d")
_DRIVE_NAME = re.compile(r"两驱|四驱|前驱|后驱|全驱|单电机|双电机|三电机")
_NOT_SUBJECT = re.compile(r"[它其这那我你他]|全系|车型$|方面|价格|售价|同级|对手|竞品")


def _subject(subject: str) -> str | None:
    """The version a parallel clause's subject names ("四驱版", "380TSI"), "" for a car
    name alone, None for what is no subject of its own."""
    subject = subject.strip()
    if not subject or _NOT_SUBJECT.search(subject):
        return None
    last = subject.split()[-1]
    if " " in subject and _VERSION.search(last):
        return last  # "途观L 380TSI": the car, then its version
    if subject.endswith(("版", "型", "款", "版本", "车型")) or _DRIVE_NAME.fullmatch(subject):
        return subject  # "四驱版为5.9秒", "四驱为5.9秒": a version named by its drive
    return ""


# "纯电续航两驱版为240km", "星越L 2.0T四驱版为7.7秒": a version named right before 为 and the figure
_VERSION_BEFORE = re.compile(
    r"(?:^|[\s\u4e00-\u9fff,，])(?P<v>[A-Za-z0-9.+\u4e00-\u9fff]{1,12}?[版型])(?:则)?(?:为|是)\s*$"
)
_LABEL_TAIL = re.compile(r"(?:续航|里程|功率|扭矩|售价|价格|加速|油耗|电耗|容量|车速)$")


def version_before(text: str, found: Found) -> Found:
    """`found` with the version named right before its "为 figure", when it names none."""
    if found.variant is not None:
        return found
    m = _VERSION_BEFORE.search(text, max(0, found.value.start - 16), found.value.start)
    if m is None or _NOT_SUBJECT.search(m.group("v")):
        return found
    name = m.group("v")
    for i in range(len(name)):  # "纯电续航两驱版": the label's words before the version's
        if _LABEL_TAIL.search(name[:i]):
            name = name[i:]
    return replace(found, variant=name) if name.endswith(("版", "型")) and len(name) > 1 else found


def parallel(vocab: Vocabulary, text: str, found: list[Found]) -> list[Found]:
    """The facts of the parallel clauses after each of `found`'s figures."""
    out: list[Found] = []
    taken = {f.value.start for f in found}
    for fact in found:
        attr = vocab.attributes.get(fact.attribute)
        if attr is None or attr.dimension in ("text", "count"):
            continue
        end = fact.value.end
        while True:
            m = _NEXT.match(text, end)
            if m is None:
                break
            version = _subject(m.group("subject"))
            if version is None:
                break
            figures = quantities(text[m.end() : m.end() + 40])
            if not figures or figures[0].start != 0 or m.end() in taken:
                break
            fig_end = m.end() + figures[0].end
            read = values_of(
                vocab,
                fact.attribute,
                "",
                text,
                m.end(),
                fig_end,
                m.start("subject"),
                fig_end,
                version or None,
                single=True,
            )
            if len(read) != 1 or read[0].value.unit is None:
                break
            out.append(replace(read[0], variant=version or None))
            taken.add(m.end())
            end = read[0].value.end
    return out


# "车长为4760mm，宽1930mm，高1903mm": one letter names the next dimension in a run of them
_DIMENSION = re.compile(r"\s*[,，、]\s*(?P<d>长|宽|高)度?\s*(?:为|是|达到?)?\s*(?=\d)")
_DIMENSIONS = {"长": "length", "宽": "width", "高": "height"}


def dimension_run(vocab: Vocabulary, text: str, found: list[Found]) -> list[Found]:
    """The width and height (or length) a run of clauses gives after a dimension's figure."""
    out: list[Found] = []
    have = {f.value.start for f in found}
    for fact in found:
        if fact.attribute not in _DIMENSIONS.values():
            continue
        end = fact.value.end
        while (m := _DIMENSION.match(text, end)) is not None and m.end() not in have:
            figures = quantities(text[m.end() : m.end() + 20])
            if not figures or figures[0].start != 0:
                break
            key = _DIMENSIONS[m.group("d")]
            stop = m.end() + figures[0].end
            read = values_of(
                vocab, key, "", text, m.end(), stop, m.start("d"), stop, None, single=True
            )
            if len(read) != 1 or read[0].value.unit is None:
                break
            out.append(replace(read[0], variant=fact.variant))
            have.add(m.end())
            end = read[0].value.end
    return out
