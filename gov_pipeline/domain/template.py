"""The 2019/2021 report template's three tables (domain.md §2) and the legacy statistics table, as
data: row keys in template order with the label patterns real reports use, and column keys."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class RowSpec:
    key: str
    label: str  # regex of the row's own label
    fact: str | None = None  # base fact key, None for rows that only feed sums
    numbered: bool = True  # an item number may come before the label
    official: str = ""  # the label as the template prints it


# Table 3, in template order. 2019 has one （六）其他处理 row, 2021 splits it into three.
# Labels are matched by their distinctive core, so a label cut by a line wrap or a lost character
# (PDF extraction writes 其他法律行政止公开) is still recognised.
TABLE3_ROWS: tuple[RowSpec, ...] = (
    RowSpec("received", r"本年新收[^\d|]{0,12}申请数?量?", "requests_received",
            official="一、本年新收政府信息公开申请数量"),
    RowSpec("carried_over", r"上年结转[^\d|]{0,12}申请数?量?", "requests_carried_over",
            official="二、上年结转政府信息公开申请数量"),
    RowSpec("granted", r"予以公开", "outcome_granted", official="（一）予以公开"),
    RowSpec("partially_granted", r"部分公开(?:\s*[（(][^)）|\d]{0,30}[)）])?", "outcome_partially_granted",
            official="（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    RowSpec("refused_state_secret", r"属于国家秘密", "refused_state_secret", official="1.属于国家秘密"),
    RowSpec("refused_prohibited_by_law", r"其他法律行政[^\d|]{0,6}公开", "refused_prohibited_by_law",
            official="2.其他法律行政法规禁止公开"),
    RowSpec("refused_security_stability", r"危及\s*[“\"]?\s*三安全一稳定\s*[”\"]?", "refused_security_stability",
            official="3.危及“三安全一稳定”"),
    RowSpec("refused_third_party_rights", r"保护第三方合法权益", "refused_third_party_rights",
            official="4.保护第三方合法权益"),
    RowSpec("refused_internal_affairs", r"属于三类内部事务(?:信息?)?", "refused_internal_affairs",
            official="5.属于三类内部事务信息"),
    RowSpec("refused_process_info", r"属于四类过程性(?:信息?)?", "refused_process_info",
            official="6.属于四类过程性信息"),
    RowSpec("refused_enforcement_file", r"属于行政执法案卷", "refused_enforcement_file", official="7.属于行政执法案卷"),
    RowSpec("refused_query_matter", r"属于行政查询事项", "refused_query_matter", official="8.属于行政查询事项"),
    RowSpec("unable_not_held", r"本机关不掌握(?:相关政?府?信?息?)?", "unable_not_held",
            official="1.本机关不掌握相关政府信息"),
    RowSpec("unable_needs_creation", r"没有现成信息(?:需要另?行?制?作?)?", "unable_needs_creation",
            official="2.没有现成信息需要另行制作"),
    RowSpec("unable_unclear", r"补正后申请内容(?:仍?不明?确?)?", "unable_unclear", official="3.补正后申请内容仍不明确"),
    RowSpec("not_processed_petition", r"信访举报投诉类申?请?", "not_processed_petition",
            official="1.信访举报投诉类申请"),
    RowSpec("not_processed_repeat", r"重复申请", "not_processed_repeat", official="2.重复申请"),
    RowSpec("not_processed_publication", r"要求提供公开出版物", "not_processed_publication",
            official="3.要求提供公开出版物"),
    RowSpec("not_processed_mass", r"无正当理由大量反复(?:\s*申请)?", "not_processed_mass",
            official="4.无正当理由大量反复申请"),
    RowSpec("not_processed_confirm", r"要求行政机关确认(?:或重?\s*新?\s*出?具?已?获?取?信?息?)?",
            "not_processed_confirm", official="5.要求行政机关确认或重新出具已获取信息"),
    RowSpec("other_no_correction", r"申请人无正当理由逾(?:期不补\s*正[^\d|]{0,30}?申请)?", "other_no_correction",
            official="1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    RowSpec("other_no_fee", r"申请人逾期未按收费(?:通知[^\d|]{0,30}?申请)?", "other_no_fee",
            official="2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    RowSpec("other_other", r"(?<=\d[.、．])\s*其他(?![\u4e00-\u9fff])", "other_other", official="3.其他"),
    RowSpec("total", r"总计", "outcome_total", official="（七）总计"),
    RowSpec("carried_forward", r"结转下年度继续办理", "requests_carried_forward", official="四、结转下年度继续办理"),
)
# Group labels of table 3: a row carrying only one of these (no sub-row label) is a subtotal row.
# （六）其他处理 is the row itself in the 2019 layout and a group label in 2021.
TABLE3_GROUP_LABELS: tuple[RowSpec, ...] = (
    RowSpec("refused_subtotal", r"不予公开", None, official="（三）不予公开"),
    RowSpec("unable_subtotal", r"无法提供", None, official="（四）无法提供"),
    RowSpec("not_processed_subtotal", r"不予处理", None, official="（五）不予处理"),
    RowSpec("other_group", r"其他处理", None, official="（六）其他处理"),
)
TABLE3_COLUMN_LABELS = {"natural_person": "自然人", "commercial": "商业企业", "research": "科研机构",
                        "ngo": "社会公益组织", "legal_services": "法律服务机构", "other_org": "其他",
                        "org_subtotal": "法人或其他组织小计", "total": "总计"}
TABLE3_COLUMNS = ("natural_person", "commercial", "research", "ngo", "legal_services", "other_org", "total")
ORG_COLUMNS = ("commercial", "research", "ngo", "legal_services", "other_org")
TABLE3_APPLICANT_COLUMNS = TABLE3_COLUMNS[:-1]
# Some reports add a 法人或其他组织小计 column after the five organisation columns.
TABLE3_COLUMNS_WITH_SUBTOTAL = (*TABLE3_COLUMNS[:-1], "org_subtotal", "total")
# Header words of table 3's columns, tried in this order on a column's header text once the group
# headers (申请人情况, 法人或其他组织) are removed.
TABLE3_COLUMN_ALIASES = (
    ("natural_person", re.compile("自然人")), ("commercial", re.compile("商业企业|企业")),
    ("research", re.compile("科研")), ("ngo", re.compile("公益")), ("legal_services", re.compile("法律服务")),
    ("org_subtotal", re.compile("小计")), ("other_org", re.compile("其他|其它")), ("total", re.compile("总计|合计")),
)
TABLE3_GROUP_HEADERS = re.compile(r"申请人情况|法人或其他组织|（本列数据[^）]*）")
APPLICANT_SUFFIX = {"natural_person": "__natural_person", "commercial": "__commercial", "research": "__research",
                    "ngo": "__ngo", "legal_services": "__legal_services", "other_org": "__other_org", "total": ""}
# Outcome groups of table 3: (fact for the group sum, row keys of its sub-rows).
TABLE3_GROUPS = (
    ("outcome_refused", tuple(r.key for r in TABLE3_ROWS if r.key.startswith("refused_"))),
    ("outcome_unable_to_provide", ("unable_not_held", "unable_needs_creation", "unable_unclear")),
    ("outcome_not_processed", tuple(r.key for r in TABLE3_ROWS if r.key.startswith("not_processed_"))),
    ("outcome_other", ("other_no_correction", "other_no_fee", "other_other")),
)
TABLE3_OUTCOME_ROWS = ("granted", "partially_granted", *(k for _, keys in TABLE3_GROUPS for k in keys))

TABLE4_BLOCKS = ("review", "litigation_direct", "litigation_after_review")
TABLE4_OUTCOMES = ("upheld", "corrected", "other", "pending", "total")
TABLE4_BLOCK_LABELS = {"review": "行政复议", "litigation_direct": "行政诉讼 未经复议直接起诉",
                       "litigation_after_review": "行政诉讼 复议后起诉"}
TABLE4_OUTCOME_LABELS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结",
                         "total": "总计"}
TABLE4_COLUMNS = tuple(f"{block}_{outcome}" for block in TABLE4_BLOCKS for outcome in TABLE4_OUTCOMES)

# Table 2 of the 2021 and the 2019 layout: (row key, label pattern, fact key of each value column,
# the row label as printed, the 第二十条 item its block cites). Column labels follow from the fact keys.
Table2Row = tuple[str, str, tuple[str, ...], str, str]
TABLE2_2021: tuple[Table2Row, ...] = (
    ("regulations", r"^规章", ("regulations_issued", "regulations_repealed", "regulations_in_force"), "规章", "一"),
    ("normative_docs", r"规范性文件", ("normative_docs_issued", "normative_docs_repealed", "normative_docs_in_force"),
     "行政规范性文件", "一"),
    ("licensing", r"行政许可", ("licensing_decisions",), "行政许可", "五"),
    ("penalty", r"行政处罚", ("penalty_decisions",), "行政处罚", "六"),
    ("coercion", r"行政强制", ("coercion_decisions",), "行政强制", "六"),
    ("admin_fees", r"行政事业性收费", ("admin_fees_wan_yuan",), "行政事业性收费", "八"),
)
TABLE2_2019: tuple[Table2Row, ...] = (
    ("regulations", r"^规章", ("regulations_made", "regulations_published", "regulations_public_total"), "规章", "一"),
    ("normative_docs", r"规范性文件",
     ("normative_docs_made", "normative_docs_published", "normative_docs_public_total"), "规范性文件", "一"),
    ("licensing", r"行政许可", ("licensing_items_prev", "licensing_items_change", "licensing_decisions"),
     "行政许可", "五"),
    ("other_services", r"其他对外管理服务事项", ("other_services_items_prev", "other_services_items_change",
                                             "other_services_decisions"), "其他对外管理服务事项", "五"),
    ("penalty", r"行政处罚", ("penalty_items_prev", "penalty_items_change", "penalty_decisions"), "行政处罚", "六"),
    ("coercion", r"行政强制", ("coercion_items_prev", "coercion_items_change", "coercion_decisions"), "行政强制", "六"),
    ("admin_fees", r"行政事业性收费", ("admin_fee_items_prev", "admin_fee_items_change"), "行政事业性收费", "八"),
    ("procurement", r"政府集中采购", ("procurement_projects", "procurement_amount"), "政府集中采购", "九"),
)
TABLE2_LAYOUTS = {"2021": TABLE2_2021, "2019": TABLE2_2019}
# column label of a table-2 fact, by the end of its key
TABLE2_COLUMN_LABELS = (
    ("_issued", "本年制发件数"), ("_repealed", "本年废止件数"), ("_in_force", "现行有效件数"),
    ("_wan_yuan", "本年收费金额（单位：万元）"), ("_made", "本年新制作数量"), ("_published", "本年新公开数量"),
    ("_public_total", "对外公开总数量"), ("_items_prev", "上一年项目数量"), ("_items_change", "本年增/减"),
    ("procurement_projects", "采购项目数量"), ("procurement_amount", "采购总金额"),
)


def table2_column_label(fact_key: str, template: str) -> str:
    if fact_key.endswith("_decisions"):
        return "本年处理决定数量" if template == "2021" else "处理决定数量"
    return next(label for end, label in TABLE2_COLUMN_LABELS if fact_key.endswith(end))


TEMPLATE_2021_MARKERS = re.compile(r"本年制发件数|本年废止件数|现行有效件数|逾期不补正|逾期未按收费通知")
TEMPLATE_2019_MARKERS = re.compile(r"本年新制作数量|本年新公开数量|对外公开总数量|上一年项目数量|其他对外管理服务事项")
TABLE3_ANCHOR = re.compile(r"本年新收[^\d|]{0,12}申请数量?")
TABLE4_ANCHOR = re.compile(r"行政复议.{0,20}行政诉讼|结果维持.{0,10}结果纠正")


# ---------------------------------------------------------------- the report's sections
@dataclass(frozen=True)
class SectionSpec:
    """One section of a report, as declared data: the headings the template (2019/2021), the 2007
    regulation's art. 32 and real pages print for it (regexes over a heading without its number and
    without 的), and the topic words a heading of another wording names it by."""

    key: str
    headings: tuple[str, ...]  # the first is the template's own heading ('' where the template has none)
    words: str


SECTIONS: tuple[SectionSpec, ...] = (
    # tried in this order on a heading no declared heading matches: a fee or review section also says
    # 申请, and a requests section may also mention 不予公开, so the more specific families come first
    SectionSpec("fees", ("", r"政府信息公开(?:工作)?(?:的)?收费(?:及|和|与)减免(?:情况)?"),
                r"收费|减免|信息处理费|费用"),
    SectionSpec("review_litigation", (
        r"政府信息公开行政复议、行政诉讼情况",
        r"(?:因)?政府信息公开(?:申请)?(?:工作)?(?:被申请)?行政.?复议[、和及](?:提起)?行政诉讼(?:的)?情况"),
        r"复议|诉讼"),
    SectionSpec("problems", (r"存在的主要问题及改进情况",
                             r"(?:政府信息公开工作)?存在的主要问题(?:及|和)改进(?:情况|措施)"),
                r"问题|不足|改进|整改|下一步|打算|工作计划|努力方向|工作思路"),
    SectionSpec("other", (r"其他需要报告的事项",), r"其他需要报告|其他事项|其他需报告|需要说明"),
    SectionSpec("requests", (r"收到和处理政府信息公开申请(?:的)?情况",
                             r"(?:行政机关)?依申请公开政府信息和不予公开政府信息(?:的)?情况"),
                r"依申请|收到和处理|申请(?:公开)?(?:的)?(?:办理|处理)?情况|受理.{0,6}申请|申请.{0,4}情况"),
    # art. 32's first item, shortened by township outlines to 政府信息公开情况 when 依申请公开 follows
    SectionSpec("proactive", (r"主动公开政府信息(?:的)?情况", r"政府信息主动公开情况", r"政府信息公开情况"),
                r"主动公开"),
    SectionSpec("refusals", ("",), r"不予公开"),
    SectionSpec("overview", (r"总体情况", r"概述"),
                r"概述|总体情况|基本情况|概况|总体|主要做法|工作情况|工作开展情况|主要工作"),
)
"""The vocabulary of section headings (domain.md §2 and §1.1): section keys, report-heading cuts and
the template's headings are derived from it."""
STATISTICS_TABLE_HEADING = r"政府信息公开情况统计表"
"""A heading that introduces the legacy statistics table (a section of no topic of its own)."""


