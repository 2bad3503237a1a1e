"""What an editor checks in text the realiser writes from a car's facts (built here): a
variant's name is not restated as its figures, a figure no variant is named for is not the
car's, the headline names whose maximum it is, one sentence cites one passage, trims described
by their bracketed name, the car's name not doubled, and Chinese text in Chinese."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from generation.facts import Facts, FactSheet, SheetFact
from generation.facts.plan import Plan
from generation.facts.realise import Phrasebook
from generation.facts.sheet import one_engine, one_version, same_value
from generation.schemas import Brief, UserProfile
from ingest.specs.registry import CarRegistry, CarSummary, FactCitation
from ingest.specs.variants import merge_variants

REALISE = Path(__file__).resolve().parents[1] / "data" / "realise"
PLAN = Plan.load(REALISE / "plan.toml")
BOOKS = {lang: Phrasebook.load(REALISE, lang) for lang in ("en", "zh")}
UNITS = {"hp": ("kW", 0.7457), "Nm": ("Nm", 1.0), "L": ("L", 1.0), "USD": ("USD", 1.0)}


def cite(chunk: str, evidence: str = "") -> FactCitation:
    return FactCitation("doc", "/x/doc.md", "doc", None, "", chunk, evidence, "doc.md")


def fact(
    attribute: str,
    value: str,
    variant: str | None = None,
    numbers: tuple[float, ...] = (),
    unit: str | None = None,
    chunks: tuple[str, ...] = ("doc:0",),
) -> SheetFact:
    normalized_unit, scale = UNITS.get(unit or "", (None, 1.0))
    citations = tuple(cite(c, value) for c in chunks)
    return SheetFact(
        key=f"{attribute}|{(variant or '').casefold()}",
        attribute=attribute,
        label=attribute,
        variant=variant,
        value=value,
        numbers=numbers,
        unit=unit,
        normalized=numbers[0] * scale if numbers and unit else None,
        normalized_unit=normalized_unit,
        citation=citations[0],
        sources=len(citations),
        citations=citations,
    )


def sheet(name: str, *facts: SheetFact) -> FactSheet:
    return FactSheet(CarSummary(name.casefold(), name, (), 1, len(facts)), list(facts))


def write(s: FactSheet, business: str = "car_blog", language: str = "en") -> dict[str, str]:
    extra: dict[str, object] = {}
    if business == "weibo_region":
        extra["region"] = "上海"
    if business == "push_personal":
        extra["user_profile"] = UserProfile(nickname="Sam", interests=["performance"])
    brief = Brief(car=s.car.name, business=business, language=language, **extra)
    numbers: dict[str, int] = {}

    def number(f: SheetFact) -> int:
        return numbers.setdefault(f.citation.chunk_id or "", len(numbers) + 1)

    writer = Facts(lambda: None, PLAN, BOOKS).writer(s, brief, number)  # type: ignore[arg-type]
    if business != "car_blog":
        return {k: str(v) for k, v in writer.single().fields.items()}
    opening, middle = writer.opening().fields, writer.middle().fields
    return {"title": opening["title"], "opening": opening["text"], "middle": middle["text"]}


def patrol() -> FactSheet:
    return sheet(
        "Nissan Patrol",
        fact("power", "496 hp", "NISMO", (496,), "hp", ("doc:1",)),
        fact("displacement", "3.5L", "3.5L twin-turbo V6", (3.5,), "L", ("doc:2",)),
        fact("cylinders", "V6", "3.5L twin-turbo V6", (6,), None, ("doc:3", "doc:2")),
        fact("torque", "700 Nm", "3.5L twin-turbo V6", (700,), "Nm", ("doc:2",)),
        fact("displacement", "5.0L", "5.0L supercharged V8", (5.0,), "L", ("doc:4",)),
        fact("cylinders", "V8", "5.0L supercharged V8", (8,), None, ("doc:4",)),
    )


def test_what_the_variants_name_says_is_not_said_again() -> None:
    text = " ".join(write(patrol()).values())
    assert "3.5 L engine" not in text and "6 cylinders" not in text
    assert "The 3.5L twin-turbo V6 makes 700 Nm of torque [2]." in text
    # a version whose name says all its facts is named, cited, not restated as figures
    assert "The Nissan Patrol is offered with the 5.0L supercharged V8 [3]." in text
    assert "8 cylinders" not in text
    zh = " ".join(write(patrol(), language="zh").values())
    assert "3.5升6缸" not in zh and "twin" not in zh and "supercharged" not in zh
    assert "Nissan Patrol提供5.0升机械增压V8可选" in zh


def test_one_sentence_cites_the_passage_its_figures_share() -> None:
    """The gearbox is stated in two passages, the first about another engine; the sentence's
    torque is in the second: the sentence cites that one passage."""
    s = sheet(
        "Nissan Patrol",
        fact("torque", "700 Nm", "VR35DDTT", (700,), "Nm", ("doc:2",)),
        fact("transmission", "9-speed automatic", "VR35DDTT", (), None, ("doc:3", "doc:2")),
    )
    opening = write(s)["opening"]
    assert "The Nissan Patrol VR35DDTT makes 700 Nm of torque, driving through a 9-speed " in (
        opening
    )
    assert opening.endswith("automatic [1].") and "[2]" not in opening


def test_a_figure_no_variant_is_named_for_is_not_the_cars() -> None:
    taycan = sheet(
        "Porsche Taycan",
        fact("power", "1,000 HP", None, (1000,), "hp", ("doc:9",)),
        fact("power", "871 HP", "Taycan Turbo", (871,), "hp"),
        fact("power", "1,019 HP", "Taycan Turbo GT", (1019,), "hp"),
        fact("power", "402 HP", "Taycan (base)", (402,), "hp"),
    )
    blog = write(taycan)
    text = " ".join(blog.values())
    assert "1,000" not in text  # whose 1,000 hp is it? the sources do not say
    assert blog["title"] == "Porsche Taycan: up to 1,019 hp in the Turbo GT"
    assert "The Porsche Taycan Turbo GT makes 1,019 hp [1]." in blog["opening"]
    assert "Taycan Taycan" not in text and "Porsche Taycan (base)" in text
    weibo = write(taycan, "weibo_region", "zh")["text"]
    assert "1000" not in weibo and "Porsche Taycan Turbo GT最大功率1019英制马力" in weibo
    assert write(taycan, language="zh")["title"].endswith("：Turbo GT最大1019英制马力")


def test_a_model_years_figure_beside_that_years_versions_is_not_the_cars() -> None:
    """Regression (a Chinese config table): "驱动形式为四驱" said of the whole car from a
    "2025" fact, while the table gives each 2025 version its own drive (two front, one four)."""
    year = "2025"
    yaoguang = sheet(
        "星途瑶光",
        fact("drive", "四驱", year),
        fact("drive", "前置前驱", f"{year} · 瑶光 1.6T 两驱驭远版"),
        fact("drive", "前置四驱", f"{year} · 瑶光 2.0T 四驱驭领版"),
        fact("power", "145kW", f"{year} · 瑶光 1.6T 两驱驭远版", (145,), "kW"),
        fact("length", "4785 mm", year, (4785,), "mm"),
    )
    text = "".join(write(yaoguang, language="zh").values())
    assert "驱动形式为四驱" not in text and "驱动形式为前置前驱" in text, text
    assert "4785" in text, text  # a year's figure no version states is still the car's


def test_a_longer_name_with_another_figure_is_another_variant() -> None:
    turbo = fact("power", "871 HP", "Taycan Turbo", (871,), "hp")
    gt = fact("power", "1,019 HP", "Taycan Turbo GT", (1019,), "hp")
    petrol = fact("torque", "172 Nm", "Kappa 1.0 Turbo GDi petrol", (172,), "Nm")
    kappa = fact("power", "120 PS", "Kappa 1.0 Turbo GDi", (120,), "hp")
    merged = merge_variants([turbo, gt, kappa, petrol], ["Porsche Taycan"], agree=same_value)
    assert {(f.variant, f.value) for f in merged} == {
        ("Taycan Turbo", "871 HP"),
        ("Taycan Turbo GT", "1,019 HP"),
        ("Kappa 1.0 Turbo GDi", "120 PS"),
        ("Kappa 1.0 Turbo GDi", "172 Nm"),  # "…petrol" is the same engine
    }


def test_a_described_trim_is_called_by_its_name_and_prices_read_as_chinese() -> None:
    tacoma = sheet(
        "Toyota Tacoma",
        fact("body_type", "pickup", "2.7 L SemiAuto-6 2WD"),
        fact("body_type", "pickup", "2.7 L SemiAuto-6 4WD"),
        fact("price", "$28,000", "Base Model (SR)", (28000,), "USD"),
        fact("price", "$34,000", "Mid-Level Trim (TRD Sport)", (34000,), "USD"),
        fact("transmission", "6-speed automatic or 6-speed manual", "3.5L V6"),
    )
    blog = write(tacoma)
    assert "The Toyota Tacoma is a pickup [1]." in blog["opening"]
    assert "Toyota Tacoma SR" in blog["opening"] and "$28,000" in blog["opening"]
    assert "Base Model" not in " ".join(blog.values())
    push = write(tacoma, "push_ops")
    assert "Base Model" not in push["body"] and "The Toyota Tacoma SR" in push["body"]
    zh = " ".join(write(tacoma, language="zh").values())
    assert "Toyota Tacoma SR的售价为28000美元" in zh and "$" not in zh
    assert "6速自动或6速手动" in zh and "speed" not in zh


def test_a_range_price_headline_says_where_it_starts() -> None:
    kicks = sheet(
        "Nissan Kicks",
        fact("price", "119,800-137,800", None, (119800, 137800), "CNY"),
    )
    assert write(kicks)["title"] == "Nissan Kicks: from RMB 119,800"
    assert write(kicks, language="zh")["title"] == "Nissan Kicks：11.98万元起"


def test_a_readers_interest_does_not_repeat_the_headline_engine() -> None:
    nano = sheet(
        "Wuling Nano EV",
        fact("power", "24 kW", None, (32.2,), "hp"),
        fact("electric_range", "305 km", None, (305,), None),
    )
    body = write(nano, "push_personal")["body"]
    assert body.count("32.2 hp") == 1, body


def test_a_heading_that_names_no_version_is_not_a_variant() -> None:
    """ "All other trims" and "Output" are headings of an article's list, not versions."""
    from generation.facts.sheet import _not_a_name

    assert _not_a_name(fact("power", "278 hp", "All other trims", (278,), "hp"))
    assert _not_a_name(fact("power", "389 hp", "Output", (389,), "hp"))
    assert not _not_a_name(fact("power", "402 HP", "Taycan (base)", (402,), "hp"))
    assert not _not_a_name(fact("power", "326 hp", "i-FORCE MAX Hybrid", (326,), "hp"))


