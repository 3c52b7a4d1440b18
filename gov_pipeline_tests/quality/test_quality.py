"""Data-quality rules on single reports and across an agency's years."""

from __future__ import annotations

from datetime import date

from gov_pipeline.domain.records import Fact, TableCell
from gov_pipeline.domain.template import detect_template
from gov_pipeline.facts.extract import extract_prose_facts, extract_table_facts, merge_facts
from gov_pipeline.quality.rules import ReportContext, YearReport, evaluate_across_years, violations
from gov_pipeline.structure.sections import split_sections
from gov_pipeline.structure.tables import extract_tables
from gov_pipeline_tests.conftest import CORPUS, SEEDS, clean_file, report_violations

TODAY = date(2026, 11, 22)


def violations_of(path, today: date = TODAY):
    document = clean_file(path).document
    cells = extract_tables(document.doc_id, document.text)
    facts, mismatches = merge_facts(
        document.doc_id,
        extract_prose_facts(document.doc_id, split_sections(document.doc_id, document.text), document.report_year),
        extract_table_facts(document.doc_id, cells))
    ctx = ReportContext(document.doc_id, document.report_year, document.publish_date, detect_template(document.text))
    return mismatches + report_violations(ctx, facts, cells, today), facts


def test_seed_004_refusal_reasons_do_not_add_up_but_it_is_not_blocked(gold: dict) -> None:
    violations, _ = violations_of(SEEDS / "004_a8ef66291314f876.txt")
    assert {v.rule_id for v in violations} == set(gold["004_a8ef66291314f876.txt"]["expected_dq"])
    detail = violations[0].detail
    assert "232" in detail and "233" in detail and violations[0].severity == "warning"


def test_other_seeds_are_clean(gold: dict) -> None:
    for name in ("000_990f776b87745625.txt", "001_d2b3fed2330643c7.txt", "002_f94757b5ee07a06a.txt",
                 "003_c2cef3dbede2db47.txt"):
        assert [v.rule_id for v in violations_of(SEEDS / name)[0]] == gold[name]["expected_dq"]


def fact(key: str, value: float) -> Fact:
    return Fact("doc", key, value, "requests", "requests", f"{key} sentence", "prose")


def test_blocking_rules() -> None:
    ctx = ReportContext("doc", 2017, date(2018, 3, 1), "legacy")
    found = report_violations(ctx, [fact("requests_received", 10), fact("requests_completed", 12)], [], TODAY)
    assert [(v.rule_id, v.severity) for v in found] == [("completed_le_received", "blocking")]
    carried = report_violations(ctx, [fact("requests_received", 10), fact("requests_carried_over", 2),
                                    fact("requests_completed", 12)], [], TODAY)
    assert carried == []
    negative = report_violations(ctx, [fact("review_total", -1)], [TableCell("doc", 3, "table3", 0, 7, "-3", "received",
                                                                          "total", -3.0)], TODAY)
    assert [v.rule_id for v in negative] == ["count_non_negative", "count_non_negative"]
    assert "table3[received,total] = '-3'" in negative[1].detail
    assert report_violations(ReportContext("doc", 2019, None, "2019"),
                           [fact("licensing_items_change", -3)], [], TODAY) == []


def test_year_plausible() -> None:
    assert ([v.rule_id for v in report_violations(ReportContext("doc", 2099, None, "2021"), [], [], TODAY)]
            == ["year_plausible"])
    assert ([v.rule_id for v in report_violations(ReportContext("doc", 2005, None, "legacy"), [], [], TODAY)]
            == ["year_plausible"])
    late = report_violations(ReportContext("doc", 2020, date(2019, 3, 1), "2019"), [], [], TODAY)
    assert "after the publication date" in late[0].detail


def test_table_identity_warnings_name_their_cells() -> None:
    violations, _ = violations_of(CORPUS / "pdf" / "2023_county_huaian-hongze-district_report.pdf")
    review = [v for v in violations if v.rule_id == "review_sum"]
    assert review and "总计 = 0" in review[0].detail and all(v.severity == "warning" for v in violations)


def test_cross_year_chains_on_the_pingtan_series() -> None:
    reports = []
    for year in (2015, 2016):
        document = clean_file(CORPUS / f"{year}_city_pingtan-zone_report.txt").document
        _, facts = violations_of(CORPUS / f"{year}_city_pingtan-zone_report.txt")
        reports.append(YearReport(document.doc_id, "平潭综合实验区", year, {f.fact_key: f for f in facts}))
    found = violations(evaluate_across_years(reports))
    # proactive: 81916 (2015) + 3460 (2016) = 85376 holds; the 2016 requests chain went back to 0
    assert all("proactive" not in v.detail for v in found)
    assert {v.rule_id for v in found} == {"cumulative_chain"}


def test_carryover_continuity() -> None:
    last = YearReport("a", "某区", 2021, {"requests_carried_forward": fact("requests_carried_forward", 3)})
    this = YearReport("b", "某区", 2022, {"requests_carried_over": fact("requests_carried_over", 1)})
    [violation] = violations(evaluate_across_years([last, this]))
    assert violation.doc_id == "b" and violation.rule_id == "carryover_continuity"
