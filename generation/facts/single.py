"""The one-step businesses written from facts (`Writer.single`): the pushes
(`generation.facts.push`), the regional Weibo post (`generation.facts.weibo`), the review and
the news comment.

Each is held to what its prompt promises a reader (`data/prompts/{business}/main.j2`): a push
body of at most 100 characters, a Weibo post of at most 140 that speaks to its region, a
personalised push that uses the reader's profile, a review that judges, and a news comment
that takes a stance on the news it is given, for buyers, backed by the facts that make it.
Every figure is cited as [n]: the same contract a remote model writes to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generation.facts.drafting import Written, listed, lower_first
from generation.facts.plan import Topic
from generation.facts.push import PUSH_BODY_CHARS, push
from generation.facts.realise import Sentence
from generation.facts.verdict import Judgement, judge
from generation.facts.weibo import weibo
from generation.schemas import Brief

if TYPE_CHECKING:
    from generation.facts.compose import Writer

__all__ = ["PUSH_BODY_CHARS", "Written", "lower_first", "write_single"]

# What a review says when no source gives it: a buyer asks for it first.
REVIEW_ASKS = ("price",)
# The brief's angle when the user gave none: a news comment then has no news to quote.
_NO_ANGLE = Brief.model_fields["angle"].default


def write_single(w: Writer) -> Written:
    business = w.brief.business
    if business in ("push_ops", "push_personal"):
        return push(w)
    if business == "weibo_region":
        return weibo(w)
    if business == "news_comment":
        return comment(w)
    return review(w)


# -- the review and the news comment ---------------------------------------------------------


def review(w: Writer) -> Written:
    """The facts, then the judgement they add up to."""
    r = w.realiser
    judgement = judge(w.sheet, w.plan.judgements, REVIEW_ASKS)
    sentences = [Sentence(r.line("review", "lead"))]
    facts = w.write(w.topics("review", "main"), sentences, "main")
    texts = [s.text for s in sentences]
    texts += [_verdict(w, judgement), _missing(w, judgement)]
    texts.append(r.line("review", f"closing_{judgement.sentiment}"))
    text = r.join([t for t in texts if t])
    return Written({"text": text, "sentiment": judgement.sentiment}, facts, ("text",))


def comment(w: Writer) -> Written:
    """The news, the stance it means for buyers, the facts that back the stance, and what a
    buyer should do. The stance is the car's judgement (`verdict.judge`): its strengths and
    weaknesses, each backed by the figure judged (the Hybrid's 200 kW, the 520-litre boot);
    a car that stands out neither way is one whose price decides, and its lowest price backs
    that. Without news in the brief it comments on the car."""
    r, brief = w.realiser, w.brief
    judgement = judge(w.sheet, w.plan.judgements)
    news = brief.angle.strip().rstrip(".。!！") if brief.angle != _NO_ANGLE else ""
    lead = r.line("comment", "news", news=news) if news else ""  # no news: the take leads
    backing = [Topic(f.attribute, f.variant, (f,)) for f in judgement.backing]
    stance = _stance(judgement)
    if not backing:  # nothing stands out: the price decides, said first when there is one
        backing = w.topics("news_comment", "main", first=["price:1"])
        priced = any(f.attribute == "price" for t in backing[:1] for f in t.facts)
        stance += "" if priced else "_unpriced"
    strengths, weaknesses = _points(w, judgement)
    take = r.line("comment", f"take_{stance}", strengths=strengths, weaknesses=weaknesses)
    sentences = [Sentence(lead), Sentence(take)]
    facts = w.write(backing, sentences, "main")
    sentences.append(Sentence(r.line("comment", f"buyers_{stance.removesuffix('_unpriced')}")))
    text = r.join([s.text for s in sentences if s.text])
    # not offered for polish: a rewrite that loses the stance or its backing is no comment
    return Written({"text": text, "sentiment": judgement.sentiment}, facts, ())


def _stance(judgement: Judgement) -> str:
    if judgement.strengths and judgement.weaknesses:
        return "mixed"
    if judgement.strengths:
        return "positive"
    return "negative" if judgement.weaknesses else "neutral"


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


def _missing(w: Writer, judgement: Judgement) -> str:
    labels = w.book.phrase("review", "missing_labels") or {}
    missing = [str(labels.get(a, a)) for a in judgement.missing]
    if not missing:
        return ""
    return w.realiser.line("review", "missing", missing=listed(w, missing))


def _points(w: Writer, judgement: Judgement) -> tuple[str, str]:
    """The strengths and the weaknesses, each as a list in words."""
    book = w.book
    said = []
    for kind, attributes in (
        ("strengths", judgement.strengths),
        ("weaknesses", judgement.weaknesses),
    ):
        phrases = book.phrase("review", kind) or {}
        said.append(listed(w, [str(phrases[a]) for a in attributes if a in phrases]))
    return said[0], said[1]