def template_heading(key: str) -> str:
    """The template's own heading of a section ('总体情况')."""
    return next(spec.headings[0] for spec in SECTIONS if spec.key == key)


TEMPLATE_NOTICE = re.compile(r"〔\s*(2019|2021)\s*〕\s*(60|30)\s*号")  # 国办公开办函〔2019〕60号 / 〔2021〕30号
# the template's own section headings (domain.md §2): a template report whose tables the copy lost
# (at a line start, or after the previous part's last sentence in a flattened dump)
TEMPLATE_HEADINGS = (re.compile(rf"(?:^|(?<=[。；\d]))一[、.．]\s*{template_heading('overview')}", re.MULTILINE),
                     re.compile(rf"(?:^|(?<=[。；\d元]))三[、.．]\s*{template_heading('requests')}", re.MULTILINE))
_TITLE_YEAR = re.compile(r"(20\d\d)\s*年度?[^\n。]{0,40}?政府信息公开(?:工作)?年度报告")


@lru_cache(maxsize=4)
def detect_template(text: str) -> str:
    """legacy / 2019 / 2021 from the labels present, not from the year (bodies adopt labels late).
    Without table labels (a copy that lost its tables), the notice the report cites decides, then
    the template's section headings with the generation in force for the year in the title.
    Cached for the last few texts: cleaning and the table reader both ask it of the same text."""
    if TEMPLATE_2021_MARKERS.search(text):
        return "2021"
    if TEMPLATE_2019_MARKERS.search(text) or TABLE3_ANCHOR.search(text):
        return "2019"
    if notice := TEMPLATE_NOTICE.search(text):
        return notice.group(1)
    year = _TITLE_YEAR.search(text)
    if year and int(year.group(1)) >= 2019 and all(heading.search(text) for heading in TEMPLATE_HEADINGS):
        return "2021" if int(year.group(1)) >= 2021 else "2019"
    return "legacy"


