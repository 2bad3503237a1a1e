"""The page's tabs in a real browser (Debian's chromium driven by Playwright, `tests/browser.py`)
on `make run`'s app: the embedded `local` model, no key anywhere, data/samples indexed.

- Library: upload by drop and by the file picker → the job's files → the document listed (a
  broken file listed as failed, with its error) → search finds it → re-ingest → delete.
- Cars: the list, a car's spec sheet with its sources and conflicts, a source's passage.
- Write: each of the six businesses streamed, its request fields, every figure's verdict, the
  citation viewer on a [n] of the text, the Markdown export; then Usage: the chart and table
  per business, day and model (costs on a priced model: tests/test_browser.py).
- The language toggle: Chinese labels, the server's chat defaults, kept across a reload, a
  Chinese blog told in Chinese, back to English.

With SPECRAG_UPDATE_SCREENSHOT=1 each tab's screenshot is copied to docs/<tab>.png.
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

# The embedded model on two shared cores: a wait that is generous, never a measure.
WRITE_TIMEOUT_MS = 300_000
JOB_TIMEOUT_MS = 180_000
SPACES = re.compile(r"\s+")

# A document no sample has: a made-up car, and a phrase only it holds.
UPLOADED = "halcyon_r7.md"
UPLOADED_TEXT = """---
title: Halcyon R7 Specifications
model: Halcyon R7
---

# Halcyon R7 Specifications

## Cabin

The Halcyon R7 lines its cabin with a quartzite lattice trim woven from recycled basalt fibre.

## Dimensions

