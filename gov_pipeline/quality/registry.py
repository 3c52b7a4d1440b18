"""Every data-quality rule, declared once: its id, severity, what it checks, the identity of
docs/domain.md it implements and the compliance indicators it feeds. The Python rules (rules.py) take
their severity from here, the Dagster asset checks (checks.py) and the Great Expectations gate
(expectations.py) are built from here, and so is the data dictionary's rule table.

A blocking rule also carries its `gate`: an SQL aggregate over one report's facts (`f`, report_facts)
and its reports row (`r`) that counts what breaks the rule. The gate re-derives the rule from the
warehouse for the reports marked scored, independently of the Python rule, so a report that breaks it
can never reach scoring whatever went wrong upstream. Gates bind their constants as parameters
(GATE_PARAMETERS)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BLOCKING, WARNING = "blocking", "warning"
FIRST_REPORT_YEAR = 2008  # the 2007 regulation took effect on 2008-05-01
SIGNED_FACT_SUFFIX = "_change"  # only the 2019 template's 本年增/减 columns may be negative
# The largest value one report can plausibly state, per fact unit (records.Fact.unit). Far above any real
# report: the busiest bodies receive tens of thousands of requests a year, a province's table 2 counts
# licences in the millions and its fees in millions of 万元. A value beyond its bound, or not a finite
# number (an overlong digit run read as inf), is a reading error or a forged page, never a count.
PLAUSIBLE_MAX: dict[str, float] = {
    "requests": 1e7,
    "cases": 1e7,
    "items": 1e9,
    "count": 1e10,
    "yuan": 1e12,
    "wan_yuan": 1e9,
}
PLAUSIBLE_MAX_OTHER = max(PLAUSIBLE_MAX.values())  # a unit not listed above


@dataclass(frozen=True)
class Feed:
    """A rubric indicator (dbt seed rubric_weights) whose score a rule's checks feed; `table_key` names the
    table whose coverage decides whether the indicator can be assessed (None: the prose)."""

    rubric: str  # template | legacy
    indicator: str
    table_key: str | None = None

    def __str__(self) -> str:
        return f"{self.rubric} {self.indicator}"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # blocking: the report is quarantined | warning: lowers the consistency indicators
    description: str
    implements: str  # the identity or check of docs/domain.md (§3)
    feeds: tuple[Feed, ...] = ()  # rubric indicators (docs/domain.md §5) whose score the rule's checks feed
    gate: str | None = None  # blocking rules: SQL counting, per report, what breaks it (0 = holds)

    @property
    def blocking(self) -> bool:
        return self.severity == BLOCKING


GATE_PARAMETERS: dict[str, Any] = {
    "signed_suffix": SIGNED_FACT_SUFFIX,
    "first_report_year": FIRST_REPORT_YEAR,
    "plausible_units": list(PLAUSIBLE_MAX),
    "plausible_bounds": list(PLAUSIBLE_MAX.values()),
    "plausible_other": PLAUSIBLE_MAX_OTHER,
}

RULES: dict[str, Rule] = {rule.id: rule for rule in (
    Rule("count_non_negative", BLOCKING, "No count is negative (the 2019 template's 本年增/减 columns excepted).",
         "ALL", gate="count(f.doc_id) filter (where f.value < 0 and not suffix(f.fact_key, $signed_suffix))"),
    Rule("completed_le_received", BLOCKING, "Requests answered do not exceed requests received plus carried over.",
         "P-4", (Feed("legacy", "internal_consistency"),),
         gate="coalesce((max(f.value) filter (where f.fact_key = 'requests_completed') > "
              "max(f.value) filter (where f.fact_key = 'requests_received') + "
              "coalesce(max(f.value) filter (where f.fact_key = 'requests_carried_over'), 0))::int, 0)"),
    Rule("year_plausible", BLOCKING, f"The report year lies between {FIRST_REPORT_YEAR} and this year, and not "
         "after the publication date.", "metadata",
         gate="coalesce((r.report_year < $first_report_year or r.report_year > year(current_date) "
              "or r.report_year > year(r.publish_date))::int, 0)"),
    Rule("value_plausible", BLOCKING, "Every value is finite and within its unit's plausible bound for one report "
         f"({', '.join(f'{unit} {bound:.0e}' for unit, bound in PLAUSIBLE_MAX.items())}).", "ALL",
         gate="count(f.doc_id) filter (where not isfinite(f.value) or abs(f.value) > "
              "coalesce($plausible_bounds[list_position($plausible_units, f.unit)], $plausible_other))"),
    Rule("table3_balance", WARNING, "Table 3: received + carried over = handled + carried forward, per column.",
         "T3-A", (Feed("template", "table3_balance", "table3"),)),
    Rule("outcomes_sum", WARNING, "Outcomes add up to the requests handled (table 3 per column; legacy prose: "
         "granted + partially granted + refused within the requests answered).", "T3-B, P-2",
         (Feed("template", "table3_outcomes", "table3"), Feed("legacy", "internal_consistency"))),
    Rule("table3_row_totals", WARNING, "Table 3: each row's 总计 equals the sum of its applicant columns.", "T3-C",
         (Feed("template", "table3_row_totals", "table3"),)),
    Rule("review_sum", WARNING, "Table 4 (and legacy prose): review outcomes add up to the reviews' total.",
         "T4-A", (Feed("template", "table4_totals", "table4"),)),
    Rule("litigation_sum", WARNING, "Table 4: lawsuit outcomes add up to each block's total.", "T4-A",
         (Feed("template", "table4_totals", "table4"),)),
    Rule("legacy_channels_sum", WARNING, "Legacy table: requests by channel add up to the requests received.",
         "P-1", (Feed("legacy", "internal_consistency"),)),
    Rule("refusal_reasons_sum", WARNING, "Legacy prose: refusal reasons add up to the requests refused.", "P-3",
         (Feed("legacy", "internal_consistency"),)),
    Rule("percentages_valid", WARNING, "Every percentage is at most 100 and an outcome breakdown's shares add up "
         "to 100 ± 1.", "P-5", (Feed("legacy", "internal_consistency"),)),
    Rule("prose_table_mismatch", WARNING, "A figure the prose states equals the table's (the table's is kept).",
         "X-4", (Feed("template", "prose_agrees"), Feed("legacy", "prose_agrees"))),
    Rule("carryover_continuity", WARNING, "Requests carried over equal those the body's previous report carried "
         "forward.", "X-1", (Feed("template", "carryover_continuity"),)),
    Rule("cumulative_chain", WARNING, "A 历年累计 figure equals last year's plus this year's.", "X-1 (cumulative)"),
)}

BLOCKING_RULES: tuple[Rule, ...] = tuple(rule for rule in RULES.values() if rule.blocking)


def severity(rule_id: str) -> str:
    """The declared severity of a rule (KeyError for a rule nobody declared)."""
    return RULES[rule_id].severity
