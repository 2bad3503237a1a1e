"""Trims scoped by structure (facts19): a trim a post's or paragraph's lead names once holds
for that car's figures until the post ends; a car named only as what another is compared with
owns no figure; an economy run with no unit takes the mpg its text writes elsewhere. The
texts are invented for these tests.
"""

from __future__ import annotations

from pathlib import Path

from ingest.specs.counts import engine_sizes
from ingest.specs.extract import SpecConfig
from ingest.specs.model import Fact
from ingest.specs.repeats import drop_prose_repeats
from ingest.specs.vocabulary import load_vocabulary
from tests.test_specs_extract import facts, write

_RULE = "-" * 40


def _by(specs: object, attribute: str) -> dict[tuple[str, str | None], set[str]]:
    out: dict[tuple[str, str | None], set[str]] = {}
    for f in facts(specs, attribute):  # type: ignore[arg-type]
        out.setdefault((f.car, f.variant), set()).add(f.value)
    return out


def test_a_posts_lead_names_the_trim_of_the_figures_under_it(tmp_path: Path) -> None:
    """Each forum post names its car and trim once at its head; the figures after it are
    that trim's, and the trim ends with the post: the next post's figures for the same car
    are not the first poster's trim."""
    specs = write(
        tmp_path,
        "thread.txt",
        "Wagon owners' thread\n\n"
        f"{_RULE}\n#1  alder  (Member)\n\n"
        "2024 Subaru Outback Touring XT, Autumn Green. It has a 2.4L turbo four with\n"
        "260 hp and 277 lb-ft.\n\n"
        f"{_RULE}\n#2  birch  (Member)\n\n"
        "Ours is the 2024 Honda Odyssey Elite. Its 3.5L V6 makes 280 hp; Honda Odyssey\n"
        "owners will know it.\n\n"
        f"{_RULE}\n#3  alder  (Member)\n\n"
        "To answer the question about the Outback: its towing capacity is 3,500 lb.\n",
    )
    power = {(f.car, f.value): f.variant or "" for f in facts(specs, "power")}
    assert "Outback Touring XT" in power[("subaru-outback", "260 hp")]
    assert "Odyssey Elite" in power[("honda-odyssey", "280 hp")]
    towing = facts(specs, "towing_capacity", "subaru-outback")
    assert [f.variant for f in towing] == [None]


def test_a_later_paragraph_naming_the_car_again_ends_its_lead_trim(tmp_path: Path) -> None:
    """ "My last car was a 2016 Outback with the CVT": a paragraph whose head names the car
    with no trim is not the trim the paragraph before named."""
    specs = write(
        tmp_path,
        "notes.txt",
        "Garage notes\n\n"
        "I drive a 2024 Subaru Outback Wilderness. It makes 260 hp.\n\n"
        "My last car was a 2016 Outback with the old engine, and it made 175 hp.\n",
    )
    power = _by(specs, "power")
    assert power.get(("subaru-outback", "Outback Wilderness")) == {"260 hp"}
    assert "175 hp" not in power.get(("subaru-outback", "Outback Wilderness"), set())


def test_a_car_named_as_what_the_figure_is_compared_with_does_not_own_it(
    tmp_path: Path,
) -> None:
    """ "22.1 cu ft, less than the Forester": the Forester is what the subject is compared
    with; the figure is not the Forester's."""
    specs = write(
        tmp_path,
        "compare.txt",
        "Subaru Outback and Subaru Forester, side by side\n\n"
        "The Forester is the taller car. The Forester is the cheaper car. The Forester rides "
        "higher.\n\n"
        "To fill in the Outback numbers: cargo behind the rear seat is 32.5 cu ft, more than "
        "the Forester.\n",
    )
    assert not facts(specs, "boot_volume", "subaru-forester")
    assert [f.value for f in facts(specs, "boot_volume", "subaru-outback")] == ["32.5 cu ft"]