| Specification | Value |
| --- | --- |
| Length | 4,812 mm |
| Boot capacity | 612 litres |
"""
BROKEN = "broken.json"
PICKED = "picked_notes.txt"
PICKED_TEXT = "Halcyon R7 service notes: the cabin filter is changed every 20,000 km.\n"


@pytest.fixture
def base_url(
    make_settings: Any, samples: Samples, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    with default_app(make_settings, samples, monkeypatch) as url:
        yield url


def _flat(text: str) -> str:
    return SPACES.sub(" ", text).strip()


def _api(page: Any, base_url: str, path: str) -> Any:
    response = page.request.get(base_url + path)
    assert response.ok, (path, response.status, response.text())
    return response.json()


def _drop(page: Any, files: dict[str, str]) -> None:
    """Drop files on the drop zone as a browser does: a `drop` event with a DataTransfer."""
    page.evaluate(
        """(files) => {
          const data = new DataTransfer();
          for (const [name, text] of Object.entries(files)) data.items.add(new File([text], name));
          const zone = document.getElementById('drop');
          for (const type of ['dragenter', 'dragover', 'drop']) {
            const init = {dataTransfer: data, bubbles: true, cancelable: true};
            zone.dispatchEvent(new DragEvent(type, init));
          }
        }""",
        files,
    )


def _done_event(stream: str) -> dict[str, Any]:
    for block in stream.replace("\r\n", "\n").split("\n\n"):
        lines = block.split("\n")
        if lines[0] == "event: done":
            return dict(json.loads("\n".join(line[6:] for line in lines[1:])))
    raise AssertionError(f"no done event in the stream: {stream[-2000:]}")


def test_library_upload_job_search_reingest_delete(
    page: Any, base_url: str, tmp_path: Path, request: Any
) -> None:
    from playwright.sync_api import expect

    page.goto(base_url + "/")
    expect(page.get_by_role("tab", name="Library")).to_have_attribute("aria-selected", "true")
    rows = page.locator("#documents tbody tr")
    listed = _api(page, base_url, "/v1/documents")["documents"]
    expect(rows).to_have_count(len(listed))  # data/samples
    # each sample's facts, as the API counts them, in the table
    for document in listed:
        row = page.locator(f"#documents tr[data-doc='{document['doc_id']}']")
        expect(row.locator("td").nth(4)).to_have_text(str(document["facts"]))
    assert any(d["facts"] > 0 for d in listed)

    # Two files dropped at once: one job, each file followed to its end.
    _drop(page, {UPLOADED: UPLOADED_TEXT, BROKEN: "{this is not json"})
    files = page.locator("#job-files li")
    expect(files).to_have_count(2)
    expect(page.locator(f"#job-files li[data-name='{UPLOADED}']")).to_have_attribute(
        "data-state", "done", timeout=JOB_TIMEOUT_MS
    )
    expect(page.locator(f"#job-files li[data-name='{BROKEN}']")).to_have_attribute(
        "data-state", "failed"
    )
    expect(page.locator("#job")).to_have_attribute("data-status", "done")
    expect(page.locator("#job-summary")).to_contain_text("2 of 2 files")
    expect(page.locator(f"#job-files li[data-name='{BROKEN}'] .reason")).not_to_be_empty()

    # Both are listed: the good one with its chunks and facts, the broken one with its error.
    expect(rows).to_have_count(len(listed) + 2)
    documents = {
        d["source"].split("/")[-1]: d for d in _api(page, base_url, "/v1/documents")["documents"]
    }
    good, bad = documents[UPLOADED], documents[BROKEN]
    assert good["status"] == "ok" and good["chunks"] > 0 and good["facts"] > 0, good
    assert bad["status"] == "failed" and bad["error"], bad
    good_row = page.locator(f"#documents tr[data-doc='{good['doc_id']}']")
    expect(good_row.locator("td").nth(0)).to_have_text(UPLOADED)
    expect(good_row.locator("td").nth(2)).to_have_text("ok")
    expect(good_row.locator("td").nth(3)).to_have_text(str(good["chunks"]))
    expect(good_row.locator("td").nth(4)).to_have_text(str(good["facts"]))
    bad_row = page.locator(f"#documents tr[data-doc='{bad['doc_id']}']")
    expect(bad_row.locator("td").nth(2)).to_have_text("failed")
    expect(bad_row.locator("td").nth(6)).to_have_text(bad["error"])
    # the recent jobs: the upload, done, with its failed file
    expect(page.locator("#jobs tbody tr").first).to_have_attribute("data-status", "done")
    expect(page.locator("#jobs tbody tr").first.locator("td").nth(5)).to_contain_text(BROKEN)

    # The file picker too.
    page.locator("#upload-files").set_input_files(
        files=[{"name": PICKED, "mimeType": "text/plain", "buffer": PICKED_TEXT.encode()}]
    )
    expect(page.locator(f"#job-files li[data-name='{PICKED}']")).to_have_attribute(
        "data-state", "done", timeout=JOB_TIMEOUT_MS
    )
    expect(rows).to_have_count(len(listed) + 3)
    keep_screenshot(page, tmp_path, request, name="library")

    # Search finds the uploaded document by its phrase.
    page.get_by_role("tab", name="Ask").click()
    page.get_by_label("Query", exact=True).fill("quartzite lattice trim")
    page.get_by_role("button", name="Search").click()
    first = page.locator("#search-results .result").first
    expect(first.locator(".cite")).to_contain_text(UPLOADED)
    expect(first.locator(".passage")).to_contain_text("quartzite lattice")
    keep_screenshot(page, tmp_path, request, name="ask")

    # Re-ingest: indexed again from its file, even unchanged.
    page.get_by_role("tab", name="Library").click()
    page.on("dialog", lambda dialog: dialog.accept())  # the delete's confirmation
    before = good["updated_at"]
    good_row.locator("[data-action='reingest']").click()
    expect(page.locator(f"#job-files li[data-name='{UPLOADED}']")).to_have_attribute(
        "data-state", "done", timeout=JOB_TIMEOUT_MS
    )
    expect(good_row).to_have_count(1)
    again = _api(page, base_url, f"/v1/documents/{good['doc_id']}")
    assert again["updated_at"] > before and again["chunks"] == good["chunks"], again

    # Delete: gone from the table, and search no longer finds it.
    good_row.locator("[data-action='delete']").click()
    expect(good_row).to_have_count(0)
    expect(rows).to_have_count(len(listed) + 2)
    assert page.request.get(f"{base_url}/v1/documents/{good['doc_id']}").status == 404
    page.get_by_role("tab", name="Ask").click()
    with page.expect_response(lambda r: r.url == f"{base_url}/v1/query") as searched:
        page.get_by_role("button", name="Search").click()
    assert searched.value.ok
    expect(page.locator("#search-results .result").first).to_be_visible()
    expect(page.locator("#search-results")).not_to_contain_text("quartzite")
    assert not any(UPLOADED in s for s in page.locator("#search-results .cite").all_inner_texts())

    expect(page.locator("#library-error")).to_be_hidden()
    assert outside_loopback(page, base_url) == []
    assert page.script_errors == []


def test_a_cars_spec_sheet_and_a_sources_passage(
    page: Any, base_url: str, tmp_path: Path, request: Any
) -> None:
    from playwright.sync_api import expect

    cars = _api(page, base_url, "/v1/cars")["cars"]
    sheets = [_api(page, base_url, f"/v1/cars/{c['id']}") for c in cars]
    # the car whose sheet shows most: conflicts first, then facts
    sheet = max(sheets, key=lambda s: (len(s["conflicts"]), len(s["specs"])))
    assert sheet["specs"], sheet

    page.goto(base_url + "/#cars")
    expect(page.locator("#car-list button.car")).to_have_count(len(cars))
    page.get_by_label("Find a car", exact=True).fill(sheet["name"])
    page.get_by_role("button", name="Find").click()
    found = _api(page, base_url, f"/v1/cars?q={sheet['name']}")["cars"]
    expect(page.locator("#car-list button.car")).to_have_count(len(found))
    page.locator(f"#car-list button[data-car='{sheet['id']}']").click()

    expect(page.locator("#sheet-name")).to_have_text(sheet["name"])
    rows = page.locator("#sheet-specs tbody tr")
    expect(rows).to_have_count(len(sheet["specs"]))
    for n, spec in enumerate(sheet["specs"]):
        row = rows.nth(n)
        expect(row.locator("td").nth(0)).to_have_text(spec["label"])
        expect(row.locator("td").nth(2)).to_contain_text(spec["value"])
        expect(row.locator(".cite")).to_have_count(len(spec["citations"]))
        assert (row.locator(".badge").count() == 1) == spec["conflict"]
    conflicts = page.locator("#sheet-conflicts > li.conflict")
    expect(conflicts).to_have_count(len(sheet["conflicts"]))
    for n, conflict in enumerate(sheet["conflicts"]):
        for value in conflict["values"]:
            expect(conflicts.nth(n)).to_contain_text(value["value"])
    if not sheet["conflicts"]:
        expect(page.locator("#sheet-conflicts")).to_have_text("No conflicts.")

    # A source of a value: its passage, with the words the value was read from marked.
    spec = next(s for s in sheet["specs"] if s["citations"][0]["chunk_id"])
    cited = spec["citations"][0]
    row = rows.nth(sheet["specs"].index(spec))
    row.locator(".cite button").first.click()
    dialog = page.locator("#passage")
    expect(dialog).to_be_visible()
    expect(page.locator("#passage-title")).to_contain_text(cited["source"].split("/")[-1])
    if cited["page"] is not None:
        expect(page.locator("#passage-meta")).to_contain_text(f"p. {cited['page']}")
    if cited["section"]:
        expect(page.locator("#passage-meta")).to_contain_text(cited["section"])
    mark = page.locator("#passage-text mark").first
    expect(mark).to_be_visible()
    assert _flat(mark.inner_text()) == _flat(cited["evidence"]), (mark.inner_text(), cited)
    chunk = _api(page, base_url, f"/v1/chunks/{cited['chunk_id']}")
    assert _flat(page.locator("#passage-text").inner_text()) == _flat(chunk["text"])
    keep_screenshot(page, tmp_path, request, name="citation", full_page=False)
    page.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    # every car listed again, the sheet still shown
    page.get_by_label("Find a car", exact=True).fill("")
    page.get_by_role("button", name="Find").click()
    expect(page.locator("#car-list button.car")).to_have_count(len(cars))
    expect(page.locator(f"#car-list button[data-car='{sheet['id']}']")).to_have_attribute(
        "aria-current", "true"
    )
    keep_screenshot(page, tmp_path, request, name="cars", full_page=False)
    assert outside_loopback(page, base_url) == []
    assert page.script_errors == []


# What each business is asked, beyond the car: its own fields, by label.
BUSINESSES: dict[str, dict[str, Any]] = {
    "car_blog": {"label": "Blog", "car": "Aurora X5", "fields": {}},
    "push_ops": {
        "label": "Operations push",
        "car": "Lumen E2",
        "fields": {"Title max characters": "40"},
    },
    "push_personal": {
        "label": "Personalised push",
        "car": "Aurora X5",
        "fields": {"Nickname": "Lin", "City": "Hangzhou", "Interests": "road trips, camping"},
    },
    "weibo_region": {
        "label": "Regional Weibo post",
        "car": "Meridian S",
        "fields": {"Region": "Chengdu", "Language": "zh"},
    },
    "review": {"label": "Product review", "car": "Lumen E2", "fields": {}},
    "news_comment": {"label": "News comment", "car": "Meridian S", "fields": {"Language": "zh"}},
}


def _texts(business: str, response: dict[str, Any]) -> dict[str, str]:
    """Each step's text as the page shows it."""
    if business == "car_blog":
        return {step: response[step] for step in ("opening", "middle", "ending")}
    output = response["output"]
    return {"main": output.get("body", output.get("text", ""))}