def test_a_body_type_is_the_cars_said_once() -> None:
    camry = sheet(
        "Toyota Camry",
        fact("body_type", "Midsize"),
        fact("seats", "5", None, (5,)),
        fact("body_type", "midsize car", "2.5 L SCV-6"),
    )
    for business in ("car_blog", "review"):
        text = " ".join(write(camry, business).values())
        assert text.count("midsize car") == 1, text
        assert "SCV-6" not in text


def test_a_long_engine_name_is_the_titles_one_phrase() -> None:
    camry = sheet(
        "Toyota Camry",
        fact("power", "301 hp", "3.5L V6 Gasoline Engine (Optional)", (301,), "hp"),
        fact("power", "203 hp", "2.5L 4-Cylinder Gasoline Engine", (203,), "hp"),
        fact("boot_volume", "15 cu ft", None, (15,), "cu ft"),
    )
    assert write(camry)["title"] == "Toyota Camry: up to 301 hp in the 3.5L V6 Gasoline Engine"


def test_a_push_title_names_the_version_its_figure_is() -> None:
    title = write(patrol(), "push_ops")["title"]
    assert title == "Nissan Patrol NISMO: 496 hp"
    assert write(patrol(), "push_ops", "zh")["title"] == "Nissan Patrol：NISMO最大496英制马力"
    venue = sheet(
        "Hyundai Venue",
        fact("power", "120 PS", "Kappa 1.0 l Turbo GDi", (120,), "hp"),
        fact("power", "83 PS", "Kappa 1.2 l MPi", (83,), "hp"),
    )
    # a version named without the car's name: the title names the car and its top figure,
    # not a bare figure under an engine's name
    assert write(venue, "push_ops")["title"] == "Hyundai Venue: up to 120 hp"


