"""The audit site: one static page per report and an index, written next to the warehouse
(data/audit/). Reads the warehouse only; every string from a document is escaped (jinja2 autoescape,
markupsafe for the marked-up text); the pages need no server and load no external asset."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import statistics
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup, escape

from gov_pipeline.audit.findings import Decision, Finding, read_findings
from gov_pipeline.audit.links import (
    Row,
    Targets,
    cell_key,
    fact_cells,
    fact_targets,
    finding_targets,
    number_span,
    sentence_span,
)
from gov_pipeline.audit.svg import dot_plot, line_chart

AUDIT_DIR = "audit"
REPORTS_DIR = "reports"
CHUNK = 200  # reports loaded per query round: bounded memory at corpus scale
_HAS_DIGIT = re.compile(r"\d")
_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True,
                   trim_blocks=True, lstrip_blocks=True)


@dataclass
class SiteStats:
    pages: int = 0
    findings: int = 0
    dismissed: int = 0
    stale_decisions: list[Decision] = field(default_factory=list)


def page_name(doc_id: str) -> str:
    return f"{doc_id[:16]}.html"


def _rows(conn: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _tables(conn: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in conn.execute("select table_name from information_schema.tables").fetchall()}


def _by_doc(rows: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["doc_id"]].append(row)
    return grouped


# ---------------------------------------------------------------- the report page
def marked_text(text: str, marks: Mapping[tuple[int, int], str], spans: Mapping[tuple[int, int], str]) -> Markup:
    """The text escaped, each number mark (span -> its title) as <mark>, each target span (span -> its
    id) as classes on the pieces it covers, so a finding's link can highlight it."""
    kept: dict[tuple[int, int], str] = {}
    for start, end in sorted(marks):  # overlapping marks: the first one stands
        if not kept or start >= max(e for _, e in kept):
            kept[start, end] = marks[start, end]
    cuts = sorted({0, len(text), *(p for span in (*kept, *spans) for p in span)})
    out: list[str] = []
    for a, b in pairwise(cuts):
        piece = str(escape(text[a:b]))
        mark = next((title for (s, e), title in kept.items() if s <= a and b <= e), None)
        if mark is not None:
            piece = f'<mark class="n" title="{escape(mark)}">{piece}</mark>'
        classes = " ".join(f"t-{sid}" for (s, e), sid in spans.items() if s <= a and b <= e)
        out.append(f'<span class="{classes}">{piece}</span>' if classes else piece)
    return Markup("".join(out))


def cell_id(key: tuple[int, int, int]) -> str:
    return "c{}-{}-{}".format(*key)


def _fact_title(fact: Row) -> str:
    unit = f" {fact['unit']}" if fact.get("unit") else ""
    approx = " (approx.)" if fact.get("approx") else ""
    return f"{fact['fact_key']} = {fact['value']:g}{unit}{approx} · method {fact['method']}"


def _grids(cells: Sequence[Row], fact_titles: Mapping[tuple[int, int, int], list[str]]) -> list[dict[str, Any]]:
    """The statistics tables as the grids the pipeline read: rows in order, the printed label first."""
    tables: dict[int, list[Row]] = defaultdict(list)
    for cell in cells:
        tables[int(cell["table_idx"])].append(cell)
    grids = []
    for table_idx, table_cells in sorted(tables.items()):
        width = max(int(c["col_idx"]) for c in table_cells) + 1
        headers: list[str] = [""] * width
        rows: dict[int, dict[str, Any]] = {}
        for cell in sorted(table_cells, key=lambda c: (c["row_idx"], c["col_idx"])):
            key = cell_key(cell)
            col = int(cell["col_idx"])
            if col and cell["col_key"] and not headers[col]:
                headers[col] = cell["col_key"]
            row = rows.setdefault(int(cell["row_idx"]),
                                  {"row_key": cell["row_key"], "note": None, "cells": [None] * width})
            row["note"] = row["note"] or cell["note"]
            unknown = cell["note"] or (col and cell["value"] is None and _HAS_DIGIT.search(cell["text"] or "")
                                       and "not read as a number")
            kind = "label" if col == 0 else "fact" if key in fact_titles else "unknown" if unknown else ""
            title = "; ".join(fact_titles.get(key, [])) or (f"unknown: {unknown}" if unknown else
                                                             f"{cell['row_key']},{cell['col_key']} = {cell['value']}")
            row["cells"][col] = {"id": cell_id(key), "text": cell["text"] or "", "kind": kind, "title": title,
                                 "source": cell["source"]}
        grids.append({"table_idx": table_idx, "table_key": table_cells[0]["table_key"], "headers": headers,
                      "rows": [rows[i] for i in sorted(rows)]})
    return grids


