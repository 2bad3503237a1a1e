"""An editor's fourth round on text the realiser writes from facts (sheets built here, and the
sample corpus in `data/samples` indexed for real): a push title keeps its figure, units and a
data set's gearbox codes read as Chinese in Chinese, one engine or gearbox is said once, a
version's figures make one sentence, the title's price is the text's, a tyre size is one code,
and a heading's years or a data set's row number are no part of a version's name."""

from __future__ import annotations

import re

import pytest

from generation.facts import FactSheet, SheetFact
from generation.facts.phrasing import words
from generation.facts.sheet import same_value
from generation.grounding import fact_figures
from ingest.specs.figures import figures
from ingest.specs.registry import CarSummary, StoredFact
from ingest.specs.variants import merge_variants
from tests.samples import Samples
from tests.test_realise_editor import BOOKS, cite, fact, sheet, write


def named(name: str, aliases: tuple[str, ...], *facts: SheetFact) -> FactSheet:
    return FactSheet(CarSummary(name.casefold(), name, aliases, 1, len(facts)), list(facts))


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=\.)\s+|(?<=。)", text) if s]


def test_a_push_title_keeps_its_figure_when_a_name_is_long() -> None:
    """Regression: the Toyota Corolla's push title was "Toyota Corolla" (its headline "up to
    139 hp in the 1.8L 4-Cylinder Gasoline Engine" is over 30 characters) and the Wuling
    Xingchen's "Wuling Xingchen" ("…: from RMB 69,800" is 32)."""
    corolla = sheet(
        "Toyota Corolla",
        fact("power", "139 hp", "1.8L 4-Cylinder Gasoline Engine", (139,), "hp"),
        fact("power", "121 hp", "Hybrid Option", (121,), "hp"),
    )
    assert write(corolla, "push_ops")["title"] == "Toyota Corolla: up to 139 hp"
    xingchen = named(
        "Wuling Xingchen",
        ("Xingchen", "星辰"),
        fact("price", "6.98万-9.98万元", None, (69800, 99800), "CNY"),
    )
    assert write(xingchen, "push_ops")["title"] == "Xingchen: from RMB 69,800"
    for s in (corolla, xingchen):
        for language in ("en", "zh"):
            title = write(s, "push_ops", language)["title"]
            assert len(title) <= 30 and re.search(r"\d", title), title


def test_units_read_as_chinese_and_back() -> None:
    """Regression: the Meridian S's "排量为1498 cc" and the Creta's "17 km/L" in Chinese."""
    car = sheet(
        "Meridian S",
        fact("displacement", "1,498 cc", None, (1498,), "cc"),
        fact("fuel_economy_combined", "17 km/L", None, (17,), "km/L"),
    )
    zh = " ".join(write(car, language="zh").values())
    assert "1498毫升" in zh and "17公里/升" in zh
    assert not re.search(r"\d\s*(?:cc|km/L)", zh), zh
    # the grounding check reads each Chinese unit word back to its unit
    for symbol, word in BOOKS["zh"].units.items():
        if symbol in ("cc", "cm", "km/L"):
            [found] = figures(f"排量为12{word}")
            assert found.unit is not None and found.unit.symbol == symbol, word


def epa_rows() -> list[SheetFact]:
    rows = []
    for n, (row, fuel) in enumerate(
        [
            ("3.6 L Auto-8 2WD", "Gasoline"),
            ("3.6 L Auto-8 4WD", "Gasoline"),
            ("3 L Auto-8 2WD", "Diesel"),
            ("3 L Auto-8 4WD", "Diesel"),
        ]
    ):
        chunk = (f"doc:{n}",)
        litres = float(row.split()[0])
        rows += [
            fact("displacement", str(litres), row, (litres,), "L", chunk),
            fact("cylinders", "6", row, (6,), None, chunk),
            fact("fuel_type", fuel, row, (), None, chunk),
            fact("transmission", "Auto-8", row, (), None, chunk),
        ]
    return rows


