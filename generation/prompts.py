"""Prompt templates: `{business}/{step}.j2` under one folder (specrag ships `data/prompts/`),
with per-model overrides.

A model that needs different wording gets `{business}/{model}/{step}.j2`; every other model
falls back to `{business}/{step}.j2`, and the rendered prompt says which file was used. A
template has a `system` block and a `user` block (a template with no blocks is one user
message). Undefined variables are errors that name the variable and the template: a prompt
that silently drops the brief's car is worse than a failed request. Files whose names start
with `_` are shared includes, not prompts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from pydantic import BaseModel

from generation.errors import PromptError, PromptNotFound

SUFFIX = ".j2"
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


@dataclass(frozen=True)
class RenderedPrompt:
    """The messages for one step, and which template produced them."""

    template: str  # e.g. "car_blog/local/opening.j2"
    messages: list[dict[str, str]]
    override: bool  # True when a per-model template was used


class PromptInfo(BaseModel):
    """One template, as `GET /v1/prompts` lists it."""

    business: str
    step: str
    model: str | None = None
    template: str
    blocks: list[str]


def _check_name(kind: str, value: str) -> str:
    if not _NAME.match(value):
        raise PromptNotFound(f"invalid {kind} name {value!r}")
    return value


def format_passages(passages: Iterable[Any]) -> str:
    """Numbered passages for a prompt: `[n] (document, p. page)` then the text; the document
    as its user named it (`Passage.document`), not the server's path, when known."""
    blocks = []
    for p in passages:
        name = getattr(p, "document", "") or p.source
        where = name + (f", p. {p.page}" if p.page is not None else "")
        blocks.append(f"[{p.n}] ({where})\n{p.text.strip()}")
    return "\n\n".join(blocks)


class PromptLibrary:
    """The templates under one folder. Build once; rendering is thread-safe."""

    def __init__(self, root: Path):
        self.root = root
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(root)),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # prompts are plain text, not HTML
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self.env.filters["passages"] = format_passages

    def resolve(self, business: str, step: str, model: str | None = None) -> tuple[str, bool]:
        """The template name for (business, step, model) and whether it is an override."""
        business, step = _check_name("business", business), _check_name("step", step)
        if model:
            name = f"{business}/{_check_name('model', model)}/{step}{SUFFIX}"
            if (self.root / name).is_file():
                return name, True
        name = f"{business}/{step}{SUFFIX}"
        if (self.root / name).is_file():
            return name, False
        raise PromptNotFound(f"no prompt for business {business!r}, step {step!r}")

    def render(
        self,
        business: str,
        step: str,
        *,
        model: str | None = None,
        variables: Mapping[str, Any],
    ) -> RenderedPrompt:
        """Render the (business, step) prompt for `model` with `variables`."""
        name, override = self.resolve(business, step, model)
        try:
            template = self.env.get_template(name)
            context = template.new_context(dict(variables))
            if "user" not in template.blocks:
                messages = [{"role": "user", "content": template.render(**variables).strip()}]
            else:
                messages = []
                for role in ("system", "user"):
                    if role in template.blocks:
                        text = "".join(template.blocks[role](context)).strip()
                        messages.append({"role": role, "content": text})
        except jinja2.UndefinedError as e:
            raise PromptError(f"prompt {name}: {e.message} (an undefined variable)") from e
        except jinja2.TemplateError as e:
            raise PromptError(f"prompt {name}: {e}") from e
        return RenderedPrompt(template=name, messages=messages, override=override)

    def feedback(self, kind: str, variables: Mapping[str, Any]) -> str:
        """A re-ask message from `_feedback/{kind}.j2` (invalid, grounding, guard)."""
        name = f"_feedback/{_check_name('feedback', kind)}{SUFFIX}"
        try:
            return self.env.get_template(name).render(**variables).strip()
        except jinja2.TemplateNotFound as e:
            raise PromptNotFound(f"no feedback prompt {name}") from e
        except jinja2.UndefinedError as e:
            raise PromptError(f"prompt {name}: {e.message} (an undefined variable)") from e
        except jinja2.TemplateError as e:
            raise PromptError(f"prompt {name}: {e}") from e

    def list_prompts(self) -> list[PromptInfo]:
        """Every template: business defaults and per-model overrides."""
        found = []
        for path in sorted(self.root.rglob(f"*{SUFFIX}")):
            relative = path.relative_to(self.root)
            if any(part.startswith("_") for part in relative.parts):
                continue
            parts = relative.with_suffix("").parts
            if len(parts) == 2:
                business, model, step = parts[0], None, parts[1]
            elif len(parts) == 3:
                business, model, step = parts
            else:
                continue
            template = self.env.get_template(relative.as_posix())
            found.append(
                PromptInfo(
                    business=business,
                    step=step,
                    model=model,
                    template=relative.as_posix(),
                    blocks=sorted(template.blocks),
                )
            )
        return found
