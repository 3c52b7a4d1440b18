"""A realistic benchmark corpus, generated from the real reports in data/raw/ (deterministic, seeded).

    .venv/bin/python benchmarks/bench_corpus.py OUT_DIR --docs 1000 [--seed 16]

Each generated document is one bundled report rewritten for another body and year:
- the agency: the place its name starts with (gov_pipeline.agencies.resolve.leading_place) is replaced,
  everywhere in the text, by a division of the same level from the registry of divisions
  (gov_pipeline.agencies.registry: the Ministry of Civil Affairs' list), so the bodies are distinct;
  each body reports for several consecutive years, the way the same office does;
- the year: shifted within the years of the source's template generation (legacy 2008-2018, the 2019
  trial format 2019-2020, the 2021 format 2021-2025), so the labels still match the year; a source whose
  shifted text the pipeline does not read as the new year (years written 二〇一三年) gives one report per
  body, in its own year (else each body's copies would be one report repeated);
- the figures: every count in the text is multiplied by one factor k, which keeps every identity of
  gov_pipeline.domain.identities (they are linear). A factor is used for a source only when the
  pipeline's own table reader reads the rewritten text as exactly k times the source's cells and every
  identity instance holds or breaks as in the source (a source whose digits run together, such as the
  crawled text dumps, would not survive: it keeps its figures);
- the format mix of data/raw/ (HTML, text, markdown, PDF); PDFs cannot be rewritten, so a PDF copy keeps
  its text and differs only by a trailing comment (the pipeline sees it as a duplicate of the first);
- DUPLICATE_SHARE exact copies under another name and NEAR_DUPLICATE_SHARE reposts (the same report with
  a repost line and its whitespace changed).
"""

from __future__ import annotations

import argparse
import os
import random
import re
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from gov_pipeline.agencies.registry import registry, stem
from gov_pipeline.agencies.resolve import leading_place
from gov_pipeline.cleaning.clean import clean_document
from gov_pipeline.config import PROJECT_ROOT
from gov_pipeline.domain.identities import instances, of_table
from gov_pipeline.domain.records import CleanedDocument, TableCell
from gov_pipeline.domain.template import detect_template
from gov_pipeline.facts.extract import extract_prose_facts, extract_table_facts, merge_facts
from gov_pipeline.ingest.inventory import read_raw
from gov_pipeline.quality.rules import table_grids
from gov_pipeline.structure.sections import split_sections
from gov_pipeline.structure.tables import extract_tables

RAW = PROJECT_ROOT / "data" / "raw"
READABLE = (".html", ".htm", ".txt", ".md", ".pdf")
FACTORS = tuple(range(1, 17))  # the figures of a rewritten report: the source's times one of these
# two bodies rewritten from one source for one year with one factor differ only in their names: a copy
# to the pipeline. The bodies of a source take its factors in turn, and a rewritable source whose figures
# cannot be scaled (one factor) is drawn less often
FIXED_FIGURES_WEIGHT = 0.1
ERAS = {"legacy": (2008, 2018), "2019": (2019, 2020), "2021": (2021, 2025)}  # years a template is used in
YEARS_PER_BODY = 5  # a body reports for this many consecutive years (fewer where its era is shorter)
DUPLICATE_SHARE = 0.02
NEAR_DUPLICATE_SHARE = 0.03
RECENT = 200  # duplicates are drawn from the last documents written (memory stays flat)
# a count in running text: digits not part of a decimal, a date, a time, a percentage or a longer
# number, and not a year (a year scaled would no longer be shifted: every year's copy would be one text)
_COUNT = re.compile(r"(?<![\d.\-/:：])(?!(?:19[89]\d|20[0-3]\d)(?!\d))\d{1,7}(?![\d.%％\-/:：年月日])")
_YEAR = re.compile(r"(?<!\d)(19[89]\d|20[0-3]\d)(?!\d)")
_TAG = re.compile(r"(<[^>]*>)")
_REPOST = "（转载：本文来源于{agency}门户网站，转载请注明出处）"


@dataclass(frozen=True)
class Source:
    """One bundled report and what rewriting it needs."""

    path: Path
    data: bytes
    year: int | None
    template: str | None
    place: str | None  # the text of the place its agency name starts with ('苍溪县', '平潭')
    place_level: int  # registry level of that place (3 when the name names none)
    stem_only: bool  # the place was matched by its stem: replace it by another stem
    factors: tuple[int, ...]  # the factors its rewritten text survives (see module docstring)
    years_shift: bool  # the pipeline reads its year-shifted text as the new year (not when it writes 二〇一三年)