def test_a_data_sets_gearbox_codes_read_in_each_language_and_twins_are_said_once() -> None:
    """Regression: the Jeep Grand Cherokee's "3.6 L Auto-8 2WD搭载6缸汽油发动机" in Chinese, and
    each engine said again for its 4WD row."""
    jeep = sheet("Jeep Grand Cherokee", *epa_rows())
    en = " ".join(write(jeep).values())
    zh = " ".join(write(jeep, language="zh").values())
    assert "Auto-8" not in en + zh and "2WD" not in zh
    assert "3.6 L 8-speed automatic 2WD" in en and "3.6升8速自动两驱" in zh
    assert en.count("gasoline engine") == 1 and en.count("diesel engine") == 1, en
    assert zh.count("汽油发动机") == 1 and zh.count("柴油发动机") == 1, zh
    assert words("N/A L Auto-1", "en", {}) == "single-speed"
    # the gears a code states back the figure a sentence writes for it
    stored = StoredFact("transmission", "1.8 L Man-6", "Man-6", (), None, None, None, cite("x"))
    assert any(f.noun == "gears" and f.value == 6 for f in fact_figures(stored))


def test_one_engine_two_documents_name_is_said_once() -> None:
    """Regression: the Toyota Tacoma's "3.5L V6 makes 278 hp" and "V6 Engine makes 278 hp";
    the Meridian S's gearbox in English and in Chinese, said twice in its Chinese blog."""
    tacoma = sheet(
        "Toyota Tacoma",
        fact("power", "278 hp", "3.5L V6", (278,), "hp", ("doc:1",)),
        fact("transmission", "6-speed automatic", "3.5L V6", (), None, ("doc:1",)),
        fact("power", "278 hp", "V6 Engine", (278,), "hp", ("doc:2",)),
        fact("power", "278 hp", "2.4L Turbocharged 4-Cylinder", (278,), "hp", ("doc:3",)),
        fact("torque", "317 lb-ft", "2.4L Turbocharged 4-Cylinder", (317,), "lb-ft", ("doc:3",)),
    )
    text = " ".join(write(tacoma).values())
    assert "V6 Engine" not in text, text
    assert "3.5L V6 makes 278 hp, driving through a 6-speed automatic [1]." in text, text
    assert "2.4L Turbocharged 4-Cylinder" in text  # another engine with the same power
    # two engines whose only stated fact is one gearbox are two engines, not one said twice
    badges = sheet(
        "Aurora X5",
        fact("power", "185 kW", "2.0T", (248,), "hp", ("doc:1",)),
        fact("transmission", "8-speed automatic", "2.0T", (), None, ("doc:1",)),
        fact("transmission", "8-speed automatic", "3.0T", (), None, ("doc:2",)),
    )
    assert "3.0T" in " ".join(write(badges).values())
    meridian = sheet(
        "Meridian S",
        fact("power", "124 kW", "1.5-litre turbocharged engine", (166.3,), "hp"),
        fact("transmission", "7-speed dual-clutch", "1.5-litre turbocharged engine"),
        fact("transmission", "7速双离合变速箱", "2025 · 豪华版", (), None, ("doc:2",)),
    )
    for language in ("en", "zh"):
        text = " ".join(write(meridian, language=language).values())
        said = "7速双离合" if language == "zh" else "7-speed dual-clutch"
        assert text.count(said) == 1, text


