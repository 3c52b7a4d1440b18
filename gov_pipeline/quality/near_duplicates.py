"""Near-duplicate reports: the same report saved in two formats (an HTML page and its text copy) or
reposted, which would otherwise be scored, summarised and ranked twice.

Each report is reduced to a sketch of its cleaned text: the hashes of its normalised sentences (the
smallest SKETCH of them) and the triples of consecutive numbers it states. Candidates are found through a few
anchors per report - the smallest hashes of its sentences that state a number (specific to one report,
unlike boilerplate) - so the work is linear in the corpus: no pair of reports is compared unless they
share an anchor, and an anchor shared by more than MAX_BUCKET reports is ignored as boilerplate. A
candidate pair of the same report year is a duplicate when most sentences of the shorter one are in
the other (an HTML page keeps a few lines of its own) and the numbers agree - strictly so when the two
name different agencies (a repost);
one of each group is the primary (the report with the fewest blocking violations, then the most facts,
then the first path) and the others name it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

SKETCH = 128  # smallest sentence hashes kept per report (bottom-k sketch: most reports have fewer)
ANCHORS = 4  # sentence hashes per report used to find candidates
MAX_BUCKET = 50  # an anchor shared by more reports than this is boilerplate
# (sentence containment, number-triple Jaccard) at or above which two reports are one; measured on the
# sample's six HTML/text pairs (containment 0.68-0.92, numbers 0.54-1.0) against different reports of
# one year (containment at most 0.65 between two agencies)
SAME_AGENCY = (0.6, 0.5)
OTHER_AGENCY = (0.9, 0.8)

_SENTENCE = re.compile(r"[^。；;！？\n]+")
_NOISE = re.compile(r"[\s\W_]+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SPECIFIC = re.compile(r"\d{2,}")


@dataclass(frozen=True)
class Sketch:
    """What near-duplicate detection keeps of one report (bounded in size)."""

    doc_id: str
    source_path: str
    report_year: int | None
    agency_key: str | None
    fact_count: int
    blocking_count: int
    sentences: frozenset[int]  # the SKETCH smallest sentence hashes
    anchors: tuple[int, ...]  # the ANCHORS smallest hashes of sentences that state a number
    numbers: frozenset[int]  # hashes of consecutive-number triples


@dataclass(frozen=True)
class NearDuplicate:
    doc_id: str
    source_path: str
    primary_doc_id: str
    primary_path: str
    sentence_containment: float
    number_similarity: float


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def sketch(doc_id: str, source_path: str, report_year: int | None, agency_key: str | None, text: str,
           fact_count: int = 0, blocking_count: int = 0) -> Sketch:
    """A report's sketch from its cleaned text."""
    sentences: set[int] = set()
    specific: set[int] = set()
    for sentence in _SENTENCE.findall(text):
        normalised = _NOISE.sub("", sentence)
        if len(normalised) < 6:
            continue
        value = _hash(normalised)
        sentences.add(value)
        if _SPECIFIC.search(normalised):
            specific.add(value)
    numbers = _NUMBER.findall(text)
    triples = frozenset(_hash(" ".join(numbers[i:i + 3])) for i in range(max(0, len(numbers) - 2)))
    return Sketch(doc_id, source_path, report_year, agency_key, fact_count, blocking_count,
                  frozenset(sorted(sentences)[:SKETCH]), tuple(sorted(specific)[:ANCHORS]), triples)


def sentence_containment(a: Sketch, b: Sketch) -> float:
    """Share of the shorter report's sentences found in the other, estimated on the hashes below both
    sketches' largest (the part both bottom-k sketches hold whole)."""
    if not a.sentences or not b.sentences:
        return 0.0
    limit = min(max(a.sentences), max(b.sentences))
    first = {h for h in a.sentences if h <= limit}
    second = {h for h in b.sentences if h <= limit}
    return len(first & second) / min(len(first), len(second))


def number_similarity(a: Sketch, b: Sketch) -> float:
    if not a.numbers or not b.numbers:
        return 0.0
    return len(a.numbers & b.numbers) / len(a.numbers | b.numbers)


def _same_report(a: Sketch, b: Sketch) -> tuple[float, float] | None:
    """The two similarities when a and b are one report, else None."""
    if a.report_year is not None and b.report_year is not None and a.report_year != b.report_year:
        return None
    text, numbers = sentence_containment(a, b), number_similarity(a, b)
    text_min, numbers_min = OTHER_AGENCY if a.agency_key and b.agency_key and a.agency_key != b.agency_key \
        else SAME_AGENCY
    return (text, numbers) if text >= text_min and numbers >= numbers_min else None


def find_near_duplicates(sketches: Iterable[Sketch]) -> list[NearDuplicate]:
    """Every report that is a copy of another, naming its group's primary."""
    reports = {s.doc_id: s for s in sketches}
    buckets: dict[int, list[str]] = {}
    for report in reports.values():
        for anchor in report.anchors:
            buckets.setdefault(anchor, []).append(report.doc_id)
    parent = {doc_id: doc_id for doc_id in reports}

    def root(doc_id: str) -> str:
        while parent[doc_id] != doc_id:
            parent[doc_id] = parent[parent[doc_id]]
            doc_id = parent[doc_id]
        return doc_id

    similarity: dict[str, tuple[float, float]] = {}
    for members in buckets.values():
        if len(members) < 2 or len(members) > MAX_BUCKET:
            continue
        for i, first in enumerate(members):
            for second in members[i + 1:]:
                if root(first) == root(second):
                    continue
                found = _same_report(reports[first], reports[second])
                if found:
                    parent[root(second)] = root(first)
                    for doc_id in (first, second):
                        similarity[doc_id] = max(similarity.get(doc_id, (0.0, 0.0)), found)
    groups: dict[str, list[Sketch]] = {}
    for doc_id in similarity:
        groups.setdefault(root(doc_id), []).append(reports[doc_id])
    found_copies: list[NearDuplicate] = []
    for group in groups.values():
        primary = min(group, key=lambda s: (s.blocking_count, -s.fact_count, s.source_path))
        found_copies += [NearDuplicate(s.doc_id, s.source_path, primary.doc_id, primary.source_path,
                                       *_rounded(similarity[s.doc_id]))
                         for s in sorted(group, key=lambda s: s.source_path) if s is not primary]
    return sorted(found_copies, key=lambda d: d.source_path)


def _rounded(values: tuple[float, float]) -> tuple[float, float]:
    return round(values[0], 3), round(values[1], 3)
