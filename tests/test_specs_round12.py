"""Round twelve's English mechanisms: which cars a document of a new shape is about (a title's
first part naming the model once, bold paragraph leads and headings that are car names, a
model code written apart from its make) and which version a column names. The texts are
invented for these tests; no alias file names their models.
"""

from __future__ import annotations

from pathlib import Path

from ingest.specs import DocumentSpecs
from tests.test_specs_extract import facts, write
from tests.test_specs_zh_shapes import values


def _cars(specs: DocumentSpecs) -> set[str]:
    return {c.id for c in specs.cars}


def test_a_titles_first_part_names_the_model_it_never_repeats(tmp_path: Path) -> None:
    """ "SKODA Kodiaq: press information" writes the model once, in the title's first part
    before a colon: that part is the make and the model, and the spec table is that car's."""
    specs = write(
        tmp_path,
        "kit.md",
        "# SKODA Kodiaq: press information\n\n## Technical data\n\n"
        "| | |\n|---|---|\n| Length (mm) | 4,758 |\n| Wheelbase (mm) | 2,791 |\n",
    )
    assert _cars(specs) == {"skoda-kodiaq"}
    assert values(specs, "length") == {None: {4758.0}}


def test_a_titles_first_part_ending_in_a_word_the_text_writes_lower_case_is_no_model(
    tmp_path: Path,
) -> None:
    """ "Ford Recall: what owners need to know": the text writes "recall" in lower case, so
    the word is a noun, not a model's name."""
    specs = write(
        tmp_path,
        "recall.md",
        "# Ford Recall: what owners need to know\n\nThe recall covers 1,200 trucks. "
        "Dealers replace a 2.5-litre engine's sensor free of charge.\n",
    )
    assert not any(c.id.startswith("ford-recall") for c in specs.cars)


def test_bold_paragraph_leads_name_the_cars_of_a_roundup(tmp_path: Path) -> None:
    """A show report with one bold-led paragraph per stand and no headings: each lead that is
    nothing but a make and model ("**Kia Sportage.**", "**Nissan Frontier and Toyota
    Tacoma.**") names a car, and each paragraph's figures are the car it is about."""
    specs = write(
        tmp_path,
        "show.md",
        "# Three debuts from the Detroit show floor\n\n"
        "*Show report*\n\n"
        "**Skoda Elroq.** The Elroq is the brand's small EV. Every Elroq uses a 77-kWh "
        "battery, and the Elroq makes 282 hp.\n\n"
        "**Mitsubishi Outlander Sport.** The Outlander Sport keeps its 2.0-liter engine with "
        "148 hp. The Outlander Sport is priced from $24,995.\n\n"
        "**A word on tickets.** Tickets are $20 at the door and the show runs to Sunday.\n",
    )
    assert {"skoda-elroq", "mitsubishi-outlander-sport"} <= _cars(specs)
    assert {f.numbers[0] for f in facts(specs, "power", "skoda-elroq")} == {282.0}
    assert {f.numbers[0] for f in facts(specs, "power", "mitsubishi-outlander-sport")} == {148.0}


def test_a_heading_with_other_words_than_car_names_names_no_car(tmp_path: Path) -> None:
    """ "## How the Nissan Frontier compares" names a rival in passing: not a car of the
    document (its figures are not the document's car's either)."""
    specs = write(
        tmp_path,
        "review.md",
        "# Skoda Elroq review\n\nThe Elroq makes 282 hp.\n\n"
        "## How the Nissan Frontier compares\n\nThe Frontier is a truck, not an EV.\n",
    )
    assert "nissan-frontier" not in _cars(specs)


def test_a_model_code_written_apart_from_its_make_names_the_document_car(
    tmp_path: Path,
) -> None:
    """An owners' Q&A that writes its make alone ("Honda says", "Honda's own figures") and its
    model by its code alone ("Every ZR-4 …"): it is about that make's car of that code; the
    rival named with its make once is not its car."""
    specs = write(
        tmp_path,
        "qa.md",
        "# Owners' corner, spring issue\n\n"
        '### "Is the newer car quicker?"\n\n'
        "Honda says yes. Every ZR-4 uses a 1.5-liter engine with 180 hp. The ZR-4 is "
        "front-wheel drive.\n\n"
        '### "What about rivals?"\n\n'
        "Honda's own figures are quoted. For comparison, a Toyota GR86 with 228 hp costs "
        "$30,000.\n",
    )
    assert _cars(specs) == {"honda-zr-4"}
    assert {f.numbers[0] for f in facts(specs, "power", "honda-zr-4")} == {180.0}