def test_a_versions_figures_make_one_sentence() -> None:
    """Regression: an EPA row's economy in three sentences, its name in each; the Volvo 850's
    cylinders and power rpm apart from its power."""
    row = "1.8 L Man-6"
    corolla = sheet(
        "Toyota Corolla",
        fact("fuel_economy_city", "27", row, (27,), "mpg"),
        fact("fuel_economy_highway", "35", row, (35,), "mpg"),
        fact("fuel_economy_combined", "30", row, (30,), "mpg"),
        fact("co2", "289", row, (289,), "g/mi"),
    )
    other = "1.8 L SCV-7"  # another gearbox row with the same highway figure
    corolla.facts += [
        fact("fuel_economy_city", "28", other, (28,), "mpg"),
        fact("fuel_economy_highway", "35", other, (35,), "mpg"),
        fact("fuel_economy_combined", "31", other, (31,), "mpg"),
    ]
    en = write(corolla)["middle"]
    [stepped] = [s for s in sentences(en) if "1.8 L CVT with select shift" in s]
    assert all(figure in stepped for figure in ("28", "35", "31")), en
    for language, name in (("en", "1.8 L 6-speed manual"), ("zh", "1.8升6速手动")):
        middle = write(corolla, language=language)
        text = middle["opening"] + middle["middle"]
        assert text.count(name) == 1, text
        [sentence] = [s for s in sentences(text) if name in s]
        assert all(figure in sentence for figure in ("27", "35", "30", "289")), sentence
    volvo = sheet(
        "Volvo 850",
        fact("displacement", "2.4", None, (2.4,), "L"),
        fact("power", "168", None, (168,), "hp"),
        fact("power_rpm", "6200", None, (6200,), "rpm"),
        fact("cylinders", "5", None, (5,)),
    )
    for language in ("en", "zh"):
        opening = write(volvo, language=language)["opening"]
        [sentence] = [s for s in sentences(opening) if "168" in s]
        assert "6" in sentence and "5" in sentence and "2.4" in sentence, opening


def test_the_titles_price_is_the_one_the_text_states() -> None:
    """Regression: the Hycan Z03's title said "from RMB 130,000" and its text only the dearer
    version's RMB 140,000-150,000."""
    z03 = sheet(
        "Hycan Z03",
        fact("price", "14万-15万元", "潮智版", (140000, 150000), "CNY", ("doc:1",)),
        fact("price", "13万-14万元", "潮流版", (130000, 140000), "CNY", ("doc:2",)),
    )
    blog = write(z03)
    assert "from RMB 130,000" in blog["title"] and "130,000" in blog["opening"]
    zh = write(z03, language="zh")
    assert "13万元起" in zh["title"] and "13万-14万元" in zh["opening"]


def test_a_tyre_size_is_one_code_and_layout_is_tidy() -> None:
    """Regression: the Creta's "205 / 65 R16 tyres" left "65" to be flagged as another car's
    width; the Xingchen's "6 -speed manual"; the Corolla's "前驱(前驱)"."""
    creta = sheet("Hyundai Creta", fact("tyres", "205 / 65 R16"))
    text = write(creta)["opening"] + write(creta)["middle"]
    assert "205/65 R16" in text
    assert figures(text.replace("[1]", "")) == []
    assert words("6速手动", "en", BOOKS["en"].terms) == "6-speed manual"
    assert words("FWD (Front-Wheel Drive)", "zh", BOOKS["zh"].terms) == "前驱"
    # an engine's codes stay in Latin letters inside Chinese, the rest translated
    assert words("1.5l Turbo GDi petrol", "zh", BOOKS["zh"].terms) == "1.5升涡轮增压GDi汽油"
    assert words("1.5l U2 CRDi diesel", "zh", BOOKS["zh"].terms) == "1.5升U2 CRDi柴油"
    assert words("Gasoline Model", "zh", BOOKS["zh"].terms) == "汽油版"


def test_a_headings_years_and_a_rows_number_are_no_part_of_a_name() -> None:
    """Regression: the Nissan Patrol's Chinese blog said "2010-2024 Model Years 4.0L V6最大功率",
    and the Ford F150's EPA rows were "…2WD #1", "#2", "#3", each said."""
    patrol = sheet(
        "Nissan Patrol",
        fact("power", "400 hp", "NISMO", (400,), "hp", ("doc:1",)),
        fact("power", "275 hp", "2010-2024 Model Years 4.0L V6", (275,), "hp", ("doc:2",)),
    )
    zh = " ".join(write(patrol, language="zh").values())
    assert "Model Years" not in zh and "2010-2024款Nissan Patrol 4.0升V6" in zh, zh
    en = " ".join(write(patrol).values())
    assert "The 2010-2024 Nissan Patrol 4.0L V6 makes 275 hp" in en, en
    rows = [
        fact("cylinders", "6", f"2.7 L SemiAuto-10 2WD #{n}", (6,), None, (f"doc:{n}",))
        for n in (1, 2, 3)
    ] + [fact("fuel_economy_combined", "22", "2.7 L SemiAuto-10 2WD #2", (22,), "mpg")]
    f150 = " ".join(write(sheet("Ford F150", *rows)).values())
    assert "#" not in f150 and f150.count("6 cylinders") == 1, f150