def _write(page: Any, base_url: str, business: str) -> dict[str, Any]:
    """Fill Write's form for `business`, generate, and check what the page shows against the
    response; returns the request body and the response."""
    from playwright.sync_api import expect

    brief = BUSINESSES[business]
    page.get_by_label("Business", exact=True).select_option(business)
    page.get_by_label("Car", exact=True).fill(brief["car"])
    page.get_by_label("Language", exact=True).select_option("en")
    for label, value in brief["fields"].items():
        field = page.get_by_label(label, exact=True)
        if label == "Language":
            field.select_option(value)
        else:
            field.fill(value)
    path = "/v1/generate/blog" if business == "car_blog" else f"/v1/generate/{business}"
    with page.expect_response(lambda r: r.url == base_url + path) as answered:
        page.get_by_role("button", name="Generate").click()
    verdict = page.locator("#write-grounding")
    expect(verdict).to_be_visible(timeout=WRITE_TIMEOUT_MS)
    expect(page.locator("#write-error")).to_be_hidden()
    sent = json.loads(answered.value.request.post_data)
    response = _done_event(answered.value.text())
    assert response["business"] == business and response["model"] == "local"

    # Each part: done, its text as the response has it, each figure with its verdict.
    parts = page.locator("#write-parts .part")
    texts = _texts(business, response)
    expect(parts).to_have_count(len(texts))
    steps = {s["step"]: s for s in response["grounding"]["steps"]}
    for n, (step, text) in enumerate(texts.items()):
        assert text.strip(), (business, step)
        expect(parts.nth(n)).to_have_attribute("data-state", "done")
        expect(parts.nth(n).locator(".text")).to_have_text(text)
        figures = steps[step]["figures"] if step in steps else []
        shown = parts.nth(n).locator(".figure")
        expect(shown).to_have_count(len(figures))
        for k, figure in enumerate(figures):
            expect(shown.nth(k)).to_have_attribute("data-verdict", figure["verdict"])
            expect(shown.nth(k).locator(".figure-text")).to_have_text(figure["text"])
    expect(verdict).to_have_attribute("data-verdict", response["grounding"]["verdict"])
    expect(page.locator("#write-meta")).to_contain_text(
        f"{response['usage']['total_tokens']} tokens"
    )
    return {"sent": sent, "response": response}


