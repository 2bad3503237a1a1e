"""What a newcomer's editor rejected in the businesses besides the flagship blog, on the
embedded default: the request's fields had no effect. A blog's `length` did not change it; a
Weibo post's region changed only its greeting, and the post carried [n] markers; a personal
push used the reader's budget and interests for one fact at most; a news comment took no
stance. Sheets are built here; the sample corpus is indexed for the end-to-end checks."""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from generation.chain.run import Chain, ChainOptions
from generation.facts import Facts, FactSheet, SheetFact
from generation.facts.drafting import units
from generation.facts.push import budget_verdict
from generation.guard import Guard
from generation.prompts import PromptLibrary
from generation.schemas import WEIBO_MAX_CHARS, Brief, SingleResponse, UserProfile
from tests.test_realise_editor import BOOKS, PLAN, REALISE, fact, sheet

MARK = re.compile(r"\[\d+\]")


def family() -> FactSheet:
    """A petrol family of three engines with a plug-in hybrid, priced in euros."""
    return sheet(
        "Aurora X5",
        fact("seats", "5 seats", None, (5,), None, ("doc:1",)),
        fact("power", "130 kW", "Aurora X5 1.5T", (174.3,), "hp", ("doc:2",)),
        fact("torque", "270 Nm", "Aurora X5 1.5T", (270,), "Nm", ("doc:2",)),
        fact("power", "185 kW", "Aurora X5 2.0T AWD", (248,), "hp", ("doc:2",)),
        fact("torque", "380 Nm", "Aurora X5 2.0T AWD", (380,), "Nm", ("doc:2",)),
        fact("drive", "AWD", "Aurora X5 2.0T AWD", (), None, ("doc:2",)),
        fact("power", "200 kW", "Aurora X5 Hybrid", (268.2,), "hp", ("doc:3",)),
        fact("battery_capacity", "18.4 kWh", "Aurora X5 Hybrid", (18.4,), "kWh", ("doc:3",)),
        fact("electric_range", "80 km", "Aurora X5 Hybrid", (80,), "km", ("doc:3",)),
        fact("fuel_tank", "58 L", "Aurora X5 1.5T", (58,), "L", ("doc:2",)),
        fact("acceleration_0_100", "8.9 s", "Aurora X5 1.5T", (8.9,), "s", ("doc:2",)),
        fact("acceleration_0_100", "7.1 s", "Aurora X5 2.0T AWD", (7.1,), "s", ("doc:2",)),
        fact("top_speed", "225 km/h", "Aurora X5 2.0T AWD", (225,), "km/h", ("doc:2",)),
        fact("length", "4,560 mm", None, (4560,), "mm", ("doc:4",)),
        fact("width", "1,860 mm", None, (1860,), "mm", ("doc:4",)),
        fact("height", "1,680 mm", None, (1680,), "mm", ("doc:4",)),
        fact("wheelbase", "2,710 mm", None, (2710,), "mm", ("doc:4",)),
        fact("ground_clearance", "190 mm", None, (190,), "mm", ("doc:4",)),
        fact("turning_circle", "11.2 m", None, (11.2,), "m", ("doc:4",)),
        fact("boot_volume", "520 L", None, (520,), "L", ("doc:4",)),
        fact("fuel_economy_combined", "6.8 L/100km", "Aurora X5 1.5T", (6.8,), "L/100km"),
        fact("fuel_economy_combined", "8.1 L/100km", "Aurora X5 2.0T AWD", (8.1,), "L/100km"),
        fact("price", "EUR 36,900", "Aurora X5 1.5T", (36900,), "EUR", ("doc:5",)),
        fact("price", "EUR 44,900", "Aurora X5 2.0T AWD", (44900,), "EUR", ("doc:5",)),
        fact("kerb_weight", "1,535 kg", "Aurora X5 1.5T", (1535,), "kg", ("doc:4",)),
        fact("towing_capacity", "2,000 kg", "Aurora X5 2.0T AWD", (2000,), "kg", ("doc:4",)),
    )


def writer(s: FactSheet, language: str = "en", **brief: Any) -> Any:
    numbers: dict[str, int] = {}

    def number(f: SheetFact) -> int:
        return numbers.setdefault(f.citation.chunk_id or "", len(numbers) + 1)

    b = Brief(car=s.car.name, language=language, **brief)
    return Facts(lambda: None, PLAN, BOOKS).writer(s, b, number)  # type: ignore[arg-type]


