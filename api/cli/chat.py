"""`specrag chat`: a conversation with the indexed specifications in the terminal.

Registered into the `specrag` group (`main.add_command(chat)`); answers with the same `Chat`
as `POST /v1/chat` (`services.chat`: its sessions, its defaults from `SPECRAG_CHAT_*`), so
`--session ID` continues a conversation started over HTTP and the other way round. Messages
come from `-m` options, or one per line from stdin until `/quit` or end of input.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from typing import Any

import click

from generation.chat.memory import POLICIES, MemoryConfig
from generation.chat.session import CHAT_BUSINESSES, ChatReply
from generation.errors import GenerationError

QUIT = ("/quit", "/exit")


def _lines() -> Iterator[str]:
    """Messages typed at the terminal (or piped in), one per line."""
    stdin = sys.stdin
    while True:
        if stdin.isatty():
            click.echo("you> ", nl=False, err=True)
        line = stdin.readline()
        if not line or line.strip() in QUIT:
            return
        if line.strip():
            yield line.strip()


def _span(numbers: list[int]) -> str:
    if not numbers:
        return "none"
    if numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 2:
        return f"{numbers[0]}-{numbers[-1]}"
    return ", ".join(map(str, numbers))


def format_reply(reply: ChatReply) -> str:
    """A reply for a terminal: the answer, the passages it cites, memory and usage."""
    lines = [reply.answer, ""]
    cited = [c for c in reply.citations if c.cited] or reply.citations
    if cited:
        lines.append("Sources:")
        for c in cited:
            page = f", p. {c.page}" if c.page is not None else ""
            section = f" § {c.section}" if c.section else ""
            lines.append(f"  [{c.n}] {c.source}{page}{section}")
    m, t = reply.memory, reply.memory.tokens
    lines.append(
        f"Turn {reply.turn}, memory {m.policy}: kept {_span(m.kept_turns)}, "
        f"dropped {_span(m.dropped_turns)}{', summary kept' if m.summary else ''}; "
        f"{t.total}/{t.budget} tokens; {reply.usage.prompt_tokens}+"
        f"{reply.usage.completion_tokens} tokens, ${reply.usage.cost:.6f} ({reply.model})"
    )
    return "\n".join(lines)


@click.command("chat")
@click.option("--session", "session_id", default=None, help="Continue this session (its id).")
@click.option("-m", "--message", "messages", multiple=True, help="Send this and exit (repeatable).")
@click.option("--model", default=None, help="A model from data/models.toml.")
@click.option("--business", type=click.Choice(CHAT_BUSINESSES), default=None)
@click.option(
    "--memory", "policy", type=click.Choice(POLICIES), default=None, help="Memory policy."
)
@click.option("--max-turns", type=click.IntRange(1, 1000), default=None, help="window: turns kept.")
@click.option(
    "--max-tokens", type=click.IntRange(32, 1_000_000), default=None, help="Memory token budget."
)
@click.option("-k", "k", type=click.IntRange(1, 20), default=None, help="Passages per turn.")
@click.option("--json", "as_json", is_flag=True, help="Print each reply as one JSON object.")
@click.pass_obj
def chat(
    services: Any,
    session_id: str | None,
    messages: tuple[str, ...],
    model: str | None,
    business: str | None,
    policy: str | None,
    max_turns: int | None,
    max_tokens: int | None,
    k: int | None,
    as_json: bool,
) -> None:
    """Chat with the indexed specifications: answers cite their passages; memory is bounded."""
    memory = None
    if policy or max_turns or max_tokens:
        memory = MemoryConfig.model_validate(
            {
                "policy": policy or services.settings.chat_memory_policy,
                "max_turns": max_turns,
                "max_tokens": max_tokens,
            }
        )
    if session_id:
        try:
            services.sessions.get(session_id)
        except GenerationError as e:
            raise click.ClickException(str(e)) from e
    conversation = services.chat()
    failed = False
    with asyncio.Runner() as runner:  # one loop: the model clients stay open between turns
        try:
            for message in messages or _lines():
                try:
                    reply = runner.run(
                        conversation.send(
                            message,
                            session_id=session_id,
                            model=model,
                            business=business,
                            memory=memory,
                            k=k,
                        )
                    )
                except GenerationError as e:
                    failed = True
                    click.echo(f"error: {type(e).__name__}: {e}", err=True)
                    continue
                if session_id is None:
                    click.echo(f"session {reply.session_id}", err=True)
                session_id, memory = reply.session_id, None  # the session keeps its settings
                if as_json:
                    click.echo(json.dumps(reply.model_dump(), ensure_ascii=False))
                else:
                    click.echo(format_reply(reply) + "\n")
        finally:
            runner.run(services.generation.aclose())
    if failed:
        sys.exit(1)
