"""Prompt templates: per-model overrides, fallback, strict variables, the listing."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from generation.errors import PromptError, PromptNotFound
from generation.passages import Passage
from generation.prompts import PromptLibrary
from generation.schemas import BUSINESSES, STEP_MODELS, Brief, Middle, Opening, UserProfile

PROMPTS = Path(__file__).resolve().parents[1] / "data" / "prompts"


@pytest.fixture(scope="module")
def library() -> PromptLibrary:
    return PromptLibrary(PROMPTS)


PASSAGES = [
    Passage(1, "aurora:3", "Aurora X5 1.5T: 130 kW (177 PS), 270 Nm.", "aurora_x5.md", None, "s"),
    Passage(2, "aurora:4", "Length 4,560 mm; wheelbase 2,710 mm.", "aurora_x5.md", 2, "s"),
]


def variables(business: str, step: str, **extra: Any) -> dict[str, Any]:
    brief = Brief(
        car="Aurora X5",
        business=business,
        region="成都" if business == "weibo_region" else None,
        user_profile=UserProfile(nickname="小林", city="杭州", current_car="Lumen E2")
        if business == "push_personal"
        else None,
    )
    values: dict[str, Any] = {
        "brief": brief,
        "passages": PASSAGES,
        "shape": STEP_MODELS[(business, step)].shape(),
        "words": 120,
        "facts": "Facts of the Aurora X5 / Aurora X5 的参数:\n- Maximum power: 150 kW [3]",
        "opening": Opening(title="Aurora X5", text="The opening text.", topics=["engine"]),
        "middle": Middle(text="The middle text."),
        "topics": ["engine", "space"],
    }
    values.update(extra)
    return values


@pytest.mark.parametrize(
    ("business", "step"), [(b, s) for b, steps in BUSINESSES.items() for s in steps]
)
def test_every_business_step_renders_system_and_user(
    library: PromptLibrary, business: str, step: str
) -> None:
    rendered = library.render(business, step, model="gpt-4o", variables=variables(business, step))
    assert rendered.template == f"{business}/{step}.j2"
    assert not rendered.override
    assert [m["role"] for m in rendered.messages] == ["system", "user"]
    user = rendered.messages[1]["content"]
    assert "Aurora X5" in user
    assert STEP_MODELS[(business, step)].shape() in user
    if step != "ending":  # the ending sums up; it gets no passages
        assert "[1] (aurora_x5.md)" in user and "[2] (aurora_x5.md, p. 2)" in user
        assert "ONLY figures" in rendered.messages[0]["content"]


def test_model_override_is_used_and_reported(library: PromptLibrary, tmp_path: Path) -> None:
    shutil.copytree(library.root, tmp_path / "prompts")
    override = tmp_path / "prompts" / "car_blog" / "house-model" / "opening.j2"
    override.parent.mkdir()
    override.write_text("{% block user %}House prompt for {{ brief.car }}{% endblock %}")
    rendered = PromptLibrary(tmp_path / "prompts").render(
        "car_blog", "opening", model="house-model", variables=variables("car_blog", "opening")
    )
    assert rendered.template == "car_blog/house-model/opening.j2"
    assert rendered.override
    assert rendered.messages == [{"role": "user", "content": "House prompt for Aurora X5"}]


def test_missing_business_model_prompt_falls_back_to_the_business_default(
    library: PromptLibrary,
) -> None:
    assert library.resolve("push_ops", "main", "local") == ("push_ops/main.j2", False)
    assert library.resolve("car_blog", "opening", "chatglm") == ("car_blog/opening.j2", False)
    assert library.resolve("car_blog", "opening", None) == ("car_blog/opening.j2", False)


def test_fallback_in_a_library_of_its_own(tmp_path: Path) -> None:
    (tmp_path / "demo" / "big").mkdir(parents=True)
    (tmp_path / "demo" / "main.j2").write_text("default for {{ car }}")
    (tmp_path / "demo" / "big" / "main.j2").write_text("big model for {{ car }}")
    library = PromptLibrary(tmp_path)
    big = library.render("demo", "main", model="big", variables={"car": "Venue"})
    small = library.render("demo", "main", model="small", variables={"car": "Venue"})
    assert (big.template, big.messages) == (
        "demo/big/main.j2",
        [{"role": "user", "content": "big model for Venue"}],
    )
    assert (small.template, small.messages[0]["content"]) == ("demo/main.j2", "default for Venue")


def test_unknown_business_or_step(library: PromptLibrary) -> None:
    with pytest.raises(PromptNotFound, match="'car_blog', step 'epilogue'"):
        library.resolve("car_blog", "epilogue")
    with pytest.raises(PromptNotFound):
        library.resolve("../../etc", "passwd")
    with pytest.raises(PromptNotFound):
        library.resolve("car_blog", "opening", "../push_ops")


def test_undefined_variable_is_an_error_naming_it(library: PromptLibrary) -> None:
    values = variables("car_blog", "middle")
    del values["opening"]
    with pytest.raises(PromptError, match="car_blog/middle.j2: 'opening' is undefined"):
        library.render("car_blog", "middle", model=None, variables=values)


def test_undefined_attribute_is_an_error_too(tmp_path: Path) -> None:
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "main.j2").write_text("{% block user %}{{ brief.colour }}{% endblock %}")
    with pytest.raises(PromptError, match="has no attribute 'colour'"):
        PromptLibrary(tmp_path).render("demo", "main", variables={"brief": Brief(car="Aurora X5")})


def test_personal_push_and_regional_weibo_use_their_variables(library: PromptLibrary) -> None:
    push = library.render("push_personal", "main", variables=variables("push_personal", "main"))
    user = push.messages[1]["content"]
    assert "小林" in user and "杭州" in user and "Lumen E2" in user
    assert "Budget" not in user  # unset profile fields are left out, not printed as None
    weibo = library.render("weibo_region", "main", variables=variables("weibo_region", "main"))
    assert "成都" in weibo.messages[1]["content"]
    assert "140" in weibo.messages[1]["content"]


def test_chinese_brief_asks_for_chinese(library: PromptLibrary) -> None:
    values = variables("car_blog", "opening")
    values["brief"] = Brief(car="子午线S", language="zh")
    rendered = library.render("car_blog", "opening", variables=values)
    assert "Simplified Chinese" in rendered.messages[0]["content"]
    assert "about 120 字" in rendered.messages[1]["content"]


def test_feedback_prompts(library: PromptLibrary) -> None:
    from generation.grounding import FigureCheck

    unsupported = [FigureCheck(text="999 kW", value=999, unit="kW")]
    note = library.feedback(
        "grounding", {"unsupported": unsupported, "shape": '{"text": "…"}', "plain": False}
    )
    assert "- 999 kW" in note and '{"text": "…"}' in note
    plain = library.feedback("grounding", {"unsupported": unsupported, "plain": True})
    assert "plain prose" in plain and "JSON" not in plain
    guard = library.feedback("guard", {"words": ["最好", "第一"], "shape": "{}", "plain": False})
    assert "最好, 第一" in guard
    with pytest.raises(PromptError, match="'shape' is undefined"):
        library.feedback("invalid", {"error": "bad", "plain": False})


def test_list_prompts_has_every_default_and_the_overrides(library: PromptLibrary) -> None:
    listed = {(p.business, p.model, p.step): p for p in library.list_prompts()}
    for business, steps in BUSINESSES.items():
        for step in steps:
            assert (business, None, step) in listed
    assert listed[("polish", None, "paragraph")].template == "polish/paragraph.j2"
    assert all(not p.template.startswith("_") for p in listed.values())  # includes are no prompts
    assert listed[("car_blog", None, "opening")].blocks == ["system", "user"]