def test_a_dated_name_is_the_same_version_across_documents() -> None:
    """The data set's "1.8 L Man-6" and its rendered page's "2018 · 1.8 L Man-6" are one
    version when their figures agree; a dated name with another figure stays apart; names
    `unify_variants` makes one in a document are one across documents too."""
    plain = fact("fuel_economy_combined", "30", "1.8 L Man-6", (30,), "mpg")
    dated = fact("cylinders", "4", "2018 · 1.8 L Man-6", (4,))
    other = fact("fuel_economy_combined", "31", "2018 · 1.8 L Man-6", (31,), "mpg")
    merged = merge_variants([plain, dated], ["Toyota Corolla"], agree=same_value)
    assert {f.variant for f in merged} == {"1.8 L Man-6"}
    apart = merge_variants([plain, other], ["Toyota Corolla"], agree=same_value)
    assert {f.variant for f in apart} == {"1.8 L Man-6", "2018 · 1.8 L Man-6"}
    # the in-document rule holds across documents: one engine's words in another order
    article = fact("power", "400 hp", "3.5L Twin-Turbo V6", (400,), "hp", ("a:1",))
    sheet_ = fact("torque", "700 Nm", "3.5L V6 twin-turbo (VR35DDTT)", (700,), "Nm", ("b:1",))
    merged = merge_variants([article, sheet_], ["Nissan Patrol"], agree=same_value)
    assert len({f.variant for f in merged}) == 1


@pytest.mark.slow
def test_the_sample_meridian_s_reads_as_chinese_with_its_gearbox_once(
    make_settings, samples: Samples
) -> None:
    """The README's sample blog of the Meridian S in Chinese, from the real index of
    data/samples: its displacement in a Chinese unit, its gearbox said once."""
    settings = make_settings()
    with samples.services(settings) as services:
        facts = services.generation.facts
        assert facts is not None
        from generation.schemas import Brief

        s = facts.sheet("Meridian S")
        brief = Brief(car="Meridian S", language="zh")
        numbers: dict[str, int] = {}

        def number(f: SheetFact) -> int:
            return numbers.setdefault(f.citation.chunk_id or "", len(numbers) + 1)

        writer = facts.writer(s, brief, number)
        text = writer.opening().fields["text"] + writer.middle().fields["text"]
    assert " cc" not in text and "1498毫升" in text, text
    assert text.count("7速双离合") == 1, text


def test_an_english_title_names_no_version_in_chinese() -> None:
    """Regression: the Hycan Z03's push title "Hycan Z03 4座Z潮版: 160 kW" and blog title "…up
    to 160 kW in the 4座Z潮版"; the text still says whose figure it is, in pinyin where no term
    translates the name (a title names no such version)."""
    z03 = sheet(
        "Hycan Z03",
        fact("power", "160 kW", "4座Z潮版", (214.6,), "hp"),
        fact("power", "100 kW", "潮玩版", (134,), "hp"),
    )
    blog = write(z03)
    assert blog["title"] == "Hycan Z03: up to 214.6 hp"
    assert "The Hycan Z03 4-seat Z Chao version makes 214.6 hp" in blog["opening"]
    assert write(z03, "push_ops")["title"] == "Hycan Z03: up to 214.6 hp"
    assert write(z03, language="zh")["title"].endswith("4座Z潮版最大214.6英制马力")
