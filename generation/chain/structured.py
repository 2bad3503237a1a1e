"""Standardised JSON: ask for one object, validate it with pydantic, re-ask with the error.

JSON mode (`response_format`) is used where the model's spec says it has one; otherwise the
LLM layer adds an instruction and extracts the first JSON object from the answer. The model's
JSON schema goes with the request: the embedded model's output is constrained to it. Before
validation, an answer that is not JSON as it stands gets one conservative `repair` of the slips
small models make (a missing comma, an answer cut off by the token limit). An answer that is
still not JSON, or does not fit the step's model, is sent back to the model with the validation
error, up to `max_retries` attempts in all (instructor's meaning: 2 allows one re-ask). When
every attempt failed, `GenerationFailed` (502) carries each attempt's error and the usage spent
so far.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import json_repair
from pydantic import BaseModel, ValidationError

from generation.callbacks import Callbacks
from generation.errors import GenerationFailed
from generation.llm.base import LLM, Completion, Message, extract_json_object

T = TypeVar("T", bound=BaseModel)

Feedback = Callable[[str], str]
Plain = Callable[[str], dict[str, Any]]


def default_feedback(error: str) -> str:
    return (
        f"Your answer could not be used: {error}\n"
        "Answer again with one JSON object in the shape asked for, and nothing else."
    )


@dataclass
class Structured(Generic[T]):
    """A validated answer, the conversation that led to it, and every call it took."""

    output: T
    messages: list[Message]  # the request, re-asks and the final answer
    completions: list[Completion] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    repaired: bool = False  # the final answer's JSON needed `repair`


def parse(text: str, model: type[T], *, context: Mapping[str, Any] | None = None) -> T:
    """`text` as a `model`; ValueError with a short, model-readable reason otherwise."""
    return _parse(text, model, context)[0]


def _parse(
    text: str, model: type[T], context: Mapping[str, Any] | None, plain: Plain | None = None
) -> tuple[T, bool]:
    """The model, and whether the JSON needed `repair`.

    Raw newlines inside strings are accepted (`strict=False`); an answer that is not JSON as
    it stands is tried once more after `repair`, and the original error is reported if that
    fails too. With `plain`, an answer holding no JSON object at all is read by `plain`.
    """
    repaired = False
    if plain is not None:
        found = extract_json_object(text)
        if found is not None:
            text = found  # a JSON answer, possibly in fences or chatter
        elif not text.lstrip().startswith("{"):
            try:
                data = plain(text.strip())
                return model.model_validate(data, context=dict(context or {})), False
            except ValidationError as e:
                raise ValueError(describe(e)) from e
    try:
        data = json.loads(text, strict=False)
    except json.JSONDecodeError as e:
        mended = repair(text)
        try:
            if mended is None or mended == text:
                raise e
            data, repaired = json.loads(mended, strict=False), True
        except json.JSONDecodeError:
            raise ValueError(f"the answer is not valid JSON ({e.msg} at position {e.pos})") from e
    if not isinstance(data, dict):
        raise ValueError(f"the answer is JSON but not an object (got {type(data).__name__})")
    try:
        return model.model_validate(data, context=dict(context or {})), repaired
    except ValidationError as e:
        raise ValueError(describe(e)) from e


def repair(text: str) -> str | None:
    """The first JSON object in `text` with the slips of small models mended by json-repair: a
    missing comma between members, a trailing comma, an answer cut off by the token limit (the
    open string and brackets are closed). None when there is no object at all."""
    start = text.find("{")
    if start == -1:
        return None
    value = json_repair.loads(text[start:])
    if isinstance(value, list):  # chatter after the object held another one
        value = next((item for item in value if isinstance(item, dict)), None)
    if not isinstance(value, dict):
        return None
    return json.dumps(value, ensure_ascii=False)


def describe(error: ValidationError) -> str:
    """A validation error in one line per problem: `title: at most 30 characters`."""
    lines = []
    for item in error.errors(include_url=False):
        where = ".".join(str(p) for p in item["loc"]) or "the object"
        lines.append(f"{where}: {item['msg']}")
    return "; ".join(lines)


def usage_of(completions: list[Completion]) -> dict[str, Any]:
    prompt = sum(c.prompt_tokens for c in completions)
    output = sum(c.completion_tokens for c in completions)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": output,
        "total_tokens": prompt + output,
        "cost": round(sum(c.cost for c in completions), 10),
        "calls": len(completions),
    }


async def generate(
    llm: LLM,
    messages: list[Message],
    model: type[T],
    *,
    max_retries: int = 2,
    context: Mapping[str, Any] | None = None,
    max_tokens: int | None = None,
    temperature: float = 0.7,
    callbacks: Callbacks | None = None,
    feedback: Feedback = default_feedback,
    plain: Plain | None = None,
) -> Structured[T]:
    """Ask `llm` for a `model` as JSON, re-asking on invalid answers.

    Args:
        max_retries: attempts in all, the first included; at least 1.
        context: pydantic validation context (per-request limits such as `title_max`).
        feedback: turns the validation error into the re-ask message.
        plain: ask without JSON mode, and read an answer that holds no JSON object with this
            function (plain text → the model's fields); a JSON answer is still parsed as JSON.
    """
    if max_retries < 1:
        raise ValueError("max_retries counts attempts and must be at least 1")
    conversation = [dict(m) for m in messages]
    # The embedded model is constrained to the schema; remote ones use their JSON mode.
    schema = model.model_json_schema() if plain is None else None
    completions: list[Completion] = []
    errors: list[str] = []
    attempts: list[dict[str, Any]] = []
    for attempt in range(1, max_retries + 1):
        completion = await llm.complete(
            conversation,
            json_mode=plain is None,
            max_tokens=max_tokens,
            # A re-ask wants the same answer, fixed; less sampling noise helps weak models.
            temperature=temperature if attempt == 1 else min(temperature, 0.3),
            callbacks=callbacks,
            schema=schema,
        )
        completions.append(completion)
        try:
            output, repaired = _parse(completion.text, model, context, plain)
        except ValueError as e:
            errors.append(str(e))
            attempts.append(
                {
                    "attempt": attempt,
                    "error": str(e),
                    "answer": completion.text[:2000],
                    "prompt_tokens": completion.prompt_tokens,
                    "completion_tokens": completion.completion_tokens,
                    "cost": completion.cost,
                }
            )
            conversation = [
                *conversation,
                {"role": "assistant", "content": completion.text},
                {"role": "user", "content": feedback(str(e))},
            ]
            continue
        conversation = [*conversation, {"role": "assistant", "content": completion.text}]
        return Structured(output, conversation, completions, errors, repaired)
    raise GenerationFailed(
        f"model {llm.name} gave no valid {model.__name__} in {max_retries} attempt(s): "
        f"{errors[-1]}",
        attempts=attempts,
        usage=usage_of(completions),
    )
