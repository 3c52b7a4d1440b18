"""The layout-variant harness (issue 13 §3): the tables of every real template report whose facts are
known, rendered into the layouts real pages use, read back through cleaning, the table mapper and the
table facts, and compared with the facts read from the real document.

A report's tables are taken as the mapper reads them from the real document (checked against the
gold files by the gold tests), then printed again from the template model's labels: official 60号
and 30号 HTML with their spans, a blank 总计 column, a header split over two rows, Word-pasted cells,
PDF-to-markdown pieces, PDF text rows, a crawler dump with glued digit runs, a table 3 without two
applicant columns and table 4 transposed (one row per block, one row per outcome). Used by
test_layout_variants.py and benchmarks/layout_variants.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gov_pipeline.cleaning.clean import clean_document
from gov_pipeline.domain.records import TableCell
from gov_pipeline.domain.template import (
    APPLICANT_SUFFIX,
    ORG_COLUMNS,
    TABLE2_LAYOUTS,
    TABLE3_COLUMN_LABELS,
    TABLE3_COLUMNS,
    TABLE3_ROWS,
    TABLE4_BLOCK_LABELS,
    TABLE4_BLOCKS,
    TABLE4_OUTCOME_LABELS,
    TABLE4_OUTCOMES,
    detect_template,
    table2_column_label,
)
from gov_pipeline.facts.table_facts import extract_table_facts, read_tables
from gov_pipeline.ingest.inventory import read_raw
from gov_pipeline.structure.tables import extract_tables
from gov_pipeline_tests.conftest import CORPUS, FIXTURES, clean_file

OTHER_2021 = ("other_no_correction", "other_no_fee", "other_other")
GROUPS = (("（三）不予公开", "refused_"), ("（四）无法提供", "unable_"), ("（五）不予处理", "not_processed_"),
          ("（六）其他处理", "other_"))
SUBTOTAL = {"refused_": "refused_subtotal", "unable_": "unable_subtotal", "not_processed_": "not_processed_subtotal",
            "other_": "other_group"}
MISSING_COLUMNS = ("research", "ngo")  # pages that print only the applicant kinds they had
CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


@dataclass(frozen=True)
class Report:
    """The tables of one real report, as values per template cell ('' where the cell was not read)."""

    name: str
    template: str
    table2: dict[str, dict[str, str]]  # row key -> fact key -> text
    table3: dict[str, dict[str, str]]  # row key -> column key -> text
    table4: dict[str, str]  # column key -> text
    facts: dict[str, float]  # the table facts read from the real document


def _text(value: float | None) -> str:
    return "" if value is None else (str(int(value)) if value == int(value) else f"{value:g}")


def template_reports() -> list[Report]:
    """Every template report in data/raw whose facts are in the gold files."""
    gold = json.loads((FIXTURES / "corpus_gold.json").read_text(encoding="utf-8"))
    reports = []
    for name in sorted(k for k in gold if not k.startswith("_")):
        document = clean_file(CORPUS / name).document
        assert document is not None
        template = detect_template(document.text)
        if template == "legacy":
            continue
        cells = extract_tables(document.doc_id, document.text)
        tables = read_tables(cells)
        table3 = {row: {col: _text(c.value) for col, c in by_col.items() if col in TABLE3_COLUMNS}
                  for row, by_col in tables.get("table3", {}).items()}
        table4 = {col: _text(c.value) for by_col in tables.get("table4", {}).values() for col, c in by_col.items()}
        table2 = {row: {col: _text(c.value) for col, c in by_col.items()}
                  for row, by_col in tables.get("table2", {}).items()}
        facts = {f.fact_key: f.value for f in extract_table_facts(document.doc_id, cells)}
        reports.append(Report(name, template, table2, table3, table4, facts))
    return reports


# ---------------------------------------------------------------- the model, laid out per generation
def table3_rows(report: Report, generation: str) -> list[tuple[str, str, dict[str, str]]]:
    """(group label, row label, values) of the rows the real document gave, in template order, with
    its subtotal rows where it printed them; in the 2019 layout the three （六） rows of a 2021 report
    are printed as their one sum row."""
    rows: list[tuple[str, str, dict[str, str]]] = []
    subtotals_done: set[str] = set()
    for spec in TABLE3_ROWS:
        if generation == "2019" and spec.key in OTHER_2021[:2]:
            continue
        single_other = spec.key == "other_other" and (generation == "2019" or report.template == "2019")
        group = next(((label, prefix) for label, prefix in GROUPS if spec.key.startswith(prefix)), None)
        if group and not single_other and group[1] not in subtotals_done:
            subtotals_done.add(group[1])
            if SUBTOTAL[group[1]] in report.table3:
                rows.append(("", group[0], report.table3[SUBTOTAL[group[1]]]))
        if single_other:
            values = report.table3.get("other_other", {}) if report.template == "2019" else {
                col: _text(report.facts.get("outcome_other" + APPLICANT_SUFFIX[col])) for col in TABLE3_COLUMNS}
            if values:
                rows.append(("", "（六）其他处理", values))
            continue
        if spec.key in report.table3:
            rows.append((group[0] if group else "", spec.official, report.table3[spec.key]))
    return rows


def table2_rows(report: Report, generation: str) -> list[tuple[str, str, list[str], list[str]]]:
    """(block item, row label, column labels, values) of table 2 in one generation's layout. A 2021
    report printed in the 2019 layout puts 制发/废止/现行有效 under 新制作/新公开/对外公开总数量 and its
    decisions under 处理决定数量 (a layout test: the values are the report's, the slots the 2019 form's)."""
    rows = []
    source = TABLE2_LAYOUTS[report.template]
    for key, _, facts, printed, item in TABLE2_LAYOUTS[generation]:
        own = report.table2.get(key, {})
        if report.template != generation:
            theirs = next((f for k, _, f, _, _ in source if k == key), ())
            by_position = [own.get(f, "") for f in theirs]
            if len(theirs) == 1 and len(facts) == 3:
                by_position = ["", "", by_position[0]]
            values = by_position[:len(facts)] + [""] * (len(facts) - len(by_position))
            if key in ("admin_fees",):
                values = [""] * len(facts)
        else:
            values = [own.get(f, "") for f in facts]
        rows.append((item, printed, [table2_column_label(f, generation) for f in facts], values))
    return rows


def expected(report: Report, generation: str) -> dict[str, float]:
    """The facts a layout of `generation` can state: the real document's, less what the form lacks."""
    facts = {k: v for k, v in report.facts.items() if not k.startswith(tuple(f for _, _, fs, _, _ in
                                                                          TABLE2_LAYOUTS[report.template] for f in fs))}
    if generation == "2019" != report.template:  # the three （六） rows printed as their sum
        facts = {k: v for k, v in facts.items() if not k.startswith(OTHER_2021)}
        facts |= {k.replace("outcome_other", "other_other"): v for k, v in report.facts.items()
                  if k.startswith("outcome_other")}
    for _, printed, _, values in table2_rows(report, generation):
        key = next(k for k, _, _, p, _ in TABLE2_LAYOUTS[generation] if p == printed)
        facts_of_row = next(f for k, _, f, _, _ in TABLE2_LAYOUTS[generation] if k == key)
        for fact, value in zip(facts_of_row, values, strict=True):
            if value:
                facts[fact] = float(value)
    return facts


