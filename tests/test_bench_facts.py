"""The spec-fact benchmark's matcher (bench/spec_match.py) on hand-made Fact lists: units,
variants, scope, duplicates and the report, against lines of the real gold file."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bench.facts import Timing, render
from bench.spec_match import score, score_source, unit_of, values_agree, variant_score
from ingest.specs.model import Fact
from tests.specs.check_gold import GoldFact, load_gold

VENUE = "auto-brochure-rag-venue/hyundai_venue_digital_brochure.pdf"
KICKS = "rsshub-cn-auto-news/cn01_tianjin_autoshow_2021.md"
CAMRY = "itversity-toyota-specs/Toyota_Camry_Specifications.pdf"


@pytest.fixture(scope="module")
def gold() -> list[GoldFact]:
    return load_gold()


def lines(gold: list[GoldFact], source: str) -> list[GoldFact]:
    return [g for g in gold if g.source == source]


def one(gold: list[GoldFact], source: str, attribute: str, variant: str | None = None) -> GoldFact:
    """The gold line of `source` on `attribute` and `variant` (cn01: the Kicks's)."""
    (line,) = [
        g
        for g in lines(gold, source)
        if g.attribute == attribute and g.variant == variant and g.car != "wuling-nano-ev"
    ]
    return line


def as_fact(line: GoldFact, **changes: object) -> Fact:
    fact = Fact(
        car=line.car,
        attribute=line.attribute,
        value=line.value,
        numbers=line.numbers,
        unit=line.unit,
        variant=line.variant,
        evidence=line.evidence,
        page=line.page,
    )
    return replace(fact, **changes)  # type: ignore[arg-type]


def test_the_gold_read_back_as_facts_scores_one_everywhere(gold: list[GoldFact]) -> None:
    """Every gold line is matched by its own fact and by no other line's: the matcher tells
    apart the variants, units and values the gold holds."""
    predicted: dict[str, list[Fact]] = {}
    for line in gold:
        predicted.setdefault(line.source, []).append(as_fact(line))
    scored = score(gold, predicted)
    total = scored.totals()
    assert (total.gold, total.predicted, total.right, total.found) == (len(gold),) * 4
    pairs = [(fact, line) for s in scored.sources.values() for fact, line in s.matches]
    assert all((f.variant, f.value) == (g.variant, g.value) for f, g in pairs)
    assert not any(s.misses or s.false_positives for s in scored.sources.values())


def test_a_value_in_another_unit_matches_within_half_a_percent(gold: list[GoldFact]) -> None:
    power = one(gold, VENUE, "power", "Kappa 1.0 l Turbo GDi")  # 88.3 kW
    assert values_agree(power, as_fact(power, numbers=(120.0,), unit="PS"))  # 88.26 kW
    assert values_agree(power, as_fact(power, numbers=(118.0,), unit="hp"))  # 87.99 kW
    assert not values_agree(power, as_fact(power, numbers=(83.0,), unit="PS"))
    assert not values_agree(power, as_fact(power, numbers=(88.3,), unit="Nm"))  # torque
    length = one(gold, VENUE, "length")  # 3 995 mm: in the same unit no tolerance
    assert not values_agree(length, as_fact(length, numbers=(3993.0,)))
    assert values_agree(length, as_fact(length, numbers=(3.995,), unit="m"))

    city = one(gold, CAMRY, "fuel_economy_city", "Gasoline Engine")  # ~28 MPG
    assert values_agree(city, as_fact(city, numbers=(8.4,), unit="L/100km"))
    assert not values_agree(city, as_fact(city, numbers=(9.0,), unit="L/100km"))

    price = one(gold, KICKS, "price")  # 11．98－13．78万元 → [119800, 137800] CNY
    assert values_agree(price, as_fact(price, numbers=(11.98, 13.78), unit="万元"))
    assert values_agree(price, as_fact(price, numbers=(119800.0, 137800.0), unit="CNY"))
    assert not values_agree(price, as_fact(price, numbers=(119800.0,), unit="CNY"))  # no range


def test_us_units_the_table_lacks_still_convert() -> None:
    inch, mm = unit_of("in"), unit_of("mm")
    assert inch is not None and mm is not None and inch.dimension == mm.dimension
    assert inch.factors[0] == pytest.approx(25.4 * mm.factors[0])
    assert unit_of("kUSD") is not None and unit_of("furlongs") is None


def test_a_unit_after_a_multiplier_word_scales_as_the_extractor_does(
    gold: list[GoldFact],
) -> None:
    """A gold price written "lakh INR [7.79]" is the extractor's "INR [779000]": the scorer
    reads the multiplier with the units module's table (lakh, crore, 万, 亿)."""
    lakh, inr, crore = unit_of("lakh INR"), unit_of("INR"), unit_of("crore INR")
    assert lakh is not None and inr is not None and crore is not None
    assert lakh.dimension == inr.dimension == crore.dimension
    assert lakh.factors[0] == pytest.approx(1e5 * inr.factors[0])
    assert crore.factors[0] == pytest.approx(1e7 * inr.factors[0])
    price = replace(one(gold, KICKS, "price"), numbers=(7.79,), unit="lakh INR")
    assert values_agree(price, as_fact(price, numbers=(779000.0,), unit="INR"))
    assert not values_agree(price, as_fact(price, numbers=(77900.0,), unit="INR"))
    usd, millions = unit_of("USD"), unit_of("million USD")
    assert usd is not None and millions is not None
    assert millions.factors[0] == pytest.approx(1e6 * usd.factors[0])


def test_text_values_fold_case_space_and_containment(gold: list[GoldFact]) -> None:
    manual = one(gold, VENUE, "transmission", "Kappa 1.2 l MPi")  # "5 - speed manual"
    assert values_agree(manual, as_fact(manual, value="5-Speed Manual", numbers=()))
    assert not values_agree(manual, as_fact(manual, value="6-speed manual"))
    cvt = one(gold, KICKS, "transmission")  # "CVT"
    assert values_agree(cvt, as_fact(cvt, value="CVT变速箱"))
    assert not values_agree(cvt, as_fact(cvt, value="DCT"))


def test_variants_match_on_shared_tokens_and_the_null_rule() -> None:
    assert variant_score("Kappa 1.0 l Turbo GDi", "1.0 Turbo GDi petrol", sole=False)
    assert variant_score("Kappa 1.0 l Turbo GDi", "U2 1.5 l CRDi VGT", sole=False) is None
    assert variant_score("潮智版", "潮智", sole=False)
    assert variant_score("SE AWD", None, sole=True) is None  # a named gold variant needs one
    assert variant_score(None, "all trims", sole=True)  # the only line: any variant will do
    assert variant_score(None, "all trims", sole=False) is None
    assert variant_score(None, None, sole=False) == 1.0
    assert variant_score(None, "1993", sole=False) == 1.0  # the document's year, not a variant
    assert variant_score("basic version", "1993", sole=False) is None
    # EPA rows: the words configuration vs the table row, and not the other row
    assert variant_score("2.5-liter 4-cylinder", "2018 · 2.5 L · SemiAuto-8", sole=False)
    assert variant_score("3.5-liter 6-cylinder", "2018 · 2.5 L · SemiAuto-8", sole=False) is None


def test_each_prediction_takes_its_own_variant_line(gold: list[GoldFact]) -> None:
    """Two engines share 6 000 r/min: each prediction lands on its own engine's line."""
    venue = lines(gold, VENUE)
    k12 = one(gold, VENUE, "power_rpm", "Kappa 1.2 l MPi")
    k10 = one(gold, VENUE, "power_rpm", "Kappa 1.0 l Turbo GDi")
    result = score_source(venue, [as_fact(k12), as_fact(k10)])
    assert result.tally.right == 2 and result.tally.found == 2
    assert {g.variant for _, g in result.matches} == {k12.variant, k10.variant}


def test_wrong_facts_missed_facts_scope_and_duplicates(gold: list[GoldFact]) -> None:
    venue = lines(gold, VENUE)
    length = one(gold, VENUE, "length")
    boot = one(gold, VENUE, "boot_volume")
    tank = one(gold, VENUE, "fuel_tank")
    predicted = [
        as_fact(length),
        as_fact(length, page=2, evidence="3 995"),  # the same fact quoted elsewhere: one fact
        as_fact(boot, variant="all variants"),  # the only boot line: any variant matches
        as_fact(tank, numbers=(50.0,), value="50"),  # wrong value
        as_fact(tank, car="hyundai-creta"),  # another car: out of scope
        as_fact(tank, attribute="co2"),  # an attribute the gold has not for this source
    ]
    result = score_source(venue, predicted)
    assert result.out_of_scope == 2
    assert (result.tally.predicted, result.tally.right) == (3, 2)
    assert [f.value for f in result.false_positives] == ["50"]
    assert result.tally.found == 2 and len(result.misses) == len(venue) - 2
    assert tank in result.misses and length not in result.misses


def test_the_report_has_every_group_the_totals_and_the_mistakes(gold: list[GoldFact]) -> None:
    predicted = {
        VENUE: [
            as_fact(one(gold, VENUE, "length")),
            as_fact(one(gold, VENUE, "width"), value="1 799", numbers=(1799.0,)),
        ],  # fmt: skip
        KICKS: [as_fact(one(gold, KICKS, "wheelbase"))],
    }
    scored = score(gold, predicted)
    timing = Timing(files=10, parse_chunk=2.0, extract=0.1, slowest=[(0.05, "a.pdf")])
    timing.parse_chunk_cpu, timing.extract_cpu = 1.0, 0.08
    text = render(scored, timing, "python -m bench.facts")
    assert text.startswith("## Spec facts\n")
    for group in ("| pdf |", "| md |", "| txt |", "| csv |", "| en |", "| zh |", "| **total** |"):
        assert group in text
    total = scored.totals()
    assert f"| **total** | {len(gold)} | 3 | 2 | 0.667 | {2 / len(gold):.3f} |" in text
    assert "| extraction overhead on parse + chunk: CPU (wall) | 8.0% (5.0%) |" in text
    assert "False positives: 1 facts" in text and "'1 799'" in text
    assert f"Misses: {len(gold) - 2} gold facts" in text
    assert total.found == 2


def test_a_blind_split_lists_no_mistakes_of_its_sources(gold: list[GoldFact]) -> None:
    """Fresh sources are scored, never read for their misses, even in an `--split all` report."""
    # Any source but the Venue's stands in for a fresh one: between rounds the README may
    # list no fresh source at all, and what is checked here is the rendering.
    source = sorted({g.source for g in gold} - {VENUE})[0]
    fresh = frozenset({source})
    predicted = {VENUE: [as_fact(one(gold, VENUE, "length"))], source: []}
    scored = score([g for g in gold if g.source in (VENUE, source)], predicted)
    text = render(scored, None, "python -m bench.facts", blind=fresh)
    assert "(fresh sources: mistakes not listed)" in text
    assert f"`{VENUE}` hyundai-venue / width" in text  # a tune miss is listed
    assert f"`{source}`" in text.split("<details>")[0]  # the fresh source's figures are shown
    assert f"`{source}` " not in text.split("<details>", 1)[1]  # but none of its misses
