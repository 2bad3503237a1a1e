"""The one-step businesses written from facts: the pushes, the regional Weibo post, the review
and the news comment (`Writer.single`).

Each is held to what its prompt promises a reader (`data/prompts/{business}/main.j2`): a push
body of at most 100 characters, a Weibo post of at most 140 that speaks to its region, a
personalised push that uses the reader's profile, a review that judges, and a news comment
that comments on the news it is given. Every figure is cited as [n], in these too: the same
contract a remote model writes to.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from generation.facts.realise import Sentence
from generation.facts.sheet import SheetFact
from generation.facts.verdict import Judgement, judge
from generation.schemas import WEIBO_MAX_CHARS, Brief, UserProfile

if TYPE_CHECKING:
    from generation.facts.compose import Writer

# The push prompts' limit on the body ("at most 100 characters").
PUSH_BODY_CHARS = 100
# What a review says when no source gives it: a buyer asks for it first.
REVIEW_ASKS = ("price",)
# The brief's angle when the user gave none: a news comment then has no news to quote.
_NO_ANGLE = Brief.model_fields["angle"].default
# The profile's pieces a personalised push's lead says, in the order said, and the order they
# are dropped in when the reader's first interest would not fit after them (the greeting never).
_PERSONAL = ("nickname", "city", "budget", "current_car")
_DROPPED_FIRST = ("current_car", "city", "budget")
_MARKS = re.compile(r"\s?(?:\[\d+\])+")
_NUMBER = re.compile(r"(?<![A-Za-z\-\d.,])\d[\d,]*(?:\.\d+)?(?![A-Za-z\d])")


@dataclass
class Written:
    """One step's fields, the facts they state, and which fields are prose a model may polish."""

    fields: dict[str, Any]
    facts: list[SheetFact] = field(default_factory=list)
    prose: tuple[str, ...] = ()


def lower_first(lead: str, text: str) -> str:
    """ "Under the bonnet, " + "The engine…" → "Under the bonnet, the engine…"."""
    if not lead:
        return text
    first = text.split(" ", 1)[0]
    # "Official" → "official", "A 100 kWh battery" → "a 100 kWh battery" (not "NISMO", "I")
    if lead.isascii() and first[:1].isupper() and (first[1:].islower() or first == "A"):
        text = text[0].lower() + text[1:]
    return lead + text


def write_single(w: Writer) -> Written:
    business = w.brief.business
    if business in ("push_ops", "push_personal"):
        return push(w)
    if business == "weibo_region":
        return weibo(w)
    return review(w, comment=business == "news_comment")


# -- pushes ----------------------------------------------------------------------------------


def push(w: Writer) -> Written:
    """A title and a body of at most `PUSH_BODY_CHARS`: the profile's lead, the facts that fit
    (a reader's interests and budget first), the call to action when it fits."""
    r, brief = w.realiser, w.brief
    profile = brief.user_profile
    first = w.plan.groups_for_interests(profile.interests) if profile else []
    topics = w.topics(brief.business, "main", first=first)
    with _draft(w):  # numbered for measuring only: the request's numbers go to what is said
        options = [s for t in topics for s in w.sentences(t)]
        title = w.push_title()
    if not first:  # the body backs the title's figure first ("from €27,900": that price)
        shown = _numbers(title)
        options.sort(key=lambda s: not shown & _numbers(s.text))
    asked = {a for g in first for a in w.plan.groups.get(g, ())}
    if profile is not None and profile.budget:  # answered by the lowest price, said first
        prices = [s for s in options if _states([s], "price")]
        options = prices[:1] + [s for s in options if s not in prices]
        asked.add("price")
    wanted = options[0] if options and any(f.attribute in asked for f in options[0].facts) else None
    most = w.plan.part(brief.business, "main").sentences
    pieces, chosen = _lead_and_facts(
        w, _personal_pieces(w, profile, options), options, wanted, most
    )
    if pieces and pieces[-1][0] == "budget" and not _states(chosen, "price"):
        pieces.pop()  # a budget with no price to answer it
    chosen = [_cited(w, s) for s in chosen]
    title = w.push_title()  # its sources join the citations after the body's
    lead = _lead(pieces)
    body = _joined(w, lead, [s.text for s in chosen])
    cta = r.line("push", "cta")
    if len(_joined(w, body, [cta])) <= PUSH_BODY_CHARS:
        body = _joined(w, body, [cta])
    for sentence in chosen:
        w.take(sentence)
    facts = [f for s in chosen for f in s.facts]
    return Written({"title": title, "body": body}, facts, ())


