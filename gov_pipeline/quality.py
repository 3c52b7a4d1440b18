"""Stage 5, dq_checks / dq_violations: the data-quality rules of data_contract.md and domain.md §3.

Every rule that applies to a report yields one Check per subject it examines (a table column, a row,
a block, a pair of facts), passed or not: dbt scores internal consistency as the share of checks
passed. The failed ones are the violations. Blocking rules quarantine a report (it keeps its facts
but is never scored); warnings lower the consistency indicator. Details name the cells or sentences."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from gov_pipeline.records import Fact, Section, TableCell, Violation
from gov_pipeline.template import (
    CUMULATIVE_SUFFIX,
    ORG_COLUMNS,
    TABLE3_COLUMNS,
    TABLE3_GROUPS,
    TABLE3_OUTCOME_ROWS,
    TABLE4_BLOCKS,
)

BLOCKING_RULES = ("count_non_negative", "completed_le_received", "year_plausible")
WARNING_RULES = ("refusal_reasons_sum", "outcomes_sum", "table3_balance", "table3_row_totals", "review_sum",
                 "litigation_sum", "legacy_channels_sum", "percentages_valid", "prose_table_mismatch",
                 "carryover_continuity", "cumulative_chain")
FIRST_REPORT_YEAR = 2008  # the 2007 regulation took effect on 2008-05-01
SIGNED_FACT_SUFFIX = "_change"  # only the 2019 template's 本年增/减 columns may be negative
LEGACY_REFUSAL_REASONS = ("refused_state_secret", "refused_commercial_secret", "refused_personal_privacy",
                          "refused_security_stability", "refused_not_government_info", "refused_other_law")
LEGACY_CHANNEL_ROWS = ("requests_in_person", "requests_fax", "requests_email", "requests_online",
                       "requests_letter", "requests_other_channel")
SUBTOTAL_ROWS = {"outcome_refused": "refused_subtotal", "outcome_unable_to_provide": "unable_subtotal",
                 "outcome_not_processed": "not_processed_subtotal", "outcome_other": "other_group"}


@dataclass(frozen=True)
class Check:
    """One rule applied to one subject of one report."""

    doc_id: str
    rule_id: str
    severity: str  # blocking | warning
    subject: str  # what was checked: a column, a row, a block, a fact
    passed: bool
    detail: str

    def violation(self) -> Violation:
        return Violation(self.doc_id, self.rule_id, self.severity, self.detail)


@dataclass(frozen=True)
class ReportContext:
    doc_id: str
    report_year: int | None
    publish_date: date | None
    template: str


def _fmt(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def _but(passed: bool) -> str:
    """The joint of a comparison, so a check that held reads as a pass ('... and ...', '... but ...')."""
    return "and" if passed else "but"


def _total(values: Iterable[float | None]) -> float:
    return sum(v for v in values if v is not None)


def _blocking(ctx: ReportContext, facts: dict[str, Fact], cells: Sequence[TableCell], today: date) -> Iterable[Check]:
    def check(rule: str, subject: str, passed: bool, detail: str) -> Check:
        return Check(ctx.doc_id, rule, "blocking", subject, passed, detail)

    negative = [check("count_non_negative", fact.fact_key, False,
                      f"{fact.fact_key} = {_fmt(fact.value)} is negative; evidence: {fact.evidence[:160]}")
                for fact in facts.values() if fact.value < 0 and not fact.fact_key.endswith(SIGNED_FACT_SUFFIX)]
    negative += [check("count_non_negative", f"{cell.table_key}[{cell.row_key},{cell.col_key}]", False,
                       f"{cell.table_key}[{cell.row_key},{cell.col_key}] = '{cell.text}' is negative")
                 for cell in cells if cell.value is not None and cell.value < 0
                 and not (cell.col_key or "").endswith(SIGNED_FACT_SUFFIX)]
    yield from negative or [check("count_non_negative", "all counts", True, "no negative count")]
    completed, received = facts.get("requests_completed"), facts.get("requests_received")
    carried = facts.get("requests_carried_over")
    if completed and received:
        available = received.value + (carried.value if carried else 0)
        yield check("completed_le_received", "requests", completed.value <= available,
                    f"requests completed {_fmt(completed.value)} ({completed.evidence[:100]}) exceed requests "
                    f"received {_fmt(received.value)} ({received.evidence[:100]}) plus carried over "
                    f"{_fmt(carried.value if carried else 0)}")
    year = ctx.report_year
    if year is not None:
        in_range = FIRST_REPORT_YEAR <= year <= today.year
        yield check("year_plausible", "report_year", in_range,
                    f"report year {year} is outside {FIRST_REPORT_YEAR}..{today.year} (reports began under the "
                    "2008 regulation)")
        if in_range and ctx.publish_date:
            yield check("year_plausible", "publish_date", year <= ctx.publish_date.year,
                        f"report year {year} is after the publication date {ctx.publish_date.isoformat()}")


def _table3_grid(cells: Sequence[TableCell]) -> dict[str, dict[str, float | None]]:
    grid: dict[str, dict[str, float | None]] = {}
    for cell in cells:
        if cell.table_key == "table3" and cell.row_key and cell.col_key:
            grid.setdefault(cell.row_key, {})[cell.col_key] = cell.value
    return grid


def _table3_rules(ctx: ReportContext, cells: Sequence[TableCell]) -> Iterable[Check]:
    grid = _table3_grid(cells)

    def check(rule: str, subject: str, passed: bool, detail: str) -> Check:
        return Check(ctx.doc_id, rule, "warning", subject, passed, detail)

    for col in (TABLE3_COLUMNS if grid else ()):
        flow = [grid.get(row, {}).get(col) for row in ("received", "carried_over", "total", "carried_forward")]
        if None not in flow:
            balanced = flow[0] + flow[1] == flow[2] + flow[3]  # type: ignore[operator]
            yield check("table3_balance", f"column {col}", balanced,
                        f"column {col}: received {_fmt(flow[0])} + carried over {_fmt(flow[1])} "
                        f"{'=' if balanced else '!='} handled (七)总计 {_fmt(flow[2])} + carried forward {_fmt(flow[3])}")
        outcomes = [grid[row].get(col) for row in TABLE3_OUTCOME_ROWS if row in grid]
        total = grid.get("total", {}).get(col)
        if total is not None and outcomes and None not in outcomes:
            added_up = _total(outcomes) == total
            yield check("outcomes_sum", f"column {col}", added_up,
                        f"column {col}: outcome rows (一)..(六) add up to {_fmt(_total(outcomes))} {_but(added_up)} "
                        f"table3[total,{col}] (七)总计 = {_fmt(total)}")
    for group_fact, members in TABLE3_GROUPS:
        subtotal_row = grid.get(SUBTOTAL_ROWS[group_fact])
        if subtotal_row is None or not any(m in grid for m in members):
            continue
        for col in TABLE3_COLUMNS:
            parts = [grid[m].get(col) for m in members if m in grid]
            subtotal = subtotal_row.get(col)
            if subtotal is not None and None not in parts:
                added_up = _total(parts) == subtotal
                yield check("refusal_reasons_sum" if group_fact == "outcome_refused" else "outcomes_sum",
                            f"{group_fact} column {col}", added_up,
                            f"column {col}: rows of {group_fact} add up to {_fmt(_total(parts))} {_but(added_up)} the "
                            f"subtotal row table3[{SUBTOTAL_ROWS[group_fact]},{col}] = {_fmt(subtotal)}")
    for row, values in grid.items():
        parts = [values.get(col) for col in TABLE3_COLUMNS[:-1]]
        total = values.get("total")
        if total is not None and None not in parts:
            added_up = _total(parts) == total
            yield check("table3_row_totals", f"row {row}", added_up,
                        f"row {row}: applicant columns add up to {_fmt(_total(parts))} {_but(added_up)} "
                        f"table3[{row},total] = {_fmt(total)}")
        organisations = [values.get(col) for col in ORG_COLUMNS]
        subtotal = values.get("org_subtotal")
        if subtotal is not None and None not in organisations:
            added_up = _total(organisations) == subtotal
            yield check("table3_row_totals", f"row {row} 小计", added_up,
                        f"row {row}: organisation columns add up to {_fmt(_total(organisations))} {_but(added_up)} "
                        f"table3[{row},org_subtotal] 小计 = {_fmt(subtotal)}")


def _table4_rules(ctx: ReportContext, cells: Sequence[TableCell]) -> Iterable[Check]:
    values = {c.col_key: c.value for c in cells if c.table_key == "table4" and c.col_key}
    for block in TABLE4_BLOCKS:
        parts = [values.get(f"{block}_{outcome}") for outcome in ("upheld", "corrected", "other", "pending")]
        total = values.get(f"{block}_total")
        if total is not None and None not in parts:
            added_up = _total(parts) == total
            yield Check(ctx.doc_id, "review_sum" if block == "review" else "litigation_sum", "warning", block,
                        added_up, f"table4 {block}: 维持+纠正+其他+尚未审结 = {_fmt(_total(parts))} {_but(added_up)} "
                                  f"总计 = {_fmt(total)}")


def _legacy_rules(ctx: ReportContext, facts: dict[str, Fact], cells: Sequence[TableCell]) -> Iterable[Check]:
    """The pre-2019 identities P-1..P-3 (P-4 is completed_le_received, P-5 percentages_valid)."""
    if ctx.template != "legacy":
        return

    def check(rule: str, subject: str, passed: bool, detail: str) -> Check:
        return Check(ctx.doc_id, rule, "warning", subject, passed, detail)

    refused = facts.get("outcome_refused")
    reasons = [facts[k] for k in LEGACY_REFUSAL_REASONS if k in facts and facts[k].method == "prose"]
    if refused and reasons:
        listed = "; ".join(f"{f.fact_key}={_fmt(f.value)}" for f in reasons)
        added_up = _total(f.value for f in reasons) == refused.value
        yield check("refusal_reasons_sum", "outcome_refused", added_up,
                    f"refusal reasons add up to {_fmt(_total(f.value for f in reasons))} ({listed}) {_but(added_up)} "
                    f"{_fmt(refused.value)} requests were refused ({refused.evidence[:100]})")
    parts = [facts.get(k) for k in ("outcome_granted", "outcome_partially_granted", "outcome_refused")]
    completed = facts.get("requests_completed")
    if completed and all(parts):
        answered = _total(p.value for p in parts) + _total(  # type: ignore[union-attr]
            facts[k].value for k in ("outcome_already_public", "outcome_other") if k in facts)
        within = answered <= completed.value
        yield check("outcomes_sum", "requests_completed", within,
                    f"granted + partially granted + refused (+ already public/other) = {_fmt(answered)} "
                    f"{'is within' if within else 'exceeds'} the {_fmt(completed.value)} requests answered "
                    f"({completed.evidence[:100]})")
    review = facts.get("review_total")
    review_parts = [facts[k] for k in ("review_upheld", "review_corrected", "review_other", "review_pending") if k in facts]
    if review and review_parts:
        added_up = _total(f.value for f in review_parts) == review.value
        yield check("review_sum", "review_total", added_up,
                    f"review outcomes add up to {_fmt(_total(f.value for f in review_parts))} {_but(added_up)} "
                    f"review_total = {_fmt(review.value)} ({review.evidence[:100]})")
    channels = {c.row_key: c.value for c in cells
                if c.table_key == "other" and c.col_key == "year" and c.row_key in LEGACY_CHANNEL_ROWS}
    total_cell = next((c for c in cells if c.table_key == "other" and c.row_key == "requests_total"
                       and c.col_key == "year"), None)
    if channels and total_cell and total_cell.value is not None and None not in channels.values():
        added_up = _total(channels.values()) == total_cell.value
        yield check("legacy_channels_sum", "requests_total", added_up,
                    f"statistics table: request channels add up to {_fmt(_total(channels.values()))} {_but(added_up)} "
                    f"申请总数 = {_fmt(total_cell.value)}")


_SHARE = re.compile(r"占\s*(\d+(?:\.\d+)?)\s*[%％]")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")
_CHANGE_WORDS = re.compile(r"增长|下降|增加|减少|同比|环比|提高|降低|提升|上升")
_SENTENCE = re.compile(r"[^。！？\n]+")


def percentage_checks(doc_id: str, sections: Sequence[Section]) -> list[Check]:
    """Legacy identity P-5 on the requests prose: no share above 100%, and the shares of one outcome
    breakdown ('已主动公开81件,占7.2%;同意公开653件,占58.3%…') add up to 100 ± 1."""
    found: list[Check] = []
    for section in sections:
        if section.section_key not in ("requests", "refusals"):
            continue
        for sentence in _SENTENCE.findall(section.text):
            if _CHANGE_WORDS.search(sentence):
                continue
            percents = [float(v) for v in _PERCENT.findall(sentence)]
            if percents:
                valid = max(percents) <= 100
                found.append(Check(doc_id, "percentages_valid", "warning", "shares", valid,
                                   f"{'no share above 100% (at most' if valid else 'a share above 100% ('} "
                                   f"{max(percents):g}%) in: {sentence[:120]}"))
            shares = [float(v) for v in _SHARE.findall(sentence)]
            if len(shares) >= 3:
                whole = abs(sum(shares) - 100) <= 1
                found.append(Check(doc_id, "percentages_valid", "warning", "outcome shares", whole,
                                   f"outcome shares add up to {sum(shares):g}%{' (100 ± 1)' if whole else ', not 100%'}: "
                                   f"{sentence[:120]}"))
    return found


def evaluate_report(ctx: ReportContext, facts: Sequence[Fact], cells: Sequence[TableCell],
                    today: date | None = None) -> list[Check]:
    """Every single-report rule that applies, blocking first; identical checks are kept once."""
    by_key = {f.fact_key: f for f in facts}
    found = [*_blocking(ctx, by_key, cells, today or date.today()), *_table3_rules(ctx, cells),
             *_table4_rules(ctx, cells), *_legacy_rules(ctx, by_key, cells)]
    return list({(c.rule_id, c.subject, c.detail): c for c in found}.values())


def violations(checks: Iterable[Check]) -> list[Violation]:
    return [check.violation() for check in checks if not check.passed]


@dataclass(frozen=True)
class YearReport:
    """What the cross-year rules need of one report."""

    doc_id: str
    agency_key: str | None
    report_year: int | None
    facts: dict[str, Fact]


CARRYOVER_FACTS = ("requests_carried_over", "requests_carried_forward")


def evaluate_across_years(reports: Sequence[YearReport]) -> list[Check]:
    """Rules between an agency's consecutive reports: carried-over requests equal last year's
    carried-forward ones (domain.md X-1); a 历年累计 figure equals last year's plus this year's."""
    by_agency: dict[str, dict[int, YearReport]] = {}
    for report in reports:
        if report.agency_key and report.report_year:
            by_agency.setdefault(report.agency_key, {}).setdefault(report.report_year, report)
    found: list[Check] = []
    for agency, years in by_agency.items():
        for year, current in sorted(years.items()):
            previous = years.get(year - 1)
            if previous is None:
                continue
            carried_over = current.facts.get(CARRYOVER_FACTS[0])
            forward = previous.facts.get(CARRYOVER_FACTS[1])
            if carried_over and forward:
                continuous = carried_over.value == forward.value
                found.append(Check(current.doc_id, "carryover_continuity", "warning", "requests_carried_over",
                                   continuous,
                                   f"{agency} {year}: carried over {_fmt(carried_over.value)} "
                                   f"{'as' if continuous else 'but'} the {year - 1} report carried forward "
                                   f"{_fmt(forward.value)}"))
            for key, cumulative in current.facts.items():
                this_year = current.facts.get(key.removesuffix(CUMULATIVE_SUFFIX))
                last = previous.facts.get(key)
                if key.endswith(CUMULATIVE_SUFFIX) and this_year and last:
                    chained = cumulative.value == last.value + this_year.value
                    found.append(Check(current.doc_id, "cumulative_chain", "warning", key, chained,
                                       f"{agency} {year}: {key} = {_fmt(cumulative.value)}, "
                                       f"{'as' if chained else 'but'} {year - 1}'s {_fmt(last.value)} + this year's "
                                       f"{_fmt(this_year.value)} = {_fmt(last.value + this_year.value)}"))
    return found