def test_two_codes_written_as_often_name_no_car(tmp_path: Path) -> None:
    """Two codes written apart as often as each other: which one the make's car is, the text
    does not say."""
    specs = write(
        tmp_path,
        "two.md",
        "# Club notes\n\nHonda says the ZR-4 and the QX-2 differ. The ZR-4 makes 180 hp and "
        "the QX-2 makes 150 hp; Honda prices both.\n",
    )
    assert not specs.cars


def test_engine_columns_with_two_units_in_a_label_and_sizes_in_cubic_cm(tmp_path: Path) -> None:
    """A press kit's appendix with engines as columns: "Max power PS (kW)" gives each cell's
    first figure in PS (the bracketed kW restates it), "Max torque Nm" ends in its unit, and
    an engine cell "1,395cc, 4-cyl turbo petrol" gives its size in cc."""
    specs = write(
        tmp_path,
        "appendix.md",
        "# SKODA Kodiaq: press information\n\n## Engines\n\n"
        "| | 1.4 TSI 125PS | 2.0 TDI 190PS 4x4 |\n|---|---|---|\n"
        "| Engine | 1,395cc, 4-cyl turbo petrol | 1,968cc, 4-cyl turbo diesel |\n"
        "| Max power PS (kW) | 125 (92) | 190 (140) |\n"
        "| Max torque Nm | 200 | 400 |\n",
    )
    assert values(specs, "power") == {"1.4 TSI 125PS": {125.0}, "2.0 TDI 190PS 4x4": {190.0}}
    assert {f.unit for f in facts(specs, "power")} == {"PS"}
    assert values(specs, "torque") == {"1.4 TSI 125PS": {200.0}, "2.0 TDI 190PS 4x4": {400.0}}
    assert values(specs, "displacement") == {
        "1.4 TSI 125PS": {1395.0},
        "2.0 TDI 190PS 4x4": {1968.0},
    }


def test_a_dimension_cells_bracketed_exception_is_the_version_it_names(tmp_path: Path) -> None:
    """ "Fuel tank (litres) | 58 (iV: 45)": 58 litres for every version, 45 for the iV; a
    bracketed figure under a label of one unit with no name before it says nothing."""
    specs = write(
        tmp_path,
        "dims.md",
        "# SKODA Kodiaq: press information\n\n## Dimensions (all versions unless stated)\n\n"
        "| | |\n|---|---|\n| Fuel tank (litres) | 58 (iV: 45) |\n"
        "| Height (mm) | 1,681 (1,690) |\n",
    )
    assert values(specs, "fuel_tank") == {None: {58.0}, "iV": {45.0}}
    assert not facts(specs, "height")


def test_a_review_of_two_versions_gives_each_sentence_the_version_it_names(
    tmp_path: Path,
) -> None:
    """A transcript comparing two trims its title names ("Kodiaq SEL v LX"): a figure is the
    version its sentence names last before it, to a semicolon ("on the SEL", "the LX dual
    cab is")."""
    specs = write(
        tmp_path,
        "video.txt",
        "Skoda Kodiaq SEL v LX - which one? | Full review\n\n"
        "[00:10] G'day. Every Kodiaq in the range has 4WD. We've got the SEL on the left and "
        "the LX on the right.\n"
        "[01:20] Payload on the LX dual cab is 1,050kg; payload on the SEL is 880kg. Kerb "
        "weight on the SEL is 1,900kg.\n"
        "[02:30] The LX manual wagon is $39,990 and the SEL is $54,990.\n",
    )
    assert values(specs, "payload") == {"LX dual cab": {1050.0}, "SEL": {880.0}}
    assert values(specs, "kerb_weight") == {"SEL": {1900.0}}


def test_a_name_the_text_also_writes_in_lower_case_is_no_version(tmp_path: Path) -> None:
    """ "the Club" of a club's newsletter that also writes "the club inbox" is the club, not a
    version: with one version name left, the document compares none."""
    specs = write(
        tmp_path,
        "club.txt",
        "Skoda Kodiaq Club notes: the RF question\n\n"
        "Write to the club inbox. Every Kodiaq is welcome. The Club meets monthly. "
        "Kerb weight on the RF is 1,800kg. "
        "The RF is heavier than the Club says.\n",
    )
    assert values(specs, "kerb_weight") == {None: {1800.0}}


def test_an_engine_named_by_its_size_before_its_output_is_their_version(tmp_path: Path) -> None:
    """ "the 2.0-litre TSI is up to 190 hp", "a 1.5-litre turbo of 150 hp": the engine its
    size names gives its displacement, and the output right after it is that engine's; "a
    1.0-litre three-cylinder" is an engine's size by its cylinders."""
    specs = write(
        tmp_path,
        "news.md",
        "# Skoda Karoq review\n\nThe Karoq's 2.0-litre TSI is up to 190 hp with all-wheel "
        "drive. The Karoq also comes with a 1.5-litre turbo of 150 hp. The cheapest Karoq uses "
        "a 1.0-litre three-cylinder.\n",
    )
    assert values(specs, "power") == {"2.0-litre TSI": {190.0}, "1.5-litre turbo": {150.0}}
    assert values(specs, "displacement") == {
        "2.0-litre TSI": {2.0},
        "1.5-litre turbo": {1.5},
        "1.0-litre three-cylinder": {1.0},
    }