def _read(name: str, data: bytes) -> tuple[CleanedDocument | None, list[TableCell], dict[str, tuple[float, str]]]:
    """The cleaned document, the table cells and the facts (key -> value, unit) the pipeline reads."""
    raw = read_raw(Path(name), Path("."), data, name)
    document = clean_document(raw, data).document
    if document is None or not document.is_annual_report:
        return document, [], {}
    cells = extract_tables(document.doc_id, document.text)
    prose = extract_prose_facts(document.doc_id, split_sections(document.doc_id, document.text), document.report_year)
    facts, _ = merge_facts(document.doc_id, prose, extract_table_facts(document.doc_id, cells))
    return document, cells, {fact.fact_key: (fact.value, fact.unit) for fact in facts}


def _in_text(data: bytes, suffix: str, change: Callable[[str], str]) -> bytes:
    """Apply `change` to the text of a document (outside the tags of an HTML page)."""
    text = data.decode("utf-8")
    if suffix in (".html", ".htm"):
        text = "".join(part if _TAG.fullmatch(part) else change(part) for part in _TAG.split(text))
    else:
        text = change(text)
    return text.encode("utf-8")


def scale(data: bytes, suffix: str, factor: int) -> bytes:
    """Every count in the text multiplied by `factor`."""
    return _in_text(data, suffix, lambda text: _COUNT.sub(lambda m: str(int(m.group(0)) * factor), text))


def shift_years(data: bytes, source_year: int, target_year: int) -> bytes:
    """The report year and the years around it (the year before, the publication year) shifted, in the
    tags of a page too (its meta and title name the year the pipeline reads)."""
    delta = target_year - source_year
    text = data.decode("utf-8")
    return _YEAR.sub(lambda m: str(int(m.group(0)) + delta) if abs(int(m.group(0)) - source_year) <= 2
                     else m.group(0), text).encode("utf-8")


def _identity_states(grids: dict[str, dict[str, dict[str, float | None]]]) -> list[tuple[str, str, bool]]:
    return [(instance.identity.id, instance.subject, instance.holds)
            for table_key, grid in sorted(grids.items()) for instance in instances(grid, of_table(table_key))]


def _scaled(value: float, unit: str, factor: int) -> float:
    """What a fact reads once the counts are multiplied (decimals and percentages are left alone)."""
    return value if unit == "%" or value != int(value) else value * factor


def surviving_factors(path: Path, data: bytes, cells: list[TableCell],
                      facts: dict[str, tuple[float, str]]) -> tuple[int, ...]:
    """The factors whose rewritten text the pipeline reads as exactly k x the source's table cells and
    facts, with every identity instance in the same state."""
    if not cells and not facts:
        return (1,)
    grids = table_grids(cells)
    states = _identity_states(grids)
    survived = [1]
    for factor in FACTORS[1:]:
        _, scaled_cells, scaled_facts = _read(path.name, scale(data, path.suffix, factor))
        scaled = table_grids(scaled_cells)
        expected = {t: {r: {c: None if v is None else v * factor for c, v in cols.items()} for r, cols in g.items()}
                    for t, g in grids.items()}
        facts_expected = {key: (_scaled(value, unit, factor), unit) for key, (value, unit) in facts.items()}
        if scaled == expected and _identity_states(scaled) == states and scaled_facts == facts_expected:
            survived.append(factor)
    return tuple(survived)


def _year_of(name: str, data: bytes) -> int | None:
    document = _read(name, data)[0]
    return document.report_year if document else None


def load_sources(root: Path = RAW) -> list[Source]:
    """The bundled reports in readable formats, each with what rewriting it needs."""
    reg = registry()
    sources = []
    for path in sorted(p for p in root.rglob("*") if p.suffix in READABLE and p.name != "README.md"):
        data = path.read_bytes()
        document, cells, facts = _read(path.name, data)
        year = document.report_year if document else None
        agency = (document.agency_name if document else None) or ""
        place = leading_place(agency, reg) if agency else None
        template = None
        if document is not None and document.is_annual_report:
            template = detect_template(document.text)
        rewritable = path.suffix != ".pdf" and year is not None and template in ERAS
        sources.append(Source(
            path, data, year, template, place.text if place and rewritable else None,
            reg.by_code[place.codes[0]].level if place else 3, bool(place and place.stem_only),
            surviving_factors(path, data, cells, facts) if rewritable else (1,),
            rewritable and year is not None and _year_of(path.name, shift_years(data, year, year + 1))
            == year + 1))
    return sources


