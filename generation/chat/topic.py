"""A chat turn's topic: the cars it is about and the attributes it asks for.

The cars are those the message names (`retrieval.entities.QueryCars`, the same detector search
uses); a message that names none ("How big is its boot?") is about the cars of the latest
earlier user message that named some, so the topic carries over until the user names another
car. It is derived from the conversation's own user messages, so it survives a restart with the
session's stored turns and works the same for the OpenAI-compatible route, whose client sends
the whole conversation.

The attributes are the vocabulary's labels and synonyms (`data/specs/attributes.toml`, English
and Chinese) found in the message, longest first: "fuel tank capacity" over "fuel", "续航里程"
over "续航"; "dimensions" / "尺寸" ask for length, width and height; and the ways questions
ask for an attribute that no document labels so ("how far", 多少钱, 多宽), read as search reads
them (`retrieval.facts.QueryAttributes.asking`, the vocabulary's `asked` words). Within a
clause, an attribute named by a label or by its own word ("charge", 充电) outranks one read
from a question phrase ("how fast", 多快: a wh-phrase or a word of degree, which asks about
whatever the clause names): "How fast does it charge?" asks the charging time.

A message that names a car and asks nothing else ("And the Meridian S?", "What about the
Aurora X5 Hybrid?") asks what the previous question asked. A message that names a make but
no car the registry knows ("the Aurora X7") is about that unknown car, never the last one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from generation.chat.memory import Turn
from generation.chat.quote import content_words, plain
from ingest.specs.vocabulary import LWH, Vocabulary
from retrieval.entities import QueryCars, without
from retrieval.facts import QueryAttributes
from retrieval.filters import Filters, parse_filters

_CJK = re.compile(r"[\u4e00-\u9fff]")
# Where a clause ends: a question phrase asks about what its own clause names.
_CLAUSE = re.compile(r"[,;:?!，；：？！。]|\s(?:and|or|but)\s|还有|以及")
# A question phrase: an interrogative and a word of degree ("how fast", 多快, 几座)
_QUESTION_PHRASE = re.compile(r"(?:how|what|which)\s|[多几更最较]")
# The words just after a make: the model a message names with it ("Aurora X7").
_MODEL_WORDS = re.compile(r"[ -]?[A-Za-z0-9][A-Za-z0-9-]*")
# Names too loose to be read as a question about an attribute ("in the city", "how does it
# drive", "what type"), and key names that are not words anyone asks with.
_LOOSE = frozenset(
    {"city", "highway", "hwy", "combined", "type", "class", "trans", "cyl", "displ", "drive"}
)


@dataclass(frozen=True)
class Topic:
    """The cars (registry ids) a turn is about, whether this message named them, and the
    attributes (vocabulary keys) it asks for, in the order asked."""

    cars: tuple[str, ...] = ()
    named: bool = False
    attributes: tuple[str, ...] = ()
    words: tuple[str, ...] = ()  # what else it asks about (`quote.content_words`)
    unknown: str = ""  # a car it names that the registry does not know ("Aurora X7")


def phrase(words: str) -> bool:
    """Whether an `asked` reading is a question phrase rather than the attribute's own word:
    English words led by an interrogative ("how fast", "how much is"), or Chinese led by a
    word of degree ("多快", "多少钱", "多宽")."""
    return _QUESTION_PHRASE.match(words) is not None


def clauses(text: str) -> list[str]:
    """`text` cut where a clause ends (punctuation, "and", 还有)."""
    return [part for part in _CLAUSE.split(text) if part.strip()]


def language_of(text: str) -> str:
    """ "zh" for a message with Chinese characters, else "en"."""
    return "zh" if _CJK.search(text) else "en"


class Topics:
    """Finds a turn's topic.

    Args:
        cars: the query-car detector (the searcher's; None: no cars are ever found).
        vocabulary: the attribute vocabulary whose labels questions are matched against.
    """

    def __init__(
        self,
        cars: Callable[[], QueryCars] | None,
        vocabulary: Vocabulary,
    ) -> None:
        self._cars = cars
        self.vocabulary = vocabulary
        self.asked = QueryAttributes.build(vocabulary)  # how questions ask, as search reads it
        self.names: dict[str, list[str]] = defaultdict(list)  # attribute → its names, folded
        for label, key in vocabulary.labels.items():
            loose = label in _LOOSE or (len(label) == 1 and _CJK.match(label))
            if not loose:
                for attribute in LWH if key == "LWH" else (key,):
                    self.names[attribute].append(label)
        self._by_name = {n: k for k, ns in self.names.items() for n in ns}
        # how a sentence of a passage may name it besides its labels: its own `asked` words
        # ("DC charging: 80 kW peak" answers "How fast does it charge?")
        self.own_words: dict[str, list[str]] = defaultdict(list)
        for word, key in vocabulary.asked.items():
            if not phrase(word) and len(word) > 1:
                self.own_words[key].append(word)
        self._lwh = {n for n, key in vocabulary.labels.items() if key == "LWH"}
        names = sorted(self._by_name, key=len, reverse=True)
        english = "|".join(re.escape(n) for n in names if not _CJK.search(n))
        chinese = "|".join(re.escape(n) for n in names if _CJK.search(n))
        # an English name may be asked in the plural: "What engines does it have?"
        self._pattern = re.compile(
            rf"(?<![a-z0-9])(?P<en>{english})(?:e?s)?(?![a-z0-9])|(?P<zh>{chinese})"
        )

    def cars_in(self, text: str) -> list[str]:
        """The cars `text` names, in order of mention."""
        if self._cars is None:
            return []
        return [mention.car for mention in self._cars().find(text)]

    def attributes_in(self, text: str) -> list[str]:
        """The attributes `text` asks for, in order, once each; in each clause, those read
        from a question phrase only where the clause names none otherwise."""
        found: list[str] = []
        for clause in clauses(text):
            named: list[tuple[int, str]] = []
            for match in self._pattern.finditer(plain(clause)):
                name = match.group("en") or match.group("zh")
                keys = LWH if name in self._lwh else (self._by_name[name],)
                named += [(match.start(), k) for k in keys]
            asked = self.asked.asking(clause)
            named += [(at, key) for at, key, words in asked if not phrase(words)]
            if not named:
                named = [(at, key) for at, key, _ in asked]
            for _, key in sorted(named, key=lambda pair: pair[0]):
                if key not in found:
                    found.append(key)
        return found

    def unknown_car(self, text: str, named: Sequence[str]) -> str:
        """The car `text` names by a make the index knows and a model no car of it has
        ("the Aurora X7"), as written; "" when it names none (or names a car besides)."""
        if self._cars is None or named:
            return ""
        for hit in self._cars().index.find(text):
            if hit.car is None:
                after = _MODEL_WORDS.match(text, hit.end)
                return text[hit.start : after.end() if after else hit.end]
        return ""

    def words(self, message: str) -> tuple[str, ...]:
        """What `message` asks about besides the cars it names (`quote.content_words`)."""
        mentions = self._cars().find(message) if self._cars is not None else []
        return tuple(content_words(without(message, mentions)))

    def topic(self, message: str, history: Sequence[Turn]) -> Topic:
        """`message`'s topic: the cars it names, else those of the latest earlier user
        message that named some."""
        attributes = tuple(self.attributes_in(message))
        words = self.words(message)
        named = self.cars_in(message)
        asked = [str(m["content"]) for t in history for m in t.messages if m["role"] == "user"]
        if named:
            if not attributes and not words:  # "And the Meridian S?": the last question's
                attributes = self._asked_before(asked)
            return Topic(tuple(named), True, attributes, words)
        unknown = self.unknown_car(message, named)
        if unknown:  # a car nobody indexed: not the last one
            return Topic((), True, attributes, words, unknown)
        for earlier in reversed(asked):
            if cars := self.cars_in(earlier):
                return Topic(tuple(cars), False, attributes, words)
        return Topic((), False, attributes, words)

    def _asked_before(self, asked: Sequence[str]) -> tuple[str, ...]:
        """The attributes the latest earlier question asked for, through earlier questions
        that asked nothing but a car themselves."""
        for earlier in reversed(asked):
            attributes = self.attributes_in(earlier)
            if attributes:
                return tuple(attributes)
            if self.words(earlier):
                break  # it asked something else
        return ()


def car_filters(filters: object, cars: Sequence[str]) -> Filters | object:
    """`filters` narrowed to the chunks about `cars`, unless they choose cars already."""
    parsed = parse_filters(filters)  # type: ignore[arg-type]
    if not cars or parsed.car is not None:
        return filters
    return parsed.model_copy(update={"car": list(cars)})
