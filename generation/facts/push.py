"""The pushes written from facts: a title within `title_max` and a body of at most
`PUSH_BODY_CHARS`; a personalised push speaks to its reader (`UserProfile`).

A reader's interests choose the facts its body states ("space": the boot and the seats,
"performance": the power and the sprint; `plan.toml`, `[interests]`), other facts only when
none of theirs fits; a reader's budget is answered by the lowest price, said against it (within
it, above it) when the budget names the price's currency, and never echoed: a figure of the
reader's is no fact of the car's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from generation.facts.drafting import (
    Written,
    cited,
    draft,
    joined,
    lower_first,
    numbers,
    states,
)
from generation.facts.realise import Sentence
from generation.facts.sheet import SheetFact
from generation.schemas import UserProfile
from ingest.analysis import has_han
from ingest.specs.numbers import fold, quantities
from ingest.specs.variants import is_model_year

if TYPE_CHECKING:
    from generation.facts.compose import Writer

# The push prompts' limit on the body ("at most 100 characters").
PUSH_BODY_CHARS = 100
# The profile's pieces a personalised push's lead says, in the order said, and the order they
# are dropped in when the reader's first interest would not fit after them (the greeting never).
_PERSONAL = ("nickname", "city", "budget", "current_car")
_DROPPED_FIRST = ("current_car", "city", "budget")


def push(w: Writer) -> Written:
    """A title and a body of at most `PUSH_BODY_CHARS`: the profile's lead, the facts that fit
    (a reader's interests and budget first), the call to action when it fits."""
    r, brief = w.realiser, w.brief
    profile = brief.user_profile
    # one version per interest: the power and the sprint, not two versions' power
    first = [f"{g}:1" for g in w.plan.groups_for_interests(profile.interests)] if profile else []
    topics = w.topics(brief.business, "main", first=first)
    with draft(w):  # numbered for measuring only: the request's numbers go to what is said
        options = [s for t in topics for s in w.sentences(t)]
        title = push_title(w)
    if not first:  # the body backs the title's figure first ("from €27,900": that price)
        shown = numbers(title)
        options.sort(key=lambda s: not shown & numbers(s.text))
    asked = {a for g in first for a in w.plan.groups.get(g.partition(":")[0], ())}
    every = options
    if any(f.attribute in asked for s in options for f in s.facts):
        # a reader's interests are what the body speaks of: other facts only when none fits
        options = [s for s in options if any(f.attribute in asked for f in s.facts)]
    if profile is not None and profile.budget:  # answered by the lowest price, said first
        prices = [s for s in every if _price(s)]
        options = prices[:1] + [s for s in options if not _price(s)]
        asked.add("price")
    wanted = options[0] if options and any(f.attribute in asked for f in options[0].facts) else None
    most = w.plan.part(brief.business, "main").sentences
    pieces, chosen = _lead_and_facts(
        w, _personal_pieces(w, profile, options), options, wanted, most
    )
    if pieces and pieces[-1][0] == "budget" and not states(chosen, "price"):
        pieces.pop()  # a budget with no price to answer it
    chosen = [cited(w, s) for s in chosen]
    title = push_title(w)  # its sources join the citations after the body's
    body = joined(w, _lead(pieces), [s.text for s in chosen])
    cta = r.line("push", "cta")
    if len(joined(w, body, [cta])) <= PUSH_BODY_CHARS:
        body = joined(w, body, [cta])
    for sentence in chosen:
        w.take(sentence)
    facts = [f for s in chosen for f in s.facts]
    return Written({"title": title, "body": body}, facts, ())


def _price(sentence: Sentence) -> SheetFact | None:
    return next((f for f in sentence.facts if f.attribute == "price" and f.numbers), None)


def budget_verdict(budget: str, price: SheetFact | None) -> str:
    """How `price` stands against a reader's `budget`: "fits", "above", or "" when the budget
    names no amount in the price's currency (no rate converts one: "under £30,000" says nothing
    of RMB 149,800). A Chinese budget's bare 万 ("15-20万") is in yuan."""
    if price is None or not price.numbers or not price.unit:
        return ""
    for q in quantities(fold(budget)):
        unit = q.unit.symbol if q.unit is not None else ("CNY" if has_han(budget) else None)
        if unit == price.unit and q.numbers:
            return "fits" if min(price.numbers) <= max(q.numbers) else "above"
    return ""


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
    sentence can answer it (said as the price stands against it), else the current car."""
    if profile is None:
        return []
    r = w.realiser
    pieces: list[tuple[str, str]] = []
    price = next((p for s in options if (p := _price(s))), None)
    for name in _PERSONAL:
        value = getattr(profile, name)
        if not value:
            continue
        key = f"personal_{name}"
        if name == "budget":
            if price is None:
                continue
            verdict = budget_verdict(value, price)
            key += f"_{verdict}" if verdict else ""
        if name == "current_car" and any(n == "budget" for n, _ in pieces):
            continue  # one reason to read on is enough
        pieces.append((name, r.line("push", key, **{name: value})))
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
        if len(joined(w, lead, [s.text for s in [*chosen, sentence]])) <= limit:
            chosen.append(sentence)
    return chosen


def push_title(w: Writer) -> str:
    """The car and a headline figure within `title_max`, the fullest that fits: the first
    headline phrase, the version and its power, the car's top power without the version's
    name, the other headline phrases; each with the model's own name when the car's is too
    long ("Xingchen: from RMB 69,800"); then the car alone. A personal push greets its
    reader first when that fits."""
    r, limit, brief = w.realiser, w.brief.title_max, w.brief
    headline = w.headline()
    phrases = headline[:1]
    power = w.top("power")
    version = power.variant if power is not None else None
    extra: list[str] = []
    if power is not None and version and not is_model_year(version):
        # shorter than "up to 496 hp in the NISMO": "Nissan Patrol NISMO: 496 hp", when
        # the version's name says the car's ("Kappa 1.0 l Turbo GDi" alone does not)
        subject = r.subject(version)
        if any(n.casefold() in subject.casefold() for n in w.sheet.names() if n):
            value = w.book.value(power, short=True)
            extra.append(r.line("push", "title_variant", version=subject, power=value))
        phrases.append(r.line("blog", "title_power", power=w.book.value(power, short=True)))
    phrases += headline[1:]
    names = [r.car, *_short_names(w)]
    plain = [r.line("push", "title", a=phrases[0])] if phrases else []
    plain += extra + [
        r.line("push", "title", a=p).replace(r.car, name, 1) for name in names for p in phrases
    ]
    plain.append(r.car)
    profile = brief.user_profile
    greeting = (
        r.line("push", "personal_nickname", nickname=profile.nickname)
        if profile is not None and profile.nickname
        else ""
    )
    if w.book.language != "zh":  # an English title names no version in Chinese
        plain = [t for t in plain if not has_han(t)]
    # a figure first: "Toyota Tacoma: up to 323 hp" before "Sam, Toyota Tacoma" (the body
    # greets the reader too); the car alone only when no figure fits
    figured = [t for t in plain if t and t != r.car]
    bare = [r.car]
    candidates = [greeting + t for t in figured if greeting] + figured
    candidates += [greeting + t for t in bare if greeting] + bare
    for title in candidates:
        if title and len(title) <= limit:
            return title.rstrip(" ,，")
    words = r.car.split()
    while len(" ".join(words)) > limit and len(words) > 1:
        words.pop()
    return " ".join(words)[:limit]


def _short_names(w: Writer) -> list[str]:
    """The model's own name, shorter than the car's: an alias the name ends with
    ("Xingchen" of "Wuling Xingchen"), else its last word when a word of three characters
    or more ("Defender" of "Land Rover Defender": no alias file lists it)."""
    car = w.realiser.car
    names = [a for a in w.sheet.car.aliases if a != car and car.endswith(" " + a)]
    last = car.rsplit(" ", 1)[-1]
    if not names and last != car and len(last) >= 3 and not last.isdigit():
        names.append(last)
    return names