def test_each_business_is_written_then_usage_is_charted(
    page: Any, base_url: str, tmp_path: Path, request: Any
) -> None:
    from playwright.sync_api import expect

    models = _api(page, base_url, "/v1/models")["data"]
    page.goto(base_url + "/")
    page.get_by_role("tab", name="Write").click()

    # The model choice: the server's default first, unavailable models greyed with the reason.
    options = page.locator("#write-model option")
    chat_models = [m for m in models if m["type"] == "chat"]
    expect(options).to_have_count(len(chat_models) + 1)
    expect(options.first).to_have_text("server default (local)")
    for model in chat_models:
        option = page.locator(f"#write-model option[value='{model['id']}']")
        if model["available"]:
            expect(option).to_be_enabled()
        else:
            expect(option).to_be_disabled()
            expect(option).to_contain_text(model["reason"])
    assert any(not m["available"] for m in chat_models)  # no key: the remote ones

    # The brief's defaults are the server's (its OpenAPI schema), not the page's own.
    schema = _api(page, base_url, "/openapi.json")["components"]["schemas"]
    fields = schema["GenerateRequest"]["properties"]
    expect(page.get_by_label("Length", exact=True)).to_have_value(str(fields["length"]["default"]))
    expect(page.locator("#write-title-max")).to_have_value(str(fields["title_max"]["default"]))
    for name in ("angle", "audience"):
        expect(page.locator(f"#write-{name}")).to_have_attribute(
            "placeholder", fields[name]["default"]
        )

    # Each business's own fields are shown with it, and no others.
    page.get_by_label("Business", exact=True).select_option("weibo_region")
    expect(page.get_by_label("Region", exact=True)).to_be_visible()
    expect(page.locator("#write-profile")).to_be_hidden()
    page.get_by_label("Business", exact=True).select_option("push_personal")
    expect(page.locator("#write-profile")).to_be_visible()
    expect(page.get_by_label("Region", exact=True)).to_be_hidden()

    written = {business: _write(page, base_url, business) for business in BUSINESSES}
    keep_screenshot(page, tmp_path, request, name="write-news-comment")  # written in Chinese

    # Each request carried its business's fields, and only those.
    assert written["push_ops"]["sent"]["title_max"] == 40
    assert written["push_personal"]["sent"]["user_profile"] == {
        "nickname": "Lin",
        "city": "Hangzhou",
        "interests": ["road trips", "camping"],
    }
    assert written["weibo_region"]["sent"]["region"] == "Chengdu"
    assert written["weibo_region"]["sent"]["language"] == "zh"
    assert (
        "region" not in written["review"]["sent"]
        and "user_profile" not in written["review"]["sent"]
    )
    assert all("model" not in w["sent"] for w in written.values())  # left to the server

    # The blog again, for the citation viewer and the Markdown export.
    blog = _write(page, base_url, "car_blog")["response"]
    ref = page.locator("#write-parts .part .text .ref").first
    n = int(ref.get_attribute("data-n"))
    cited = next(c for c in blog["citations"] if c["n"] == n)
    evidence = [f["evidence"] for f in blog["facts"] if f["n"] == n and f["evidence"]]
    ref.click()
    expect(page.locator("#passage")).to_be_visible()
    expect(page.locator("#passage-title")).to_have_text(
        f"[{n}] {cited['document'] or cited['source'].split('/')[-1]}"
    )
    chunk = _api(page, base_url, f"/v1/chunks/{cited['chunk_id']}")
    expect(page.locator("#passage-text")).to_have_text(chunk["text"])
    marks = [_flat(m) for m in page.locator("#passage-text mark").all_inner_texts()]
    assert marks, (n, evidence)  # the facts' evidence, marked
    assert all(any(m in _flat(e) or _flat(e) in m for e in evidence) for m in marks), (
        marks,
        evidence,
    )
    page.get_by_role("button", name="Close").click()

    with page.expect_download() as downloaded:
        page.get_by_role("button", name="Download .md").click()
    markdown = Path(downloaded.value.path()).read_text(encoding="utf-8")
    assert markdown.startswith(f"# {blog['title']}\n")
    for step in ("opening", "middle", "ending"):
        assert blog[step] in markdown
    assert f"[{n}] " in markdown.split("## Sources", 1)[1]

    # Usage: what those calls cost, per business, day and model, as a chart and a table.
    page.get_by_role("tab", name="Usage").click()
    for group in ("business", "day", "model"):
        page.get_by_label("Group by", exact=True).select_option(group)
        expect(page.locator("#usage-group-head")).to_have_text(group.capitalize())
        rows = _api(page, base_url, f"/v1/usage?group_by={group}")["rows"]
        assert rows, group
        expect(page.locator("#usage-table tbody tr")).to_have_count(len(rows))
        bars = page.locator("#usage-chart svg g.bar")
        expect(bars).to_have_count(len(rows))
        for row in rows:
            bar = page.locator(f"#usage-chart g.bar[data-group='{row['group']}']")
            expect(bar.locator("text.cost")).to_have_text(f"${row['cost']:.4f}")
            cells = page.locator(f"#usage-table tr[data-group='{row['group']}'] td")
            expect(cells.nth(1)).to_have_text(str(row["calls"]))
            expect(cells.nth(2)).to_have_text(str(row["prompt_tokens"]))
            expect(cells.nth(3)).to_have_text(str(row["completion_tokens"]))
        if group == "business":  # the facts writer calls the model for the blog's polish only
            assert "car_blog" in {r["group"] for r in rows}, rows
    page.get_by_label("Group by", exact=True).select_option("business")
    expect(page.locator("#usage-group-head")).to_have_text("Business")
    keep_screenshot(page, tmp_path, request, name="usage")
    assert outside_loopback(page, base_url) == []
    assert page.script_errors == []


