"""The cars a query names when a model's name stands apart from its make (QueryCars.find):
the make named elsewhere, a name written as a proper name beside another car, a plural."""

from __future__ import annotations

import pytest

from api.settings import shipped_data
from ingest.specs.cars import load_cars
from retrieval.entities import KnownCar, QueryCars

CARS_TOML = shipped_data() / "specs" / "cars.toml"

# Invented makes and models; plain words, so each needs its make in front to name its car.
KNOWN = [
    KnownCar("norvik-fjord", ("Norvik Fjord",)),
    KnownCar("norvik-glacier", ("Norvik Glacier",)),
    KnownCar("calder-moth", ("Calder Moth",)),
    KnownCar("calder-heron", ("Calder Heron",)),
]


@pytest.fixture(scope="module")
def cars() -> QueryCars:
    return QueryCars.build(load_cars([CARS_TOML]), KNOWN)


def _cars(cars: QueryCars, query: str, **options: bool) -> list[str]:
    return [m.car for m in cars.find(query, **options)]


def test_a_model_of_a_make_the_query_names_elsewhere_is_that_makes(cars: QueryCars) -> None:
    query = "Among the Norvik trucks, does the Fjord or the Glacier tow more?"
    assert _cars(cars, query) == ["norvik-fjord", "norvik-glacier"]
    mentions = cars.find(query)
    assert [query[m.start : m.end] for m in mentions] == ["Fjord", "Glacier"]
    # the make adjacent, as before
    assert _cars(cars, "the Norvik Fjord's towing capacity") == ["norvik-fjord"]


def test_a_proper_name_beside_another_car_names_its_car(cars: QueryCars) -> None:
    query = "Which tows more, the Calder Moth or the Fjord XL?"
    assert _cars(cars, query) == ["calder-moth", "norvik-fjord"]
    assert _cars(cars, "Does the Fjord or the Heron have the longer wheelbase?") == [
        "norvik-fjord",
        "calder-heron",
    ]


def test_a_proper_name_alone_names_its_car_only_when_asked(cars: QueryCars) -> None:
    query = "What does the Fjord weigh?"
    assert _cars(cars, query) == []
    assert _cars(cars, query, proper_alone=True) == ["norvik-fjord"]


def test_a_plain_word_is_no_proper_name_in_lowercase_at_a_sentence_start_or_in_a_title(
    cars: QueryCars,
) -> None:
    assert _cars(cars, "Does the Calder Moth fit through a fjord?") == ["calder-moth"]
    assert _cars(cars, "Fjord or not, is the Calder Moth longer?") == ["calder-moth"]
    assert _cars(cars, "Which Tows More, The Calder Moth Or The Fjord?") == ["calder-moth"]


def test_latin_names_in_a_chinese_query_are_proper_names(cars: QueryCars) -> None:
    assert _cars(cars, "Calder Moth和Fjord的轴距分别是多少？") == ["calder-moth", "norvik-fjord"]


def test_a_plural_names_its_car(cars: QueryCars) -> None:
    assert _cars(cars, "How many older Calder Moths are still on the road?") == ["calder-moth"]
    assert _cars(cars, "Are Norvik Fjords or Calder Herons cheaper?") == [
        "norvik-fjord",
        "calder-heron",
    ]


def test_a_trim_after_a_car_or_a_code_in_capitals_is_no_other_car() -> None:
    known = [*KNOWN, KnownCar("calder-gt", ("Calder GT",))]
    cars = QueryCars.build(load_cars([CARS_TOML]), known)
    # "GT" after the Moth is its trim, though Calder makes a GT and is named
    assert _cars(cars, "Is the Calder Moth GT quicker than the Fjord?") == [
        "calder-moth",
        "norvik-fjord",
    ]
    # letters in capitals are a trim's, not a proper name
    assert _cars(cars, "Is the Norvik Fjord quicker than a GT with the big engine?") == [
        "norvik-fjord"
    ]


def test_a_number_apart_from_its_make_is_a_number() -> None:
    known = [*KNOWN, KnownCar("calder-100", ("Calder 100",))]
    cars = QueryCars.build(load_cars([CARS_TOML]), known)
    assert _cars(cars, "Which Calder makes more than 100 kW, the Moth or the Heron?") == [
        "calder-moth",
        "calder-heron",
    ]
    assert _cars(cars, "Is the Calder 100 longer than the Fjord?") == ["calder-100", "norvik-fjord"]