def zeekr() -> FactSheet:
    s = sheet(
        "Zeekr 001",
        fact("power", "400 kW", "四驱版", (536.4,), "hp"),
        fact("power", "200 kW", "单电机版", (268.2,), "hp"),
        fact("electric_range", "712 km", '超长续航单电机"WE"版', (712,), None),
        fact("electric_range", "526 km", '长续航双电机"WE"版', (526,), None),
        fact("cylinders", "3", "1.5T三缸", (3,), None),
    )
    s.chinese = "极氪001"
    return s


def test_a_chinese_versions_name_reads_in_each_language() -> None:
    zh = write(zeekr(), language="zh")
    assert "极氪001四驱版最大功率" in zh["opening"]  # no space inside a Chinese name
    assert "极氪001 " not in zh["opening"]
    assert "为3缸发动机" not in zh["middle"] and "极氪001提供1.5T三缸可选" in zh["middle"]
    en = write(zeekr())
    text = " ".join(en.values())
    assert "The Zeekr 001 four-wheel drive version makes 536.4 hp" in text
    assert 'The Zeekr 001 extra-long-range single-motor "WE" version' in text
    assert "1.5T three-cylinder" in text
    assert en["title"] == "Zeekr 001: up to 536.4 hp in the four-wheel drive version"
    # the range is one version's too: the title names one version at most
    assert "712" not in en["title"] and "712" not in zh["title"]


