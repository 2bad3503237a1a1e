"""Check the hand-made gold spec sheet (tests/specs/gold.jsonl) against the corpus.

    python tests/specs/check_gold.py [--corpus ../shared/corpus] [--gold tests/specs/gold.jsonl]

Every line must be well formed (the fields and types of tests/specs/README.md), name an
attribute of data/specs/attributes.toml, carry the numbers its value holds, and quote
evidence that occurs, whitespace normalised, in one section of its source as
`ingest.parse.parse_file` reads it (on the stated page, for PDFs). Exit status 1 and one line
per problem when anything is wrong.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ingest.document import ParsedDocument

REPO = Path(__file__).resolve().parents[2]
GOLD = REPO / "tests" / "specs" / "gold.jsonl"
CORPUS = REPO.parent / "shared" / "corpus"
ATTRIBUTES = REPO / "data" / "specs" / "attributes.toml"

FIELDS = {
    "source": str,
    "file_type": str,
    "lang": str,
    "car": str,
    "attribute": str,
    "variant": (str, type(None)),
    "value": str,
    "numbers": list,
    "unit": (str, type(None)),
    "page": (int, type(None)),
    "evidence": str,
}
FILE_TYPES = {".pdf": "pdf", ".md": "md", ".txt": "txt", ".csv": "csv"}
CAR_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# A number as documents write it: "1 497" and "3,995" (thousands), "88.3"; then an optional
# Chinese multiplier ("6.98万"). NFKC has already made full-width digits and "．" ASCII.
_NUMBER = re.compile(r"(?<![\d.])(\d{1,3}(?:[ ,]\d{3})+|\d+)(\.\d+)?(?!\d)\s*([万亿])?")
_MULTIPLIERS = {"万": 1e4, "亿": 1e8}
_ZH_DIGITS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8}
_EN_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
_EN_WORD = re.compile(r"\b(" + "|".join(_EN_WORDS) + r")\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class GoldFact:
    """One line of the gold file."""

    source: str
    file_type: str
    lang: str
    car: str
    attribute: str
    variant: str | None
    value: str
    numbers: tuple[float, ...]
    unit: str | None
    page: int | None
    evidence: str


def load_gold(path: Path = GOLD) -> list[GoldFact]:
    """The gold file's lines; raises ValueError naming the line for a malformed one."""
    facts = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path.name}:{number}: not JSON: {e}") from e
        problems = [
            f"field '{key}' must be {kind}"
            for key, kind in FIELDS.items()
            if not isinstance(row.get(key, ...), kind)  # type: ignore[arg-type]
        ]
        problems += [f"unknown field '{key}'" for key in row if key not in FIELDS]
        if problems:
            raise ValueError(f"{path.name}:{number}: " + "; ".join(problems))
        row["numbers"] = tuple(float(n) for n in row["numbers"])
        facts.append(GoldFact(**row))
    return facts


def parse_numbers(value: str) -> list[float]:
    """The numbers written in `value`, in order: "1 500-4 000 r/min" → [1500, 4000],
    "28．1－36万" → [281000, 360000] (a range's trailing 万 applies to its low end too),
    "三缸" → [3], "four-cylinder" → [4] (number words only when no digit is written)."""
    text = unicodedata.normalize("NFKC", value)
    found: list[tuple[float, str | None]] = []
    for match in _NUMBER.finditer(text):
        digits = re.sub(r"[ ,]", "", match.group(1)) + (match.group(2) or "")
        found.append((float(digits), match.group(3)))
    if not found:
        if word := _EN_WORD.search(text):
            return [float(_EN_WORDS[word.group(1).lower()])]
        return [float(_ZH_DIGITS[c]) for c in text if c in _ZH_DIGITS][:1]
    trailing = found[-1][1]
    numbers = []
    for number, multiplier in found:
        scale = multiplier or trailing
        numbers.append(number * _MULTIPLIERS[scale] if scale else number)
    return numbers


def vocabulary(path: Path = ATTRIBUTES) -> dict[str, dict[str, str]]:
    """data/specs/attributes.toml: attribute key → its table (label, label_zh, dimension)."""
    with path.open("rb") as f:
        return tomllib.load(f)


def squash(text: str) -> str:
    return " ".join(text.split())


def problems(
    facts: Iterable[GoldFact],
    corpus: Path,
    parse: Callable[[Path], ParsedDocument] | None = None,
) -> list[str]:
    """Every problem found, one line each (an empty list when the gold file is sound);
    `parse` reads a source (default `ingest.parse.parse_file`)."""
    if parse is None:
        from ingest.parse import parse_file

        parse = parse_file
    attributes = vocabulary()
    sections: dict[str, list[tuple[int | None, str]]] = {}
    found = []
    for fact in facts:
        where = f"{fact.source} {fact.car}/{fact.attribute}={fact.value!r}"
        found += [f"{where}: {p}" for p in _line_problems(fact, attributes)]
        if fact.source not in sections:
            path = corpus / fact.source
            if not path.is_file():
                found.append(f"{where}: source file not found in {corpus}")
                sections[fact.source] = []
                continue
            doc = parse(path)
            sections[fact.source] = [(s.page, squash(s.text)) for s in doc.sections]
        evidence = squash(fact.evidence)
        pages = [page for page, text in sections[fact.source] if evidence in text]
        if not pages and sections[fact.source]:
            found.append(f"{where}: evidence {fact.evidence!r} not in the parsed text")
        elif fact.page is not None and fact.page not in pages:
            found.append(f"{where}: evidence is on page(s) {pages}, not page {fact.page}")
    return found


def _line_problems(fact: GoldFact, attributes: dict[str, dict[str, str]]) -> list[str]:
    found = []
    if fact.attribute not in attributes:
        found.append(f"attribute '{fact.attribute}' is not a key of attributes.toml")
    if FILE_TYPES.get(Path(fact.source).suffix.lower()) != fact.file_type:
        found.append(f"file_type '{fact.file_type}' does not match the source's extension")
    if fact.lang not in ("en", "zh"):
        found.append(f"lang '{fact.lang}' is neither en nor zh")
    if not CAR_ID.fullmatch(fact.car):
        found.append(f"car '{fact.car}' is not a slug (lowercase ASCII words joined by '-')")
    if not fact.evidence.strip():
        found.append("empty evidence")
    parsed = parse_numbers(fact.value)
    textual = attributes.get(fact.attribute, {}).get("dimension") in ("text", None)
    if not fact.numbers and not textual:
        found.append("a measured attribute with no numbers")
    elif any(
        abs(gold - read) > 1e-6 * max(1.0, abs(gold))
        for gold, read in zip(fact.numbers, parsed, strict=False)
    ) or len(fact.numbers) > len(parsed):
        found.append(f"numbers {list(fact.numbers)} are not the value's leading numbers {parsed}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--gold", type=Path, default=GOLD)
    args = parser.parse_args()
    facts = load_gold(args.gold)
    found = problems(facts, args.corpus)
    for line in found:
        sys.stdout.write(line + "\n")
    sources = {f.source for f in facts}
    cars = {f.car for f in facts}
    sys.stdout.write(
        f"{len(facts)} gold facts, {len(cars)} cars, {len(sources)} sources: "
        + (f"{len(found)} problem(s)\n" if found else "all sound\n")
    )
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    main()
