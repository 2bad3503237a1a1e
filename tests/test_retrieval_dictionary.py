"""English for a Chinese question's words no label names (`retrieval/dictionary.py`), on a
few invented lines in CC-CEDICT's format."""

from __future__ import annotations

from retrieval.dictionary import Dictionary, glosses, packaged
from retrieval.glossary import Expansion
from retrieval.lexical import Concept
from retrieval.rewrite import concepts

LINES = """\
# an invented dictionary in CC-CEDICT's format
#! entries=7
腿部 腿部 [tui3 bu4] /leg (body part)/
空間 空间 [kong1 jian1] /space; room/(physics, math.) space/
維修 维修 [wei2 xiu1] /maintenance (of equipment)/to protect and maintain/
費 费 [fei4] /surname Fei/
費 费 [fei4] /to cost/fee/
多少 多少 [duo1 shao5] /number/amount/
多少 多少 [duo1 shao3] /how much?/how many?/
保修 保修 [bao3 xiu1] /to promise to keep sth in good repair/guarantee; warranty/
車 车 [che1] /car/vehicle/CL:輛|辆[liang4]/
寬 宽 [kuan1] /wide/
""".splitlines()


def test_glosses_keep_short_translations_and_drop_usage_notes() -> None:
    assert glosses(["maintenance (of equipment)", "to protect and maintain"]) == (
        "maintenance",
        "protect and maintain",
    )
    assert glosses(["surname Fei", "CL:輛|辆[liang4]", "fee"]) == ("fee",)
    assert glosses(["to promise to keep sth in good repair", "guarantee; warranty"]) == (
        "guarantee",
        "warranty",
    )  # an explanation of five words is no translation
    assert glosses(["a long explanation of what the word means here"]) == ()


def test_a_run_is_cut_into_the_fewest_words_and_single_characters_are_not_looked_up() -> None:
    dictionary = Dictionary.parse(LINES)
    assert dictionary.words("后排腿部空间") == ["腿部", "空间"]
    assert dictionary.words("维修费贵吗") == ["维修"]  # 费 alone is one character
    assert dictionary.english("空间") == ("space", "room")
    assert dictionary.english("费") == ("cost", "fee")  # both entries of one word


def test_a_question_word_is_not_translated() -> None:
    dictionary = Dictionary.parse(LINES)
    assert dictionary.english("多少") == ()  # "how much?": it asks, it names nothing
    assert dictionary.translations("腿部空间有多少") == [("leg",), ("space", "room")]


def test_what_a_label_or_a_name_already_reads_is_not_translated_again() -> None:
    dictionary = Dictionary.parse(LINES)
    assert dictionary.translations("车宽和腿部空间", named=["腿部空间"]) == []
    assert dictionary.translations("腿部空间和保修", named=["保修"]) == [
        ("leg",),
        ("space", "room"),
    ]


def test_bm25_scores_each_translated_word_as_one_concept_of_a_chinese_query() -> None:
    weights = {
        "name_weight": 0.25,
        "synonym_weight": 1.0,
        "translation_weight": 1.0,
        "asked_weight": 0.5,
    }
    translated = [("leg",), ("space", "room")]
    found = concepts(
        "甲车的腿部空间",
        Expansion(),
        [],
        [],
        **weights,
        translated=translated,
        dictionary_weight=0.25,
    )
    assert found == [
        Concept(0.25, ("leg",), per_token=True),
        Concept(0.25, ("space", "room"), per_token=True),
    ]
    assert concepts("甲车的腿部空间", Expansion(), [], [], **weights, translated=translated) == []


def test_the_packaged_dictionary_reads_offline() -> None:
    dictionary = packaged()
    assert dictionary is not None
    assert "leg" in dictionary.english("腿") or dictionary.english("空间")
