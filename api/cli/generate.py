"""`specrag blog`: generate content from the command line (`main.add_command(blog)`).

Needs two things of the `Services` the CLI group builds: `services.searcher` (the retrieval
`Searcher`) and `services.generation` (a `generation.service.Generation` built from settings).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import click
from pydantic import ValidationError

from generation.chain.written import StepDone
from generation.errors import GenerationError
from generation.schemas import BUSINESSES, BlogResponse, Brief, GenerationResponse
from generation.service import Generation


async def generate_once(generation: Generation, searcher: Any, brief: Brief) -> GenerationResponse:
    """One response for `brief`, step progress on stderr; model clients closed afterwards."""
    try:
        chain = generation.chain(brief, searcher)
        run = chain.start(brief)
        response: GenerationResponse | None = None
        async for event in chain.events(run):
            if isinstance(event, StepDone):
                t = event.trace
                click.echo(
                    f"step {t.step}: {t.completion_tokens} tokens in {t.latency_ms / 1000:.1f}s"
                    f" ({t.prompt_template})",
                    err=True,
                )
            else:
                response = event
        assert response is not None
        return response
    finally:
        await generation.aclose()  # in the loop that opened the connections


def format_text(response: GenerationResponse) -> str:
    """The response for a terminal: the content, then its sources and checks."""
    lines: list[str] = []
    if isinstance(response, BlogResponse):
        lines += [f"# {response.title}", "", response.opening, "", response.middle, ""]
        lines += [response.ending, ""]
    else:
        for key, value in response.output.items():  # type: ignore[attr-defined]
            shown = ", ".join(value) if isinstance(value, list) else value
            lines.append(f"{key}: {shown}")
        lines.append("")
    if response.citations:
        lines.append("Sources:")
        for c in response.citations:
            page = f", p. {c.page}" if c.page is not None else ""
            lines.append(f"  [{c.n}] {c.source}{page}{'' if c.cited else '  (not cited)'}")
    g = response.grounding
    lines.append(f"Grounding: {g.supported}/{g.checked} figures backed; {g.action}")
    for item in g.unsupported:
        lines.append(f"  unsupported: {item.text}")
    if response.guard.output_hits:
        words = ", ".join(dict.fromkeys(h.word for h in response.guard.output_hits))
        lines.append(f"Sensitive words masked or reported: {words}")
    u = response.usage
    lines.append(
        f"Usage: {u.prompt_tokens} prompt + {u.completion_tokens} completion tokens, "
        f"${u.cost:.6f}, {u.calls} call(s), model {response.model}"
    )
    return "\n".join(lines)


@click.command("blog")
@click.option("--car", required=True, help='The car, e.g. "Hyundai Venue".')
@click.option("--angle", default=None, help="What the piece is about (the news, for news_comment).")
@click.option("--audience", default=None, help="Who reads it.")
@click.option("--length", type=click.IntRange(80, 3000), default=600, show_default=True)
@click.option("--language", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@click.option("--model", default=None, help="A model from data/models.toml (default: its default).")
@click.option(
    "--business", type=click.Choice(list(BUSINESSES)), default="car_blog", show_default=True
)
@click.option("--region", default=None, help="weibo_region: the region.")
@click.option(
    "--user-profile",
    default=None,
    help='push_personal: the reader, as JSON: \'{"nickname": "Sam", "interests": ["space"]}\'.',
)
@click.option("--json", "as_json", is_flag=True, help="Print the whole response as JSON.")
@click.pass_obj
def blog(
    services: Any,
    car: str,
    angle: str | None,
    audience: str | None,
    length: int,
    language: str,
    model: str | None,
    business: str,
    region: str | None,
    user_profile: str | None,
    as_json: bool,
) -> None:
    """Generate a car blog (or another business's content) from the indexed specifications."""
    values = {
        "car": car,
        "angle": angle,
        "audience": audience,
        "length": length,
        "language": language,
        "model": model,
        "business": business,
        "region": region,
    }
    if user_profile is not None:
        try:
            values["user_profile"] = json.loads(user_profile)
        except json.JSONDecodeError as e:
            raise click.BadParameter(f"not JSON: {e}", param_hint="--user-profile") from e
    try:
        brief = Brief.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(map(str, x['loc']))}: {x['msg'].removeprefix('Value error, ')}"
            for x in e.errors()
        )
        raise click.UsageError(problems) from e
    try:
        response = asyncio.run(generate_once(services.generation, services.searcher, brief))
    except GenerationError as e:
        raise click.ClickException(str(e)) from e  # the message names what and why
    if as_json:
        click.echo(json.dumps(response.model_dump(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_text(response))
