"""`specrag eval-generation` on a real index of data/samples with the embedded model: the
measures come from the real responses, and the detectors judge real outputs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from api.cli import main
from generation.evaluation.metrics import (
    echo_of,
    looping_runs,
    measure,
    repeated_sentences,
    right_language,
)
from tests.samples import Samples

CAR = "Aurora X5"
# Outputs of the facts-first writer on the corpus (Hyundai Creta, Chinese push and review):
# the first is a Chinese sentence built around English variant names and units.
CRETA_PUSH_ZH = (
    "turbo petrol最大功率160 hp。turbo petrol匹配7速dual clutch 自动变速箱。点开看全部参数。"
)
CRETA_REVIEW_ZH = (
    "从参数看现代Creta。现代Creta车长4330毫米，车宽1790毫米，车高1635毫米，轴距达到2610毫米[2]。"
    "最小离地间隙190毫米[3]。行李厢容积为433升，油箱可加50升[2][3]。"
)
CRETA_NAMES = ["Hyundai Creta", "Creta", "现代Creta"]
# The realiser's engine list on the corpus (Volkswagen Golf blog): one pattern, three trims.
GOLF_ENGINES = (
    "The 1.8 L AMS-6 has a 1.8 L gasoline engine with 4 cylinders and an AMS-6 [7]. "
    "The 1.8 L Man-5 has a 1.8 L gasoline engine with 4 cylinders and a Man-5 [8]. "
    "The 1.8 L Man-6 has a 1.8 L gasoline engine with 4 cylinders and a Man-6 [9]."
)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, samples: Samples) -> dict[str, str]:
    data_dir = samples.copy(tmp_path_factory.mktemp("evalgen") / "index")  # data/samples
    return {"SPECRAG_DATA_DIR": str(data_dir), "SPECRAG_WORKERS": "0"}


def _run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout if result.exit_code == 0 else result.output


@pytest.fixture(scope="module")
def evaluated(env: dict[str, str]) -> dict[str, Any]:
    code, out = _run(env, "eval-generation", "--cars", CAR, "--json")
    assert code == 0, out
    return json.loads(out)  # type: ignore[no-any-return]


def _output(report: dict[str, Any], business: str, language: str) -> dict[str, Any]:
    [found] = [
        o for o in report["outputs"] if (o["business"], o["language"]) == (business, language)
    ]
    return found


@pytest.mark.slow
def test_every_business_in_both_languages_is_measured_from_its_response(
    env: dict[str, str], evaluated: dict[str, Any]
) -> None:
    """Also the regression test of the one-step businesses on the default model, which all
    answered 500 (a KeyError in the facts-first run) until the eval tried them."""
    outputs = evaluated["outputs"]
    assert evaluated["cars"] == [CAR]
    assert len(outputs) == 6 * 2
    assert {(o["business"], o["language"]) for o in outputs} == {
        (b, lang)
        for b in ("car_blog", "push_ops", "push_personal", "weibo_region", "review", "news_comment")
        for lang in ("en", "zh")
    }
    assert all(o["status"] == 200 for o in outputs), [o["error"] for o in outputs]
    totals = evaluated["totals"]
    assert totals["outputs"] == 12 and totals["ok"] == 12 and totals["non_200"] == 0
    assert totals["checked"] == sum(o["checked"] for o in outputs) > 0
    assert totals["blogs"] == 2 and totals["blog_p50_s"] > 0
    assert {t["name"] for t in evaluated["targets"]} >= {
        "unsupported figures",
        "wrong-car figures",
        "distinct facts per blog",
        "right language",
        "non-200 responses",
        "whole blog latency p50",
    }

    # The same briefs through `specrag blog`: the realiser picks facts deterministically, so
    # the distinct facts the eval counted are the ones a client's response lists.
    for business, language in (("car_blog", "en"), ("review", "zh")):
        code, out = _run(
            env, "blog", "--car", CAR, "--business", business, "--language", language, "--json"
        )
        assert code == 0, out
        response = json.loads(out)
        distinct = {(f["attribute"], f["variant"], f["value"]) for f in response["facts"]}
        measured = _output(evaluated, business, language)
        assert measured["distinct_facts"] == len(distinct) > 0
        assert measured["texts"]  # the text the measures were taken on
        assert response["grounding"]["checked"] > 0 and measured["checked"] > 0

    # The grounding's richer shape (wrong-car figures and dropped sentences as lists of
    # objects) is read too: the same response with one of each.
    grounding = {
        **response["grounding"],
        "wrong_car": [{"text": "433 litres", "verdict": "wrong_car"}],
        "dropped": [{"step": "main", "sentence": "It has a 433-litre boot."}],
        "verdict": "flagged",
    }
    m = measure(
        {**response, "grounding": grounding},
        car=CAR,
        language=language,
        seconds=1.0,
        names=[CAR],
        prompts=[],
    )
    assert (m.wrong_car, m.wrong_car_figures, m.wrong_car_reported) == (1, ["433 litres"], True)
    assert m.dropped == 1 and m.verdict == "flagged"
    assert m.distinct_facts == len(distinct)


@pytest.mark.slow
def test_language_mismatch_is_caught_on_real_outputs(evaluated: dict[str, Any]) -> None:
    en = "\n".join(_output(evaluated, "car_blog", "en")["texts"].values())
    zh = "\n".join(_output(evaluated, "car_blog", "zh")["texts"].values())
    names = [CAR]
    assert right_language(en, "en", names) and not right_language(en, "zh", names)
    assert right_language(zh, "zh", names) and not right_language(zh, "en", names)
    # an English blog with one Chinese sentence from the other language's output is wrong
    first_zh = zh.split("。")[0] + "。"
    assert not right_language(en + " " + first_zh, "en", names)


def test_a_list_of_trims_is_monotonous_but_no_loop() -> None:
    """Three sentences sharing eight words are not a loop (a loop stays inside a sentence);
    the same sentence said twice, or a run said three times in one sentence, is."""
    assert looping_runs(GOLF_ENGINES) == [] and repeated_sentences([GOLF_ENGINES]) == []
    one_sentence = GOLF_ENGINES.replace(" [7]. The", ", the").replace(" [8]. The", ", the")
    assert looping_runs(one_sentence)
    first = GOLF_ENGINES.split(" [7]. ")[0]
    assert repeated_sentences([GOLF_ENGINES, first + "."]) == [
        "the 1 8 l ams 6 has a 1 8 l gasoline engine with 4 cylinders and an ams 6"
    ]


def test_language_of_chinese_with_english_names() -> None:
    """A Chinese text is judged without the car's names; English variant names and units
    beyond them make it mostly English (seen on the Creta's push)."""
    assert right_language(CRETA_REVIEW_ZH, "zh", CRETA_NAMES)
    assert not right_language(CRETA_PUSH_ZH, "zh", CRETA_NAMES)
    assert right_language("The 现代Creta is 4,330 mm long [2].", "en", CRETA_NAMES)
    assert not right_language("The Hyundai Creta 车长4330毫米.", "en", CRETA_NAMES)


@pytest.mark.slow
def test_echoes_and_loops_are_caught_on_real_outputs(evaluated: dict[str, Any]) -> None:
    blog = _output(evaluated, "car_blog", "en")["texts"]
    middle = blog["middle"]
    instruction = (
        "You are a car editor. Rewrite the user's paragraph so it reads smoothly. Keep every "
        "number, unit and bracketed number like [1] exactly; add no new numbers."
    )
    assert echo_of(middle, [instruction]) is None
    echoed = echo_of(middle + " Keep every number, unit and bracketed number.", [instruction])
    assert echoed is not None and "repeats the prompt" in echoed
    assert echo_of("Here is a rewritten version:\n" + middle, []) == "talks about itself"

    sentences = [s for s in middle.split(". ") if len(s.split()) >= 4]
    assert sentences, middle
    assert repeated_sentences([middle, blog["opening"]]) == []
    doubled = repeated_sentences([middle, sentences[0] + "."])
    assert len(doubled) == 1 and doubled[0].split()[:2] == sentences[0].lower().split()[:2]
    assert looping_runs(middle) == []
    stuck = "It has a " + "very big and very roomy boot that fits " * 3 + "everything."
    assert looping_runs(stuck)


@pytest.mark.slow
def test_an_unknown_car_is_an_outcome_not_a_crash(env: dict[str, str]) -> None:
    code, out = _run(
        env,
        "eval-generation",
        "--cars",
        f"{CAR},Aurora X9",
        "--businesses",
        "review",
        "--languages",
        "en",
        "--json",
    )
    assert code == 0, out
    report = json.loads(out)
    outcomes = {o["car"]: (o["status"], o["error_type"]) for o in report["outputs"]}
    assert outcomes == {CAR: (200, ""), "Aurora X9": (404, "unknown_car")}
    assert report["totals"]["non_200"] == 1 and report["totals"]["crashes"] == 0
    missed = {t["name"]: t["met"] for t in report["targets"]}
    assert missed["non-200 responses"] is False
    assert "Aurora X9 review en: HTTP 404 unknown_car" in "\n".join(
        f"{o['car']} {o['business']} {o['language']}: {p}"
        for o in report["outputs"]
        for p in o["problems"]
    )