def _lead_and_facts(
    w: Writer,
    full: list[tuple[str, str]],
    options: Sequence[Sentence],
    wanted: Sentence | None,
    most: int,
) -> tuple[list[tuple[str, str]], list[Sentence]]:
    """The fullest lead after which the reader's first interest (`wanted`: the price a budget
    asks, the boot a family asks) fits, else the fullest after which any fact fits; the lead's
    pieces dropped in `_DROPPED_FIRST` order. No fact fitting at all: the shortest, over the
    limit rather than a push without one."""
    dropped = [full]
    for name in _DROPPED_FIRST:
        if any(p == name for p, _ in dropped[-1]):
            dropped.append([p for p in dropped[-1] if p[0] != name])
    leads = []
    for pieces in dropped:  # each lead, then its last piece in its short form
        leads += [pieces, *([short] if (short := _shortened(w, pieces)) != pieces else [])]
    fallback: tuple[list[tuple[str, str]], list[Sentence]] | None = None
    for pieces in leads:
        chosen = _fit(w, _lead(pieces), options, PUSH_BODY_CHARS)[:most]
        if wanted is None or wanted in chosen:
            if chosen:
                return pieces, chosen
        elif chosen and fallback is None:
            fallback = pieces, chosen
    if fallback is not None:
        return fallback
    return leads[-1], [min(options, key=lambda s: len(s.text))] if options else []


def _personal_pieces(
    w: Writer, profile: UserProfile | None, options: Sequence[Sentence]
) -> list[tuple[str, str]]:
    """The lead's pieces the profile fills, in `_PERSONAL` order; the budget only when a price
    sentence can answer it, else the current car."""
    if profile is None:
        return []
    r = w.realiser
    pieces: list[tuple[str, str]] = []
    for name in _PERSONAL:
        value = getattr(profile, name)
        if not value:
            continue
        if name == "budget" and not _states(options, "price"):
            continue
        if name == "current_car" and any(n == "budget" for n, _ in pieces):
            continue  # one reason to read on is enough
        pieces.append((name, r.line("push", f"personal_{name}", **{name: value})))
    return pieces