def test_a_blog_with_nothing_left_for_the_middle_does_not_repeat_the_ending() -> None:
    allion = sheet("Toyota Allion", fact("power", "171 PS", None, (168.7,), "hp"))
    for language in ("en", "zh"):
        blog = write(allion, language=language)
        closing = BOOKS[language].phrase("blog", "closing")
        assert not any(c in blog["middle"] for c in closing), blog["middle"]
        assert blog["middle"] == BOOKS[language].phrase("blog", "middle_empty")


def test_a_figure_without_its_unit_and_headings_of_prices_are_left_out() -> None:
    from generation.facts.sheet import _bare_figure

    assert _bare_figure(fact("battery_capacity", "60", None, (60,)))  # "BATTERY 60A"
    assert not _bare_figure(fact("price", "17.5", None, (17500,), "USD"))  # "(in $1,000)"
    assert not _bare_figure(fact("seats", "5", None, (5,)))
    from generation.facts.sheet import _not_a_name

    assert _not_a_name(fact("price", "21.2", "Max", (21200,), "USD"))


def test_cars93_versions_and_measures_read_in_each_language() -> None:
    accord = sheet(
        "Honda Accord",
        fact("price", "13.8", "1993 · basic version", (13800,), "USD"),
        fact("length", "185 in", None, (185,), "in"),
        fact("width", "67 in", None, (67,), "in"),
        fact("wheelbase", "107 in", None, (107,), "in"),
        fact("drive", "Front"),
        fact("airbags", "Driver & Passenger"),
    )
    en = " ".join(write(accord).values())
    assert "107 inches wheelbase" not in en and "107-inch wheelbase" in en
    assert "Drive is front-wheel drive" in en
    assert "driver and passenger airbags" in en
    zh = " ".join(write(accord, language="zh").values())
    assert "basic" not in zh and "1993款Honda Accord基本型" in zh
    assert "基本型的售价为13800美元" in zh and "驱动形式为前驱" in zh
    assert "主副驾驶安全气囊" in zh


def test_a_remote_model_is_told_whose_figures_are_whose() -> None:
    """The numbered facts a remote model writes from mark each version's figure and the
    figure no version is named for; the rules say what each mark means."""
    from generation.chain.written import numbered_facts

    taycan = sheet(
        "Porsche Taycan",
        fact("power", "1,000 HP", None, (1000,), "hp"),
        fact("power", "871 HP", "Taycan Turbo", (871,), "hp"),
        fact("power", "1,019 HP", "Taycan Turbo GT", (1019,), "hp"),
    )
    lines = numbered_facts(taycan, taycan.facts, lambda f: 1)
    assert lines[1:] == [
        "- power [version not named]: 1,000 HP [1]",
        "- power [Taycan Turbo]: 871 HP [1]",
        "- power [Taycan Turbo GT]: 1,019 HP [1]",
    ]
    rules = (REALISE.parent / "prompts" / "_rules.j2").read_text("utf-8")
    assert "[version not named]" in rules and "name the version with the figure" in rules


