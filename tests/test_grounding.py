"""Spec grounding: every figure of a text (`ingest.specs.figures`) judged against retrieved
passages (this file) and against a car's facts in a real registry (test_grounding_facts.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generation.grounding import Reference, check
from ingest.specs.figures import figures

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


@pytest.fixture(scope="module")
def samples() -> Reference:
    """The real sample documents (English, Chinese UTF-8 and Chinese GB18030)."""
    return Reference(
        passages=[
            (SAMPLES / "aurora_x5.md").read_text(encoding="utf-8"),
            (SAMPLES / "meridian_s_zh.md").read_text(encoding="utf-8"),
            (SAMPLES / "aurora_x5_hybrid_zh.txt").read_bytes().decode("gb18030"),
            (SAMPLES / "lumen_e2.txt").read_text(encoding="utf-8"),
        ]
    )


def found(text: str) -> list[tuple[float, str]]:
    return [(f.value, f.unit.symbol if f.unit else f.noun or "") for f in figures(text)]


def unsupported(text: str, passages: list[str] | Reference) -> list[str]:
    return [u.text for u in check(text, passages).unsupported]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("130 kW (177 PS) and 270 Nm", [(130, "kW"), (177, "PS"), (270, "Nm")]),
        ("1,498 cc (1.5 L)", [(1498, "cc"), (1.5, "L")]),
        ("a 2.0-litre turbo and a 1.5T", [(2.0, "L"), (1.5, "L")]),
        ("6.8 L/100km, 6.8 l/100 km", [(6.8, "L/100km"), (6.8, "L/100km")]),
        # "0-100 km/h" names the sprint; it claims no speed
        ("0-100 km/h in 8.9 s, top speed 200 km/h", [(8.9, "s"), (200, "km/h")]),
        ("it reaches 100 km/h in 9 s and sprints to 60 mph", [(9, "s")]),
        ("the 2025 produces 150 kW", [(150, "kW")]),  # a year, not a count of "produces"
        ("a 9.4-second sprint", [(9.4, "s")]),
        ("18.4 kWh battery, 6.6 kW charger", [(18.4, "kWh"), (6.6, "kW")]),
        ("13.4 kWh/100km", [(13.4, "kWh/100km")]),
        ("25 mpg or 18 km/L or 18 kmpl", [(25, "mpg"), (18, "km/L"), (18, "km/L")]),
        ("4,560 mm long on a 2,710 mm wheelbase", [(4560, "mm"), (2710, "mm")]),
        ("range of 320 km, 200 miles", [(320, "km"), (200, "mi")]),
        ("EUR 27,900 or €30,900 or $25,000", [(27900, "EUR"), (30900, "EUR"), (25000, "USD")]),
        (
            "₹ 7.94 lakh, Rs. 12.5 Lakh, 1.2 crore",
            [(794000, "INR"), (1250000, "INR"), (12000000, "INR")],
        ),
        ('12.3-inch screen, 17" wheels', [(12.3, "in"), (17, "in")]),
        ("peak torque 1750-4000 rpm", [(1750, "rpm"), (4000, "rpm")]),
        ("CO2 30 g/km, 1,535 kg", [(30, "g/km"), (1535, "kg")]),
        (
            "118 PS @ 6000 rpm, 172 Nm @ 1500-4000 rpm",
            [(118, "PS"), (6000, "rpm"), (172, "Nm"), (1500, "rpm"), (4000, "rpm")],
        ),
        (
            "998 cc, 81.8 kW (110 bhp), 18.15 km/l",
            [(998, "cc"), (81.8, "kW"), (110, "hp"), (18.15, "km/L")],
        ),
        ("Ex-showroom ₹ 7,94,000 or Rs. 12,34,567", [(794000, "INR"), (1234567, "INR")]),
        (
            "250 N·m, 250 N.m, 250 N-m, 250 lb-ft",
            [(250, "Nm"), (250, "Nm"), (250, "Nm"), (250, "lb-ft")],
        ),
    ],
)
def test_english_forms(text: str, expected: list[tuple[float, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("百公里油耗4.5升", [(4.5, "L/100km")]),
        ("百公里油耗为5.9升", [(5.9, "L/100km")]),
        ("每百公里耗电13.4度", [(13.4, "kWh/100km")]),
        ("油耗4.5升", [(4.5, "L/100km")]),
        ("4.5升/百公里", [(4.5, "L/100km")]),
        ("系统综合功率200千瓦，折合272马力", [(200, "kW"), (272, "PS")]),
        ("综合扭矩520牛·米，也写作520牛米", [(520, "Nm"), (520, "Nm")]),
        ("车长4850毫米", [(4850, "mm")]),
        ("长/宽/高：4560/1860/1680 mm", [(4560, "mm"), (1860, "mm"), (1680, "mm")]),
        ("纯电续航80公里，最高车速205公里/小时", [(80, "km"), (205, "km/h")]),
        ("18.4千瓦时电池，加满50升油箱", [(18.4, "kWh"), (50, "L")]),
        ("悦享版指导价19.98万元", [(199800, "CNY")]),
        ("指导价14.58万，", [(145800, "CNY")]),
        ("售价145,800元", [(145800, "CNY")]),
        ("整车质保5年或15万公里", [(5, "years"), (150000, "km")]),
        ("1750转至4000转", [(1750, "rpm"), (4000, "rpm")]),
        ("加速7.4秒，整备质量1820公斤", [(7.4, "s"), (1820, "kg")]),
        ("１５０ｋＷ，２７０Ｎｍ", [(150, "kW"), (270, "Nm")]),
        ("1.5T涡轮增压", [(1.5, "L")]),
    ],
)
def test_chinese_forms(text: str, expected: list[tuple[float, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the Aurora X5 Hybrid",  # X5 is a name, not a figure
        "the 2025 model year, a 40:20:40 split, 2025款",  # years and ratios
        "see [1] and [2], [3-5], 【6】",  # citation markers
        "10月23日交付, on March 15, 15 March",  # dates
        "a 3500T press",  # T after a large number is no engine size
        "the 3rd row, 第一排, 第2代, 五菱, 四驱, 一个人, one of the best",  # ordinals, names
        "1. Design\n2. Comfort\n(3) Safety",  # list numbering
        "Zeekr 001",  # a leading zero: a name
        "about 3 of them",  # a small bare number claims nothing checkable
    ],
)
def test_no_figure_claimed(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("claim", "fact"),
    [
        ("1.5 L", "1,498 cc"),
        ("1498 cc", "1.5 L"),  # the rounder figure backs the precise one within its rounding
        ("204 PS", "150 kW"),
        ("150 kW", "204 PS"),
        ("272马力", "200 kW"),
        ("4,850 mm", "4850 mm"),
        ("4850 mm", "4.85 m"),
        ("1.5 L", "1.5L"),
        ("1.5 litres", "1.5T"),
        ("百公里油耗4.5升", "4.5 L/100km"),
        ("4.5 L/100km", "百公里油耗4.5升"),
        ("22.2 km/L", "4.5 L/100km"),
        ("52.3 mpg", "4.5 L/100km"),  # US gallons
        ("62.8 mpg", "4.5 L/100km"),  # imperial gallons
        ("150,000 km", "15万公里"),
        ("19.98万元", "199,800元"),
        ("199,800 yuan", "19.98万元"),
        ("275 Nm", "275 N·m"),
        ("275牛·米", "275 Nm"),
        ("124 kW", "| Power (kW) | 124 |"),  # a bare figure in a table whose header has the unit
        ("45 L", "Fuel tank capacity (l)  45"),  # a small bare figure under a unit header
        ("6000 rpm", "Max power 61 kW @ 6 000 r/min"),  # a space as thousands separator
        ("2,520 mm", "Wheelbase (mm)  2 520"),
        ("114.7 Nm", "11.7 kgm"),
        ("124 mph", "124 mph"),
        ("200 km/h", "124 mph"),
        ("直列4缸", "1.5 L turbo inline-4 + electric motor"),  # a layout before its count
    ],
)
def test_unit_aware_support(claim: str, fact: str) -> None:
    report = check(claim, [fact])
    assert report.checked == 1
    assert report.supported == 1, report.unsupported


@pytest.mark.parametrize(
    ("claim", "fact"),
    [
        ("178 PS", "177 PS"),  # touching rounding intervals are no match
        ("160 kW", "204 PS"),
        ("272 hp", "200 kW (272 PS)"),  # hp is not PS: 272 hp is 203 kW
        ("1.6 L", "1,498 cc"),
        ("4,860 mm", "4,850 mm"),
        ("5.9 L/100km", "5.9 kWh/100km"),  # same number, other dimension
        ("150 kW", "150 mm"),
        ("7 s", "7-speed, 5 doors"),  # small bare numbers back nothing
        ("16.38万元", "14.58万元"),
        ("45 kW", "Fuel tank capacity (l)  45"),  # the header's unit is a volume
        ("1197 mm", "Displacement (cm3) 1 197 998 1 493"),  # cm3 is a volume, not a length
        ("直列6缸", "2.0 L turbo inline-4"),
    ],
)
def test_wrong_figures_unsupported(claim: str, fact: str) -> None:
    report = check(claim, [fact])
    assert report.checked == 1
    assert report.supported == 0
    assert len(report.unsupported) == 1


def test_planted_wrong_numbers_in_an_english_paragraph(samples: Reference) -> None:
    text = (
        "The Aurora X5 1.5T makes 130 kW (177 PS) and 270 Nm from its 1,498 cc engine [1]. "
        "It is 4,560 mm long on a 2,710 mm wheelbase and returns 6.8 L/100km. "
        "The Hybrid's 18.4 kWh battery gives 95 km of electric range and 300 kW in total [2]."
    )
    report = check(text, samples)
    assert report.checked == 11  # 1.5T counts: an engine size
    assert [(u.text, u.value, u.unit) for u in report.unsupported] == [
        ("95 km", 95, "km"),
        ("300 kW", 300, "kW"),
    ]
    assert report.supported == 9


def test_planted_wrong_numbers_in_a_chinese_paragraph(samples: Reference) -> None:
    text = (
        "子午线S车长4850毫米，轴距2830毫米，1.5T发动机最大功率124千瓦，折合169马力，"
        "最大扭矩275牛·米。百公里油耗5.9升，指导价14.58万元起。"
        "极光X5插电混动版纯电续航120公里，百公里油耗3.2升，售价18.88万元。"
    )
    report = check(text, samples)
    assert sorted(u.text for u in report.unsupported) == ["120公里", "18.88万元", "3.2升"]
    assert report.supported == report.checked - 3


def test_mixed_language_and_widths(samples: Reference) -> None:
    text = (
        "Lumen E2：４２．０ ｋＷｈ电池, range 320 km, 百公里电耗13.4度, EUR 27,900, 85 kW (116 PS)"
    )
    assert unsupported(text, samples) == []
    assert unsupported("Lumen E2 charges at 150 kW", samples) == ["150 kW"]


def test_no_passages_means_nothing_supported() -> None:
    report = check("130 kW and 270 Nm", [])
    assert (report.checked, report.supported) == (2, 0)


def test_text_without_figures_is_no_figures_never_a_pass() -> None:
    """Regression: `checked: 0` used to read as "every figure is backed by a passage"."""
    report = check("A roomy family SUV with a calm cabin.", ["130 kW"])
    assert (report.checked, report.verdict) == (0, "no_figures")
    assert check("It makes 130 kW.", ["130 kW"]).verdict == "grounded"
    assert check("It makes 131 kW.", ["130 kW"]).verdict == "flagged"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 seats, 6 airbags, a 5-seater", [(5, "seats"), (6, "airbags"), (5, "seats")]),
        ("five seats and six airbags", [(5, "seats"), (6, "airbags")]),
        ("a 7-speed DCT, 4 cylinders, 20% more", [(7, "gears"), (4, "cylinders"), (20, "percent")]),
        ("7座SUV，6个气囊，五座", [(7, "seats"), (6, "airbags"), (5, "seats")]),
        ("两万公里，十二英寸", [(20000, "km"), (12, "in")]),
        (
            "指导价12.98万元，最大功率150马力，车长4850毫米",
            [(129800, "CNY"), (150, "PS"), (4850, "mm")],
        ),
        ("433 cubic feet of cargo space", [(433, "cu ft")]),
        ("a 433 boot", [(433, "")]),  # a bare number big enough to claim something
        ("3 variants", [(3, "variant")]),  # a count of whatever it counts
    ],
)
def test_counts_number_words_and_any_unit(text: str, expected: list[tuple[float, str]]) -> None:
    assert found(text) == expected


def test_figures_keep_reading_order_and_where_they_were_written() -> None:
    text = "五座，轴距2,520毫米 [2]，120 PS"
    spans = [(text[f.start : f.end], f.text) for f in figures(text)]
    assert spans == [("五", "五座"), ("2,520毫米", "2,520毫米"), ("120 PS", "120 PS")]


def test_car_names_passed_in_are_not_figures() -> None:
    assert found("The Peugeot 208 makes 100 PS") == [(208, ""), (100, "PS")]
    named = figures("The Peugeot 208 makes 100 PS", names=["Peugeot 208"])
    assert [(f.value, f.text) for f in named] == [(100, "100 PS")]


def test_real_brochure_figures_and_planted_ones(corpus: Path) -> None:
    """The Hyundai Venue brochure (pypdf text): spaces as thousands separators, r/min, kgm,
    units in table headers, 12.3” screens."""
    from pypdf import PdfReader

    pdf = corpus / "auto-brochure-rag-venue" / "hyundai_venue_digital_brochure.pdf"
    brochure = "\n".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
    text = (
        "The Kappa 1.0 l Turbo GDi makes 88.3 kW (120 PS) at 6,000 rpm and 250 Nm (25.5 kgm) "
        "from 1,500 rpm [1]; the 1,493 cc diesel gives 85 kW (116 PS). The wheelbase is "
        "2,520 mm and the fuel tank holds 45 l; the screen measures 31.24 cm (12.3 inches). "
        "Planted: 130 PS, 300 Nm and a 2,600 mm wheelbase."
    )
    report = check(text, [brochure])
    assert [u.text for u in report.unsupported] == ["130 PS", "300 Nm", "2,600 mm"]
    assert report.supported == report.checked - 3 == 14
