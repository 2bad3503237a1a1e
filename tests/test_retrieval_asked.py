"""The attribute a query asks, read from the spec vocabulary (`retrieval/facts.py`,
`QueryAttributes`), and what the sides read for it (`retrieval/rewrite.py`): a Chinese
question about an English spec sheet shares no word with the line that answers it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.specs.vocabulary import load_vocabulary
from retrieval.facts import QueryAttributes
from retrieval.glossary import Expansion
from retrieval.lexical import Concept
from retrieval.rewrite import concepts, encoder_texts

VOCABULARY = """
[width]
label = "Overall width"
dimension = "length"
synonyms = ["width", "overall width"]
synonyms_zh = ["车宽", "宽"]
asked = ["wider"]

[length]
label = "Overall length"
dimension = "length"
synonyms = ["length"]
synonyms_zh = ["车长", "长"]

[kerb_weight]
label = "Kerb weight"
dimension = "mass"
synonyms = ["kerb weight"]
synonyms_zh = ["整备质量"]
asked = ["heavier"]
asked_zh = ["重"]

[towing_capacity]
label = "Towing capacity"
dimension = "mass"
synonyms = ["towing capacity"]
asked_zh = ["能拖"]

[fuel_economy_combined]
label = "Combined fuel economy"
dimension = "fuel_consumption"
synonyms_zh = ["油耗"]

[fuel_economy_highway]
label = "Highway fuel economy"
dimension = "fuel_consumption"
synonyms_zh = ["高速油耗"]

[transmission]
label = "Transmission"
dimension = "text"
synonyms = ["gearbox", "type"]
synonyms_zh = ["变速箱"]
"""


@pytest.fixture
def attributes(tmp_path: Path) -> QueryAttributes:
    path = tmp_path / "attributes.toml"
    path.write_text(VOCABULARY, encoding="utf-8")
    return QueryAttributes.build(load_vocabulary(path))


def test_asked_words_name_an_attribute_for_questions_only(tmp_path: Path) -> None:
    path = tmp_path / "attributes.toml"
    path.write_text(VOCABULARY, encoding="utf-8")
    vocabulary = load_vocabulary(path)
    assert vocabulary.asked == {
        "wider": "width",
        "heavier": "kerb_weight",
        "重": "kerb_weight",
        "能拖": "towing_capacity",
    }
    # extraction reads documents by the labels, never by the asked words
    assert vocabulary.lookup("wider") is None and vocabulary.lookup("能拖") is None
    attributes = QueryAttributes.build(vocabulary)
    assert attributes.find("Which is wider, the Alpha or the Beta?") == {"width"}
    assert attributes.find("Is the Alpha heavier than the Beta?") == {"kerb_weight"}


def test_a_one_character_label_counts_after_a_word_of_degree(attributes: QueryAttributes) -> None:
    assert attributes.find("甲车和乙车，谁的车身更宽？") == {"width"}
    assert attributes.find("甲车各有多宽？") == {"width"}
    assert attributes.find("甲车有多重？") == {"kerb_weight"}
    assert attributes.find("甲车在长安上市了吗？") == set()  # 长 alone names nothing
    # a label named: the degree step is not taken (多重 is how much it tows here)
    assert attributes.find("甲车最多能拖多重？") == {"towing_capacity"}
    attributes.degree = False
    assert attributes.find("甲车和乙车，谁的车身更宽？") == set()


def test_a_label_inside_a_longer_label_named_is_not_named(attributes: QueryAttributes) -> None:
    assert attributes.find("甲车的高速油耗是多少？") == {"fuel_economy_highway"}
    assert attributes.find("甲车的油耗是多少？") == {"fuel_economy_combined"}
    assert attributes.find("甲车的高速油耗和油耗") == {"fuel_economy_highway"}


def test_chinese_labels_of_word_valued_attributes_count(attributes: QueryAttributes) -> None:
    assert attributes.find("甲车配的是什么变速箱？") == {"transmission"}
    assert attributes.find("the Alpha Type R gearbox") == set()  # English ones stay loose
    attributes.words_zh = False
    assert attributes.find("甲车配的是什么变速箱？") == set()


def test_an_attributes_english_words(attributes: QueryAttributes) -> None:
    assert attributes.labels({"width", "kerb_weight"}) == ("Kerb weight", "Overall width")
    terms = attributes.english_terms({"width"})
    assert "overall width" in terms and "width" in terms
    assert "wider" not in terms  # a question's word, not a document's label


def test_a_chinese_query_reads_in_english_with_the_asked_labels() -> None:
    query = "Civic和Accord，谁的车身更宽？"
    assert encoder_texts(query, ["Overall width"], multilingual=False) == [
        "Civic Accord Overall width"
    ]
    assert encoder_texts(query, ["Overall width"], multilingual=True) == [
        query,
        "Civic Accord Overall width",
    ]
    assert encoder_texts(query, [], multilingual=False) == [query]  # nothing to add
    assert encoder_texts("Which is wider?", ["Overall width"], multilingual=False) == [
        "Which is wider?"
    ]


def test_bm25_scores_a_chinese_querys_asked_attribute_as_one_concept() -> None:
    weights = {
        "name_weight": 0.25,
        "synonym_weight": 1.0,
        "translation_weight": 1.0,
        "asked_weight": 0.5,
    }
    asked = [("width", "overall width")]
    found = concepts("Civic的车身更宽吗", Expansion(), ["Civic"], asked, **weights)
    assert found == [
        Concept(0.25, ("Civic",)),
        Concept(0.5, ("width", "overall width"), per_token=True),
    ]
    english = concepts("Is the Civic wider?", Expansion(), ["Civic"], asked, **weights)
    assert english == [Concept(0.25, ("Civic",))]  # its own words say it
    off = concepts("Civic的车身更宽吗", Expansion(), [], asked, **{**weights, "asked_weight": 0})
    assert off == []


def test_a_word_valued_label_counts_only_where_no_measured_one_is_named(
    attributes: QueryAttributes,
) -> None:
    assert attributes.find("甲车的变速箱和油耗") == {"fuel_economy_combined"}
