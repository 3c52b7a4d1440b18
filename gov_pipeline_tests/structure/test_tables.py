"""Statistics tables: grids with spans, template mapping, text rows and digit-run recovery."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from gov_pipeline.cleaning.grids import parse_pipe_row, render_pipe_rows, resolve_spans
from gov_pipeline.cleaning.html_text import parse_html
from gov_pipeline.domain.identities import row_sums
from gov_pipeline.domain.records import TableCell
from gov_pipeline.domain.template import (
    TABLE3_COLUMNS,
    TABLE3_ROWS,
    TABLE4_COLUMNS,
    detect_template,
)
from gov_pipeline.quality.rules import ReportContext
from gov_pipeline.structure.tables import (
    cell_value,
    extract_tables,
    split_digit_run,
    table3_columns,
)
from gov_pipeline_tests.conftest import CORPUS, SHUYANG, cleaned_text, report_violations

ROW_TOTAL = row_sums("table3", TABLE3_COLUMNS)
BLOCK_TOTALS = row_sums("table4", TABLE4_COLUMNS)


def by_row(cells: list[TableCell], table: str) -> dict[str, dict[str, TableCell]]:
    rows: dict[str, dict[str, TableCell]] = defaultdict(dict)
    for cell in cells:
        if cell.table_key == table and cell.col_key:
            rows[cell.row_key][cell.col_key] = cell
    return rows


def test_spans_are_resolved_like_a_reader_sees_them() -> None:
    # the header of Shuyang's table 4: colspan=5 / colspan=10, then rowspan=2 cells
    grid = resolve_spans([
        [("行政复议", None, "5"), ("行政诉讼", None, "10")],
        [("结果维持", "2", None), ("结果纠正", "2", None), ("其他结果", "2", None), ("尚未审结", "2", None),
         ("总计", "2", None), ("未经复议直接起诉", None, "5"), ("复议后起诉", None, "5")],
        [("结果维持", None, None)] * 10,
    ]).rows
    assert len(grid) == 3 and all(len(row) == 15 for row in grid)
    assert grid[0][4] == "行政复议" and grid[0][5] == "行政诉讼"
    assert grid[2][0] == "结果维持" and grid[2][4] == "总计" and grid[1][10] == "复议后起诉"


def test_spans_are_bounded() -> None:
    grid = resolve_spans([[("x", "100000", "100000")]]).rows
    assert len(grid) <= 2000 and len(grid[0]) <= 60


def test_pipe_rows_round_trip() -> None:
    grid = [["（三）不予公开", "1.属于国家秘密", "0", ""], ["a|b", "/", "—", "无"]]
    rendered = render_pipe_rows(grid).split("\n")
    assert parse_pipe_row(rendered[0]) == grid[0]
    assert parse_pipe_row(rendered[1]) == ["a｜b", "/", "—", "无"]
    assert parse_pipe_row("|---|---|") is None


def test_raw_tokens_are_not_numbers() -> None:
    assert ([cell_value(t) for t in ("0", "12", "1,120", "/", "—", "无", "", "-")]
            == [0, 12, 1120, None, None, None, None, None])


def test_shuyang_html_tables_map_every_template_cell() -> None:
    page = parse_html(SHUYANG.read_text(encoding="utf-8"))
    assert page.container.startswith("ucapcontent") and "3 tables" in page.container
    text = cleaned_text(SHUYANG)
    assert detect_template(text) == "2021"
    cells = extract_tables("doc", text)
    table3 = by_row(cells, "table3")
    expected_rows = [r.key for r in TABLE3_ROWS]
    assert set(expected_rows) <= set(table3)
    assert all(set(TABLE3_COLUMNS) <= set(table3[row]) for row in expected_rows)
    assert table3["received"]["total"].value == 26 and table3["received"]["commercial"].text == ""
    table4 = by_row(cells, "table4")["review_litigation"]
    assert set(table4) == set(TABLE4_COLUMNS)
    assert table4["review_pending"].value == 1 and table4["review_total"].value == 1
    table2 = by_row(cells, "table2")
    assert {k: [c.value for c in v.values()] for k, v in table2.items()} == {
        "regulations": [0, 0, 0], "normative_docs": [8, 0, 18], "licensing": [0], "penalty": [0],
        "coercion": [0], "admin_fees": [0]}
    violations = report_violations(ReportContext("doc", 2023, None, "2021"), [], cells)
    assert not [v for v in violations if v.rule_id.startswith("table3") or v.rule_id == "outcomes_sum"]


@pytest.mark.parametrize("relative,received,total", [
    ("2019_city_pingtan-zone_report.txt", 23, 23),
    ("2021_city_pingtan-zone_report.txt", 70, 69),
    ("2022_city_pingtan-zone_report.txt", 74, 75),
])
def test_flattened_dumps_yield_table3_and_table4_from_digit_runs(relative: str, received: int, total: int) -> None:
    cells = extract_tables("doc", cleaned_text(CORPUS / relative))
    table3 = by_row(cells, "table3")
    assert table3["received"]["total"].value == received and table3["total"]["total"].value == total
    assert len(table3) >= 23 and all(len(row) == 7 for row in table3.values())
    assert any(c.source == "digit_run" for c in cells if c.table_key == "table3")
    assert len(by_row(cells, "table4")["review_litigation"]) == 15


def test_ambiguous_digit_run_is_resolved_only_by_the_table_identities() -> None:
    # 2021 dump, （一）予以公开 "270020130": two readings satisfy the row total on their own …
    assert sorted(split_digit_run("270020130", ROW_TOTAL).values) == [
        (2, 7, 0, 0, 20, 1, 30), (27, 0, 0, 2, 0, 1, 30)]
    # … and only one agrees with the rest of the table (column sums = （七）总计)
    table3 = by_row(extract_tables("doc", cleaned_text(CORPUS / "2021_city_pingtan-zone_report.txt")), "table3")
    assert [table3["granted"][c].value for c in TABLE3_COLUMNS] == [27, 0, 0, 2, 0, 1, 30]


def test_ambiguous_digit_run_without_enough_constraints_stays_unknown() -> None:
    # 2021 dump, table 2: 行政规范性文件 "693665" (制发 / 废止 / 现行有效) has no arithmetic to pin it down
    cells = extract_tables("doc", cleaned_text(CORPUS / "2021_city_pingtan-zone_report.txt"))
    row = [c for c in cells if c.table_key == "table2" and c.row_key == "normative_docs"]
    assert [c.col_idx for c in row] == [0] and "readings" in row[0].note
    # legacy statistics table in a county dump: "2121" = 21|21 or 2|121
    legacy = extract_tables("doc", cleaned_text(CORPUS / "2012_county_pingtan-county_report.txt"))
    requests = [c for c in legacy if c.row_key == "requests_total"]
    assert [c.col_idx for c in requests] == [0] and "2 readings" in requests[0].note


def test_digit_run_splits_respect_leading_zeros_and_spaces() -> None:
    assert split_digit_run("230 000023", ROW_TOTAL).values == ((23, 0, 0, 0, 0, 0, 23),)
    assert split_digit_run("23 0 00 0 023", ROW_TOTAL).values == ((23, 0, 0, 0, 0, 0, 23),)
    assert split_digit_run("000000000000000", BLOCK_TOTALS).values == ((0,) * 15,)
    # table 4 of the 2021 dump: three blocks of five, each adding up to its total
    assert (split_digit_run("10203120001200000", BLOCK_TOTALS).values
            == ((1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0),))


@pytest.mark.parametrize("relative,received,total,refused_rows", [
    ("2024_department_shanghai-stcsm_report.md", 34, 35, 8),
    ("2025_provincial_shanghai-general-office_report.md", 1295, 1191, 8),
])
def test_markdown_tables_broken_into_pieces_yield_table3(relative: str, received: int, total: int,
                                                          refused_rows: int) -> None:
    table3 = by_row(extract_tables("doc", cleaned_text(CORPUS / relative)), "table3")
    assert table3["received"]["total"].value == received and table3["total"]["total"].value == total
    assert len([k for k in table3 if k.startswith("refused_") and k != "refused_subtotal"]) == refused_rows
    assert not [v for v in report_violations(ReportContext("doc", 2024, None, "2021"), [],
                                           [c for row in table3.values() for c in row.values()])
                if v.rule_id in ("outcomes_sum", "table3_balance")]


def test_pdf_rows_split_from_their_labels_are_placed_by_template_order() -> None:
    cells = extract_tables("doc", cleaned_text(CORPUS / "pdf" / "2024_county_huaian-hongze-district_report.pdf"))
    table3 = by_row(cells, "table3")
    # "（四）无法提供1.本机关不掌握相关政府信息31 0 0 0 0 0 311 0 0 0 0 0 1": two rows merged in one line
    assert table3["unable_not_held"]["total"].value == 31 and table3["unable_needs_creation"]["total"].value == 1
    assert not [v for v in report_violations(ReportContext("doc", 2024, None, "2021"), [], cells)
                if v.rule_id == "outcomes_sum"]


def test_legacy_statistics_table() -> None:
    cells = extract_tables("doc", cleaned_text(CORPUS / "html" / "2012_county_pingtan-county_report.html"))
    legacy = by_row(cells, "other")
    assert (legacy["requests_total"]["year"].value, legacy["requests_total"]["cumulative"].value) == (21, 21)
    assert legacy["replies_granted"]["year"].value == 17


def test_table3_columns_come_from_the_grid_header() -> None:
    text = cleaned_text(SHUYANG)
    assert table3_columns(text.split("\n")) == TABLE3_COLUMNS
    md = cleaned_text(CORPUS / "2024_department_shanghai-stcsm_report.md")  # header broken into pieces
    assert table3_columns(md.split("\n")) == TABLE3_COLUMNS


def test_a_subtotal_column_is_mapped_and_checked() -> None:
    # Shuyang's table 3 with a 法人或其他组织小计 column inserted before 总计, as some reports print it
    lines = []
    for line in cleaned_text(SHUYANG).split("\n"):
        cells = parse_pipe_row(line)
        if cells is not None and len(cells) == 10:
            header = not any(cell_value(c) is not None for c in cells)
            extra = "法人或其他组织小计" if header else ("1" if "本年新收" in line else "0")
            if not header:  # the page leaves organisation cells blank; this version writes 0
                cells = cells[:4] + [c or "0" for c in cells[4:9]] + cells[9:]
            cells = [*cells[:-1], extra, cells[-1]]
            line = render_pipe_rows([cells])
        lines.append(line)
    cells = extract_tables("doc", "\n".join(lines))
    table3 = by_row(cells, "table3")
    assert table3["received"]["org_subtotal"].value == 1 and table3["received"]["total"].value == 26
    violations = report_violations(ReportContext("doc", 2023, None, "2021"), [], cells)
    assert [v.rule_id for v in violations] == ["table3_row_totals"]
    assert "小计 = 1" in violations[0].detail


def test_template_detected_from_notice_or_headings_when_the_copy_lost_its_tables() -> None:
    # Shuyang (2021 form) and the 2019 平潭 dump with every table line taken out: the cited notice, or
    # the template's section headings with the title's year, still say which form the report follows
    shuyang = "\n".join(line for line in cleaned_text(SHUYANG).split("\n") if not line.startswith("|"))
    assert detect_template(shuyang) == "2021"
    dump = cleaned_text(CORPUS / "2019_city_pingtan-zone_report.txt")
    lost = re.sub(r"第二十条第（一）项.*?(?=三、收到)"
                  r"|（本列数据.*?(?=四、政府)"
                  r"|行政复议行政诉讼结果.*?(?=五、)", "", dump)
    assert "本年新收" not in lost and "第二十条" not in lost and "结果维持" not in lost
    assert detect_template(lost) == "2019"
    assert detect_template(lost.replace("总体情况", "概述")) == "legacy"


def test_table_facts_join_their_cells_and_read_like_the_document() -> None:
    from gov_pipeline.facts.table_facts import extract_table_facts

    cells = extract_tables("doc", cleaned_text(SHUYANG))
    by_position = {(c.table_key, c.row_idx, c.col_idx): c for c in cells}
    facts = extract_table_facts("doc", cells)
    for fact in facts:
        assert fact.table_key in ("table2", "table3", "table4") and fact.col_label
        if fact.row_idx is not None:
            cell = by_position[(fact.table_key, fact.row_idx, fact.col_idx)]
            assert cell.value == fact.value or (cell.text.strip() == "" and fact.value == 0)
    received = next(f for f in facts if f.fact_key == "requests_received")
    assert received.evidence == "表三 一、本年新收政府信息公开申请数量 / 总计: 26"
    blank = next(f for f in facts if f.fact_key == "requests_received__commercial")
    assert blank.value == 0 and "read as 0" in blank.evidence


def test_the_scoring_seed_of_template_cells_follows_the_table_model() -> None:
    # dbt's C2 indicator divides by these counts: they must be the model's, not a second declaration
    import csv

    from gov_pipeline.config import DBT_PROJECT_DIR
    from gov_pipeline.domain.template import TABLE2_LAYOUTS

    seed = {(row["template"], row["table_key"]): int(row["expected_cells"])
            for row in csv.DictReader((DBT_PROJECT_DIR / "seeds" / "template_cells.csv").open(encoding="utf-8"))}
    for template in ("2019", "2021"):
        rows3 = [r for r in TABLE3_ROWS if template == "2021" or r.key not in ("other_no_correction", "other_no_fee")]
        assert seed[(template, "table2")] == sum(len(facts) for _, _, facts, _, _ in TABLE2_LAYOUTS[template])
        assert seed[(template, "table3")] == len(rows3) * len(TABLE3_COLUMNS)
        assert seed[(template, "table4")] == len(TABLE4_COLUMNS)
