"""Stage 5, dq_checks / dq_violations: the data-quality rules of data_contract.md and domain.md §3.

Every rule that applies to a report yields one Check per subject it examines (a table column, a row,
a block, a pair of facts), passed or not: dbt scores internal consistency as the share of checks
passed. The failed ones are the violations. Blocking rules quarantine a report (it keeps its facts
but is never scored); warnings lower the consistency indicator. Details name the cells or sentences."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from gov_pipeline.domain.identities import Identity, instances, of_table
from gov_pipeline.domain.numbers import iter_quantities
from gov_pipeline.domain.records import Fact, Section, TableCell, Violation
from gov_pipeline.domain.template import (
    CUMULATIVE_SUFFIX,
    TABLE_NAMES,
    column_label,
    row_label,
)
from gov_pipeline.quality.registry import (
    FIRST_REPORT_YEAR,
    PLAUSIBLE_MAX,
    PLAUSIBLE_MAX_OTHER,
    SIGNED_FACT_SUFFIX,
    severity,
)

LEGACY_REFUSAL_REASONS = ("refused_state_secret", "refused_commercial_secret", "refused_personal_privacy",
                          "refused_security_stability", "refused_not_government_info", "refused_other_law")


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


def plausible_bound(unit: str) -> float:
    return PLAUSIBLE_MAX.get(unit, PLAUSIBLE_MAX_OTHER)


def implausible_reason(fact: Fact) -> str | None:
    """Why a fact's value cannot be a real figure, or None when it can."""
    if not math.isfinite(fact.value):
        return (f"{fact.fact_key} is not a finite number ({fact.value}): the figure in the text is too long "
                f"to be a count; evidence: {fact.evidence[:160]}")
    bound = plausible_bound(fact.unit)
    if abs(fact.value) > bound:
        return (f"{fact.fact_key} = {fact.value:,.0f} {fact.unit} is beyond the plausible bound of {bound:,.0f} for "
                f"one report; evidence: {fact.evidence[:160]}")
    return None