# Legacy statistics tables (指标名称 / 计量单位 / 本年度 / 历年累计), 2008-2018.
LEGACY_ROWS: tuple[tuple[str, str, str | None], ...] = (
    ("proactive_total", r"主动公开(?:政府)?(?:信息|文件)(?:总?数|条数)", "proactive_disclosed_total"),
    ("proactive_web", r"网站公开(?:数)?", None),
    ("proactive_gazette", r"政府公报公开(?:数)?", None),
    ("requests_total", r"(?:受理)?依申请公开信息总数|申请总数|受理依申请公开", "requests_received"),
    ("requests_in_person", r"当面申请(?:数)?", None),
    ("requests_fax", r"传真申请(?:数)?", None),
    ("requests_email", r"电子邮件申请(?:数)?", None),
    ("requests_online", r"网上申请(?:数)?", None),
    ("requests_letter", r"信函(?:、传真)?申请(?:数)?", None),
    ("requests_other_channel", r"其它形式申请(?:数)?|其他形式申请(?:数)?", None),
    ("replies_total", r"对申请的答复(?:总)?数", "requests_completed"),
    ("replies_granted", r"同意公开答复数", "outcome_granted"),
    ("replies_partial", r"同意部分公开答复数", "outcome_partially_granted"),
    ("replies_refused", r"否决公开答复数|不予公开答复数", "outcome_refused"),
    ("replies_other", r"其他类型答复数", "outcome_other"),
    ("fees", r"收费减免金额|收费(?:金额)?", "fees_collected_yuan"),
    ("complaints", r"接受行政诉讼、举报数|行政申诉(?:、举报)?数|举报数", "complaints_total"),
    ("review", r"行政复议数", "review_total"),
    ("litigation", r"行政诉讼数", "litigation_total"),
)
LEGACY_CHANNEL_ROWS = ("requests_in_person", "requests_fax", "requests_email", "requests_online",
                       "requests_letter", "requests_other_channel")
