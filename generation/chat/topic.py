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
them (`retrieval.facts.QueryAttributes.asking`, the vocabulary's `asked` words).
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
        """The attributes `text` asks for, in order, once each."""
        named: list[tuple[int, str]] = []
        for match in self._pattern.finditer(plain(text)):
            name = match.group("en") or match.group("zh")
            named += [
                (match.start(), k) for k in (LWH if name in self._lwh else (self._by_name[name],))
            ]
        named += self.asked.asking(text)
        found: list[str] = []
        for _, key in sorted(named, key=lambda pair: pair[0]):
            if key not in found:
                found.append(key)
        return found

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
        if named:
            return Topic(tuple(named), True, attributes, words)
        for turn in reversed(history):
            for m in reversed(turn.messages):
                if m["role"] == "user" and (earlier := self.cars_in(str(m["content"]))):
                    return Topic(tuple(earlier), False, attributes, words)
        return Topic((), False, attributes, words)


def car_filters(filters: object, cars: Sequence[str]) -> Filters | object:
    """`filters` narrowed to the chunks about `cars`, unless they choose cars already."""
    parsed = parse_filters(filters)  # type: ignore[arg-type]
    if not cars or parsed.car is not None:
        return filters
    return parsed.model_copy(update={"car": list(cars)})