# ---------------------------------------------------------------- HTML
def _td(text: str, rowspan: int = 1, colspan: int = 1, word: bool = False) -> str:
    spans = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
    if word:
        style = ("width:42.5pt;border:solid windowtext 1.0pt;border-top:none;mso-border-top-alt:solid windowtext "
                 ".5pt;mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt;height:20.25pt")
        runs = "".join(f'<span lang="EN-US" style="font-size:10.5pt;font-family:宋体;mso-bidi-font-family:宋体;'
                       f'color:black;mso-font-kerning:0pt"><font face="宋体">{ch}</font></span>'
                       for ch in (text[i:i + 3] for i in range(0, len(text), 3)))
        text = (f'<p class="MsoNormal" align="center" style="text-align:center;line-height:15.0pt;'
                f'mso-line-height-rule:exactly"><span style="font-size:10.5pt">{runs}</span><o:p></o:p></p>')
        return f'<td width="57" valign="center" style="{style}"{spans}>{text}</td>'
    return f"<td{spans}>{text}</td>"


def html_table2(report: Report, generation: str, word: bool = False) -> str:
    rows = []
    last_item = None
    for item, printed, columns, values in table2_rows(report, generation):
        if item != last_item:
            rows.append(_td(f"第二十条第（{item}）项", colspan=4, word=word))
            rows.append(_td("信息内容", word=word)
                        + "".join(_td(c, colspan=4 - len(columns) if len(columns) == 1 and i == 0 else 1, word=word)
                                  for i, c in enumerate(columns))
                        + ("" if len(columns) != 2 else _td("", word=word)))
            last_item = item
        cells = [_td(v, colspan=3 if len(values) == 1 else 1, word=word) for v in values]
        rows.append(_td(printed, word=word) + "".join(cells) + (_td("", word=word) if len(values) == 2 else ""))
    return "<table border=1>" + "".join(f"<tr>{r}</tr>" for r in rows) + "</table>"