def _shortened(w: Writer, pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The lead with its last piece in its short form (`personal_{name}_short`: "For
    Manchester: " for "here is one for Manchester. "), tried before the piece is dropped: a
    long engine sentence then still leaves room for the reader's city (the Land Rover
    Defender's left none). Only the last: a short form ends the lead ("For Leeds: the…")."""
    profile = w.brief.user_profile
    if not pieces or profile is None:
        return pieces
    name = pieces[-1][0]
    if not w.book.phrase("push", f"personal_{name}_short"):
        return pieces
    text = w.realiser.line("push", f"personal_{name}_short", **{name: getattr(profile, name)})
    return [*pieces[:-1], (name, text)]


def _lead(pieces: Sequence[tuple[str, str]]) -> str:
    """The lead's pieces in one: "Alex, " + "On your budget: " → "Alex, on your budget: ";
    its first letter a capital ("Here is one for Leeds." when no nickname leads it)."""
    lead = ""
    for _, text in pieces:
        lead = lower_first(lead, text) if lead.endswith(", ") else lead + text
    return lead[:1].upper() + lead[1:]


def _fit(w: Writer, lead: str, options: Sequence[Sentence], limit: int) -> list[Sentence]:
    chosen: list[Sentence] = []
    for sentence in options:
        if len(_joined(w, lead, [s.text for s in [*chosen, sentence]])) <= limit:
            chosen.append(sentence)
    return chosen


@contextmanager
def _draft(w: Writer) -> Iterator[None]:
    """Sentences written inside are numbered in a draft space (1, 2… by source, as long as the
    request's numbers would be), so that measuring what fits gives no source of the request a
    number the text then does not cite; `_cited` numbers a chosen sentence for real."""
    realiser, real = w.realiser, w.realiser.cite
    draft: dict[str, int] = {}
    realiser.cite = lambda f: draft.setdefault(f.citation.chunk_id or "", len(draft) + 1)
    try:
        yield
    finally:
        realiser.cite = real


def _cited(w: Writer, sentence: Sentence) -> Sentence:
    """A drafted sentence with the request's citation numbers, in the order the text says it."""
    text = _MARKS.sub("", sentence.text)
    return replace(sentence, text=w.realiser.cited(text, sentence.facts))


def _numbers(text: str) -> set[str]:
    """The numbers a text states, citation markers and names' numbers left out: "€27,900 [1]"
    → {"27900"}; "RX-7", "G3i 460G" → none."""
    return {n.replace(",", "") for n in _NUMBER.findall(re.sub(r"\[\d+\]", " ", text))}


def _states(sentences: Sequence[Sentence], attribute: str) -> bool:
    return any(f.attribute == attribute for s in sentences for f in s.facts)


def _joined(w: Writer, lead: str, sentences: Sequence[str]) -> str:
    """`lead` then `sentences`: after a lead that ends in a colon or comma, the first word
    lower-cased in English ("Alex, one for Leeds: the Tata Nexon…")."""
    text = w.realiser.join(sentences)
    if not lead:
        return text
    if w.book.language == "zh":
        return lead + text
    if re.search(r"[:,]\s*$", lead):
        return lower_first(lead, text)
    return f"{lead.rstrip()} {text}".strip()


# -- the regional Weibo post -----------------------------------------------------------------


def weibo(w: Writer) -> Written:
    """At most 140 characters, citations included: the region's readers addressed, the car
    named (by the lead when its first sentence does not), the facts that fit, a question."""
    r, brief = w.realiser, w.brief
    region = brief.region or ""
    lead = r.line("weibo", "lead", region=region)
    named = r.line("weibo", "lead_car", region=region)
    said: list[Sentence] = []
    for topic in w.topics("weibo_region", "main"):
        with _draft(w):
            drafted = w.sentences(topic)
        for sentence in drafted:
            candidate = [*said, sentence]
            if len(_post(w, lead, named, candidate, "")) <= WEIBO_MAX_CHARS:
                said.append(sentence)
                w.take(sentence)
    said = [_cited(w, s) for s in said]
    closing = r.line("weibo", "closing")
    text = _post(w, lead, named, said, closing)
    if len(text) > WEIBO_MAX_CHARS:
        text = _post(w, lead, named, said, "")
    tags = [t for t in (r.car.replace(" ", ""), region.replace(" ", "")) if t]
    facts = [f for s in said for f in s.facts]
    return Written({"text": text, "hashtags": tags}, facts, ())


def _post(w: Writer, lead: str, named: str, said: Sequence[Sentence], closing: str) -> str:
    """The post as published: `named` (the lead and the car's name) unless the first sentence
    names the car itself."""
    names_car = bool(said) and any(
        n.casefold() in said[0].text.casefold() for n in w.sheet.names() if n
    )
    return _joined(w, lead if names_car else named, [*(s.text for s in said), closing])


# -- the review and the news comment ---------------------------------------------------------


def review(w: Writer, *, comment: bool) -> Written:
    """The facts, then the judgement they add up to; a news comment first says the news it
    comments on and ends on its stance."""
    r, brief = w.realiser, w.brief
    judgement = judge(w.sheet, w.plan.judgements, () if comment else REVIEW_ASKS)
    section = "comment" if comment else "review"
    news = brief.angle.strip().rstrip(".。!！") if brief.angle != _NO_ANGLE else ""
    if comment and news:
        lead = r.line("comment", "news", news=news)
    else:
        lead = r.line(section, "lead")
    sentences = [Sentence(lead)]
    facts = w.write(w.topics(brief.business, "main"), sentences, "main")
    texts = [s.text for s in sentences]
    if comment:
        texts.append(_take(w, judgement))
    else:
        texts += [_verdict(w, judgement), _missing(w, judgement)]
        texts.append(r.line("review", f"closing_{judgement.sentiment}"))
    text = r.join([t for t in texts if t])
    return Written({"text": text, "sentiment": judgement.sentiment}, facts, ("text",))


def _verdict(w: Writer, judgement: Judgement) -> str:
    strengths, weaknesses = _points(w, judgement)
    if strengths and weaknesses:
        name = "both"
    elif strengths:
        name = "strong"
    elif weaknesses:
        name = "weak"
    else:
        name = "even"
    line = w.realiser.line("review", name, strengths=strengths, weaknesses=weaknesses)
    return line[:1].upper() + line[1:]


def _take(w: Writer, judgement: Judgement) -> str:
    strengths, weaknesses = _points(w, judgement)
    line = f"take_{judgement.sentiment}"
    return w.realiser.line("comment", line, strengths=strengths, weaknesses=weaknesses)


def _missing(w: Writer, judgement: Judgement) -> str:
    labels = w.book.phrase("review", "missing_labels") or {}
    missing = [str(labels.get(a, a)) for a in judgement.missing]
    if not missing:
        return ""
    return w.realiser.line("review", "missing", missing=_listed(w, missing))


def _points(w: Writer, judgement: Judgement) -> tuple[str, str]:
    """The strengths and the weaknesses, each as a list in words."""
    book = w.book
    said = []
    for kind, attributes in (
        ("strengths", judgement.strengths),
        ("weaknesses", judgement.weaknesses),
    ):
        phrases = book.phrase("review", kind) or {}
        said.append(_listed(w, [str(phrases[a]) for a in attributes if a in phrases]))
    return said[0], said[1]


def _listed(w: Writer, items: Sequence[str]) -> str:
    """ "a, b and c"; "甲、乙和丙"."""
    if len(items) <= 1:
        return "".join(items)
    if w.book.language == "zh":
        return "、".join(items[:-1]) + "和" + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]
