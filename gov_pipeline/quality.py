"""Stage 5, dq_violations: the data-quality rules of data_contract.md and domain.md §3.

Blocking rules quarantine a report (it keeps its facts but is never scored); warnings lower the
consistency indicator. Every violation's detail names the cells or sentences involved."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from gov_pipeline.records import Fact, Section, TableCell, Violation
from gov_pipeline.template import ORG_COLUMNS, TABLE3_COLUMNS, TABLE3_GROUPS, TABLE3_OUTCOME_ROWS, TABLE4_BLOCKS

BLOCKING_RULES = ("count_non_negative", "completed_le_received", "year_plausible")
WARNING_RULES = ("refusal_reasons_sum", "outcomes_sum", "table3_balance", "table3_row_totals", "review_sum",
                 "litigation_sum", "legacy_channels_sum", "percentages_valid", "prose_table_mismatch",
                 "carryover_continuity", "cumulative_chain")
FIRST_REPORT_YEAR = 2008
# Only the 2019 template's 本年增/减 columns may be negative.
SIGNED_FACT_SUFFIX = "_change"
LEGACY_REFUSAL_REASONS = ("refused_state_secret", "refused_commercial_secret", "refused_personal_privacy",
                          "refused_security_stability", "refused_not_government_info", "refused_other_law")
LEGACY_CHANNEL_ROWS = ("requests_in_person", "requests_fax", "requests_email", "requests_online",
                       "requests_letter", "requests_other_channel")


@dataclass(frozen=True)
class ReportContext:
    doc_id: str
    report_year: int | None
    publish_date: date | None
    template: str


def _fmt(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def _blocking(ctx: ReportContext, facts: dict[str, Fact], cells: Sequence[TableCell], today: date) -> Iterable[Violation]:
    for fact in facts.values():
        if fact.value < 0 and not fact.fact_key.endswith(SIGNED_FACT_SUFFIX):
            yield Violation(ctx.doc_id, "count_non_negative", "blocking",
                            f"{fact.fact_key} = {_fmt(fact.value)} is negative; evidence: {fact.evidence[:160]}")
    for cell in cells:
        if cell.value is not None and cell.value < 0 and not (cell.col_key or "").endswith(SIGNED_FACT_SUFFIX):
            yield Violation(ctx.doc_id, "count_non_negative", "blocking",
                            f"{cell.table_key}[{cell.row_key},{cell.col_key}] = '{cell.text}' is negative")
    completed, received = facts.get("requests_completed"), facts.get("requests_received")
    carried = facts.get("requests_carried_over")
    if completed and received and completed.value > received.value + (carried.value if carried else 0):
        yield Violation(ctx.doc_id, "completed_le_received", "blocking",
                        f"requests completed {_fmt(completed.value)} ({completed.evidence[:100]}) exceed requests "
                        f"received {_fmt(received.value)} ({received.evidence[:100]}) plus carried over "
                        f"{_fmt(carried.value if carried else 0)}")
    year = ctx.report_year
    if year is not None:
        if not FIRST_REPORT_YEAR <= year <= today.year:
            yield Violation(ctx.doc_id, "year_plausible", "blocking",
                            f"report year {year} is outside {FIRST_REPORT_YEAR}..{today.year} (reports began under the 2008 regulation)")
        elif ctx.publish_date and year > ctx.publish_date.year:
            yield Violation(ctx.doc_id, "year_plausible", "blocking",
                            f"report year {year} is after the publication date {ctx.publish_date.isoformat()}")


def _table3_grid(cells: Sequence[TableCell]) -> dict[str, dict[str, float | None]]:
    grid: dict[str, dict[str, float | None]] = {}
    for cell in cells:
        if cell.table_key == "table3" and cell.row_key and cell.col_key:
            grid.setdefault(cell.row_key, {})[cell.col_key] = cell.value
    return grid


def _table3_rules(ctx: ReportContext, cells: Sequence[TableCell]) -> Iterable[Violation]:
    grid = _table3_grid(cells)
    if not grid:
        return
    for col in TABLE3_COLUMNS:
        def v(row: str, col: str = col) -> float | None:
            return grid.get(row, {}).get(col)

        flow = [v("received"), v("carried_over"), v("total"), v("carried_forward")]
        if None not in flow and flow[0] + flow[1] != flow[2] + flow[3]:  # type: ignore[operator]
            yield Violation(ctx.doc_id, "table3_balance", "warning",
                            f"column {col}: received {_fmt(flow[0])} + carried over {_fmt(flow[1])} != handled "
                            f"(七)总计 {_fmt(flow[2])} + carried forward {_fmt(flow[3])}")
        outcomes = [v(row) for row in TABLE3_OUTCOME_ROWS if row in grid]
        total = v("total")
        if total is not None and outcomes and None not in outcomes and sum(outcomes) != total:  # type: ignore[arg-type]
            yield Violation(ctx.doc_id, "outcomes_sum", "warning",
                            f"column {col}: outcome rows (一)..(六) add up to {_fmt(sum(outcomes))} but table3[total,{col}] "  # type: ignore[arg-type]
                            f"(七)总计 = {_fmt(total)}")
    for group_fact, members in TABLE3_GROUPS:
        subtotal_key = {"outcome_refused": "refused_subtotal", "outcome_unable_to_provide": "unable_subtotal",
                        "outcome_not_processed": "not_processed_subtotal", "outcome_other": "other_group"}[group_fact]
        if subtotal_key in grid and any(m in grid for m in members):
            for col in TABLE3_COLUMNS:
                parts = [grid[m].get(col) for m in members if m in grid]
                sub = grid[subtotal_key].get(col)
                if sub is not None and None not in parts and sum(parts) != sub:  # type: ignore[arg-type]
                    rule = "refusal_reasons_sum" if group_fact == "outcome_refused" else "outcomes_sum"
                    yield Violation(ctx.doc_id, rule, "warning",
                                    f"column {col}: rows of {group_fact} add up to {_fmt(sum(parts))} but the subtotal row "  # type: ignore[arg-type]
                                    f"table3[{subtotal_key},{col}] = {_fmt(sub)}")
    for row, values in grid.items():
        parts = [values.get(col) for col in TABLE3_COLUMNS[:-1]]
        total = values.get("total")
        if total is not None and all(p is not None for p in parts) and sum(parts) != total:  # type: ignore[arg-type]
            yield Violation(ctx.doc_id, "table3_row_totals", "warning",
                            f"row {row}: applicant columns add up to {_fmt(sum(parts))} but table3[{row},total] = {_fmt(total)}")  # type: ignore[arg-type]
        organisations = [values.get(col) for col in ORG_COLUMNS]
        subtotal = values.get("org_subtotal")
        if subtotal is not None and None not in organisations and sum(organisations) != subtotal:  # type: ignore[arg-type]
            yield Violation(ctx.doc_id, "table3_row_totals", "warning",
                            f"row {row}: organisation columns add up to {_fmt(sum(organisations))} but "  # type: ignore[arg-type]
                            f"table3[{row},org_subtotal] 小计 = {_fmt(subtotal)}")


def _table4_rules(ctx: ReportContext, cells: Sequence[TableCell]) -> Iterable[Violation]:
    values = {c.col_key: c.value for c in cells if c.table_key == "table4" and c.col_key}
    for block in TABLE4_BLOCKS:
        parts = [values.get(f"{block}_{o}") for o in ("upheld", "corrected", "other", "pending")]
        total = values.get(f"{block}_total")
        if total is not None and None not in parts and sum(parts) != total:  # type: ignore[arg-type]
            rule = "review_sum" if block == "review" else "litigation_sum"
            yield Violation(ctx.doc_id, rule, "warning",
                            f"table4 {block}: 维持+纠正+其他+尚未审结 = {_fmt(sum(parts))} but 总计 = {_fmt(total)}")  # type: ignore[arg-type]


def _legacy_rules(ctx: ReportContext, facts: dict[str, Fact], cells: Sequence[TableCell]) -> Iterable[Violation]:
    refused = facts.get("outcome_refused")
    reasons = [facts[k] for k in LEGACY_REFUSAL_REASONS if k in facts and facts[k].method == "prose"]
    if refused and reasons and ctx.template == "legacy":
        total = sum(f.value for f in reasons)
        if total != refused.value:
            listed = "; ".join(f"{f.fact_key}={_fmt(f.value)}" for f in reasons)
            yield Violation(ctx.doc_id, "refusal_reasons_sum", "warning",
                            f"refusal reasons add up to {_fmt(total)} ({listed}) but {_fmt(refused.value)} requests were "
                            f"refused ({refused.evidence[:100]})")
    parts = [facts.get(k) for k in ("outcome_granted", "outcome_partially_granted", "outcome_refused")]
    completed = facts.get("requests_completed")
    if ctx.template == "legacy" and completed and all(parts):
        total = sum(p.value for p in parts) + sum(  # type: ignore[union-attr]
            facts[k].value for k in ("outcome_already_public", "outcome_other") if k in facts)
        if total > completed.value:
            yield Violation(ctx.doc_id, "outcomes_sum", "warning",
                            f"granted + partially granted + refused (+ already public/other) = {_fmt(total)} exceeds "
                            f"the {_fmt(completed.value)} requests answered ({completed.evidence[:100]})")
    review = facts.get("review_total")
    review_parts = [facts[k] for k in ("review_upheld", "review_corrected", "review_other", "review_pending") if k in facts]
    if review and review_parts and ctx.template == "legacy" and sum(f.value for f in review_parts) != review.value:
        yield Violation(ctx.doc_id, "review_sum", "warning",
                        f"review outcomes add up to {_fmt(sum(f.value for f in review_parts))} but review_total = "
                        f"{_fmt(review.value)} ({review.evidence[:100]})")
    channels = {c.row_key: c.value for c in cells
                if c.table_key == "other" and c.col_key == "year" and c.row_key in LEGACY_CHANNEL_ROWS}
    total_cell = next((c for c in cells if c.table_key == "other" and c.row_key == "requests_total"
                       and c.col_key == "year"), None)
    if channels and total_cell and total_cell.value is not None and None not in channels.values():
        if sum(channels.values()) != total_cell.value:  # type: ignore[arg-type]
            yield Violation(ctx.doc_id, "legacy_channels_sum", "warning",
                            f"statistics table: request channels add up to {_fmt(sum(channels.values()))} but "  # type: ignore[arg-type]
                            f"申请总数 = {_fmt(total_cell.value)}")


_SHARE = re.compile(r"占\s*(\d+(?:\.\d+)?)\s*[%％]")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")
_CHANGE_WORDS = re.compile(r"增长|下降|增加|减少|同比|环比|提高|降低|提升|上升")
_SENTENCE = re.compile(r"[^。！？\n]+")


def percentage_violations(doc_id: str, sections: Sequence[Section]) -> list[Violation]:
    """Legacy identity P-5 on the requests prose: no share above 100%, and the shares of one outcome
    breakdown ('已主动公开81件,占7.2%;同意公开653件,占58.3%…') add up to 100 ± 1."""
    found: list[Violation] = []
    for section in sections:
        if section.section_key not in ("requests", "refusals"):
            continue
        for sentence in _SENTENCE.findall(section.text):
            if _CHANGE_WORDS.search(sentence):
                continue
            above = [float(v) for v in _PERCENT.findall(sentence) if float(v) > 100]
            if above:
                found.append(Violation(doc_id, "percentages_valid", "warning",
                                       f"a share above 100% ({above[0]:g}%) in: {sentence[:120]}"))
            shares = [float(v) for v in _SHARE.findall(sentence)]
            if len(shares) >= 3 and abs(sum(shares) - 100) > 1:
                found.append(Violation(doc_id, "percentages_valid", "warning",
                                       f"outcome shares add up to {sum(shares):g}%, not 100%: {sentence[:120]}"))
    return found


def evaluate_report(ctx: ReportContext, facts: Sequence[Fact], cells: Sequence[TableCell],
                    today: date | None = None) -> list[Violation]:
    """All single-report rules, blocking first. One row per (rule, detail)."""
    by_key = {f.fact_key: f for f in facts}
    today = today or date.today()
    found = [*_blocking(ctx, by_key, cells, today), *_table3_rules(ctx, cells), *_table4_rules(ctx, cells),
             *_legacy_rules(ctx, by_key, cells)]
    unique: dict[tuple[str, str], Violation] = {}
    for violation in found:
        unique.setdefault((violation.rule_id, violation.detail), violation)
    return list(unique.values())


@dataclass(frozen=True)
class YearReport:
    """What the cross-year rules need of one scored-or-quarantined report."""

    doc_id: str
    agency_key: str | None
    report_year: int | None
    facts: dict[str, Fact]


def evaluate_across_years(reports: Sequence[YearReport]) -> list[Violation]:
    """Rules between an agency's consecutive reports: carried-over requests equal last year's
    carried-forward ones (domain.md X-1); a 历年累计 figure equals last year's plus this year's."""
    by_agency: dict[str, dict[int, YearReport]] = {}
    for report in reports:
        if report.agency_key and report.report_year:
            by_agency.setdefault(report.agency_key, {}).setdefault(report.report_year, report)
    found: list[Violation] = []
    for agency, years in by_agency.items():
        for year, current in sorted(years.items()):
            previous = years.get(year - 1)
            if previous is None:
                continue
            carried_over = current.facts.get("requests_carried_over")
            forward = previous.facts.get("requests_carried_forward")
            if carried_over and forward and carried_over.value != forward.value:
                found.append(Violation(current.doc_id, "carryover_continuity", "warning",
                                       f"{agency} {year}: carried over {_fmt(carried_over.value)} but the {year - 1} report "
                                       f"carried forward {_fmt(forward.value)}"))
            for key, cumulative in current.facts.items():
                if not key.endswith("__cumulative"):
                    continue
                this_year = current.facts.get(key.removesuffix("__cumulative"))
                last = previous.facts.get(key)
                if this_year and last and cumulative.value != last.value + this_year.value:
                    found.append(Violation(current.doc_id, "cumulative_chain", "warning",
                                           f"{agency} {year}: {key} = {_fmt(cumulative.value)} but {year - 1}'s "
                                           f"{_fmt(last.value)} + this year's {_fmt(this_year.value)} = "
                                           f"{_fmt(last.value + this_year.value)}"))
    return found
