"""Spec-fact extraction: numbers, units, vocabulary, cars, every document shape, the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.chunk import chunk_document
from ingest.document import ParsedDocument, Section
from ingest.encodings import get_encoding
from ingest.parse import parse_file
from ingest.specs import DocumentSpecs, Fact, SpecConfig, extract_specs
from ingest.specs.cars import learned_aliases, load_cars, slug
from ingest.specs.numbers import fold, quantities
from ingest.specs.units import to_canonical
from ingest.specs.vocabulary import load_vocabulary, unit_hint
from tests.conftest import CORPUS

CONFIG = SpecConfig()


def specs_of(path: Path) -> tuple[DocumentSpecs, list[str]]:
    doc = parse_file(path)
    chunks = chunk_document(doc, max_tokens=256, overlap=32, encoding=get_encoding("cl100k_base"))
    specs = extract_specs(doc, chunks, CONFIG)
    for fact in specs.facts:  # every citation can be highlighted in its chunk
        assert fact.chunk_index is not None
        assert fact.evidence and fact.evidence in chunks[fact.chunk_index].text, fact
    return specs, [c.text for c in chunks]


def write(tmp_path: Path, name: str, text: str) -> DocumentSpecs:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return specs_of(path)[0]


def facts(specs: DocumentSpecs, attribute: str, car: str | None = None) -> list[Fact]:
    return [f for f in specs.facts if f.attribute == attribute and (car is None or f.car == car)]


def one(specs: DocumentSpecs, attribute: str, car: str | None = None) -> Fact:
    found = facts(specs, attribute, car)
    assert len(found) == 1, found
    return found[0]


# --- numbers and units -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "numbers", "unit"),
    [
        ("3,995 mm", (3995.0,), "mm"),
        ("1 500-4 000 r/min", (1500.0, 4000.0), "rpm"),
        ("6.98万－9.98万元", (69800.0, 99800.0), "CNY"),
        ("11．98－13．78万元", (119800.0, 137800.0), "CNY"),
        ("143N?m", (143.0,), "Nm"),
        ("300牛·米", (300.0,), "Nm"),
        ("122马力", (122.0,), "PS"),
        ("15 cubic feet", (15.0,), "cu ft"),
        ("273 lb-ft", (273.0,), "lb-ft"),
        ("120 MPGe", (120.0,), "MPGe"),
        ("4312／1760／1613毫米", (4312.0, 1760.0, 1613.0), "mm"),
    ],
)
def test_quantities_read_figures_as_written(
    text: str, numbers: tuple[float, ...], unit: str
) -> None:
    found = quantities(fold(text))
    assert len(found) == 1
    assert found[0].numbers == pytest.approx(numbers)
    assert found[0].unit is not None and found[0].unit.symbol == unit


def test_fold_keeps_offsets() -> None:
    text = "长宽高为：4312／1760"
    assert len(fold(text)) == len(text)
    assert fold(text).endswith("4312/1760")


def test_bare_space_groups_are_separate_cells_unless_one_figure_is_expected() -> None:
    row = fold("1 197 998 1 493")
    assert [q.numbers[0] for q in quantities(row)] == [1, 197, 998, 1, 493]
    assert [q.numbers[0] for q in quantities(fold("3 995"), group_spaces=True)] == [3995]


def test_conversions_to_canonical_units() -> None:
    from ingest.specs.units import INCH, LBFT, MPG, PS

    cases = [
        (120, PS, "power", 88.26, "kW"),
        (188, INCH, "length", 4775.2, "mm"),
        (100, LBFT, "torque", 135.58, "Nm"),
        (30, MPG, "fuel_consumption", 7.84, "L/100km"),
    ]
    for value, unit, dimension, expected, canonical in cases:
        converted = to_canonical(value, unit, dimension)
        assert converted is not None and converted[1] == canonical
        assert converted[0] == pytest.approx(expected, rel=1e-3)
    assert to_canonical(120, PS, "length") is None  # a power is never a length


# --- vocabulary --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("Fuel tank capacity (l)", "fuel_tank"),
        ("Fuel.tank.capacity", "fuel_tank"),
        ("Length (inches)", "length"),
        ("City MPG", "fuel_economy_city"),
        ("MPG.highway", "fuel_economy_highway"),
        ("Max. Power", "power"),
        ("轴距为", "wheelbase"),
        ("发动机最大功率为", "power"),
        ("长宽高", "LWH"),
        ("Greenhouse Gas Score", None),
    ],
)
def test_labels_map_to_canonical_keys(label: str, key: str | None) -> None:
    assert load_vocabulary(CONFIG.attributes).lookup(label) == key


def test_unit_hints_in_labels() -> None:
    hint = unit_hint("Minimum price (in $1,000)")
    assert hint is not None and hint.unit.symbol == "USD" and hint.multiplier == 1000
    mpg = unit_hint("City MPG")
    assert mpg is not None and mpg.unit.symbol == "mpg"
    assert unit_hint("Max. Torque") is None


# --- cars --------------------------------------------------------------------------------


def test_car_ids_from_alias_file_and_slugs() -> None:
    index = load_cars(CONFIG.cars)
    assert index.from_title("本田CR-V、丰田RAV4劲敌！全新日产奇骏上市") is None  # three cars
    assert index.from_title("Hyundai Venue Digital Brochure") == (
        "hyundai-venue",
        "Hyundai Venue",
        "",
    )
    # an English title's unlisted model is read where the document is (`taught_en`)
    assert index.from_title("1993 Mercedes-Benz 300E - passenger car") is None
    assert [h.car for h in index.find("东风日产全新劲客")] == ["nissan-kicks"]
    assert index.car("TOYOTA", "Camry") == ("toyota-camry", "Toyota Camry")
    assert slug("Škoda Octavia RS") == "skoda-octavia-rs"
    assert index.find("Mazda 3")[0].car == "mazda-3"
    assert all(h.car != "mazda-3" for h in index.find("3 airbags"))  # "3" alone is no car


def test_aliases_learned_from_text() -> None:
    index = load_cars(CONFIG.cars)
    learned = learned_aliases(index, "外观与内饰部分，与美版Rogue（国内称为奇骏），二者保持一致")
    assert learned == {"nissan-x-trail": {"Rogue"}}


# --- shapes ------------------------------------------------------------------------------


def test_key_value_lines_with_unit_hints(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "mazda_rx_7.txt",
        "1993 Mazda RX-7 - specifications\n\nManufacturer: Mazda\nModel: RX-7\n"
        "Length (inches): 169\nWeight (pounds): 2895\nMaximum horsepower: 255\n"
        "Fuel tank capacity (US gallons): 20\nSeats: lots\n",
    )
    assert {c.id for c in specs.cars} == {"mazda-rx-7"}
    length = one(specs, "length")
    assert (length.value, length.unit, length.variant) == ("169", "in", "1993")
    assert length.normalized == pytest.approx(4292.6)
    assert one(specs, "kerb_weight").normalized == pytest.approx(1313.2, rel=1e-3)
    assert one(specs, "power").unit == "hp"
    assert one(specs, "fuel_tank").normalized == pytest.approx(75.7, rel=1e-3)
    assert not facts(specs, "seats")  # "lots" is no count


def test_sheet_rows_with_one_figure_per_variant(tmp_path: Path) -> None:
    text = (
        "Hyundai Roadster brochure\n\nTechnical specifications\n"
        "Alpha 1.2 l MPi Beta 1.0 l Turbo GDi\n"
        "Length (mm)  3 995\n"
        "Displacement (cm3) 1 197 998\n"
        "Max. Power  61 kW (83 PS) 88.3 kW (120 PS)  @ 6 000 r/min @ 5 500 r/min\n"
        "Max. Torque\n 114.7 Nm (11.7 kgm)  172 Nm (17.5 kgm)\n"
        "Height adjustable  Front S S\n"
    )
    specs = write(tmp_path, "hyundai_roadster.txt", text)
    assert one(specs, "length").numbers == (3995.0,)
    powers = {f.variant: f.value for f in facts(specs, "power")}
    assert powers == {
        "Alpha 1.2 l MPi": "61 kW (83 PS)",
        "Beta 1.0 l Turbo GDi": "88.3 kW (120 PS)",
    }
    rpms = {f.variant: f.numbers for f in facts(specs, "power_rpm")}
    assert rpms == {"Alpha 1.2 l MPi": (6000.0,), "Beta 1.0 l Turbo GDi": (5500.0,)}
    assert {f.variant: f.numbers for f in facts(specs, "displacement")} == {
        "Alpha 1.2 l MPi": (1197.0,),
        "Beta 1.0 l Turbo GDi": (998.0,),
    }
    assert len(facts(specs, "torque")) == 2
    assert not facts(specs, "height")  # a feature row, not a dimension


def test_markdown_table_by_row_names_configurations(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_sedan.md",
        "# 2018 TOYOTA Sedan: data\n\n"
        "| # | Displacement (L) | Transmission | Drive | City MPG | Combined CO2 (g/mile) |\n"
        "|---|---|---|---|---|---|\n"
        "| 1 | 2.5 | SemiAuto-8 | 2WD | 29 | 264 |\n"
        "| 2 | 2.5 | SemiAuto-8 | 4WD | 27 | 290 |\n"
        "| 3 | 3.5 | SemiAuto-8 | 2WD | 22 | 338 |\n",
    )
    city = {f.variant: f.numbers[0] for f in facts(specs, "fuel_economy_city")}
    assert city == {
        "2018 · 2.5 L SemiAuto-8 2WD": 29,
        "2018 · 2.5 L SemiAuto-8 4WD": 27,
        "2018 · 3.5 L SemiAuto-8": 22,
    }
    assert {f.unit for f in facts(specs, "co2")} == {"g/mi"}


def test_markdown_table_by_column(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_hatch.md",
        "# Kia Hatch\n\n| Spec | Petrol | Diesel |\n|---|---|---|\n"
        "| Wheelbase (mm) | 2 520 | 2 520 |\n| Max torque | 172 Nm | 250 Nm |\n"
        "| Colour | red | blue |\n",
    )
    assert {f.variant: f.numbers for f in facts(specs, "torque")} == {
        "Petrol": (172.0,),
        "Diesel": (250.0,),
    }
    assert len(facts(specs, "wheelbase")) == 2


def test_csv_rows_are_one_car_each(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "cars.csv",
        "Manufacturer,Model,Horsepower,Length\nAcura,Integra,140,177\nAudi,100,172,193\n"
        "Toyota,Camry,130,188\n",
    )
    assert {c.id for c in specs.cars} == {"acura-integra", "audi-100", "toyota-camry"}
    assert {f.car: f.numbers[0] for f in facts(specs, "power")} == {
        "acura-integra": 140,
        "audi-100": 172,
        "toyota-camry": 130,
    }
    # no unit in the header and no known data set: kept as written, never converted
    assert {f.unit for f in facts(specs, "length")} == {None}
    assert {f.normalized for f in facts(specs, "length")} == {None}


def test_english_prose(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_nexus.txt",
        "BRAND: Acme\nMODEL: Nexus\n\nThe Nexus has a length of 3993 mm, a width of 1811 mm. "
        "The engine produces a maximum power of 84.4 kW (115 PS) at 6,300 rpm. "
        "It measures 1,606 mm in height. Power increased by 20 kW over the old car.\n",
    )
    assert {c.id for c in specs.cars} == {"acme-nexus"}
    assert one(specs, "length").numbers == (3993.0,)
    assert one(specs, "height").numbers == (1606.0,)
    power = one(specs, "power")
    assert (power.value, power.normalized) == ("84.4 kW (115 PS)", 84.4)
    assert one(specs, "power_rpm").numbers == (6300.0,)


def test_prose_variants_from_engine_names_and_trim_items(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "kia_rover.md",
        "# About the Kia Rover\n\n"
        "The 1.5L U2 CRDi diesel engine produces 250 Nm of torque between 1,500-2,750 rpm.\n\n"
        "- **SE Standard Range**: The entry trim with a 63 kWh battery and 245 miles of range.\n"
        "- **Limited**: AWD models achieve 269 miles of range.\n"
        "- Can add approximately 60 miles of range in just 5 minutes.\n",
    )
    torque = one(specs, "torque")
    assert (torque.variant, torque.numbers) == ("1.5L U2 CRDi diesel", (250.0,))
    assert one(specs, "torque_rpm").numbers == (1500.0, 2750.0)
    ranges = {f.variant: f.numbers[0] for f in facts(specs, "electric_range")}
    assert ranges == {"SE Standard Range": 245, "Limited": 269}  # "add 60 miles" is no range
    assert one(specs, "battery_capacity").variant == "SE Standard Range"


def test_key_value_blocks_under_variant_headings(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "toyota_sienna.txt",
        "Toyota Sienna Specifications\n\nEngine Options\n2.5L 4-Cylinder Gasoline Engine\n"
        "Power Output: 203 HP\nTransmission: 8-speed automatic\nHybrid Powertrain\n"
        "Power Output: 208 HP (combined)\nKey Features\nFuel Efficiency (MPG): 28/39\n",
    )
    power = {f.variant: f.numbers[0] for f in facts(specs, "power")}
    assert power == {"2.5L 4-Cylinder Gasoline Engine": 203, "Hybrid Powertrain": 208}
    # "28/39 MPG" on a US sheet is city/highway, not one combined figure
    assert one(specs, "fuel_economy_city").numbers == (28.0,)
    assert one(specs, "fuel_economy_highway").numbers == (39.0,)
    assert not facts(specs, "fuel_economy_combined")


def test_chinese_versions_and_yuan(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "zeekr.md",
        "# 极氪001正式下线\n\n极氪001售价区间在28．1－36万。其中潮流版售价在13－14万元之间。"
        "续航里程提升10km。\n",
    )
    prices = {f.variant: f.numbers for f in facts(specs, "price")}
    assert prices == {None: (281000.0, 360000.0), "潮流版": (130000.0, 140000.0)}
    assert not facts(specs, "electric_range")  # an increase, not the range


def test_chinese_multi_car_article_attributes_each_section(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "autoshow.md",
        "# 车展盘点\n\n东风日产全新劲客\n\n官方指导价格：11．98－13．78万元\n\n"
        "新车长宽高为：4312／1760／1613毫米，轴距为：2620毫米。发动机最大功率为：122PS，峰值扭矩：143N?m。\n\n"
        "大众高尔夫GTI\n\n动力方面，最大功率：220Ps，峰值扭矩：350N?m，百公里加速为：7．1秒。\n\n"
        "东风日产e－POWER\n\n发动机最大功率72ps。\n",
    )
    kicks, golf = "nissan-kicks", "volkswagen-golf"
    assert one(specs, "wheelbase", kicks).numbers == (2620.0,)
    assert one(specs, "width", kicks).numbers == (1760.0,)
    assert one(specs, "price", kicks).numbers == (119800.0, 137800.0)
    assert one(specs, "torque", kicks).unit == "Nm"
    assert one(specs, "power", golf).normalized == pytest.approx(161.8, rel=1e-3)
    assert one(specs, "acceleration_0_100", golf).numbers == (7.1,)
    # e-POWER is no car of the alias file, but its heading line names it after its make:
    # its figures are its own, not the Golf's (ingest/specs/taught.py)
    assert one(specs, "power", "nissan-e-power").numbers == (72.0,)
    assert len(facts(specs, "power")) == 3


def test_bad_input_never_raises_and_invents_nothing(tmp_path: Path) -> None:
    garbage = write(
        tmp_path,
        "junk.md",
        "# Acme Junk\n\n| a | b |\n|---|---|\n| ??? | ### |\n| Length | banana |\n"
        "| Wheelbase | 7 parsecs |\n\nPower: 12 zorks\nTorque: \n",
    )
    assert not facts(garbage, "length") and not facts(garbage, "power")
    rows = "\n".join(f"Make{i % 7},Model{i % 50},{100 + i % 90}" for i in range(10_000))
    big = write(tmp_path, "big.csv", "Manufacturer,Model,Horsepower\n" + rows + "\n")
    assert len({f.car for f in big.facts}) == 350
    doc = ParsedDocument(
        source="x", file_type="txt", title="x", sections=[Section(text="\x00" * 10)]
    )
    assert extract_specs(doc, [], CONFIG).facts == []


def test_front_matter_names_the_car_and_year(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "engine.md",
        '---\ntitle: "Engine"\nbrand: "Subaru"\nmodel: "Sambar"\nyear: "2009"\n---\n\n# Engine\n\n'
        "The wheelbase is 1,885 mm. Fill about half a fuel tank [10~20 liters] first.\n",
    )
    assert [c.id for c in specs.cars] == ["subaru-sambar"]
    wheelbase = one(specs, "wheelbase")
    assert (wheelbase.numbers, wheelbase.variant) == ((1885.0,), "2009")
    assert not facts(specs, "fuel_tank")  # half a tank is no capacity


def test_config_is_picklable_for_worker_processes() -> None:
    import pickle

    assert pickle.loads(pickle.dumps(CONFIG)) == CONFIG


def test_contradictory_rows_are_all_kept(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "dup.csv",
        "Manufacturer,Model,Horsepower\nAcura,Integra,140\nAcura,Integra,145\n",
    )
    assert sorted(f.numbers[0] for f in facts(specs, "power")) == [140, 145]


# --- the corpus --------------------------------------------------------------------------

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="no ../shared/corpus")


@needs_corpus
def test_venue_brochure_acceptance_facts() -> None:
    specs, _ = specs_of(CORPUS / "auto-brochure-rag-venue" / "hyundai_venue_digital_brochure.pdf")
    car = "hyundai-venue"
    assert [c.id for c in specs.cars] == [car]
    boot = one(specs, "boot_volume", car)
    assert (boot.numbers, boot.unit, boot.page) == (
        (375.0,),
        "L",
        8,
    )  # "Spacious boot (375 litres)"
    for attribute, value, unit in [
        ("fuel_tank", 45.0, "L"),
        ("length", 3995.0, "mm"),
        ("wheelbase", 2520.0, "mm"),
    ]:
        fact = one(specs, attribute, car)
        assert (fact.numbers, fact.unit, fact.page) == ((value,), unit, 17)
    power = {f.variant: f.value for f in facts(specs, "power", car)}
    assert power == {
        "Kappa 1.2 l MPi": "61 kW (83 PS)",
        "Kappa 1.0 l Turbo GDi": "88.3 kW (120 PS)",
        "U2 1.5 l CRDi VGT": "85 kW (116 PS)",
    }
    torque = {f.variant: f.numbers for f in facts(specs, "torque", car)}
    assert torque == {
        "Kappa 1.2 l MPi": (114.7,),
        "Kappa 1.0 l Turbo GDi": (172.0,),
        "U2 1.5 l CRDi VGT": (250.0,),
    }
    assert {f.page for f in facts(specs, "power") + facts(specs, "torque")} == {17}


@needs_corpus
def test_creta_and_nexon_lengths_as_each_source_states_them() -> None:
    pdf, _ = specs_of(CORPUS / "drivewise-metadata-rag" / "hyundai_creta.pdf")
    assert one(pdf, "length", "hyundai-creta").numbers == (4330.0,)
    compiled, _ = specs_of(CORPUS / "drivewise-rag-compiled" / "hyundai_creta_2026_brochure.txt")
    assert one(compiled, "length", "hyundai-creta").numbers == (4300.0,)
    nexon, _ = specs_of(CORPUS / "drivewise-metadata-rag" / "tata_nexon.txt")
    length = one(nexon, "length", "tata-nexon")
    assert (length.numbers, length.evidence) == ((3993.0,), "length of 3993 mm")


@needs_corpus
def test_chinese_x_trail_article() -> None:
    specs, _ = specs_of(CORPUS / "rsshub-cn-auto-news" / "cn02_nissan_xtrail_2021.md")
    car = "nissan-x-trail"
    assert [c.id for c in specs.cars] == [car]
    assert "Rogue" in specs.cars[0].aliases
    assert {f.car for f in specs.facts} == {car}
    assert one(specs, "fuel_economy_combined", car).numbers == (5.8,)
    assert one(specs, "price", car).numbers == (181900.0, 262900.0)
    assert 150.0 in {f.normalized for f in facts(specs, "power", car)}


@needs_corpus
def test_cars93_csv_one_car_per_row() -> None:
    specs, chunks = specs_of(CORPUS / "cars93" / "Cars93.csv")
    assert len(specs.cars) == 93
    ids = {c.id for c in specs.cars}
    assert {"acura-integra", "toyota-camry", "mazda-rx-7", "mercedes-benz-300e"} <= ids
    camry = {f.attribute: f for f in specs.facts if f.car == "toyota-camry"}
    assert camry["power"].numbers == (130.0,) and camry["power"].unit == "hp"
    assert camry["length"].unit == "in" and camry["length"].normalized == pytest.approx(4775.2)
    prices = {
        f.variant: f.normalized
        for f in specs.facts
        if f.car == "toyota-camry" and f.attribute == "price"
    }
    assert prices == {
        None: pytest.approx(18200),
        "Min": pytest.approx(15200),
        "Max": pytest.approx(21200),
    }
    assert "Toyota" in chunks[camry["power"].chunk_index]  # type: ignore[index]
    assert specs.chunk_cars[camry["power"].chunk_index] == ("toyota-camry",)  # type: ignore[index]


def test_every_chunk_of_a_one_car_article_is_about_its_car() -> None:
    """Regression: a chunk whose overlap joins two paragraphs is no verbatim piece of its
    section, so its place was not found; it and every later chunk were about no car (5 of
    this article's 10 chunks, 243 of the Tiago manual's 261), and search could not prefer
    them for the car's questions."""
    path = CORPUS / "rsshub-cn-auto-news" / "cn10_changan_cs55plus.md"
    if not path.is_file():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    specs, chunks = specs_of(path)
    assert len(chunks) > 5
    about = [specs.chunk_cars.get(i) for i in range(len(chunks))]
    assert about == [("changan-cs55-plus",)] * len(chunks)


def test_a_title_of_plain_words_names_no_car(tmp_path: Path) -> None:
    """Regression: the EPA readme's title "Fuel Economy Guide Database files." made a car
    "Fuel Economy", and every question saying "fuel economy" then named it."""
    text = "Fuel Economy Guide Database files.\n\n" + "Fuel Economy data by model year.\n" * 3
    assert write(tmp_path, "readme.txt", text).cars == []
    named = "Lumen E2 - Technical Specifications\n\n" + "The Lumen E2 has 150 kW.\n" * 3
    assert [c.id for c in write(tmp_path, "lumen.txt", named).cars] == ["lumen-e2"]