def report_page(report: Row, document: Row, facts: Sequence[Row], cells: Sequence[Row], findings: Sequence[Finding],
                decisions: Mapping[str, Decision], score: Row | None, indicators: Sequence[Row]) -> str:
    """One report's audit page."""
    text = document["text"] or ""
    spans: dict[tuple[int, int], str] = {}

    def span_id(span: tuple[int, int]) -> str:
        return spans.setdefault(span, f"s{len(spans)}")

    def target_ids(targets: Targets) -> str:
        return " ".join([cell_id(k) for k in sorted(targets.cells)] + [span_id(s) for s in sorted(targets.spans)]
                        + [f"m-{name}" for name in sorted(targets.fields)])

    numerals: dict[tuple[int, int], list[str]] = defaultdict(list)
    clauses: dict[tuple[int, int], list[str]] = defaultdict(list)  # facts stated without a numeral ('未收到')
    fact_titles: dict[tuple[int, int, int], list[str]] = defaultdict(list)
    fact_rows = []
    for fact in facts:
        title = _fact_title(fact)
        for cell in fact_cells(fact, cells):
            fact_titles[cell_key(cell)].append(title)
        targets = fact_targets(fact, text, cells)
        if fact["method"] != "table":
            sentence = sentence_span(text, fact["evidence"] or "")
            number = number_span(text, sentence, fact["value"]) if sentence else None
            if number or sentence:
                (numerals[number] if number else clauses[sentence]).append(title)  # type: ignore[index]
        fact_rows.append({**fact, "title": title, "targets": target_ids(targets)})
    marks = {span: "; ".join(titles) for span, titles in numerals.items()}
    marks |= {span: "; ".join(titles) for span, titles in clauses.items()
              if not any(s < span[1] and span[0] < e for s, e in numerals)}
    finding_rows = []
    for finding in findings:
        targets = finding_targets(vars(finding), text, cells, facts, document.keys())
        finding_rows.append({"finding": finding, "decision": decisions.get(finding.fingerprint),
                             "targets": target_ids(targets)})
    grids = _grids(cells, fact_titles)
    noise = json.loads(document["removed_noise"] or "{}")
    return _ENV.get_template("report.html.j2").render(
        report=report, document=document, text=marked_text(text, marks, spans), facts=fact_rows,
        findings=finding_rows, grids=grids, score=score, indicators=indicators, noise=noise,
        page_meta=json.loads(document["page_meta"] or "{}"), **_page_assets())


def _static(name: str) -> Markup:
    """Our own CSS/JS, inlined so a page is one file."""
    return Markup((Path(__file__).parent / "templates" / name).read_text(encoding="utf-8"))


@cache
def _page_assets() -> dict[str, Markup | str]:
    script = _static("audit.js")
    return {"style": _static("audit.css"), "script": script, "script_hash": _script_hash(script)}


def _script_hash(script: str) -> str:
    """The Content-Security-Policy source that lets our inlined script run and nothing else."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


def _report_pages(conn: duckdb.DuckDBPyConnection, indicators: Mapping[str, Sequence[Row]], reports: Mapping[str, Row],
                  findings: Mapping[str, list[Finding]], decisions: Mapping[str, Decision],
                  scores: Mapping[str, Row]) -> Iterator[tuple[str, str]]:
    """(doc_id, html) for every cleaned document, loaded a chunk of reports at a time."""
    doc_ids = [row[0] for row in conn.execute("select doc_id from cleaned_documents order by doc_id").fetchall()]
    for chunk in _chunks(doc_ids, CHUNK):
        bounds = (chunk[0], chunk[-1])  # a range of the sorted ids: one cheap scan per table and chunk
        where = "where doc_id between ? and ?"
        documents = {r["doc_id"]: r for r in _rows(conn, f"select * from cleaned_documents {where}", bounds)}
        facts = _by_doc(_rows(conn, f"select * from report_facts {where} order by doc_id, fact_key", bounds))
        cells = _by_doc(_rows(conn, f"select * from report_tables {where} order by doc_id, table_idx, row_idx, col_idx",
                              bounds))
        for doc_id in chunk:
            report = reports.get(doc_id, {"doc_id": doc_id, "status": "pending"})
            yield doc_id, report_page(report, documents[doc_id], facts.get(doc_id, []), cells.get(doc_id, []),
                                      findings.get(doc_id, []), decisions, scores.get(doc_id),
                                      indicators.get(doc_id, []))


# ---------------------------------------------------------------- the index
FACT_SERIES = """
select r.report_year, f.doc_id, f.fact_key, f.value from report_facts f join reports r using (doc_id)
where r.status = 'scored' and r.report_year is not null
  and f.fact_key in ('requests_received', 'requests_completed', 'outcome_refused')
