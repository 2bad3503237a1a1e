"""The embedded model polishes a written paragraph; its rewrite is kept only when it is safe.

A 135M model cannot be trusted with figures, so it never writes them: it gets a paragraph the
realiser wrote from facts and is asked to make it read better. The rewrite is kept only when
all of these hold, otherwise the realiser's paragraph stands:

- the same figures, each as often (no figure dropped, changed or added);
- the same citation markers;
- the car's name still there;
- the brief's language (no English paragraph in a Chinese blog, no Chinese in an English one
  beyond the names the original had);
- no loop (a phrase of four words or eight characters repeated three times, or a sentence
  repeated), no echo of the instruction and no talk about the rewrite ("Here is…");
- a length between half and twice the original's;
- mostly the original's words: a rewrite whose content words (English words of four letters
  or more; Chinese characters) are more than a third new says something else (the BYD Seal's
  "suits drivers who can charge at home" became "enable users to ride bicycles");
- no sensitive word the original did not have: the realiser's text holds none, and the
  facts-first run has no re-ask to take one out.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from generation.errors import GenerationError
from generation.guard import Guard
from generation.passages import cited_numbers
from generation.schemas import StepTrace

if TYPE_CHECKING:
    from generation.chain.run import Chain, ChainRun

_FIGURE = re.compile(r"(?<!\[)\d+(?:[.,]\d+)*(?!\])")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"\w+")
# A rewrite that talks about itself ("Here is a rewritten version:", "以下是润色后的段落：").
_META = re.compile(
    r"^\W*(?:here\s+is|here's|sure|certainly|rewritten|revised|以下是|好的|润色后)|[:：]\s*$",
    re.IGNORECASE | re.MULTILINE,
)


def figures(text: str) -> Counter[str]:
    """The figures of a text, citation markers left out: "1,500-4,000 rpm [2]" → 1500, 4000."""
    without = re.sub(r"\[\d+\]", " ", text)
    return Counter(m.replace(",", "") for m in _FIGURE.findall(without))


def talks_about_itself(text: str) -> bool:
    """Does the text talk about the rewrite ("Here is a rewritten version:")?"""
    return _META.search(text) is not None


# More than this share of a rewrite's content words new: not the paragraph reworded.
NEW_WORDS_MAX = 1 / 3
_CONTENT = re.compile(r"[a-z]{4,}")


def _content(text: str, language: str) -> list[str]:
    """The words a rewrite must mostly keep: English words of four letters or more, compared
    on their first five letters ("charge", "charging"); in Chinese, its characters."""
    if language == "zh":
        return _CJK.findall(text)
    return [w[:5] for w in _CONTENT.findall(text.lower())]


def says_something_else(rewrite: str, original: str, language: str) -> bool:
    """Are more than `NEW_WORDS_MAX` of the rewrite's content words not the original's?"""
    words = _content(rewrite, language)
    known = set(_content(original, language))
    return bool(words) and sum(w not in known for w in words) > NEW_WORDS_MAX * len(words)


def looping(text: str, language: str) -> bool:
    if language == "zh":
        units = [text[i : i + 8] for i in range(0, max(len(text) - 7, 0))]
        grams = Counter(u for u in units if _CJK.search(u))
    else:
        words = _WORD.findall(text.lower())
        grams = Counter(" ".join(words[i : i + 4]) for i in range(max(len(words) - 3, 0)))
    if grams and grams.most_common(1)[0][1] >= 3:
        return True
    sentences = [s.strip() for s in re.split(r"[.!?。！？]", text) if len(s.strip()) > 8]
    return len(sentences) != len(set(sentences))


def echoes(text: str, instruction: str) -> bool:
    """Does the rewrite repeat six words (or twelve characters) of the instruction?"""
    words = _WORD.findall(instruction.lower())
    lowered = " ".join(_WORD.findall(text.lower()))
    for i in range(max(len(words) - 5, 0)):
        if " ".join(words[i : i + 6]) in lowered:
            return True
    chinese = "".join(_CJK.findall(instruction))
    return any(chinese[i : i + 12] in text for i in range(max(len(chinese) - 11, 0)))


def right_language(text: str, original: str, language: str) -> bool:
    cjk, letters = len(_CJK.findall(text)), len(re.findall(r"[A-Za-z]", text))
    if language == "zh":
        return cjk >= letters and cjk > 0
    return cjk <= len(_CJK.findall(original))


def acceptable(
    rewrite: str,
    original: str,
    *,
    names: list[str],
    language: str,
    instruction: str,
    guard: Guard | None = None,
) -> str | None:
    """Why `rewrite` cannot replace `original` (None: it can)."""
    if not rewrite.strip():
        return "empty"
    if not 0.5 <= len(rewrite) / max(len(original), 1) <= 2.0:
        return "length"
    if figures(rewrite) != figures(original):
        return "figures"
    if cited_numbers(rewrite) != cited_numbers(original):
        return "citations"
    if not any(n.casefold() in rewrite.casefold() for n in names if n in original):
        return "car name"
    if not right_language(rewrite, original, language):
        return "language"
    if looping(rewrite, language):
        return "loop"
    if echoes(rewrite, instruction) or talks_about_itself(rewrite):
        return "echo"
    if guard is not None and _words(guard, rewrite) - _words(guard, original):
        return "sensitive word"
    if says_something_else(rewrite, original, language):
        return "new words"
    return None


def _words(guard: Guard, text: str) -> set[str]:
    return {hit.word for hit in guard.scan(text)}


async def polish(chain: Chain, run: ChainRun, step: str, text: str, trace: StepTrace) -> str | None:
    """The model's rewrite of `text`, or None when it is off, fails or is not acceptable."""
    if not chain.options.polish or run.sheet is None or not text.strip():
        return None
    if sum(figures(text).values()) > chain.options.polish_max_figures:
        return None
    brief = run.brief
    rendered = chain.prompts.render(
        "polish",
        "paragraph",
        model=chain.llm.name,
        variables={"brief": brief, "text": text, "car": run.sheet.name(brief.language)},
    )
    events = run.callbacks.child(step=step)
    try:
        completion = await chain.llm.complete(
            rendered.messages,
            max_tokens=int(len(text) * (1.2 if brief.language == "zh" else 0.5)) + 40,
            temperature=0.3,
            callbacks=events,
        )
    except GenerationError as e:
        events.emit("polish.end", kept=False, reason=f"failed: {e}")
        return None
    run.usage.add(completion.prompt_tokens, completion.completion_tokens, completion.cost)
    trace.prompt_tokens += completion.prompt_tokens
    trace.completion_tokens += completion.completion_tokens
    trace.cost = round(trace.cost + completion.cost, 10)
    trace.calls += 1
    trace.prompt_template = f"{trace.prompt_template} + {rendered.template}"
    rewrite = completion.text.strip().strip('"“”')
    instruction = "\n".join(m["content"] for m in rendered.messages)
    reason = acceptable(
        rewrite,
        text,
        names=run.sheet.names() + [run.sheet.name(brief.language)],
        language=brief.language,
        instruction=instruction.replace(text, ""),
        guard=chain.guard,
    )
    events.emit("polish.end", kept=reason is None, reason=reason or "")
    if reason is not None:
        trace.reasks.append(f"polish rejected: {reason}")
        return None
    return rewrite
