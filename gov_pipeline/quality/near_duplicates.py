"""Near-duplicate reports: the same report saved in two formats (an HTML page and its text copy) or
reposted, which would otherwise be scored, summarised and ranked twice.

Each report is reduced, in the per-document pass, to a sketch of its cleaned text (`text_sketch`, the
report_sketches table): the hashes of its normalised sentences (the smallest SKETCH of them) and the
triples of consecutive numbers it states. Candidates are found through a few anchors per report - the
smallest hashes of its sentences that state a number (specific to one report, unlike boilerplate) - so
the work is linear in the corpus: no pair of reports is compared unless they share an anchor, and an
anchor shared by more than MAX_BUCKET reports is ignored as boilerplate. The pairs are compared in SQL
(warehouse/sql/near_duplicate_pairs.sql), so no sketch is held in memory. A candidate pair of the same
report year is a duplicate when most sentences of the shorter one are in the other (an HTML page keeps
a few lines of its own) and the numbers agree - strictly so when the two name different agencies (a
repost); the copies of one report are the connected groups of such pairs, and one of each group is the
primary (the report with the fewest blocking violations, then the most facts, then the first path),
which the others name, each with its highest similarity to a member of its group."""

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
class TextSketch:
    """What near-duplicate detection keeps of one report's text (bounded in size; a report_sketches row)."""

    doc_id: str
    sentence_hashes: list[int]  # the SKETCH smallest sentence hashes, ascending
    anchor_hashes: list[int]  # the ANCHORS smallest hashes of sentences that state a number
    number_hashes: list[int]  # hashes of consecutive-number triples, ascending


@dataclass(frozen=True)
class Candidate:
    """A report as the primary is chosen among its copies."""

    doc_id: str
    source_path: str
    fact_count: int
    blocking_count: int


@dataclass(frozen=True)
class Pair:
    """Two reports found to be one (near_duplicate_pairs.sql), with their two similarities."""

    first: Candidate
    second: Candidate
    sentence_containment: float
    number_similarity: float


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


def text_sketch(doc_id: str, text: str) -> TextSketch:
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
    triples = {_hash(" ".join(numbers[i:i + 3])) for i in range(max(0, len(numbers) - 2))}
    return TextSketch(doc_id, sorted(sentences)[:SKETCH], sorted(specific)[:ANCHORS], sorted(triples))


def group_copies(pairs: Iterable[Pair]) -> list[NearDuplicate]:
    """Every report that is a copy of another, naming its group's primary (the groups are the connected
    components of the pairs: the same whatever order the pairs come in)."""
    parent: dict[str, str] = {}
    members: dict[str, Candidate] = {}
    similarity: dict[str, tuple[float, float]] = {}

    def root(doc_id: str) -> str:
        while parent[doc_id] != doc_id:
            parent[doc_id] = parent[parent[doc_id]]
            doc_id = parent[doc_id]
        return doc_id

    for pair in pairs:
        found = (pair.sentence_containment, pair.number_similarity)
        for report in (pair.first, pair.second):
            parent.setdefault(report.doc_id, report.doc_id)
            members[report.doc_id] = report
            similarity[report.doc_id] = max(similarity.get(report.doc_id, (0.0, 0.0)), found)
        parent[root(pair.second.doc_id)] = root(pair.first.doc_id)
    groups: dict[str, list[Candidate]] = {}
    for doc_id, report in members.items():
        groups.setdefault(root(doc_id), []).append(report)
    found_copies: list[NearDuplicate] = []
    for group in groups.values():
        primary = min(group, key=lambda s: (s.blocking_count, -s.fact_count, s.source_path))
        found_copies += [NearDuplicate(s.doc_id, s.source_path, primary.doc_id, primary.source_path,
                                       *_rounded(similarity[s.doc_id]))
                         for s in sorted(group, key=lambda s: s.source_path) if s is not primary]
    return sorted(found_copies, key=lambda d: d.source_path)


def _rounded(values: tuple[float, float]) -> tuple[float, float]:
    return round(values[0], 3), round(values[1], 3)