def html_table3(report: Report, generation: str, blank_total: bool = False, split_header: bool = False,
                word: bool = False, without: tuple[str, ...] = ()) -> str:
    def td(text: str, r: int = 1, c: int = 1) -> str:
        return _td(text, r, c, word)

    columns = [c for c in TABLE3_COLUMNS if c not in without]
    organisations = [c for c in columns if c in ORG_COLUMNS]
    if split_header:
        halves = [(label[:len(label) // 2 or 1], label[len(label) // 2 or 1:]) for label in
                  (TABLE3_COLUMN_LABELS[c] for c in columns)]
        header = [td(CORNER[:20], 1, 3) + "".join(td(a) for a, _ in halves),
                  td(CORNER[20:], 1, 3) + "".join(td(b) for _, b in halves)]
    else:
        header = [td(CORNER, 3, 3) + td("申请人情况", 1, len(columns)),
                  td("自然人", 2) + td("法人或其他组织", 1, len(organisations)) + td("总计", 2),
                  "".join(td(TABLE3_COLUMN_LABELS[c]) for c in organisations)]
    rows = table3_rows(report, generation)
    body: list[str] = []
    outcome_rows = [r for r in rows if r[1][0] in "（123456789" and not r[1].startswith("（七）")]
    groups_seen: set[str] = set()
    for group, label, values in rows:
        cells = "".join(td("" if blank_total and c == "total" else values.get(c, "")) for c in columns)
        if label.startswith(("一、", "二、", "四、")):
            body.append(td(label, 1, 3) + cells)
            continue
        lead = td("三、本年度办理结果", len(outcome_rows) + 1) if not body[2:] and len(body) == 2 else ""
        if group:
            first = group not in groups_seen
            groups_seen.add(group)
            size = sum(1 for g, _, _ in rows if g == group)
            body.append(lead + (td(group, size) if first else "") + td(label) + cells)
        else:
            body.append(lead + td(label, 1, 2) + cells)
    return "<table border=1>" + "".join(f"<tr>{r}</tr>" for r in header + body) + "</table>"


def html_table4(report: Report, split_header: bool = False, word: bool = False, transposed: str = "") -> str:
    """Table 4 as the template prints it (one row of 15 under a two-level header), with a header split
    over two rows, or transposed: one row per block ('blocks') or one row per outcome ('outcomes')."""
    def td(text: str, r: int = 1, c: int = 1) -> str:
        return _td(text, r, c, word)

    if transposed == "blocks":
        rows = [td("") + "".join(td(TABLE4_OUTCOME_LABELS[o]) for o in TABLE4_OUTCOMES)]
        rows += [td(TABLE4_BLOCK_LABELS[b]) + "".join(td(report.table4.get(f"{b}_{o}", "")) for o in TABLE4_OUTCOMES)
                 for b in TABLE4_BLOCKS]
        return "<table border=1>" + "".join(f"<tr>{r}</tr>" for r in rows) + "</table>"
    if transposed == "outcomes":
        rows = [td("") + "".join(td(TABLE4_BLOCK_LABELS[b]) for b in TABLE4_BLOCKS)]
        rows += [td(TABLE4_OUTCOME_LABELS[o]) + "".join(td(report.table4.get(f"{b}_{o}", "")) for b in TABLE4_BLOCKS)
                 for o in TABLE4_OUTCOMES]
        return "<table border=1>" + "".join(f"<tr>{r}</tr>" for r in rows) + "</table>"
    outcomes = "".join(td(TABLE4_OUTCOME_LABELS[o]) for o in TABLE4_OUTCOMES)
    if split_header:  # the 2019 form printed with a two-row header and no spans
        header = ["".join(td("行政复议") for _ in range(5))
                  + "".join(td(TABLE4_BLOCK_LABELS[b]) for b in TABLE4_BLOCKS[1:] for _ in range(5)),
                  outcomes * 3]
    else:
        header = [td("行政复议", 1, 5) + td("行政诉讼", 1, 10),
                  "".join(td(TABLE4_OUTCOME_LABELS[o], 2) for o in TABLE4_OUTCOMES) +
                  td("未经复议直接起诉", 1, 5) + td("复议后起诉", 1, 5),
                  outcomes * 2]
    values = "".join(td(report.table4.get(f"{b}_{o}", "")) for b in TABLE4_BLOCKS for o in TABLE4_OUTCOMES)
    return "<table border=1>" + "".join(f"<tr>{r}</tr>" for r in [*header, values]) + "</table>"


def _page(report: Report, tables: tuple[str, str, str], html: bool) -> str:
    year = report.name[:4]
    parts = [f"某县人民政府{year}年政府信息公开工作年度报告", "一、总体情况",
             "本报告根据《中华人民共和国政府信息公开条例》编制。", "二、主动公开政府信息情况", tables[0],
             "三、收到和处理政府信息公开申请情况", tables[1], "四、政府信息公开行政复议、行政诉讼情况", tables[2],
             "五、存在的主要问题及改进情况", "一是公开内容不够全面。二是解读形式单一。下一步，我们将加强培训。",
             "六、其他需要报告的事项", "本年度未收取信息处理费。"]
    if not html:
        return "\n".join(parts) + "\n"
    body = "".join(p if p.startswith("<table") else f"<p>{p}</p>" for p in parts[1:])
    return (f"<html><head><meta charset='utf-8'><title>{parts[0]}</title></head><body>"
            f"<div class='WordSection1' id='zoom'><h1>{parts[0]}</h1>{body}</div></body></html>")


def html_layout(generation: str | None = None, blank_total: bool = False, split_header: bool = False,
                word: bool = False, without: tuple[str, ...] = (),
                transposed: str = "") -> Callable[[Report], tuple[str, str]]:
    def render(report: Report) -> tuple[str, str]:
        form = generation or report.template
        return "html", _page(report, (html_table2(report, form, word),
                                      html_table3(report, form, blank_total, split_header, word, without),
                                      html_table4(report, split_header, word, transposed)), html=True)
    return render


# ---------------------------------------------------------------- markdown, PDF text, crawler dump
def _pipe(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def markdown_pieces(report: Report) -> tuple[str, str]:
    """PDF-to-markdown: every table broken into small tables at page and block boundaries, merged
    header cells left empty, table 4 as its three blocks."""
    rows2 = table2_rows(report, report.template)
    t2 = []
    for item, printed, columns, values in rows2:
        t2 += [f"第二十条第（{item}）项", _pipe(["信息内容", *columns]), _pipe(["---"] * (len(columns) + 1)),
               _pipe([printed, *values]), ""]
    header = [_pipe(["", "", "", "申请人情况", "", "", "", "", "", ""]), _pipe(["---"] * 10),
              _pipe([CORNER, "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"]),
              _pipe(["", "", "", "", *(TABLE3_COLUMN_LABELS[c] for c in TABLE3_COLUMNS[1:6]), ""]), ""]
    t3 = list(header)
    for index, (group, label, values) in enumerate(table3_rows(report, report.template)):
        if index and index % 9 == 0:  # a page break: the table goes on in a new small table
            t3 += ["", "## 表三：收到和处理政府信息公开申请情况", _pipe(["---"] * 10)]
        t3.append(_pipe([group, label, "", *(values.get(c, "") for c in TABLE3_COLUMNS)]))
    t4 = []
    for block in TABLE4_BLOCKS:
        t4 += ["", TABLE4_BLOCK_LABELS[block], _pipe([TABLE4_OUTCOME_LABELS[o] for o in TABLE4_OUTCOMES]),
               _pipe(["---"] * 5), _pipe([report.table4.get(f"{block}_{o}", "") for o in TABLE4_OUTCOMES])]
    return "md", _page(report, ("\n".join(t2), "\n".join(t3), "\n".join(t4)), html=False)


def _spaced(values: list[str], glue: bool) -> str:
    """A row's values as text: cells not read cannot be shown in a text row and are left out."""
    return ("" if glue else " ").join(v for v in values if v)


def text_rows(glue: bool) -> Callable[[Report], tuple[str, str]]:
    """PDF text rows ('一、本年新收…数量 21 0 0 0 0 0 21'), or a crawler dump where every table is one
    line and each row's numbers are glued into a digit run ('…数量210000021')."""
    def render(report: Report) -> tuple[str, str]:
        sep = "" if glue else "\n"
        t2 = sep.join(f"第二十条第（{item}）项{sep}信息内容{''.join(columns) if glue else ' '.join(columns)}{sep}"
                      f"{printed}{'' if glue else ' '}{_spaced(values, glue)}"
                      for item, printed, columns, values in table2_rows(report, report.template))
        head = f"{CORNER}{sep}申请人情况{sep}" + ("".join if glue else " ".join)(
            ["自然人", "法人或其他组织", "总计", *(TABLE3_COLUMN_LABELS[c] for c in TABLE3_COLUMNS[1:6])])
        rows = [f"{group}{label}{'' if glue else ' '}{_spaced([v.get(c, '') for c in TABLE3_COLUMNS], glue)}"
                for group, label, v in table3_rows(report, report.template)]
        t3 = head + sep + sep.join(rows)
        header4 = ("".join if glue else " ".join)(
            ["行政复议", "行政诉讼", *(TABLE4_OUTCOME_LABELS[o] for o in TABLE4_OUTCOMES),
             "未经复议直接起诉", "复议后起诉", *(TABLE4_OUTCOME_LABELS[o] for o in TABLE4_OUTCOMES * 2)])
        t4 = header4 + sep + _spaced(
            [report.table4.get(f"{b}_{o}", "") for b in TABLE4_BLOCKS for o in TABLE4_OUTCOMES], glue)
        return "txt", _page(report, (t2, t3, t4), html=False)
    return render


LAYOUTS: dict[str, Callable[[Report], tuple[str, str]]] = {
    "html_official": html_layout(),
    "html_60号": html_layout("2019"),
    "html_30号": html_layout("2021"),
    "html_blank_total": html_layout(blank_total=True),
    "html_header_two_rows": html_layout(split_header=True),
    "html_word_spans": html_layout(word=True),
    "pdf_markdown_pieces": markdown_pieces,
    "pdf_text_rows": text_rows(glue=False),
    "crawler_glued_digits": text_rows(glue=True),
    "html_missing_applicant_columns": html_layout(without=MISSING_COLUMNS),
    "html_table4_block_rows": html_layout(transposed="blocks"),
    "html_table4_outcome_rows": html_layout(transposed="outcomes"),
}
"""Every layout; a layout that prints fewer columns than the real document states fewer facts (see
expected_of)."""


def applies(layout: str, report: Report) -> bool:
    """A 2019 report has no 2021 （六） rows to print, so the 30号 form does not apply to it."""
    return not (layout == "html_30号" and report.template == "2019")


def generation_of(layout: str, report: Report) -> str:
    return {"html_60号": "2019", "html_30号": "2021"}.get(layout, report.template)


def expected_of(layout: str, report: Report) -> dict[str, float]:
    """The facts a layout of a report states: the generation's, less the columns it leaves out."""
    facts = expected(report, generation_of(layout, report))
    if layout == "html_missing_applicant_columns":
        dropped = tuple(APPLICANT_SUFFIX[c] for c in MISSING_COLUMNS)
        facts = {k: v for k, v in facts.items() if not k.endswith(dropped)}
    return facts


def read_back(report: Report, layout: str, folder: Path) -> tuple[dict[str, float], list[TableCell]]:
    """Render one report in one layout, write it as a file and read its cells and table facts back."""
    suffix, content = LAYOUTS[layout](report)
    path = folder / f"{Path(report.name).stem}.{layout}.{suffix}"
    data = content.encode("utf-8")
    path.write_bytes(data)
    result = clean_document(read_raw(path, folder, data), data)
    assert result.document is not None, result.failure
    cells = extract_tables(result.document.doc_id, result.document.text)
    return {f.fact_key: f.value for f in extract_table_facts(result.document.doc_id, cells)}, cells


def table_of(fact_key: str) -> str:
    if any(fact_key in facts for layout in TABLE2_LAYOUTS.values() for _, _, facts, _, _ in layout):
        return "table2"
    return "table4" if fact_key.startswith(("review_", "litigation_")) else "table3"


@dataclass(frozen=True)
class Score:
    expected: int
    right: int
    wrong: list[str]
    missing: list[str]

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 1.0


def score(expected_facts: dict[str, float], found: dict[str, float]) -> Score:
    wrong = [f"{k}: {found[k]:g} != {v:g}" for k, v in expected_facts.items()
             if k in found and abs(found[k] - v) > 1e-6]
    wrong += [f"{k}: {v:g} not in the document" for k, v in found.items() if k not in expected_facts]
    missing = [k for k in expected_facts if k not in found]
    right = sum(1 for k, v in expected_facts.items() if k in found and abs(found[k] - v) <= 1e-6)
    return Score(len(expected_facts), right, wrong, missing)