def test_a_version_named_before_is_not_offered_again_and_zero_is_a_value() -> None:
    assert same_value(fact("co2", "0 g/mi", None, (0,), "Nm"), fact("co2", "0", "X", (0,), "Nm"))
    row = "2.7 L SemiAuto-10 2WD #1"
    f150 = sheet(
        "Ford F150",
        fact("cylinders", "6", row, (6,)),
        fact("displacement", "2.7", row, (2.7,), "L"),
        fact("transmission", "SemiAuto-10", row),
        fact("drive", "2WD", row),
    )
    text = " ".join(write(f150).values())
    assert "has 6 cylinders" in text and "offered with" not in text, text


def test_a_leading_model_year_is_the_years_car() -> None:
    rav4 = sheet("Toyota RAV4", fact("price", "$45,615", "2025 SE trim", (45615,), "USD"))
    assert "The 2025 Toyota RAV4 SE trim sells for $45,615" in write(rav4)["opening"]


def test_rows_that_disagree_on_the_body_give_the_car_none() -> None:
    golf = sheet(
        "Volkswagen Golf",
        fact("body_type", "station wagon", "1.8 L AMS-6"),
        fact("body_type", "compact car", "1.8 L Man-5"),
        fact("price", "RMB 229,800", None, (229800,), "CNY"),
    )
    text = " ".join(write(golf).values()) + " ".join(write(golf, "review").values())
    assert "station wagon" not in text and "compact car" not in text


def test_a_car_the_alias_file_does_not_list_is_named_in_chinese_by_its_make() -> None:
    """Chinese text names an imported car by the make's Chinese name and the model's own
    ("日产Armada"), whether or not the alias file lists the model; the longest make wins."""
    from ingest.specs import SpecConfig
    from ingest.specs.cars import load_cars

    def no_registry() -> CarRegistry:
        raise AssertionError("naming a car reads no registry")

    facts = Facts(no_registry, Plan.load(REALISE / "plan.toml"), {}, load_cars(SpecConfig().cars))
    assert facts.chinese_name("nissan-armada", "Nissan Armada") == "日产Armada"
    assert facts.chinese_name("land-rover-velar", "Land Rover Velar") == "路虎Velar"
    # a Chinese market name from the alias file's [names] ("途乐"; "路虎卫士" holds its make)
    assert facts.chinese_name("nissan-patrol", "Nissan Patrol") == "日产途乐"
    assert facts.chinese_name("land-rover-defender", "Land Rover Defender") == "路虎卫士"
    assert facts.chinese_name("nissan-x-trail", "Nissan X-Trail") == "日产奇骏"
    assert facts.chinese_name("acme-roadster", "Acme Roadster") is None  # a make it does not know
    # a car its documents name in Chinese ("BYD 宋L", "宋L"; the registry's display name is the
    # gazetteer's English "BYD Song L"): Chinese text uses that name, the make's overlap once
    assert facts.chinese_name("byd-song-l", "BYD Song L", ("BYD 宋L", "宋L")) == "比亚迪宋L"
    galaxy = ("Geely Galaxy 银河L7", "银河L7")
    assert facts.chinese_name("geely-galaxy-l7", "Geely Galaxy L7", galaxy) == "吉利银河L7"


def test_versions_named_only_by_the_cars_one_engine_are_the_car() -> None:
    """Regression (the Meridian S sample brochure): "A 1.5-litre turbocharged engine delivers
    124 kW … through a 7-speed dual-clutch gearbox" and "Engine 1.5T turbocharged inline-4"
    made two versions of a one-engine car, and the text named its engine three ways. Beside a
    second engine of its own ("2.0T" versions) an engine's name stays a version's."""
    one = sheet(
        "Meridian S",
        fact("engine", "1.5T 直列四缸涡轮增压"),
        fact("power", "124 kW", None, (124,), "kW"),
        fact("transmission", "7速双离合"),
        fact("transmission", "7-speed dual-clutch", "1.5-litre turbocharged"),
        fact("displacement", "1.5-litre", "1.5-litre turbocharged", (1.5,), "L"),
        fact("cylinders", "inline-4", "1.5T turbocharged inline-4", (4,)),
        fact("cylinders", "四缸", None, (4,)),
    )
    merged = one_engine(one.facts)
    assert {f.variant for f in merged} == {None}, merged
    assert [f.value for f in merged if f.attribute == "transmission"] == ["7速双离合"]
    text = " ".join(write(replace(one, facts=merged)).values())
    assert "1.5-litre turbocharged" not in text and "inline-4" not in text, text
    two = [*one.facts, fact("power", "185 kW", "2.0T 豪华版", (185,), "kW")]
    assert one_engine(two) == two