def test_a_unitless_city_highway_run_takes_the_mpg_its_text_writes(tmp_path: Path) -> None:
    """ "EPA is 25 city / 31 highway / 27 combined" in a post that writes "mpg" elsewhere (and
    no other economy unit): the three are miles per gallon; a text with no "mpg" gets none."""
    text = (
        "Owner notes\n\n"
        "We bought a 2024 Honda CR-V EX. EPA is 28 city / 34 highway / 30 combined. "
        "I see about 29 mpg on the school run.\n"
    )
    specs = write(tmp_path, "crv.txt", text)
    city = facts(specs, "fuel_economy_city", "honda-cr-v")
    assert [(f.numbers, f.unit) for f in city] == [((28.0,), "mpg")]
    assert facts(specs, "fuel_economy_combined", "honda-cr-v")[0].variant == "CR-V EX"
    bare = write(tmp_path, "bare.txt", text.replace("29 mpg", "29"))
    assert not facts(bare, "fuel_economy_city", "honda-cr-v")


def test_a_powertrain_the_section_names_by_its_code_is_that_code(tmp_path: Path) -> None:
    """ "a turbo-diesel (the T40d) or a plug-in hybrid (the E60h)" then "The diesel makes
    …": the diesel's figures are the T40d's."""
    specs = write(
        tmp_path,
        "guide.md",
        "# Family SUVs\n\n## Mazda CX-90\n\n"
        "The CX-90 comes as a turbo-diesel (the T40d) or a plug-in hybrid (the E60h). "
        "The diesel makes 187kW and 550Nm.\n",
    )
    torque = _by(specs, "torque")
    assert any(variant and "T40d" in variant for _, variant in torque), torque


def test_a_dimension_worded_after_its_figure_is_its_clause_subjects(tmp_path: Path) -> None:
    """ "The XJ10 is 4,100 mm long …; the XJ20's longer bumpers take it to 4,300 mm long": each
    length is its own clause's version, the second named by its possessive over a wrap."""
    specs = write(
        tmp_path,
        "toyota_rav4.md",
        "# Toyota RAV4\n\n## Sizes\n\n"
        "The XJ10 is 4,100 mm long and 1,800 mm wide; the XJ20's longer\n"
        "bumpers take it to 4,300 mm long. Rated at 30 mpg, it seats five.\n",
    )
    assert _by(specs, "length") == {
        ("toyota-rav4", "XJ10"): {"4,100 mm"},
        ("toyota-rav4", "XJ20"): {"4,300 mm"},
    }


def test_a_trim_named_as_a_clauses_subject_owns_its_figures(tmp_path: Path) -> None:
    """ "The LX gets 180 hp …; the dual-motor Summit, with all-wheel drive, makes 400 hp": each
    clause's subject is one trim's name (an aside in commas between it and its verb); a
    subject that is the car itself ("The RAV4 has") names no trim."""
    specs = write(
        tmp_path,
        "toyota_rav4.md",
        "# Toyota RAV4\n\n## Versions\n\n"
        "The LX gets 180 hp from a single motor; the dual-motor Summit, with all-wheel\n"
        "drive, makes 400 hp. The RAV4 has 450 Nm in every version.\n",
    )
    assert _by(specs, "power") == {
        ("toyota-rav4", "LX"): {"180 hp"},
        ("toyota-rav4", "Summit"): {"400 hp"},
    }
    assert [f.variant for f in facts(specs, "torque")] == [None]


def test_a_post_about_a_car_no_file_knows_gives_the_thread_car_nothing(tmp_path: Path) -> None:
    """A thread about one known car, where one post's lead names a make whose model no alias
    file lists ("Ours is the 2024 Kia Zephyrine SX"): that post's figures are not the thread
    car's; the next post's are again."""
    specs = write(
        tmp_path,
        "thread.txt",
        "Subaru Outback owners' thread\n\n"
        f"{_RULE}\n#1  alder\n\n"
        "2024 Subaru Outback Touring XT, green. Its 2.4L turbo makes 260 hp.\n\n"
        f"{_RULE}\n#2  birch\n\n"
        "Ours is the 2024 Kia Zephyrine SX. Its 3.5L V6 makes 287 hp.\n\n"
        f"{_RULE}\n#3  cedar\n\n"
        "Back to the Subaru Outback: the towing capacity is 3,500 lb.\n",
    )
    assert {f.value for f in facts(specs, "power")} == {"260 hp"}
    assert [f.value for f in facts(specs, "towing_capacity", "subaru-outback")] == ["3,500 lb"]