LEGACY_SPECS = tuple(RowSpec(key, pattern, fact) for key, pattern, fact in LEGACY_ROWS)
CUMULATIVE_SUFFIX = "__cumulative"  # fact key of a legacy row's 历年累计 (running total) column
LEGACY_ANCHOR = re.compile(r"指标名称|计量\s*单位|历年累计")


# ---------------------------------------------------------------- labels as the template prints them
TABLE_NAMES = {"table2": "表二", "table3": "表三", "table4": "表四", "other": "统计表"}
LEGACY_COLUMN_LABELS = {"year": "本年度", "cumulative": "历年累计"}
_ROW_LABELS = {
    "table3": {spec.key: spec.official for spec in TABLE3_ROWS + TABLE3_GROUP_LABELS},
    "table4": {"review_litigation": "行政复议 / 行政诉讼"},
}


@lru_cache(maxsize=1024)  # asked once per table cell
def row_label(table_key: str, row_key: str, template: str = "2021") -> str:
    """The template's label of a row ('（七）总计'); a legacy row's key when the table has no template."""
    if table_key == "table2":
        layout = TABLE2_LAYOUTS["2019" if template == "2019" else "2021"]
        return next((f"第二十条第（{item}）项 {printed}" for key, _, _, printed, item in layout if key == row_key),
                    row_key)
    if table_key == "table3" and row_key == "other_other" and template == "2019":
        return "（六）其他处理"
    return _ROW_LABELS.get(table_key, {}).get(row_key, row_key)


@lru_cache(maxsize=1024)  # asked once per table cell
def column_label(table_key: str, col_key: str, template: str = "2021") -> str:
    """The template's label of a value column ('总计', '行政复议 结果维持', '本年制发件数')."""
    if table_key == "table3":
        return TABLE3_COLUMN_LABELS.get(col_key, col_key)
    if table_key == "table4":
        block, outcome = next((b, col_key[len(b) + 1:]) for b in TABLE4_BLOCKS if col_key.startswith(b + "_"))
        return f"{TABLE4_BLOCK_LABELS[block]} {TABLE4_OUTCOME_LABELS[outcome]}"
    if table_key == "table2":
        return table2_column_label(col_key, template)
    return LEGACY_COLUMN_LABELS.get(col_key, col_key)