def blog_units(s: FactSheet, language: str, length: int) -> tuple[int, int]:
    """The blog's length in the brief's units, and how many figures it states."""
    w = writer(s, language, length=length)
    parts = [w.opening().fields["text"], w.middle().fields["text"], w.ending().fields["text"]]
    return sum(units(p, language) for p in parts), len(w.said)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_blogs_length_is_what_the_brief_asks(language: str) -> None:
    """Regression: short, medium and long blogs read the same (the plan's sentence counts
    alone decided). Each part is written to its share of the length; a longer blog says more
    of the car's facts, and no blog states a figure the sheet lacks."""
    short, medium, long = (blog_units(family(), language, n) for n in (150, 600, 1500))
    assert short[0] < medium[0] < long[0], (short, medium, long)
    assert short[1] < medium[1] <= long[1], (short, medium, long)
    assert short[0] <= 150 * 1.5, short  # about what was asked: half a sentence over at most
    assert medium[0] <= 600 * 1.2, medium


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_weibo_post_says_what_its_regions_drivers_weigh(language: str) -> None:
    """Regression: posts for Harbin and Shenzhen differed only by the greeting. A cold region
    hears the ground clearance and the drive, a big city the size and the turning circle; a
    region the plan does not know is greeted and told the plan's facts."""
    cold, city = ("Harbin", "Shenzhen") if language == "en" else ("哈尔滨", "深圳")
    posts = {r: writer(family(), language, business="weibo_region", region=r) for r in (cold, city)}
    texts = {r: w.single().fields["text"] for r, w in posts.items()}
    said = {r: {f.attribute for f in w.said} for r, w in posts.items()}
    assert "ground_clearance" in said[cold] and "ground_clearance" not in said[city], texts
    assert "turning_circle" in said[city] and "turning_circle" not in said[cold], texts
    assert MARK.sub("", texts[cold]) != MARK.sub("", texts[city]).replace(city, cold)
    for region, text in texts.items():
        assert region in text and len(MARK.sub("", text)) <= WEIBO_MAX_CHARS, text
    elsewhere = writer(family(), language, business="weibo_region", region="Atlantis")
    assert "Atlantis" in elsewhere.single().fields["text"] and elsewhere.said


def personal(language: str = "en", **profile: Any) -> tuple[str, set[str]]:
    w = writer(family(), language, business="push_personal", user_profile=UserProfile(**profile))
    return w.single().fields["body"], {f.attribute for f in w.said}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_personal_push_speaks_of_the_readers_interests(language: str) -> None:
    """Regression: a reader interested in space was told CO2 emissions after the boot, one
    interested in performance a battery's range: the interests chose the first fact at most."""
    space, said = personal(language, interests=["family space" if language == "en" else "家庭空间"])
    assert said and said <= {"boot_volume", "seats"}, space
    fast, said = personal(language, interests=["performance" if language == "en" else "动力性能"])
    assert said and said <= {"power", "torque", "acceleration_0_100", "top_speed"}, fast
    assert "200 kW" in fast or "200千瓦" in fast, fast  # the most powerful version first