def _blocking(ctx: ReportContext, facts: dict[str, Fact], cells: Sequence[TableCell], today: date) -> Iterable[Check]:
    def check(rule: str, subject: str, passed: bool, detail: str) -> Check:
        return Check(ctx.doc_id, rule, severity(rule), subject, passed, detail)

    negative = [check("count_non_negative", fact.fact_key, False,
                      f"{fact.fact_key} = {_fmt(fact.value)} is negative; evidence: {fact.evidence[:160]}")
                for fact in facts.values() if fact.value < 0 and not fact.fact_key.endswith(SIGNED_FACT_SUFFIX)]
    negative += [check("count_non_negative", f"{cell.table_key}[{cell.row_key},{cell.col_key}]", False,
                       f"{cell.table_key}[{cell.row_key},{cell.col_key}] = '{cell.text}' is negative")
                 for cell in cells if cell.value is not None and cell.value < 0
                 and not (cell.col_key or "").endswith(SIGNED_FACT_SUFFIX)]
    yield from negative or [check("count_non_negative", "all counts", True, "no negative count")]
    implausible = [check("value_plausible", fact.fact_key, False, reason)
                   for fact in facts.values() if (reason := implausible_reason(fact)) is not None]
    yield from implausible or [check("value_plausible", "all values", True, "every value finite and within its bound")]
    completed, received = facts.get("requests_completed"), facts.get("requests_received")
    carried = facts.get("requests_carried_over")
    if completed and received:
        available = received.value + (carried.value if carried else 0)
        held = completed.value <= available
        yield check("completed_le_received", "requests", held,
                    f"requests completed {_fmt(completed.value)} ({completed.evidence[:100]}) "
                    f"{'are within' if held else 'exceed'} requests "
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


def table_grids(cells: Sequence[TableCell]) -> dict[str, dict[str, dict[str, float | None]]]:
    """Per table, its mapped cells as row key -> column key -> value (None where not read)."""
    grids: dict[str, dict[str, dict[str, float | None]]] = {}
    for cell in cells:
        if cell.row_key and cell.col_key:
            grids.setdefault(cell.table_key, {}).setdefault(cell.row_key, {})[cell.col_key] = cell.value
    return grids


def _side(identity: Identity, keys: Sequence[str], template: str) -> str:
    label = column_label if identity.axis == "row" else row_label
    names = [label(identity.table_key, key, template) for key in keys]
    if len(names) <= 2:
        return " + ".join(names)
    return f"{names[0]} .. {names[-1]} ({len(names)} {'columns' if identity.axis == 'row' else 'rows'})"


def _identity_rules(ctx: ReportContext, cells: Sequence[TableCell]) -> Iterable[Check]:
    """Every declared table identity (identities.py) in every row or column where its cells were read."""
    grids = table_grids(cells)
    for table_key, grid in grids.items():
        for instance in instances(grid, of_table(table_key)):
            identity = instance.identity
            where = (f"row {instance.subject} ({row_label(table_key, instance.subject, ctx.template)})"
                     if identity.axis == "row" else
                     f"column {instance.subject} ({column_label(table_key, instance.subject, ctx.template)})")
            right = [k for k in identity.right if not identity.optional_right or
                     (k in grid if identity.axis == "column" else k in grid.get(instance.subject, {}))]
            yield Check(ctx.doc_id, identity.rule_id, severity(identity.rule_id), f"{identity.id} {where}",
                        instance.holds,
                        f"{TABLE_NAMES[table_key]} {where}: {_side(identity, identity.left, ctx.template)} = "
                        f"{_fmt(instance.left)} {_but(instance.holds)} {_side(identity, right, ctx.template)} = "
                        f"{_fmt(instance.right)} "
                        f"({identity.id}: {identity.wording})")


def _legacy_rules(ctx: ReportContext, facts: dict[str, Fact]) -> Iterable[Check]:
    """The pre-2019 identities P-2 and P-3 over the facts (P-1 is a table identity, P-4
    completed_le_received, P-5 percentages_valid)."""
    if ctx.template != "legacy":
        return

    def check(rule: str, subject: str, passed: bool, detail: str) -> Check:
        return Check(ctx.doc_id, rule, severity(rule), subject, passed, detail)

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
    review_parts = [facts[k] for k in ("review_upheld", "review_corrected", "review_other", "review_pending")
                    if k in facts]
    if review and review_parts:
        added_up = _total(f.value for f in review_parts) == review.value
        yield check("review_sum", "review_total", added_up,
                    f"review outcomes add up to {_fmt(_total(f.value for f in review_parts))} {_but(added_up)} "
                    f"review_total = {_fmt(review.value)} ({review.evidence[:100]})")


_CHANGE_WORDS = re.compile(r"增长|下降|增加|减少|同比|环比|提高|降低|提升|上升")
_SENTENCE = re.compile(r"[^。！？\n]+")
_SHARE_WORD = re.compile(r"占\s*$")


def _percentages(sentence: str) -> list[tuple[float, bool]]:
    """Each percentage of a sentence (number grammar), in percent, and whether it is a share ('占7.2%')."""
    if "%" not in sentence and "％" not in sentence and "百分之" not in sentence:
        return []  # a percentage needs its sign or 百分之 (numbers.QUANTITY_PATTERN's pct, pct_word)
    return [(round(quantity.value * 100, 6), bool(_SHARE_WORD.search(sentence[max(0, start - 4):start])))
            for start, _, quantity in iter_quantities(sentence) if quantity.is_percent]


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
            stated = _percentages(sentence)
            percents = [value for value, _ in stated]
            if percents:
                valid = max(percents) <= 100
                found.append(Check(doc_id, "percentages_valid", severity("percentages_valid"), "shares", valid,
                                   f"{'no share above 100% (at most' if valid else 'a share above 100% ('} "
                                   f"{max(percents):g}%) in: {sentence[:120]}"))
            shares = [value for value, is_share in stated if is_share]
            if len(shares) >= 3:
                whole = abs(sum(shares) - 100) <= 1
                found.append(Check(doc_id, "percentages_valid", severity("percentages_valid"), "outcome shares", whole,
                                   f"outcome shares add up to {sum(shares):g}%"
                                   f"{' (100 ± 1)' if whole else ', not 100%'}: "
                                   f"{sentence[:120]}"))
    return found


def evaluate_report(ctx: ReportContext, facts: Sequence[Fact], cells: Sequence[TableCell],
                    today: date | None = None) -> list[Check]:
    """Every single-report rule that applies, blocking first; identical checks are kept once."""
    by_key = {f.fact_key: f for f in facts}
    found = [*_blocking(ctx, by_key, cells, today or date.today()), *_identity_rules(ctx, cells),
             *_legacy_rules(ctx, by_key)]
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
                found.append(Check(current.doc_id, "carryover_continuity", severity("carryover_continuity"),
                                   "requests_carried_over", continuous,
                                   f"{agency} {year}: carried over {_fmt(carried_over.value)} "
                                   f"{'as' if continuous else 'but'} the {year - 1} report carried forward "
                                   f"{_fmt(forward.value)}"))
            for key, cumulative in current.facts.items():
                this_year = current.facts.get(key.removesuffix(CUMULATIVE_SUFFIX))
                last = previous.facts.get(key)
                if key.endswith(CUMULATIVE_SUFFIX) and this_year and last:
                    chained = cumulative.value == last.value + this_year.value
                    found.append(Check(current.doc_id, "cumulative_chain", severity("cumulative_chain"), key, chained,
                                       f"{agency} {year}: {key} = {_fmt(cumulative.value)}, "
                                       f"{'as' if chained else 'but'} {year - 1}'s {_fmt(last.value)} + this year's "
                                       f"{_fmt(this_year.value)} = {_fmt(last.value + this_year.value)}"))
    return found