def test_a_lower_case_code_after_the_model_and_an_added_figure(tmp_path: Path) -> None:
    """ "the four-cylinder Elise i4, which uses a 1,991cc engine": a lower-case code after the
    model ("i4") is a sub-model; "The facelift added 19PS" is a difference, not a power."""
    specs = write(
        tmp_path,
        "lotus_elise.md",
        "# Lotus Elise\n\n## Lot 7 — 2020 Lotus Elise Sport 220\n\n"
        "The supercharged engine develops 220PS. The 2021 facelift added 19PS. Lotus later\n"
        "sold the four-cylinder Elise i4, which uses a 1,991cc turbo engine.\n",
    )
    assert {f.value for f in facts(specs, "power")} == {"220PS"}
    assert [f.variant for f in facts(specs, "displacement")] == ["Elise i4"]


def test_a_figure_of_the_documents_year_alone_beside_a_versions_is_that_versions() -> None:
    """In a document about one model year, a sentence's figure that a version's sentence also
    gives ("2026 · Tornado six": 20 mpg) is not stated again for the year alone ("2026"); a
    table's figure of the year alone stays."""

    def fact(variant: str | None) -> Fact:
        return Fact(
            car="toyota-tundra",
            attribute="fuel_economy_city",
            value="20 mpg",
            numbers=(20.0,),
            unit="mpg",
            normalized=11.76,
            normalized_unit="L/100km",
            variant=variant,
            evidence="20 mpg city",
        )

    versioned, year_only = fact("2026 · Tornado six"), fact("2026")
    kept = drop_prose_repeats([versioned, year_only], [True, True], [False, False])
    assert kept == [versioned]
    kept = drop_prose_repeats([versioned, year_only], [True, False], [False, False])
    assert year_only in kept


def test_an_engines_own_phrase_under_a_powertrain_subject_is_that_powertrains(
    tmp_path: Path,
) -> None:
    """ "The hybrid is the one to buy: a 2.5-litre turbo four-cylinder …": the displacement's
    own phrase names the engine, and the clause's subject the version it is of."""
    specs = write(
        tmp_path,
        "toyota_rav4.md",
        "# Toyota RAV4\n\n## Engines\n\n"
        "The RAV4 comes with a choice of engines.\n"
        "The hybrid is the one to buy: a 2.5-litre turbo four-cylinder with two motors.\n",
    )
    variants = [f.variant or "" for f in facts(specs, "displacement")]
    assert len(variants) == 1 and "hybrid" in variants[0] and "2.5-litre" in variants[0]


def test_a_rumoured_or_asked_figure_is_no_spec(tmp_path: Path) -> None:
    """ "There's a rumor the 2027 RAV4 gets … around 265 hp" and "does the RAV4 really only
    do 30\\nmpg on gas?" state no figure; "It makes 203 hp." does."""
    specs = write(
        tmp_path,
        "toyota_rav4.txt",
        "Toyota RAV4 owners\n\n"
        "Our Toyota RAV4 makes 203 hp. There's a rumor the 2027 RAV4 gets around 265 hp.\n\n"
        "@owner does the Toyota RAV4 really only do 30\nmpg on gas? Asking for a friend.\n",
    )
    assert {f.value for f in facts(specs, "power")} == {"203 hp"}
    assert not facts(specs, "fuel_economy_combined")


def test_an_engine_size_whose_output_follows_a_comma() -> None:
    """ "Old-school 3.5L V6, 280 hp and 262 lb-ft": the size names an engine by the output
    right after its comma; "a 3.5L bottle, 12 of them" names none."""
    vocab = load_vocabulary(SpecConfig().attributes)
    found = engine_sizes(vocab, "Old-school 3.5L V6, 280 hp and 262 lb-ft.", lambda _: False)
    assert [(f.value.numbers, f.variant) for f in found] == [((3.5,), "3.5L V6")]
    assert not engine_sizes(vocab, "A 3.5L bottle, 12 of them.", lambda _: False)