def test_the_language_toggle(page: Any, base_url: str, tmp_path: Path, request: Any) -> None:
    from playwright.sync_api import expect

    page.goto(base_url + "/#write")
    expect(page.get_by_role("tab", name="Write")).to_have_attribute("aria-selected", "true")
    page.get_by_role("button", name="中文 / English").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    for name in ("资料库", "车型", "写作", "问答", "用量"):
        expect(page.get_by_role("tab", name=name)).to_be_visible()
    expect(page.get_by_label("业务", exact=True)).to_be_visible()
    expect(page.locator("#write-business option[value='weibo_region']")).to_have_text("地域微博")
    expect(page.get_by_role("button", name="生成")).to_be_visible()
    expect(page.locator("#write-model option").first).to_have_text("服务器默认（local）")
    # the server's chat defaults, whichever language
    defaults = _api(page, base_url, "/v1/chat/defaults")
    page.get_by_role("tab", name="问答").click()
    expect(page.locator("#chat-policy")).to_have_value(defaults["memory"]["policy"])
    limit = defaults["memory"][
        "max_turns" if defaults["memory"]["policy"] == "window" else "max_tokens"
    ]
    expect(page.locator("#chat-limit")).to_have_value(str(limit))
    # the Library's table in Chinese, kept across a reload
    page.get_by_role("tab", name="资料库").click()
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("#documents thead th").first).to_have_text("名称")
    expect(page.locator("#documents tbody tr").first.locator("td").nth(2)).to_have_text("正常")
    expect(page.locator("#documents-count")).to_contain_text("已索引")
    keep_screenshot(page, tmp_path, request, name="library-zh")
    # A blog in Chinese, in the Chinese page: the verdict and the states in Chinese too.
    page.get_by_role("tab", name="写作").click()
    page.locator("#write-car").fill("Meridian S")  # "车型" also names the Cars tab
    page.get_by_label("语言", exact=True).select_option("zh")
    with page.expect_response(lambda r: r.url == f"{base_url}/v1/generate/blog") as answered:
        page.get_by_role("button", name="生成").click()
    verdict = page.locator("#write-grounding")
    expect(verdict).to_be_visible(timeout=WRITE_TIMEOUT_MS)
    blog = _done_event(answered.value.text())
    assert blog["grounding"]["verdict"] == "grounded", blog["grounding"]
    expect(verdict).to_have_text(
        f"有据：核对了 {blog['grounding']['checked']} 个数字，全部有该车参数和来源支持。"
    )
    for n, step in enumerate(("opening", "middle", "ending")):
        part = page.locator("#write-parts .part").nth(n)
        expect(part.locator(".step-name")).to_have_text(("开头", "正文", "结尾")[n])
        expect(part.locator(".state")).to_have_text("完成")
        expect(part.locator(".text")).to_have_text(blog[step])
    expect(page.get_by_role("button", name="复制为 Markdown")).to_be_visible()
    keep_screenshot(page, tmp_path, request, name="write-zh")

    page.get_by_role("button", name="中文 / English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("tab", name="Library")).to_be_visible()
    expect(verdict).to_contain_text("Grounded: ")  # what is shown is told again in English
    page.get_by_role("tab", name="Library").click()
    expect(page.locator("#documents thead th").first).to_have_text("Name")
    assert page.script_errors == []
