"""Spec facts from the structure around a figure (issue 14, second round): a spec page whose
variant header comes after its rows, counts and tyre sizes by their own grammar, the variant
of a nested list item, a Chinese label after its figure, and a chunk whose whitespace the
chunker changed. Every input here is written for the test."""

from __future__ import annotations

from pathlib import Path

from ingest.document import Chunk, ParsedDocument, Section
from ingest.specs import DocumentSpecs, SpecConfig, extract_specs
from tests.test_specs_extract import facts, one, write


def _by_variant(specs: DocumentSpecs, attribute: str) -> dict[str | None, tuple[float, ...]]:
    return {f.variant: f.numbers for f in facts(specs, attribute)}


def test_a_variant_header_below_the_rows_names_their_columns(tmp_path: Path) -> None:
    """The Creta brochure's spec page: pypdf gives the engine header row after the rows."""
    specs = write(
        tmp_path,
        "acme_ranger.txt",
        "BRAND: Acme\nMODEL: Ranger\n\n"
        "Engine\n"
        "Configuration 4 cylinders, 16 valves 4 cylinders, 16 valves 3 cylinders, 12 valves\n"
        "Displacement (cm3) 1 497 1 493 1 199\n"
        "Max. power 84.4 kW (115 PS)  85 kW (116 PS) 88 kW (120 PS)\n"
        " @ 6 300 r/min @ 4 000 r/min  @ 5 500 r/min\n"
        "1.5l MPi petrolItems 1.5l CRDi diesel 1.2l Turbo petrol\n",
    )
    assert _by_variant(specs, "displacement") == {
        "1.5l MPi petrol": (1497.0,),
        "1.5l CRDi diesel": (1493.0,),
        "1.2l Turbo petrol": (1199.0,),
    }
    assert _by_variant(specs, "power_rpm")["1.2l Turbo petrol"] == (5500.0,)
    assert _by_variant(specs, "cylinders") == {
        "1.5l MPi petrol": (4.0,),
        "1.5l CRDi diesel": (4.0,),
        "1.2l Turbo petrol": (3.0,),
    }
    fuels = {f.variant: f.value for f in facts(specs, "fuel_type")}
    assert fuels == {
        "1.5l MPi petrol": "petrol",
        "1.5l CRDi diesel": "diesel",
        "1.2l Turbo petrol": "petrol",
    }


def test_counts_and_tyre_sizes_by_their_grammar(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_ranger.txt",
        "BRAND: Acme\nMODEL: Ranger\n\n"
        "The Ranger comes with six airbags as standard. Rivals offer up to eight airbags.\n\n"
        "The 1.2-litre 3-cylinder turbocharged petrol engine makes 88 kW. Unlike a V6 "
        "engine, it is light.\n\n"
        "Tyres  Base, Mid: 185/65 R15 (Steel) / Top: 205 / 55 R16 (Alloy)\n"
        "The spare tyre is 155/80 R13.\n",
    )
    airbags = one(specs, "airbags")
    assert (airbags.value, airbags.numbers) == ("six", (6.0,))  # "up to eight" is a ceiling
    cylinders = one(specs, "cylinders")  # the V6 in passing belongs to no engine of the car
    assert (cylinders.numbers, cylinders.variant) == (
        (3.0,),
        "1.2-litre 3-cylinder turbocharged petrol",
    )
    tyres = {(f.value, f.variant) for f in facts(specs, "tyres")}
    assert tyres == {("185/65 R15", "Base, Mid"), ("205 / 55 R16", "Top")}  # not the spare


def test_a_nested_list_item_takes_the_names_that_hold_it(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_volt.md",
        "---\nbrand: Acme\nmodel: Volt\n---\n\n# Acme Volt\n\n"
        "The Volt is sold with two batteries:\n\n"
        "**2022-2024 Model Years:**\n\n"
        "- **Long Range Battery (77.4 kWh usable):**\n"
        "  - RWD: Up to 303 miles EPA-estimated range\n"
        "  - AWD: Up to 256 miles EPA-estimated range\n\n"
        "**Key Facts:**\n\n"
        "- Cabin: roomy, with 5 seats and a range of 250 miles in town\n",
    )
    ranges = _by_variant(specs, "electric_range")
    assert ranges["2022-2024 Model Years Long Range Battery RWD"] == (303.0,)
    assert ranges["2022-2024 Model Years Long Range Battery AWD"] == (256.0,)
    assert ranges.get(None) == (250.0,)  # "Key Facts" names no variant


def test_a_chinese_label_after_its_figure(tmp_path: Path) -> None:
    specs = write(
        tmp_path,
        "acme_ranger.md",
        "---\nbrand: Acme\nmodel: Ranger\n---\n\n"
        "从官方6.98万－9.98万元的定价区间来看，它很有竞争力。高配车型在低配的售价基础上提高了1万元的价格，"
        "接近10万元的售价。它搭载了160kW的大功率电机。\n",
    )
    assert one(specs, "price").numbers == (69800.0, 99800.0)  # not the change, not the bound
    assert one(specs, "power").numbers == (160.0,)


def test_facts_after_a_chunk_whose_whitespace_changed_keep_their_chunk() -> None:
    """Regression: an overlap chunk joining two paragraphs with no blank line ("吹爆！动力方面",
    as the ingest's chunks of the CS55 PLUS article have it) could not be found in its
    section, and every fact after it was lost (the car's 138 kW and 300 N·m)."""
    opening = "内饰方面，采用全新的电子挡杆，中控台下方腾出一大块储物区域。"
    first = "这套充满前瞻性的内饰设计，漫哥直接吹爆！"
    second = "动力方面，Ranger这台发动机最大功率提升至138kW。"
    third = "在1500r/min下达到峰值扭矩300N·m。"
    text = f"{opening}\n\n{first}\n\n{second}\n\n{third}"
    doc = ParsedDocument("/tmp/acme_ranger.md", "md", "Acme Ranger", [Section(text)],
                         metadata={"brand": "Acme", "model": "Ranger"})  # fmt: skip
    chunks = [
        Chunk(0, f"{opening}\n\n{first}", "", None, "", 20),
        Chunk(1, first + second, "", None, "", 40),  # the overlap, its blank line gone
        Chunk(2, third, "", None, "", 20),
    ]
    specs = extract_specs(doc, chunks, SpecConfig())
    power, torque = one(specs, "power"), one(specs, "torque")
    assert (power.numbers, power.chunk_index) == ((138.0,), 1)
    assert (torque.numbers, torque.chunk_index) == ((300.0,), 2)
    assert power.evidence in chunks[1].text and torque.evidence in chunks[2].text


def test_a_hard_wrapped_sentence_is_no_sheet_row(tmp_path: Path) -> None:
    """Regression: a wrapped line starting with a label word ("horsepower and a 1.6 litre …")
    was taken for a spec-sheet row, and the sentence's second engine lost its power."""
    specs = write(
        tmp_path,
        "acme_ranger.txt",
        "BRAND: Acme\nMODEL: Ranger\n\n"
        "The Ranger is sold with a 1.0 litre turbo petrol engine producing around 100\n"
        "horsepower and a 1.6 litre diesel engine producing around 130 horsepower. A sharper\n"
        "petrol tune with around 110 horsepower is offered too.\n",
    )
    assert _by_variant(specs, "power") == {
        "1.0 litre turbo petrol": (100.0,),
        "1.6 litre diesel": (130.0,),
        "sharper petrol": (110.0,),
    }