def test_a_turning_circle_is_named_as_its_source_measured_it() -> None:
    """Regression (the Aurora X5 sample in Chinese): a "Turning circle 11.2 m" was written
    "转弯半径11.2米", a radius twice the real one. A radius stays a radius in both languages."""

    def with_evidence(name: str, value: float, evidence: str) -> FactSheet:
        turning = fact("turning_circle", f"{value} m", None, (value,), None)
        quoted = replace(turning.citation, evidence=evidence)
        return sheet(name, replace(turning, citation=quoted, citations=(quoted,)))

    circle = with_evidence("Aurora X5", 11.2, "Turning circle 11.2 m")
    radius = with_evidence("Meridian S", 5.5, "最小转弯半径5.5米")
    assert "转弯直径11.2" in "".join(write(circle, language="zh").values())
    assert "turning circle is 11.2" in " ".join(write(circle).values())
    assert "最小转弯半径5.5" in "".join(write(radius, language="zh").values())
    assert "turning radius is 5.5" in " ".join(write(radius).values())


def test_one_gearbox_written_two_ways_does_not_split_a_version() -> None:
    """Regression (the Aurora X5 sample): the table's "Hybrid" has a "6-speed DCT with
    e-motor", the prose under it gives the "2025 · Hybrid" a "6-speed dual-clutch"; the two
    stayed apart, so the blog said the Hybrid's gearbox twice and split its performance."""
    facts = [
        fact("transmission", "6-speed DCT with e-motor", "Hybrid"),
        fact("transmission", "6-speed dual-clutch", "2025 · Hybrid"),
        fact("top_speed", "195 km/h", "2025 · Hybrid", (195,), None),
        fact("transmission", "7-speed dual-clutch", "2025 · 1.5T"),
        fact("transmission", "7-speed DCT", "1.5T"),
        fact("transmission", "8-speed automatic", "2025 · 2.0T"),
        fact("transmission", "6-speed automatic", "2.0T"),
    ]
    merged = merge_variants(facts, ["Aurora X5"], agree=one_version)
    assert {f.variant for f in merged} == {"Hybrid", "1.5T", "2.0T", "2025 · 2.0T"}
    assert [f.value for f in merged if f.variant == "Hybrid"] == [
        "6-speed DCT with e-motor",
        "195 km/h",
    ]


def test_every_gearbox_code_of_the_epa_guide_reads_in_both_languages() -> None:
    """ "AutoMan-7" (the guide's automated manual) was left as written, and so was the whole
    Chinese version name around it ("1.6 L AutoMan-7 2WD" beside "2升6速手自一体两驱")."""
    kona = sheet(
        "Hyundai Kona",
        fact("cylinders", "4", "1.6 L AutoMan-7 2WD", (4,), None),
        fact("fuel_economy_city", "28", "1.6 L AutoMan-7 2WD", (28,), "mpg"),
    )
    en = " ".join(write(kona).values())
    zh = " ".join(write(kona, language="zh").values())
    assert "1.6 L 7-speed automated manual 2WD" in en and "AutoMan" not in en
    assert "1.6升7速AMT两驱" in zh and "AutoMan" not in zh


def test_a_chinese_version_named_by_one_word_is_called_a_version() -> None:
    """ "塔塔Tiago汽油的最大功率" read as the petrol's power of a car called "Tiago汽油"."""
    tiago = sheet(
        "Tata Tiago",
        fact("power", "85 PS", "Petrol", (83.8,), "hp"),
        fact("power", "70 PS", "Diesel", (69.0,), "hp"),
        fact("power", "72 PS", "高配版", (71.0,), "hp"),
    )
    zh = " ".join(write(tiago, language="zh").values())
    assert "Tata Tiago汽油版" in zh and "Tata Tiago柴油版" in zh, zh
    assert "高配版版" not in zh