@cache
def _division_names(level: int) -> tuple[str, ...]:
    """Distinct short names of the registry's divisions of one level, in code order."""
    names = dict.fromkeys(d.name for d in sorted(registry().by_code.values(), key=lambda d: d.code)
                          if d.level == level)
    return tuple(names)


def _new_place(source: Source, body: int) -> str:
    """The place of the body-th generated body rewritten from this source (distinct per body)."""
    level = source.place_level if source.place_level > 1 else 2  # 31 provinces are too few: cities
    names = _division_names(level)
    name = names[(body * 7919) % len(names)]  # a prime stride spreads the bodies over the country
    return (stem(name) or name) if source.stem_only else name


def rewrite(source: Source, body: int, year: int, factor: int) -> bytes:
    """One source rewritten for another body, year and scale of figures."""
    data = source.data
    if source.place is None or source.year is None:
        return data
    data = scale(data, source.path.suffix, factor) if factor != 1 else data
    data = shift_years(data, source.year, year)
    place = _new_place(source, body)
    return data.decode("utf-8").replace(source.place, place).encode("utf-8")


def _repost(data: bytes, suffix: str, agency: str) -> bytes:
    """A near-duplicate: the same report with a repost line and its line breaks doubled."""
    line = _REPOST.format(agency=agency)
    if suffix == ".pdf":
        return data + b"\n%repost\n"
    text = data.decode("utf-8").replace("\n", "\n\n")
    return (text.replace("</body>", f"<p>{line}</p></body>", 1) if suffix in (".html", ".htm")
            else f"{line}\n{text}").encode("utf-8")


def _weight(source: Source) -> float:
    """How often a source is drawn: a source that gives one report per body (its year cannot be shifted:
    PDFs, non-reports) YEARS_PER_BODY times as often, so the format mix stays that of data/raw."""
    if not source.years_shift:
        return float(YEARS_PER_BODY)
    return FIXED_FIGURES_WEIGHT if len(source.factors) == 1 else 1.0


def plan(sources: Sequence[Source], count: int, seed: int) -> Iterator[tuple[str, bytes]]:
    """(file name, bytes) of `count` documents: bodies in turn, each a run of years of one source."""
    rng = random.Random(seed)
    weights = [_weight(source) for source in sources]
    bodies_of: dict[Path, int] = {}
    written: deque[tuple[str, bytes, str]] = deque(maxlen=RECENT)  # duplicates copy a recent document
    index, body = 0, 0
    while index < count:
        source = rng.choices(sources, weights)[0]
        first, last = ERAS.get(source.template or "", (source.year or 2019,) * 2)
        if not source.years_shift:  # one report per body: its copies for other years would read as one year
            first = last = source.year or 2019
        span = min(YEARS_PER_BODY, last - first + 1)
        start = rng.randint(first, last - span + 1)
        turn = bodies_of[source.path] = bodies_of.get(source.path, -1) + 1
        factor = source.factors[turn % len(source.factors)]
        for year in range(start, start + span):
            if index >= count:
                break
            draw = rng.random()
            if written and draw < DUPLICATE_SHARE:
                name, data, suffix = rng.choice(written)
                out_name, out = f"{index:06d}_dup{suffix}", data
            elif written and draw < DUPLICATE_SHARE + NEAR_DUPLICATE_SHARE:
                name, data, suffix = rng.choice(written)
                out_name, out = f"{index:06d}_repost{suffix}", _repost(data, suffix, name)
            else:
                suffix = source.path.suffix
                out = rewrite(source, body, year, factor)
                if out == source.data:  # not rewritable (PDF, not a report): a unique trailer
                    out = source.data + (f"\n%{index}\n" if suffix == ".pdf" else
                                         f"\n<!-- {index} -->\n" if suffix in (".html", ".htm")
                                         else f"\n\n{index}\n").encode()
                out_name = f"{index:06d}_{year}_{source.path.stem[:40]}{suffix}"
                written.append((out_name, out, suffix))
            yield out_name, out
            index += 1
        body += 1


def generate(out: Path, count: int, seed: int = 16, sources: Sequence[Source] | None = None) -> int:
    """Write `count` documents into `out` (created); returns the bytes written."""
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for name, data in plan(sources if sources is not None else load_sources(), count, seed):
        (out / name).write_bytes(data)
        total += len(data)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    sources = load_sources()
    for source in sources:
        print(f"{os.path.relpath(source.path, RAW):70s} year {source.year} {source.template or '-':6s} "
              f"place {source.place or '-':10s} factors {source.factors}")
    size = generate(args.out, args.docs, args.seed, sources)
    print(f"{args.docs} documents, {size / 2**20:.1f} MB in {args.out}")


if __name__ == "__main__":
    main()
