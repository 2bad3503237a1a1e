"""The Write tab in Chinese, as `make run` serves it: every word a reader sees in the form (its
labels, options, buttons and the hints of its empty fields) in the page's language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import default_app
from tests.samples import Samples

pytestmark = pytest.mark.slow

# An English word: three Latin letters in a row. Model ids ("gpt-4o") and key variables
# ("OPENAI_API_KEY") are names, not words: they are taken out first.
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
# Every word of the form: labels, options (the models' too, with their tooltips), buttons, hints.
SHOWN = """
() => {
  const form = document.getElementById("write-form");
  const words = [];
  for (const node of form.querySelectorAll("label, legend, button, option")) {
    words.push(["text", node.id || node.htmlFor || node.value || node.tagName, node.textContent]);
    if (node.title) words.push(["title", node.value || node.tagName, node.title]);
  }
  for (const node of form.querySelectorAll("input, textarea")) {
    if (node.placeholder) words.push(["placeholder", node.id, node.placeholder]);
  }
  return words;
}
"""


@pytest.fixture
def base_url(
    make_settings: Any, samples: Samples, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    with default_app(make_settings, samples, monkeypatch) as url:
        yield url


def test_the_chinese_write_tab_has_no_english_word(page: Any, base_url: str) -> None:
    """Regression: in Chinese the Angle and Audience fields kept the server's English
    defaults as their hints ("an overview of the car for buyers", "general car buyers"), and
    an unavailable model read "gpt-4o — 不可用：set OPENAI_API_KEY to use gpt-4o"."""
    from playwright.sync_api import expect

    page.goto(base_url + "/#write")
    # the server's defaults arrive with its schema: the English hint first, then the toggle
    expect(page.locator("#write-angle")).to_have_attribute(
        "placeholder", "an overview of the car for buyers"
    )
    page.get_by_role("button", name="中文 / English").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("#write-angle")).to_have_attribute("placeholder", "面向购车者的车型概览")
    expect(page.locator("#write-model option.unavailable").first).to_contain_text("不可用")
    models = page.evaluate("fetch('/v1/models').then((r) => r.json())")["data"]
    names = sorted(
        {m["id"] for m in models} | {m["api_key_env"] for m in models if m["api_key_env"]},
        key=len,
        reverse=True,
    )
    english = []
    for kind, where, text in page.evaluate(SHOWN):
        for name in names:
            text = text.replace(name, "")
        if ENGLISH_WORD.search(text):
            english.append((kind, where, text))
    assert english == [], english
    # and back: the server's own words again
    page.get_by_role("button", name="中文 / English").click()
    expect(page.locator("#write-audience")).to_have_attribute("placeholder", "general car buyers")
    assert page.script_errors == []
