"""The units specrag understands: surface forms in English and Chinese, and conversions.

Shared by ingest (spec facts, `ingest.specs`) and generation (grounding), so it lives here,
below both.

Each unit belongs to a dimension and converts to the dimension's canonical unit (kW, Nm, mm,
km, L, L/100km, …); figures of one dimension are compared in the canonical unit. The surface
forms are regular expressions, tried in order, so longer forms come first ("km/h" before "km",
"千瓦时" before "千瓦").
"""

from __future__ import annotations

from dataclasses import dataclass

# A US gallon is 3.785411784 L and a mile 1.609344 km: L/100km = 235.215 / mpg (US) or
# 282.481 / mpg (imperial). Brochures rarely say which; either reading is accepted.
_MPG_US = 235.2145833
_MPG_UK = 282.4809363


@dataclass(frozen=True)
class Unit:
    """One unit: its dimension, its display symbol, and how it converts to the canonical one."""

    dimension: str
    symbol: str
    factors: tuple[float, ...] = (1.0,)  # canonical = value * factor
    inverse: bool = False  # canonical = factor / value (mpg, km/L → L/100km)

    def convert(self, value: float, factor: float) -> float:
        return factor / value if self.inverse else value * factor


KW = Unit("power", "kW")
PS = Unit("power", "PS", (0.73549875,))
HP = Unit("power", "hp", (0.74569987,))
NM = Unit("torque", "Nm")
LBFT = Unit("torque", "lb-ft", (1.35581795,))
KGM = Unit("torque", "kgm", (9.80665,))  # kilogram-force metre, in Indian and Japanese sheets
MM = Unit("length", "mm")
CM = Unit("length", "cm", (10.0,))
METRE = Unit("length", "m", (1000.0,))
INCH = Unit("inch", "in")
KM = Unit("distance", "km")
MILE = Unit("distance", "mi", (1.609344,))
LITRE = Unit("volume", "L")
CC = Unit("volume", "cc", (0.001,))
L100 = Unit("fuel_consumption", "L/100km")
KMPL = Unit("fuel_consumption", "km/L", (100.0,), inverse=True)
MPG = Unit("fuel_consumption", "mpg", (_MPG_US, _MPG_UK), inverse=True)
KWH100 = Unit("electric_consumption", "kWh/100km")
KWH = Unit("energy", "kWh")
KMH = Unit("speed", "km/h")
MPH = Unit("speed", "mph", (1.609344,))
SECOND = Unit("time", "s")
MINUTE = Unit("time", "min", (60.0,))
HOUR = Unit("time", "h", (3600.0,))
KG = Unit("mass", "kg")
RPM = Unit("rpm", "rpm")
GKM = Unit("emissions", "g/km")
CNY = Unit("price_cny", "CNY")
USD = Unit("price_usd", "USD")
EUR = Unit("price_eur", "EUR")
GBP = Unit("price_gbp", "GBP")
AUD = Unit("price_aud", "AUD")
INR = Unit("price_inr", "INR")
# Grown for spec sheets (Cars93, the EPA guide, US articles): imperial units and MPGe.
FOOT = Unit("length", "ft", (304.8,))
POUND = Unit("mass", "lb", (0.45359237,))
TONNE = Unit("mass", "t", (1000.0,))
GALLON = Unit("volume", "gal", (3.785411784,))  # US gallons: the US sources say so
CUFT = Unit("volume", "cu ft", (28.316846592,))
# MPGe: 33.7 kWh per gallon equivalent, so kWh/100km = 3370 / (1.609344 * MPGe)
MPGE = Unit("electric_consumption", "MPGe", (2094.0279,), inverse=True)
GMILE = Unit("emissions", "g/mi", (0.621371192,))
KWH100MI = Unit("electric_consumption", "kWh/100mi", (0.621371192,))
# CNG cars' economy: distance per kilogram of gas, which no litre figure converts to
KMKG = Unit("gas_economy", "km/kg")

# The canonical unit of each dimension (facts are compared and normalised in it).
CANONICAL: dict[str, str] = {
    "power": "kW",
    "torque": "Nm",
    "length": "mm",
    "inch": "in",
    "distance": "km",
    "volume": "L",
    "fuel_consumption": "L/100km",
    "electric_consumption": "kWh/100km",
    "energy": "kWh",
    "speed": "km/h",
    "time": "s",
    "mass": "kg",
    "rpm": "rpm",
    "emissions": "g/km",
    "price_cny": "CNY",
    "price_usd": "USD",
    "price_eur": "EUR",
    "price_gbp": "GBP",
    "price_aud": "AUD",
    "price_inr": "INR",
    "gas_economy": "km/kg",
}
# Units read in another dimension when an attribute asks for it: a car's length in inches is
# a length (screens are what grounding's "inch" dimension is for), a range in miles a distance.
_CROSS: dict[tuple[str, str], float] = {
    ("inch", "length"): 25.4,
    ("distance", "length"): 1e6,
    ("length", "distance"): 1e-6,
}


