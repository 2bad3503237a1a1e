"""What the generation eval measures in one response, read from the response as a client gets it.

Each detector is a plain function over text, so an editor's own string can be checked too:

- **distinct facts**: the response's `facts` counted once per attribute, variant and value
  (a fact stated in two parts counts once);
- **figures**: the response's own `grounding` (checked, supported, unsupported and, where the
  grounding reports them, wrong-car figures and dropped sentences), read defensively: a count
  or a list both count;
- **prompt echo**: the output repeats six words (or twelve Chinese characters) of what the model
  was told (`generation.chain.polish.echoes`), or talks about itself ("Here is…");
- **loops**: a sentence or line said twice anywhere in the output, or a run of eight words
  (sixteen characters of Chinese text) said three times within one sentence; a name repeated
  as the subject of several sentences ("The 1.8 L Man-5 displaces… The 1.8 L Man-5 has…") is
  monotonous, not a loop;
- **language**: Chinese output is mostly Chinese (at least half its letters are CJK once the
  car's names and the names of the versions and engines it states are taken out); English
  output has no CJK beyond those names.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from generation.chain.polish import echoes, talks_about_itself
from generation.schemas import BUSINESSES, STEP_MODELS

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_CITATION = re.compile(r"\[\d+\]")
# A sentence ends at 。！？ or a newline, or at . ! ? before a space (not inside "1.5").
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|[。！？!?\n]+")
_WORD = re.compile(r"\w+")
LOOP_WORDS = 8  # a run of this many words said LOOP_TIMES times is a loop
LOOP_CHARS = 16  # the same for characters of Chinese text (spaces and citations left out)
LOOP_TIMES = 3
MIN_SENTENCE_WORDS = 4  # shorter sentences ("Check it out.") may repeat without being a loop
MIN_SENTENCE_CHARS = 8


def output_texts(response: Mapping[str, Any]) -> dict[str, str]:
    """The generated text of a response, by field: the fields grounding and the guard read
    for its business (`StepOutput.text_fields`), e.g. a blog's title and three parts, a push's
    title and body."""
    business = str(response.get("business", ""))
    texts: dict[str, str] = {}
    for step in BUSINESSES.get(business, ()):
        model = STEP_MODELS[(business, step)]
        for name in model.text_fields:
            if business == "car_blog":
                key = "title" if name == "title" else step
                value = response.get(key)
            else:
                key = name
                value = (response.get("output") or {}).get(name)
            if isinstance(value, str) and value.strip():
                texts[key] = value
    return texts


def distinct_facts(facts: Iterable[Mapping[str, Any]]) -> int:
    """Facts counted once per attribute, variant and value, whichever parts state them."""
    return len({(f.get("attribute"), f.get("variant"), f.get("value")) for f in facts})


def _count(value: Any) -> int:
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, Sequence) and not isinstance(value, str):
        return len(value)
    return 0


def _figure_texts(value: Any) -> list[str]:
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [str(v.get("text", v)) if isinstance(v, Mapping) else str(v) for v in value]
    return []


def without_names(text: str, names: Iterable[str]) -> str:
    """`text` with the car's names (longest first, any case) and citation markers taken out."""
    text = _CITATION.sub(" ", text)
    for name in sorted({n for n in names if n.strip()}, key=len, reverse=True):
        text = re.sub(re.escape(name), " ", text, flags=re.IGNORECASE)
    return text


def cjk_share(text: str) -> float:
    """CJK characters among the letters (CJK and Latin) of `text`; 0.0 without letters."""
    cjk, latin = len(_CJK.findall(text)), len(_LATIN.findall(text))
    return cjk / (cjk + latin) if cjk + latin else 0.0


def right_language(text: str, language: str, names: Iterable[str] = ()) -> bool:
    """Chinese: at least half the letters CJK once the names are out; English: no CJK beyond
    the names."""
    rest = without_names(text, names)
    if language == "zh":
        return bool(_CJK.search(rest)) and cjk_share(rest) >= 0.5
    return not _CJK.search(rest)


def _normal(sentence: str) -> str:
    words = _WORD.findall(_CITATION.sub(" ", sentence).casefold())
    return " ".join(words)


def repeated_sentences(texts: Iterable[str]) -> list[str]:
    """Sentences or lines said more than once across `texts` (citations and case ignored)."""
    seen: Counter[str] = Counter()
    for text in texts:
        for piece in _SENTENCE_END.split(text):
            normal = _normal(piece)
            long_enough = len(normal.split()) >= MIN_SENTENCE_WORDS or (
                len(_CJK.findall(normal)) >= MIN_SENTENCE_CHARS
            )
            if long_enough:
                seen[normal] += 1
    return [s for s, n in seen.items() if n > 1]