def test_an_engines_list_item_gives_its_size_in_cc_and_its_cylinder_count(
    tmp_path: Path,
) -> None:
    """ "- **1.0 TSI petrol**: 999cc, three cylinders, 110PS and 200Nm": an item naming an
    engine, its size first: the size in cc and the count of cylinders are that engine's, as
    its outputs are."""
    specs = write(
        tmp_path,
        "guide.md",
        "# Skoda Karoq every version explained\n\n## Engines\n\n"
        "- **1.0 TSI petrol**: 999cc, three cylinders, 110PS and 200Nm, with a six-speed manual.\n"
        "- **2.0 TDI diesel**: 1968cc, four cylinders, 150PS and 340Nm, with a seven-speed DSG.\n"
        "\nThe Karoq is a family SUV. The Karoq is roomy.\n",
    )
    assert values(specs, "displacement") == {"1.0 TSI petrol": {999.0}, "2.0 TDI diesel": {1968.0}}
    assert values(specs, "cylinders") == {"1.0 TSI petrol": {3.0}, "2.0 TDI diesel": {4.0}}
    assert values(specs, "power") == {"1.0 TSI petrol": {110.0}, "2.0 TDI diesel": {150.0}}


def test_model_years_as_a_clauses_subject_are_its_figures_version(tmp_path: Path) -> None:
    """ "The 2019-2021 cars make 150 hp …; from 2022 on, the same engine makes 160 hp": the
    years are the version of the figures after them (a single year is no such subject), and
    "a 1.5-litre four-cylinder" gives its cylinders as an engine's."""
    specs = write(
        tmp_path,
        "club.md",
        "# Skoda Karoq: owners' notes\n\nEvery Karoq uses a 1.5-litre four-cylinder. The "
        "2019-2021 cars make 150 hp and 250 Nm; from 2022 on, the same engine makes 160 hp.\n",
    )
    assert values(specs, "power") == {"2019-2021": {150.0}, "2022 on": {160.0}}
    assert values(specs, "cylinders") == {"1.5-litre four-cylinder": {4.0}}


def test_a_qa_question_names_its_car_when_the_answers_name_the_model_alone(
    tmp_path: Path,
) -> None:
    """An owners' FAQ whose title names no car: "### What engine does the Kia Sorento use?"
    names the Sorento, which the answer calls "the Sorento"; "### Does it have Toyota
    Safety Sense?" names a technology the text never writes without its make."""
    specs = write(
        tmp_path,
        "faq.md",
        "# Your questions answered\n\n"
        "### What engine does the Kia Sorento use?\n\nThe Sorento uses a 2.5-litre engine with "
        "191 hp.\n\n### Does it have Toyota Safety Sense?\n\nNo, Toyota Safety Sense is a "
        "Toyota system.\n",
    )
    assert _cars(specs) == {"kia-sorento"}
    assert values(specs, "power") == {"2.5-litre": {191.0}}


def test_makes_of_newer_marques_name_their_models(tmp_path: Path) -> None:
    """Lotus, VinFast, Omoda, Jaecoo and Fisker are makes: a title naming one of their models
    finds the car as it does a long-listed make's."""
    specs = write(tmp_path, "vf.md", "# VinFast VF 8 review\n\nThe VF 8 makes 402 hp.\n")
    assert _cars(specs) == {"vinfast-vf-8"}


def test_a_label_naming_its_attribute_twice_is_that_attribute(tmp_path: Path) -> None:
    """ "OTR list price (£)": "OTR" and "list price" both name the price."""
    specs = write(
        tmp_path,
        "fleet.csv",
        "Manufacturer,Model,Derivative,Power (bhp),OTR list price (£)\n"
        "Skoda,Elroq,85 Edition,282,41950\n",
    )
    assert values(specs, "price") == {"85 Edition": {41950.0}}


def test_a_section_headed_by_a_versions_code_is_that_versions(tmp_path: Path) -> None:
    """A buyer's guide with one section per trim ("## SE2", "## SL3 Plus"): a figure no
    sentence gives a version is its section's; a topic's heading ("## The engines") names
    none."""
    specs = write(
        tmp_path,
        "ladder.md",
        "# Skoda Karoq: every version explained\n\nThe Karoq comes in two trims.\n\n"
        "## The engines\n\nThe Karoq has a 110PS petrol.\n\n"
        "## SE2\n\nThis trim rides on 205/60 R16 tyres.\n\n"
        "## SL3 Plus\n\nFrom here the car rides on 225/45 R18 tyres.\n",
    )
    assert values(specs, "power") == {None: {110.0}}
    assert {f.variant for f in facts(specs, "tyres")} == {"SE2", "SL3 Plus"}


