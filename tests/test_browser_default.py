"""The page as a new user first sees it: `make run`'s app on the default model (the embedded
`local` model, no key anywhere) over data/samples indexed, a blog generated from the page in
Debian's chromium, checked for what a reader and an editor see: the title, the three parts,
every figure's sentence citing a source that is listed beside its part and marked cited, the
grounding verdict, which parts the model reworded, no error, nothing loaded from outside.

This test takes the README's picture: with SPECRAG_UPDATE_SCREENSHOT=1 its full-page
screenshot is copied to docs/screenshot.png.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import default_app, keep_screenshot, outside_loopback
from tests.samples import Samples

pytestmark = pytest.mark.slow

CAR = "Aurora X5"  # a car of data/samples
STEPS = ("opening", "middle", "ending")
SAMPLES = {path.name for path in (Path(__file__).resolve().parents[1] / "data/samples").iterdir()}
# The embedded model polishes on two shared cores: a wait that is generous, never a measure.
BLOG_TIMEOUT_MS = 300_000
CITED = re.compile(r"\[(\d{1,3})\]")
# A sentence: up to a stop that ends it (not the point of "8.9"), or the end of the text.
SENTENCE = re.compile(r".+?(?:[.!?](?=\s|$)|$)", re.DOTALL)


@pytest.fixture
def base_url(
    make_settings: Any, samples: Samples, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    with default_app(make_settings, samples, monkeypatch) as url:
        yield url


def _done_event(stream: str) -> dict[str, Any]:
    """The `done` event's data (the whole response) from the page's server-sent events."""
    for block in stream.replace("\r\n", "\n").split("\n\n"):
        lines = block.split("\n")
        if lines[0] == "event: done":
            return dict(json.loads("\n".join(line[6:] for line in lines[1:])))
    raise AssertionError(f"no done event in the stream: {stream[-2000:]}")


def _sentence_at(text: str, offset: int) -> str:
    return next(m.group() for m in SENTENCE.finditer(text) if m.start() <= offset < m.end())


def test_the_default_model_writes_a_cited_blog_in_the_page(
    page: Any, base_url: str, tmp_path: Path, request: Any
) -> None:
    from playwright.sync_api import expect

    response = page.goto(base_url + "/")
    assert response.status == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]
    # Only the embedded model is offered: the remote models have no key here.
    expect(page.locator("#models option")).to_have_count(1)
    assert page.locator("#models option").get_attribute("value") == "local"

    page.get_by_role("tab", name="Write").click()
    page.get_by_label("Car", exact=True).fill(CAR)
    with page.expect_response(lambda r: r.url == f"{base_url}/v1/generate/blog") as answered:
        page.get_by_role("button", name="Generate").click()
    verdict = page.locator("#write-grounding")  # shown once the whole blog is in
    expect(verdict).to_be_visible(timeout=BLOG_TIMEOUT_MS)
    sent = json.loads(answered.value.request.post_data)
    assert sent["car"] == CAR and "model" not in sent  # the page left the model to the server
    blog = _done_event(answered.value.text())
    assert (blog["model"], blog["writer"], blog["car"]["name"]) == ("local", "facts", CAR)
    expect(page.locator("#write-error")).to_be_hidden()

    # The title, and the three parts as the response has them.
    assert CAR in blog["title"]
    expect(page.locator("#write-heading")).to_have_text(blog["title"])
    parts = page.locator("#write-parts .part")
    for n, step in enumerate(STEPS):
        assert blog[step].strip(), f"the {step} is empty"
        expect(parts.nth(n)).to_have_attribute("data-state", "done")
        expect(parts.nth(n).locator(".text")).to_have_text(blog[step])

    # Each [n] of a part is listed beside it, marked cited, and is a file of data/samples.
    for n, step in enumerate(STEPS):
        used = {int(m) for m in CITED.findall(blog[step])}
        cited = parts.nth(n).locator(".cite.cited").all_inner_texts()
        assert {int(CITED.match(label)[1]) for label in cited} == used, (step, cited)
        assert all(label.split(" · ")[0].split("] ")[1] in SAMPLES for label in cited), cited
    assert CITED.search(blog["opening"]) and CITED.search(blog["middle"])

    # Every figure is supported, and the sentence it stands in cites a source.
    grounding = blog["grounding"]
    assert grounding["verdict"] == "grounded", grounding["unsupported"] + grounding["wrong_car"]
    assert grounding["checked"] > 0 and not grounding["dropped"]
    for checked in grounding["steps"]:
        step = checked["step"]
        for figure in checked["figures"]:
            if figure["field"] != "text":  # the title's figures: a title carries no markers
                continue
            span = blog[step][figure["start"] : figure["end"]]
            assert span and figure["text"].startswith(span), (figure, blog[step])
            sentence = _sentence_at(blog[step], figure["start"])
            assert CITED.search(sentence), f"{figure['text']!r} is not cited: {sentence!r}"
        count = checked["checked"]
        figures = {0: "no figures", 1: "1 figure, all supported"}.get(
            count, f"{count} figures, all supported"
        )
        expect(parts.nth(STEPS.index(step)).locator(".figures")).to_have_text(figures)

    # What an editor reads before trusting it: the verdict, and who wrote which part.
    expect(verdict).to_have_attribute("data-verdict", "grounded")
    expect(verdict).to_contain_text(f"{grounding['checked']} figures checked, all supported")
    writer = page.locator("#write-writer")
    expect(writer).to_contain_text(f"Written from the {CAR}'s facts ({len(blog['facts'])} facts")
    if blog["polished"]:
        reworded = ", ".join(blog["polished"])
        expect(writer).to_contain_text(f"Reworded by local (figures kept): {reworded}.")
    else:
        expect(writer).to_contain_text("No part reworded by local.")
    for n, step in enumerate(STEPS):
        reworded = "reworded" if step in blog["polished"] else ""
        expect(parts.nth(n).locator(".polish")).to_have_text(reworded)

    # Nothing outside loopback was loaded, and no script failed.
    assert outside_loopback(page, base_url) == []
    assert page.script_errors == []
    keep_screenshot(page, tmp_path, request)