def looping_runs(text: str) -> list[str]:
    """Runs of LOOP_WORDS words, or of LOOP_CHARS characters holding Chinese, said LOOP_TIMES
    times or more within one sentence (a model stuck in a loop rarely ends its sentence)."""
    found: dict[str, None] = {}
    for sentence in _SENTENCE_END.split(_CITATION.sub(" ", text).casefold()):
        words = _WORD.findall(sentence)
        runs = Counter(
            " ".join(words[i : i + LOOP_WORDS]) for i in range(len(words) - LOOP_WORDS + 1)
        )
        chars = re.sub(r"\s+", "", sentence)
        runs.update(
            run
            for i in range(len(chars) - LOOP_CHARS + 1)
            if _CJK.search(run := chars[i : i + LOOP_CHARS])
        )
        found.update(dict.fromkeys(run for run, n in runs.items() if n >= LOOP_TIMES))
    return list(found)


def echo_of(text: str, prompts: Iterable[str]) -> str | None:
    """Why `text` echoes: a prompt it repeats six words of, or its talk about itself; None."""
    for prompt in prompts:
        if prompt.strip() and echoes(text, prompt):
            return f"repeats the prompt: {prompt[:80]!r}"
    if talks_about_itself(text):
        return "talks about itself"
    return None


@dataclass
class Measured:
    """One output's measures (a failed request has only its outcome and latency)."""

    car: str
    business: str
    language: str
    status: int
    error_type: str = ""
    error: str = ""
    seconds: float = 0.0
    distinct_facts: int = 0
    checked: int = 0
    supported: int = 0
    unsupported: int = 0
    wrong_car: int = 0
    wrong_car_reported: bool = False  # the grounding judges wrong-car figures at all
    dropped: int = 0  # sentences the grounding policy removed for their figures
    unsupported_figures: list[str] = field(default_factory=list)
    wrong_car_figures: list[str] = field(default_factory=list)
    verdict: str = ""
    echo: str = ""
    repeated: list[str] = field(default_factory=list)
    loops: list[str] = field(default_factory=list)
    right_language: bool = False
    cjk_share: float = 0.0
    polished: list[str] = field(default_factory=list)
    polish_rejected: list[str] = field(default_factory=list)  # why each rewrite was refused
    writer: str = ""
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def looped(self) -> bool:
        return bool(self.repeated or self.loops)


def measure(
    response: Mapping[str, Any],
    *,
    car: str,
    language: str,
    seconds: float,
    names: Sequence[str],
    prompts: Sequence[str],
) -> Measured:
    """The measures of one 200 response (`response` as its JSON reads).

    Args:
        names: the car's names, which may appear in either language.
        prompts: what the model was told (instructions, the brief's own words): an output that
            repeats them echoes.
    """
    texts = output_texts(response)
    whole = "\n".join(texts.values())
    grounding = response.get("grounding") or {}
    # trim and engine names are names too ("3.5L V6 Gasoline Engine"): the language is the
    # prose's around them
    facts = response.get("facts") or []
    variants = [str(f.get("variant") or "") for f in facts]
    engines = [str(f.get("value") or "") for f in facts if f.get("attribute") == "engine"]
    names = [*names, *variants, *engines]  # an engine's name too: "Hybrid Synergy Drive"
    return Measured(
        car=car,
        business=str(response.get("business", "")),
        language=language,
        status=200,
        seconds=seconds,
        distinct_facts=distinct_facts(response.get("facts") or []),
        checked=_count(grounding.get("checked")),
        supported=_count(grounding.get("supported")),
        unsupported=_count(grounding.get("unsupported")),
        wrong_car=_count(grounding.get("wrong_car")),
        wrong_car_reported="wrong_car" in grounding,
        dropped=_count(grounding.get("dropped")),
        unsupported_figures=_figure_texts(grounding.get("unsupported")),
        wrong_car_figures=_figure_texts(grounding.get("wrong_car")),
        verdict=str(grounding.get("verdict", "")),
        echo=next((e for t in texts.values() if (e := echo_of(t, prompts))), ""),
        repeated=repeated_sentences(texts.values()),
        loops=looping_runs(whole),
        right_language=right_language(whole, language, names),
        cjk_share=round(cjk_share(without_names(whole, names)), 3),
        polished=list(response.get("polished") or []),
        polish_rejected=[
            reason.removeprefix("polish rejected:").strip()
            for step in response.get("trace") or []
            for reason in step.get("reasks") or []
            if str(reason).startswith("polish rejected")
        ],
        writer=str(response.get("writer", "")),
        texts=texts,
    )