def test_a_figure_with_or_as_a_gearbox_is_that_gearboxs(tmp_path: Path) -> None:
    """ "20.6 km/L with the manual and 21.2 km/L with the AMT", "as a manual": the gearbox
    named right after a figure is its version (also across a hard-wrapped line), as "for the
    automatic with this engine" is; "with the optional spare wheel" names none."""
    specs = write(
        tmp_path,
        "economy.md",
        "# Skoda Karoq review\n\nSkoda quotes 20.6 km/L with the\nmanual and 21.2 km/L "
        "with the AMT. Skoda claims 18.9 km/L for the automatic with this engine. The boot "
        "holds 521 litres with the optional spare wheel.\n",
    )
    assert values(specs, "fuel_economy_combined") == {
        "manual": {20.6},
        "AMT": {21.2},
        "automatic": {18.9},
    }
    assert values(specs, "boot_volume") == {None: {521.0}}


def test_last_years_figure_in_a_bracket_is_neither_a_fact_nor_a_variant(tmp_path: Path) -> None:
    """ "250 hp and 277 lb-ft (from 238 hp last year)": the bracket's figure is the earlier
    model's, and the bracket names no version of the torque before it."""
    specs = write(
        tmp_path,
        "news.md",
        "# Skoda Karoq review\n\nThe Karoq is up to 250 hp and 277 lb-ft (from 238 hp last "
        "year) with all-wheel drive.\n",
    )
    assert values(specs, "power") == {None: {250.0}}
    assert values(specs, "torque") == {None: {277.0}}


def test_a_joined_clause_gives_the_same_attribute_for_the_version_it_names(
    tmp_path: Path,
) -> None:
    """ "Payload on the SE is 1,155kg; the SEL's is 980kg", "$29,730 for the S; the SE is
    $34,040 and the SEL Premium\\n$39,750", "the SEL dual cab sits a little lower at 222mm":
    a clause joined to a figure, naming a version as its subject and giving a figure in the
    same unit, states the same attribute for that version; a rival named so does not."""
    specs = write(
        tmp_path,
        "review.md",
        "# Skoda Karoq SE v SEL review\n\nEvery Karoq is front-drive. Payload on the SE is "
        "1,155kg; the SEL's is 980kg. Ground clearance on the SE is 228mm; the SEL dual cab sits "
        "a little lower at 222mm. The range "
        "starts at $29,730 for the S; the SE is $34,040 and the SEL Premium\n$39,750. Payload "
        "is 1,000kg and the Ford Ranger's is 1,100kg.\n",
    )
    assert values(specs, "payload") == {"SE": {1155.0}, "SEL": {980.0}, None: {1000.0}}
    assert values(specs, "ground_clearance") == {"SE": {228.0}, "SEL dual cab": {222.0}}
    assert values(specs, "price") == {"S": {29730.0}, "SE": {34040.0}, "SEL Premium": {39750.0}}


def test_a_mass_said_braked_or_unbraked_is_a_towing_capacity(tmp_path: Path) -> None:
    """ "Skoda says 2000kg braked and 750kg unbraked": only a trailer's weight is braked; the
    unbraked one is the towing capacity of version "unbraked"."""
    specs = write(
        tmp_path,
        "tow.md",
        "# Skoda Karoq review\n\nSkoda says 2000kg braked and 750kg unbraked for the Karoq.\n",
    )
    assert values(specs, "towing_capacity") == {None: {2000.0}, "unbraked": {750.0}}


def test_a_powertrain_before_the_models_name_is_its_version(tmp_path: Path) -> None:
    """ "The hybrid Karoq starts at $28,145": the hybrid's price; "The old Octavia's 2.4 made
    133kW and 430Nm" is an earlier model's."""
    specs = write(
        tmp_path,
        "news.md",
        "# Skoda Karoq review\n\nThe hybrid Karoq starts at $28,145. The old Octavia's 2.4 "
        "made 133kW and 430Nm.\n",
    )
    assert values(specs, "price") == {"hybrid": {28145.0}}
    assert not facts(specs, "torque")


def test_a_gearbox_as_a_clauses_subject_is_its_figures_version(tmp_path: Path) -> None:
    """ "The manual is rated at 29 mpg combined; the automatic gets 30 mpg combined"."""
    specs = write(
        tmp_path,
        "economy.md",
        "# Skoda Karoq review\n\nThe manual is rated at 29 mpg combined; the automatic gets "
        "30 mpg combined.\n",
    )
    assert values(specs, "fuel_economy_combined") == {"manual": {29.0}, "automatic": {30.0}}