"""


def _plots(conn: duckdb.DuckDBPyConnection, tables: set[str], scores: Sequence[Row]) -> list[Markup]:
    """Score distribution by level and year; requests and the refusal rate over time."""
    points = [(str(s["report_year"]), s["admin_level"] or "unknown", float(s["score"]))
              for s in scores if s["score"] is not None and s["report_year"] is not None]
    values: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    series = conn.execute(FACT_SERIES).fetchall() if {"report_facts", "reports"} <= tables else []
    for year, doc_id, key, value in series:
        values[str(year)][doc_id][key] = value
    received = {y: statistics.median(v["requests_received"] for v in docs.values() if "requests_received" in v)
                for y, docs in values.items() if any("requests_received" in v for v in docs.values())}
    refusal: dict[str, float] = {}
    for year, docs in values.items():
        both = [v for v in docs.values() if "outcome_refused" in v and v.get("requests_completed")]
        if both:
            refusal[year] = sum(v["outcome_refused"] for v in both) / sum(v["requests_completed"] for v in both)
    return [Markup(dot_plot("Score by report year and level", points, 100.0, "score")),
            Markup(line_chart("Requests received per report (median)", {"median": sorted(received.items())},
                              "requests")),
            Markup(line_chart("Refusal rate (refused / completed, pooled)", {"refusal rate": sorted(refusal.items())},
                              "share refused", percent=True))]


def index_page(reports: Sequence[Row], pages: set[str], findings: Mapping[str, list[Finding]],
               decisions: Mapping[str, Decision], stale: Sequence[Decision], scores: Mapping[str, Row],
               plots: Sequence[Markup]) -> str:
    """The index: every input file with its status, the coverage by year, the worst reports, the plots."""
    open_counts = {doc_id: sum(1 for f in found if getattr(decisions.get(f.fingerprint), "decision", "") != "dismissed")
                   for doc_id, found in findings.items()}
    rows = [{**r, "page": f"{REPORTS_DIR}/{page_name(r['doc_id'])}" if r["doc_id"] in pages else None,
             "score": (scores.get(r["doc_id"]) or {}).get("score"), "findings": open_counts.get(r["doc_id"], 0)}
            for r in reports]
    years = sorted({r["report_year"] for r in rows if r["report_year"] is not None})
    coverage: dict[str, dict[int, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if r["agency_key"] and r["report_year"] is not None and r["status"] in ("scored", "quarantined"):
            coverage[r["agency_name"] or r["agency_key"]][r["report_year"]].append(r)
    worst = sorted((r for r in rows if r["findings"]), key=lambda r: (-r["findings"], r["source_path"]))[:20]
    options = {name: sorted({str(r[name]) for r in rows if r[name] is not None})
               for name in ("status", "report_year", "admin_level")}
    return _ENV.get_template("index.html.j2").render(
        rows=rows, years=years, coverage=sorted(coverage.items()), worst=worst, options=options, plots=plots,
        stale=stale, decisions=decisions, **_page_assets())


def build_site(conn: duckdb.DuckDBPyConnection, out_dir: Path, decisions: Mapping[str, Decision]) -> SiteStats:
    """Write the index and a page per report under out_dir; pages of reports no longer in the
    warehouse are removed, so the site always shows one run."""
    tables = _tables(conn)
    reports = _rows(conn, "select * from reports order by source_path") if "reports" in tables else []
    by_id = {r["doc_id"]: r for r in reports}
    found = read_findings(conn)
    findings: dict[str, list[Finding]] = defaultdict(list)
    for finding in found:
        findings[finding.doc_id].append(finding)
    scores = _rows(conn, "select * from compliance_scores") if "compliance_scores" in tables else []
    score_by_id = {s["doc_id"]: s for s in scores}
    pages_dir = out_dir / REPORTS_DIR
    pages_dir.mkdir(parents=True, exist_ok=True)
    stats = SiteStats(findings=len(found))
    written: set[str] = set()
    # a view over the whole corpus (dbt): read once, not per chunk
    indicators = _by_doc(_rows(conn, "select * from int_indicators order by doc_id, indicator_id")
                         if "int_indicators" in tables else [])
    for doc_id, html in _report_pages(conn, indicators, by_id, findings, decisions, score_by_id):
        (pages_dir / page_name(doc_id)).write_text(html, encoding="utf-8")
        written.add(doc_id)
    for old in pages_dir.glob("*.html"):
        if old.name not in {page_name(d) for d in written}:
            old.unlink()
    stats.pages = len(written)
    fingerprints = {f.fingerprint for f in found}
    stats.dismissed = sum(1 for f in found if getattr(decisions.get(f.fingerprint), "decision", "") == "dismissed")
    stats.stale_decisions = [d for d in decisions.values() if d.fingerprint not in fingerprints]
    html = index_page(reports, written, findings, decisions, stats.stale_decisions, score_by_id,
                      _plots(conn, tables, scores))
    (out_dir / "index.html").write_text(html, encoding="utf-8")
    return stats