def dimension_of(unit: Unit, wanted: str) -> str | None:
    """The dimension `unit` is read in for an attribute of dimension `wanted`, else None."""
    if unit.dimension == wanted:
        return wanted
    if (unit.dimension, wanted) in _CROSS:
        return wanted
    if wanted == "price" and unit.dimension.startswith("price"):
        return unit.dimension
    if wanted == "fuel_consumption" and unit.dimension == "gas_economy":
        return unit.dimension  # a CNG variant's economy: its own canonical unit
    return None


def to_canonical(value: float, unit: Unit, wanted: str) -> tuple[float, str] | None:
    """`value` in `unit` converted to the canonical unit of dimension `wanted` (first reading)."""
    dimension = dimension_of(unit, wanted)
    if dimension is None or (unit.inverse and value == 0):
        return None
    converted = unit.convert(value, unit.factors[0])
    converted *= _CROSS.get((unit.dimension, wanted), 1.0)
    return converted, CANONICAL.get(dimension, unit.symbol)


# Surface forms after a number, longest first within each family so that "km/h" wins over
# "km" and "千瓦时" over "千瓦". ASCII forms must not run into a following letter.
SUFFIXES: list[tuple[str, Unit]] = [
    # consumption first: they start like volumes and distances
    (r"l\s*/\s*100\s*km", L100),
    (r"升\s*/\s*百公里", L100),
    (r"kwh\s*/\s*100\s*km", KWH100),
    (r"千瓦时\s*/\s*百公里", KWH100),
    (r"km\s*/\s*l(?:itre|iter)?", KMPL),
    (r"kmpl", KMPL),
    (r"kilomet(?:re|er)s?\s+(?:per|a|/)\s+lit(?:re|er)", KMPL),
    (r"公里\s*/\s*升", KMPL),
    (r"km\s*/\s*kg", KMKG),
    (r"kilomet(?:re|er)s?\s+(?:per|a|/)\s+kilo(?:gram(?:me)?)?s?", KMKG),
    (r"公里\s*/\s*(?:公斤|千克)", KMKG),
    (r"mpge", MPGE),
    (r"mpg", MPG),
    # "英里/加仑当量": MPGe as the Chinese phrasebook writes it (an electric car's 94 MPGe)
    (r"英里\s*/\s*加仑\s*当量", MPGE),
    (r"英里\s*/\s*加仑", MPG),
    (r"miles\s+per\s+(?:us\s+|imperial\s+)?gallon", MPG),
    (r"km\s*/\s*h", KMH),
    (r"kph", KMH),
    (r"公里\s*/\s*(?:小时|时)", KMH),
    (r"千米\s*/\s*(?:小时|时)", KMH),
    (r"mph", MPH),
    (r"g\s*/\s*km", GKM),
    (r"g\s*/\s*mi(?:le)?", GMILE),
    (r"grams?\s+per\s+mile", GMILE),
    (r"kwh\s*/\s*100\s*mi(?:les?)?", KWH100MI),
    (r"克\s*/\s*公里", GKM),
    (r"r\s*/\s*min", RPM),
    (r"rpm", RPM),
    (r"转\s*/\s*分(?:钟)?", RPM),
    (r"转", RPM),
    (r"kwh", KWH),
    (r"千瓦时", KWH),
    # "60度电", "容量为75度。": a 度 (kWh) of charge; never an angle ("360度全景")
    (r"度电|度(?=\s*(?:[，。；,;)）]|$))", KWH),
    (r"kw", KW),
    (r"千瓦", KW),
    (r"ps", PS),
    (r"英制马力", HP),  # before 马力: how Chinese text names US horsepower exactly
    (r"马力", PS),  # the Chinese 马力 is the metric horsepower
    (r"匹", PS),
    (r"cv", PS),
    (r"bhp", HP),
    (r"hp", HP),
    (r"horsepower", HP),
    (r"n\s*[·.\-⋅•?]?\s*m", NM),  # "143N?m": a 牛·米 that lost its dot to mojibake
    (r"newton[\s-]*met(?:re|er)s?", NM),
    (r"牛(?:顿)?\s*[·.⋅•]?\s*米", NM),
    (r"lb[\s.-]*ft", LBFT),
    (r"磅\s*[·.]?\s*英尺", LBFT),
    (r"lbs?[\s.-]*-?\s*ft", LBFT),
    (r"pound[\s-]*(?:feet|foot)", LBFT),
    (r"cu(?:bic)?\.?\s*f(?:ee|oo)?t", CUFT),
    (r"立方英尺", CUFT),
    (r"ft3", CUFT),
    (r"(?:us\s+)?gal(?:lons?)?", GALLON),
    (r"(?:美制)?加仑", GALLON),
    (r"pounds?", POUND),
    (r"磅", POUND),
    (r"lbs?", POUND),
    (r"f(?:ee|oo)t", FOOT),
    (r"ft", FOOT),
    (r"英尺", FOOT),
    (r"tonnes?", TONNE),
    (r"吨", TONNE),
    (r"mm", MM),
    (r"毫米", MM),
    (r"cm3", CC),  # NFKC turns cm³ into cm3
    (r"cm", CM),
    (r"厘米", CM),
    (r"km", KM),
    (r"kilomet(?:re|er)s?", KM),
    (r"公里", KM),
    (r"千米", KM),
    (r"miles?", MILE),
    (r"英里", MILE),
    (r"met(?:re|er)s?", METRE),
    (r"m(?![²³\w])", METRE),
    (r"米", METRE),
    (r"cc", CC),
    (r"ml", CC),
    (r"毫升", CC),
    (r"lit(?:re|er)s?", LITRE),
    (r"l", LITRE),
    (r"升", LITRE),
    (r"t(?=[\s,;.)）/，、]|$|[\u4e00-\u9fff])", LITRE),  # "1.5T": a 1.5-litre turbo
    (r"inch(?:es)?", INCH),
    # "in" is a word too: an inch only where a cell, line or clause ends after it or a second
    # unit follows in brackets ("185.8 in (4,720 mm)", "| 75.6 in |", "Length: 195.7 in.")
    (r"in(?=\.?[ \t]*(?:[(|,;/)\n]|$))", INCH),
    (r"英寸", INCH),
    (r'["”″]', INCH),
    (r"seconds?", SECOND),
    (r"secs?", SECOND),
    (r"s", SECOND),
    (r"秒", SECOND),
    (r"minutes?", MINUTE),
    (r"mins?", MINUTE),
    (r"分钟", MINUTE),
    (r"hours?", HOUR),
    (r"hrs?", HOUR),
    (r"h", HOUR),
    (r"小时", HOUR),
    (r"kgf?\s*[·.\-]?\s*m", KGM),
    (r"kgs?", KG),
    (r"kilograms?", KG),
    (r"公斤", KG),
    (r"千克", KG),
    (r"澳元|澳币", AUD),  # a Chinese story's foreign prices: "47,990澳元" is no yuan
    (r"美元|美金", USD),
    (r"欧元", EUR),
    (r"英镑", GBP),
    (r"元(?:人民币)?", CNY),
    (r"人民币", CNY),
    (r"rmb", CNY),
    (r"cny", CNY),
    (r"yuan", CNY),
    (r"usd", USD),
    (r"dollars?", USD),
    (r"eur(?:os?)?", EUR),
    (r"€", EUR),
    (r"gbp", GBP),
    (r"£", GBP),
    (r"aud", AUD),
    (r"inr", INR),
    (r"rupees?", INR),
]

PREFIXES: list[tuple[str, Unit]] = [
    (r"us\$", USD),
    (r"usd", USD),
    (r"au?\$", AUD),
    (r"aud", AUD),
    (r"\$", USD),
    (r"eur", EUR),
    (r"€", EUR),
    (r"gbp", GBP),
    (r"£", GBP),
    (r"rs\.?", INR),
    (r"inr", INR),
    (r"₹", INR),
    (r"rmb", CNY),
    (r"cny", CNY),
    (r"¥", CNY),
]

MULTIPLIERS = {
    "万": 1e4,
    "亿": 1e8,
    "lakh": 1e5,
    "lakhs": 1e5,
    "crore": 1e7,
    "crores": 1e7,
    "million": 1e6,
    "mn": 1e6,
}

# Each unit by its display symbol (a stored fact names its unit by symbol).
UNITS_BY_SYMBOL: dict[str, Unit] = {unit.symbol: unit for _, unit in SUFFIXES + PREFIXES}
