"""Checks of embedded Chroma's HNSW segment files, before Chroma loads them.

hnswlib trusts its files: a neighbour id past the end of the index, or a header that
promises more elements than the file holds, is read as memory and segfaults the process
(`specrag serve`, `status` and `query` alike). These checks read the files as hnswlib's
persistent format lays them out (chroma-core/hnswlib `persistHeader`, `persistDirty`):

    header.bin       100 bytes: version, offsets, element counts, M, levels, entry point
    data_level0.bin  per element: level-0 neighbour count and ids, the vector, the label
    length.bin       per element: a float
    link_lists.bin   per element: the byte size of its upper-level lists, then the lists
    index_metadata.pickle   Chroma's id ↔ label maps (its frame is checked, never unpickled)

and refuse what hnswlib would misread: a wrong size or version, counts that do not fit,
neighbour ids outside the index. On the shared corpus (3,856 elements, 7 MB) a check costs
about 15 ms.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# version, offsetLevel0, max_elements, cur_element_count, size_data_per_element,
# label_offset, offsetData, maxlevel, enterpoint_node, maxM, maxM0, M, mult, ef_construction
HEADER = struct.Struct("<iQQQQQQiIQQQdQ")
PERSISTENCE_VERSION = 1
HNSW_FILES = ("header.bin", "data_level0.bin", "length.bin", "link_lists.bin")
PICKLE = "index_metadata.pickle"
LABEL_BYTES = 8
MAX_LEVEL = 64


@dataclass(frozen=True, slots=True)
class SegmentProblem:
    """One damaged file of one HNSW segment, and why."""

    segment: Path
    file: str
    problem: str

    def __str__(self) -> str:
        return f"{self.segment / self.file}: {self.problem}"


def check_vector_segments(chroma_dir: Path) -> list[SegmentProblem]:
    """Every problem in the HNSW segments under an embedded Chroma's folder (none: sound)."""
    if not chroma_dir.is_dir():
        return []
    problems: list[SegmentProblem] = []
    for segment in sorted(p for p in chroma_dir.iterdir() if p.is_dir()):
        present = [name for name in HNSW_FILES if (segment / name).is_file()]
        if present:
            problems.extend(_check_segment(segment))
    return problems


def repair_hint(chroma_dir: Path) -> str:
    """What to do about a damaged segment."""
    return (
        f"Chroma would crash loading it: move {chroma_dir} aside and run `specrag ingest` on "
        "the sources (and the data dir's uploads/) again, which re-embeds what Chroma lacks, "
        "or restore the data dir from a backup"
    )


def _check_segment(segment: Path) -> list[SegmentProblem]:
    def problem(file: str, why: str) -> list[SegmentProblem]:
        return [SegmentProblem(segment, file, why)]

    missing = [name for name in HNSW_FILES if not (segment / name).is_file()]
    if missing:
        return problem(missing[0], "missing")
    pickled = segment / PICKLE
    if pickled.is_file() and not _framed_pickle(pickled):
        return problem(PICKLE, "not a whole pickle (no protocol header or no STOP at the end)")
    raw = (segment / "header.bin").read_bytes()
    if len(raw) != HEADER.size:
        return problem("header.bin", f"{len(raw)} bytes, not {HEADER.size}")
    (
        version,
        offset_level0,
        max_elements,
        count,
        per_element,
        label_offset,
        offset_data,
        max_level,
        entry_point,
        max_m,
        max_m0,
        _m,
        _mult,
        _ef,
    ) = HEADER.unpack(raw)
    links0 = max_m0 * 4 + 4
    if version != PERSISTENCE_VERSION or offset_level0 != 0:
        return problem("header.bin", f"unknown format (version {version})")
    if not (0 < max_m <= max_m0 < 1 << 16) or offset_data != links0:
        return problem("header.bin", f"impossible neighbour counts (M {max_m}, M0 {max_m0})")
    if label_offset <= offset_data or per_element != label_offset + LABEL_BYTES:
        return problem("header.bin", "element layout does not add up")
    if count > max_elements or count >= 1 << 32:
        return problem("header.bin", f"{count} elements in an index of {max_elements}")
    if count and not (0 <= max_level < MAX_LEVEL and entry_point < count):
        return problem("header.bin", f"entry point {entry_point} of {count} elements")
    if (segment / "length.bin").stat().st_size < count * 4:
        return problem("length.bin", f"shorter than {count} elements")
    return _check_level0(segment, count, per_element, max_m0) or _check_upper(
        segment, count, max_m, max_level
    )


def _framed_pickle(path: Path) -> bool:
    """A pickle starts with PROTO and a protocol number and ends with STOP: garbage or a
    truncated file does not (reading every opcode cost 100 ms on the corpus's 232 KB)."""
    with open(path, "rb") as handle:
        head = handle.read(2)
        handle.seek(0, 2)
        if handle.tell() < 3:
            return False
        handle.seek(-1, 2)
        tail = handle.read(1)
    return head[:1] == b"\x80" and 2 <= head[1] <= 5 and tail == b"."


def _check_level0(segment: Path, count: int, per_element: int, max_m0: int) -> list[SegmentProblem]:
    path = segment / "data_level0.bin"
    if path.stat().st_size < count * per_element:
        return [SegmentProblem(segment, path.name, f"shorter than {count} elements")]
    if not count:
        return []
    rows = np.fromfile(path, dtype=np.uint8, count=count * per_element).reshape(count, -1)
    sizes = rows[:, :2].copy().view(np.uint16).ravel()
    ids = rows[:, 4 : 4 + max_m0 * 4].copy().view(np.uint32)
    if (sizes > max_m0).any():
        bad = int(np.flatnonzero(sizes > max_m0)[0])
        return [SegmentProblem(segment, path.name, f"element {bad} has {sizes[bad]} neighbours")]
    used = np.arange(max_m0)[None, :] < sizes[:, None]
    if (ids[used] >= count).any():
        return [SegmentProblem(segment, path.name, "neighbour ids point outside the index")]
    return []


def _check_upper(segment: Path, count: int, max_m: int, max_level: int) -> list[SegmentProblem]:
    path = segment / "link_lists.bin"
    data = path.read_bytes()
    per_level = max_m * 4 + 4
    position = 0
    for element in range(count):
        if position + 4 > len(data):
            return [SegmentProblem(segment, path.name, f"ends before element {element}")]
        (size,) = struct.unpack_from("<I", data, position)
        position += 4
        if not size:
            continue
        if size % per_level or size // per_level > max_level or position + size > len(data):
            return [SegmentProblem(segment, path.name, f"element {element}: bad list size")]
        block = np.frombuffer(data, dtype=np.uint32, count=size // 4, offset=position)
        levels = block.reshape(-1, max_m + 1)
        sizes = levels[:, 0] & 0xFFFF
        used = np.arange(max_m)[None, :] < sizes[:, None]
        if (sizes > max_m).any() or (levels[:, 1:][used] >= count).any():
            return [SegmentProblem(segment, path.name, f"element {element}: bad neighbours")]
        position += size
    return []