def test_a_personal_push_says_the_price_against_the_budget() -> None:
    """Regression: "On your budget: … sells for €27,900" whatever the budget. In the price's
    currency it is within the budget or above it; the budget's own figure is never said, and a
    budget in another currency is not converted."""
    body, _ = personal(nickname="Sam", budget="under €40,000")
    assert body.startswith("Sam, within your budget:") and "€36,900" in body, body
    assert "40,000" not in body
    body, _ = personal(nickname="Sam", budget="€30,000")
    assert "above your budget" in body and "€36,900" in body, body
    body, _ = personal(budget="RMB 300,000")
    assert "On your budget" in body and "300,000" not in body, body
    zh, _ = personal("zh", budget="4万欧元以内")
    assert "在你的预算之内" in zh and "36900欧元" in zh, zh
    assert budget_verdict("15-20万", fact("price", "19.98万元", None, (199800,), "CNY")) == "fits"
    assert budget_verdict("under £30,000", fact("price", "€1", None, (1,), "EUR")) == ""


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_news_comment_takes_a_stance_backed_by_its_figures(language: str) -> None:
    """Regression: the comment stated the headline engine and ended "has the figures to back
    the news", praising a roomy boot it never measured. Its stance (for buyers) is the car's
    judgement, and the figures judged are the ones it states, cited."""
    news = "The Aurora X5 goes on sale next month" if language == "en" else "极光X5下月上市"
    w = writer(family(), language, business="news_comment", angle=news)
    out = w.single().fields
    text = out["text"]
    assert out["sentiment"] == "positive" and news in text, text
    # strong power and boot, and (judged as an electric car's) a short range: each stated
    assert {f.attribute for f in w.said} == {"power", "boot_volume", "electric_range"}, text
    assert ("200 kW" in text and "520 litres" in text) or ("200千瓦" in text and "520升" in text)
    assert ("buyers" in text) if language == "en" else ("购车者" in text), text
    assert len(MARK.findall(text)) == 3, text
    plain = sheet("Lumen E2", fact("price", "EUR 27,900", "Core", (27900,), "EUR"))
    plain.facts.append(fact("power", "85 kW", None, (114,), "hp"))
    w = writer(plain, language, business="news_comment", angle=news)
    text = w.single().fields["text"]
    assert "price will decide" in text or "价格是关键" in text, text
    assert "€27,900" in text or "27900欧元" in text, text


def test_the_remote_prompts_hear_the_request_fields() -> None:
    """A remote model is told what the realiser uses: the length, the region's driving (and
    that markers leave the post), the reader's budget and interests, the stance."""
    library = PromptLibrary(REALISE.parent / "prompts")

    def user(business: str, step: str = "main", **brief: Any) -> str:
        b = Brief(car="Aurora X5", business=business, **brief)
        variables = {"brief": b, "passages": [], "shape": "{}", "words": 321, "facts": ""}
        if step != "opening":
            variables |= {"opening": {"title": "t", "text": "o"}, "middle": {"text": "m"}}
            variables |= {"topics": ["engine"]}
        messages = library.render(business, step, variables=variables).messages
        return "\n".join(str(m["content"]) for m in messages)

    for step in ("opening", "middle", "ending"):
        assert "321" in user("car_blog", step, length=1500)
    weibo = user("weibo_region", region="Harbin")
    assert "Harbin" in weibo and "not counting the [n] markers" in weibo
    reader = UserProfile(budget="under €40,000", interests=["space"])
    push = user("push_personal", user_profile=reader)
    assert "under €40,000" in push and "within or above the budget" in push
    assert "space: boot and seats" in push
    assert "what the news means for buyers" in user("news_comment", angle="on sale")


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_published_weibo_post_cites_apart_on_the_sample_corpus(
    make_settings: Any, embedder: Any, sample_index: Path, language: str
) -> None:
    """On the index of data/samples with the embedded default: the post as published holds
    no [n]; the passages of its figures are cited in `citations`; two regions differ."""
    from api.services import Services

    settings = make_settings()
    shutil.copytree(sample_index, settings.data_dir)
    services = Services(settings, embedder=embedder)
    generation = services.generation
    chain = Chain(
        llm=generation.llm("local"),
        searcher=services.searcher,
        prompts=generation.prompts,
        guard=Guard.from_folder(REALISE.parent / "sensitive_words"),
        options=ChainOptions(polish=False),
        facts=generation.facts,
    )
    regions = ("Harbin", "Shenzhen") if language == "en" else ("哈尔滨", "深圳")
    try:
        texts = []
        for region in regions:
            brief = Brief(car="Lumen E2", business="weibo_region", region=region, language=language)
            response = asyncio.run(chain.run(brief))
            assert isinstance(response, SingleResponse) and response.writer == "facts"
            text = response.output["text"]
            assert not MARK.search(text) and region in text, text
            assert re.search(r"\d", text) and len(text) <= WEIBO_MAX_CHARS, text
            cited = {c.n for c in response.citations if c.cited}
            assert cited and cited == {f.n for f in response.facts}, response.citations
            assert response.grounding.unsupported == [] and response.grounding.checked > 0
            texts.append(text.replace(region, ""))
        assert texts[0] != texts[1], texts
    finally:
        asyncio.run(generation.aclose())
        services.close()