def test_an_english_sentence_names_a_chinese_trim_in_english_or_pinyin() -> None:
    """ "The Hycan Z03 潮流版 sells for …": an English blog wrote trims' Chinese names."""
    z03 = sheet(
        "Hycan Z03",
        fact("price", "13万-14万元", "潮流版", (130000, 140000), "CNY"),
        fact("power", "160 kW", "4座Z潮版", (214.6,), "hp"),
        fact("power", "150 kW", "豪华型", (201.2,), "hp"),
    )
    text = " ".join(write(z03).values())
    assert "Hycan Z03 Chaoliu version" in text and "4-seat Z Chao version" in text, text
    assert "Hycan Z03 Luxury version" in text, text
    assert not re.search(r"[\u4e00-\u9fff]", text), text


def test_a_generation_named_as_a_version_comes_before_the_car() -> None:
    """ "Peak torque comes at 2,000 rpm in the Changan CS55 PLUS Diyidai" (第一代 in pinyin,
    after the car) and "长安CS55 PLUS第一代版"."""
    cs55 = sheet(
        "Changan CS55 PLUS",
        fact("torque", "300 N·m", None, (300,), "Nm"),
        fact("power", "120 kW", "第一代", (160.9,), "hp"),
    )
    cs55.chinese = "长安CS55 PLUS"
    en = " ".join(write(cs55).values())
    zh = " ".join(write(cs55, language="zh").values())
    assert "first-generation Changan CS55 PLUS" in en and "Diyidai" not in en, en
    assert "generation" not in write(cs55)["title"]  # the model before's figure: no headline
    assert "第一代长安CS55 PLUS" in zh and "第一代版" not in zh, zh


def test_a_figure_beside_one_named_variants_other_value_is_not_the_cars() -> None:
    """A review names one version's torque ("the diesel makes 550 Nm") and gives another
    figure with no version ("…a motor for 500 Nm"): the car-level 500 Nm is some unnamed
    version's, so the blog does not say the car makes it; a car-level figure equal to the
    one version's stays."""
    cx = sheet(
        "Mazda CX-80",
        fact("torque", "500 Nm", None, (500,), "Nm", ("doc:1",)),
        fact("torque", "550 Nm", "diesel", (550,), "Nm", ("doc:1",)),
        fact("power", "187 kW", None, (251,), "hp", ("doc:1",)),
        fact("power", "187 kW", "diesel", (251,), "hp", ("doc:1",)),
    )
    text = " ".join(write(cx).values())
    assert "550 Nm" in text and "500 Nm" not in text, text
    assert "187" in text or "251" in text, text


def test_a_car_known_only_by_its_chinese_model_name_is_named_in_pinyin_in_english() -> None:
    """ "Volkswagen 探岳" (the registry's name when no English name is known): English copy
    writes "Volkswagen Tanyue", Chinese copy the Chinese name; no Han characters in English."""
    tanyue = sheet("Volkswagen 探岳", fact("torque", "350 Nm", None, (350,), "Nm"))
    text = " ".join(write(tanyue).values())
    assert "Volkswagen Tanyue" in text and not re.search(r"[\u4e00-\u9fff]", text), text
    assert "Volkswagen Tanyue" in tanyue.names()


def test_a_figure_measured_another_way_names_its_measure_not_a_version() -> None:
    """A folded-seats boot of a column naming two versions ("1.5T / 2.0T, seats folded") is
    the car's boot with its seats folded: said with the measure in brackets, never as a
    version called "1.5T / 2.0T, seats folded"."""
    x5 = sheet(
        "Aurora X5",
        fact("boot_volume", "520 L", "1.5T / 2.0T", (520,), "L", ("doc:1",)),
        fact("boot_volume", "1,560 L", "1.5T / 2.0T, seats folded", (1560,), "L", ("doc:1",)),
        fact("power", "130 kW", "1.5T", (174,), "hp", ("doc:2",)),
        fact("power", "185 kW", "2.0T AWD", (248,), "hp", ("doc:2",)),
    )
    text = " ".join(write(x5).values())
    assert "1.5T / 2.0T, seats folded" not in text and "(seats folded)" in text, text
    zh = "".join(write(x5, language="zh").values())
    assert "seats folded" not in zh, zh
