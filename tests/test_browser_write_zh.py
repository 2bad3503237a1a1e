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

# An English word: three Latin letters in a row (a model id such as "gpt-4o" is data, and
# stays out of what is checked).
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
# What the form shows that is not data (model ids, the model list's, and car names are).
SHOWN = """
() => {
  const form = document.getElementById("write-form");
  const words = [];
  for (const node of form.querySelectorAll("label, legend, button, #write-business option,"
                                           + " #write-language option")) {
    words.push(["text", node.id || node.htmlFor || node.tagName, node.textContent.trim()]);
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
    defaults as their hints ("an overview of the car for buyers", "general car buyers")."""
    from playwright.sync_api import expect

    page.goto(base_url + "/#write")
    # the server's defaults arrive with its schema: the English hint first, then the toggle
    expect(page.locator("#write-angle")).to_have_attribute(
        "placeholder", "an overview of the car for buyers"
    )
    page.get_by_role("button", name="中文 / English").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("#write-angle")).to_have_attribute("placeholder", "面向购车者的车型概览")
    shown = page.evaluate(SHOWN)
    english = [(kind, where, text) for kind, where, text in shown if ENGLISH_WORD.search(text)]
    assert english == [], english
    # and back: the server's own words again
    page.get_by_role("button", name="中文 / English").click()
    expect(page.locator("#write-audience")).to_have_attribute("placeholder", "general car buyers")
    assert page.script_errors == []
