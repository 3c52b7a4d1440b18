"""Facts: the number parser, the seed gold file, the corpus gold file, and each trap on the real
sentence it comes from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gov_pipeline.document import process_document
from gov_pipeline.domain.numbers import chinese_to_int, parse_quantity
from gov_pipeline.domain.records import Fact, Section
from gov_pipeline.facts.extract import extract_prose_facts, extract_table_facts, merge_facts
from gov_pipeline.ingest.inventory import read_raw
from gov_pipeline.structure.sections import split_sections
from gov_pipeline.structure.tables import extract_tables
from gov_pipeline_tests.conftest import CORPUS, FIXTURES, SEEDS, clean_file


def facts_of(path: Path) -> dict[str, Fact]:
    """The facts the pipeline reads from one document (document.process_document)."""
    data = path.read_bytes()
    return {f.fact_key: f for f in process_document(read_raw(path, path.parent, data), data).facts}


def prose(text: str, section_key: str = "requests", year: int | None = 2016) -> dict[str, Fact]:
    sections = [Section("doc", 1, 1, None, "heading", section_key, text)]
    return {f.fact_key: f for f in extract_prose_facts("doc", sections, year)}


@pytest.mark.parametrize("phrase,value,approx,percent", [
    ("2.8万条", 28000, False, False),
    ("1,120件", 1120, False, False),
    ("1，120件", 1120, False, False),
    ("三件", 3, False, False),
    ("两起", 2, False, False),
    ("一百零五件", 105, False, False),
    ("5500余条", 5500, True, False),
    ("3000多条", 3000, True, False),
    ("近100件", 100, True, False),
    ("约1.2亿元", 1.2e8, True, False),
    ("超过300件", 300, True, False),
    ("98.5%", 0.985, False, True),
    ("１２件", 12, False, False),
    ("１，１２０件", 1120, False, False),
])
def test_number_parser(phrase: str, value: float, approx: bool, percent: bool) -> None:
    quantity = parse_quantity(phrase)
    assert (quantity.value, quantity.approx, quantity.is_percent) == (pytest.approx(value), approx, percent)


def test_chinese_numerals() -> None:
    assert ([chinese_to_int(t) for t in ("十二", "二十", "一百零五", "两", "二〇一八", "一万零五百")]
            == [12, 20, 105, 2, 2018, 10500])


@pytest.mark.parametrize("name", ["000_990f776b87745625.txt", "001_d2b3fed2330643c7.txt", "002_f94757b5ee07a06a.txt",
                                  "003_c2cef3dbede2db47.txt", "004_a8ef66291314f876.txt"])
def test_seed_facts_match_gold_exactly(name: str, gold: dict[str, dict]) -> None:
    facts = facts_of(SEEDS / name)
    for key, value in gold[name]["facts"].items():
        assert key in facts, key
        assert facts[key].value == value, (key, facts[key].evidence)
        assert facts[key].evidence and facts[key].method in ("prose", "table")


def test_corpus_gold_precision_and_recall() -> None:
    gold = {k: v for k, v in json.loads((FIXTURES / "corpus_gold.json").read_text(encoding="utf-8")).items()
            if not k.startswith("_")}
    true_positive = wrong = missing = 0
    for relative, expected in gold.items():
        facts = facts_of(CORPUS / relative)
        for key, value in expected.items():
            if key not in facts:
                missing += 1
            elif facts[key].value == value:
                true_positive += 1
            else:
                wrong += 1
    precision = true_positive / (true_positive + wrong)
    recall = true_positive / (true_positive + wrong + missing)
    print(f"corpus gold: {true_positive} right, {wrong} wrong, {missing} missing; "
          f"precision {precision:.3f}, recall {recall:.3f}")
    assert precision == 1.0 and recall == 1.0


# ---------------------------------------------------------------- traps, on the sentences they come from
def test_cumulative_figure_is_not_this_years() -> None:
    facts = facts_of(SEEDS / "000_990f776b87745625.txt")
    assert facts["requests_received"].value == 3
    assert "146" not in facts["requests_received"].evidence
    assert "requests_received" not in prose("2008年以来共收到公开政府信息申请146件。")


def test_messages_and_letters_are_not_requests() -> None:
    assert "requests_received" not in prose("全年受理网民留言和群众来信713件。")
    assert "requests_received" not in prose("截至目前，我市共收到网民留言88起，已全部按时办结。")


def test_procurement_notices_and_press_items_are_not_the_proactive_total() -> None:
    assert "proactive_disclosed_total" not in prose("公开采购文件、中标或成交结果等信息，公示信息1154条。", "proactive")
    assert "proactive_disclosed_total" not in prose("在各级媒体发表信息26条，宣传报道106篇。", "proactive")
    assert facts_of(SEEDS / "003_c2cef3dbede2db47.txt")["proactive_disclosed_total"].value == 826


def test_one_offices_figure_inside_a_whole_region_report() -> None:
    facts = facts_of(SEEDS / "002_f94757b5ee07a06a.txt")
    assert facts["requests_received"].value == 1120  # not the 50 the city office received alone
    assert facts["requests_received"].section_key == "requests"


def test_approval_applications_are_not_disclosure_requests() -> None:
    assert "requests_received" not in prose("建立窗口服务大厅，共受理申请136437件。", "overview")
    assert "requests_completed" not in prose("今年我局共受理审批事项117件，办结171件，办结率100%。", "unknown")


def test_dates_document_numbers_and_phones_are_not_counts() -> None:
    facts = prose("根据《通知》（国办公开办函〔2019〕60号）要求，2019年1月1日起联系电话0591-23165250，邮编350400。"
                  "全年收到政府信息公开申请12件。")
    assert facts["requests_received"].value == 12


def test_zero_phrases_govern_their_own_fact() -> None:
    facts = prose("2016年度，我街道办未发生针对有关单位有关政府信息公开事务的行政复议案"
                  "和针对本部门有关政府信息公开事务的行政诉讼案。",
                  "review_litigation")
    assert facts["review_total"].value == 0 and facts["litigation_total"].value == 0
    assert prose("2018年市本级依申请提供政府信息未收取任何费用。", "fees")["fees_collected_yuan"].value == 0
    assert "review_total" not in prose("全年未发生因依申请公开被行政复议纠错或行政诉讼败诉情形。", "overview")


def test_percentages_are_never_counts() -> None:
    facts = prose("其中:“已主动公开”81件,占7.2%;“同意公开”653件,占58.3%。")
    assert facts["outcome_already_public"].value == 81 and facts["outcome_granted"].value == 653


def test_combined_outcome_figure_is_not_partial_grants() -> None:
    assert "outcome_partially_granted" not in prose("其中，予以公开及部分公开208件（17.46%），不予公开20件。")


def test_approximate_values_are_flagged() -> None:
    fact = prose("2024年，市政府网站主动公开各类政府信息5500余条。", "proactive", 2024)["proactive_disclosed_total"]
    assert fact.value == 5500 and fact.approx


def test_table_wins_over_prose_and_the_disagreement_is_recorded() -> None:
    document = clean_file(CORPUS / "2022_city_pingtan-zone_report.txt").document
    sections = split_sections(document.doc_id, document.text)
    facts, mismatches = merge_facts(
        document.doc_id, extract_prose_facts(document.doc_id, sections, 2022),
        extract_table_facts(document.doc_id, extract_tables(document.doc_id, document.text)))
    received = next(f for f in facts if f.fact_key == "requests_received")
    assert received.method == "table" and received.value == 74
    assert [m.rule_id for m in mismatches] == ["prose_table_mismatch"]
    assert "75" in mismatches[0].detail and "74" in mismatches[0].detail


def test_table_cells_carry_their_evidence() -> None:
    fact = facts_of(CORPUS / "pdf" / "2024_city_huaian-city_report.pdf")["outcome_granted__natural_person"]
    assert (fact.value == 1288 and fact.evidence == "表三 （一）予以公开 / 自然人: 1288 (p. 4)"
            and fact.method == "table")
    assert (fact.table_key, fact.row_label, fact.col_label, fact.page) == ("table3", "（一）予以公开", "自然人", 4)


# ---------------------------------------------------------------- legacy phrasings from other provinces (issue 13)
def test_proactive_total_with_a_count_word_or_without_the_word_government() -> None:
    assert prose("2012年，我局主动公开政府信息数56条。", "proactive", 2012)["proactive_disclosed_total"].value == 56
    assert prose("通过门户网站公开各类信息120条。", "proactive", 2012)["proactive_disclosed_total"].value == 120


def test_one_negation_governs_every_fact_it_names() -> None:
    facts = prose("本年度未发生针对本机关政府信息公开事务的行政复议案、行政诉讼案和有关的申诉案。", "review_litigation")
    assert [facts[k].value for k in ("review_total", "litigation_total", "complaints_total")] == [0, 0, 0]
    assert "requests_received" not in facts


def test_zero_statements_of_fees_and_requests() -> None:
    assert prose("我镇在政府信息公开工作中没有收费。", "fees")["fees_collected_yuan"].value == 0
    facts = prose("本年度没有接到公民、法人或其他组织要求公开政府信息的申请。")
    assert facts["requests_received"].value == 0


def test_a_negation_does_not_reach_past_a_figure() -> None:
    facts = prose("没有接到群众投诉，共收到政府信息公开申请5件。")
    assert facts["requests_received"].value == 5 and facts["complaints_total"].value == 0


def test_coordinated_figures_are_assigned_respectively_or_to_each() -> None:
    facts = prose("全年因政府信息公开引起的行政复议、行政诉讼分别为2件、1件。", "review_litigation")
    assert (facts["review_total"].value, facts["litigation_total"].value) == (2, 1)
    facts = prose("因政府信息公开申请提起的行政复议、行政诉讼均为0件。", "review_litigation")
    assert (facts["review_total"].value, facts["litigation_total"].value) == (0, 0)
    facts = prose("行政复议、行政诉讼分别为2件。", "review_litigation")  # one figure for two facts: unknown
    assert "review_total" not in facts and "litigation_total" not in facts


def test_percentages_spelled_out_are_never_counts() -> None:
    assert "requests_completed" not in prose("按时办结率达百分之百。")


def test_a_suit_without_review_is_no_zero_review() -> None:
    facts = prose("未经行政复议直接提起行政诉讼1件，无法提供的申请2件。", "review_litigation")
    assert facts["litigation_total"].value == 1 and "review_total" not in facts
    assert "requests_received" not in facts
    facts = prose("申请人对行政复议决定不服提起行政诉讼2件。", "review_litigation")
    assert facts["litigation_total"].value == 2 and "review_total" not in facts


def test_website_posts_and_their_sub_counts_are_not_the_proactive_total() -> None:
    facts = prose("县政府门户网站发布各类信息8632条,其中,发布政府信息公开信息共399条。", "proactive", 2014)
    assert "proactive_disclosed_total" not in facts


def test_a_part_given_with_its_share_is_not_the_total() -> None:
    fact = facts_of(CORPUS / "2011_county_pingtan-county_report.txt")["proactive_disclosed_total"]
    assert fact.value == 425  # not 县直各单位主动公开政府信息303条，占71.3% (the county departments' part)
    assert "proactive_disclosed_total" not in prose("县直各单位主动公开政府信息303条，占71.3%。", "proactive", 2011)


@pytest.mark.parametrize("text,section,key,value", [
    ("本年度政府信息公开申请数量为5件", "requests", "requests_received", 5),
    ("今年共有信息公开申请3件", "requests", "requests_received", 3),
    ("本机关被提起行政复议案件2起", "review_litigation", "review_total", 2),
    ("涉及政府信息公开的行政诉讼案1起", "review_litigation", "litigation_total", 1),
])
def test_a_topic_with_its_one_figure_states_the_fact(text: str, section: str, key: str, value: float) -> None:
    assert prose(text, section)[key].value == value


@pytest.mark.parametrize("text,section,key", [
    ("信息公开申请5件中答复3件", "requests", "requests_received"),  # two figures: which is which is not said
    ("政府信息公开申请比上年增长5件", "requests", "requests_received"),  # a change, not the count
    ("我局共接到群众咨询30次，依申请公开3件", "requests", "requests_received"),  # consultations named
    ("行政复议和行政诉讼3件", "review_litigation", "review_total"),  # a rival topic shares the figure
    ("政府信息公开申请转办3件", "requests", "requests_received"),  # a stage of handling, not the requests
])
def test_a_topic_and_a_figure_read_nothing_when_it_is_not_certain(text: str, section: str, key: str) -> None:
    assert key not in prose(text, section)


def test_a_coordinated_zero_with_a_bare_review_word() -> None:
    facts = prose("2015年度未发生针对政府信息公开事务的复议、诉讼和申诉。", "review_litigation")
    assert {k: facts[k].value for k in ("review_total", "litigation_total", "complaints_total")} == {
        "review_total": 0, "litigation_total": 0, "complaints_total": 0}


def test_a_zero_since_inception_is_this_years_zero_but_a_cumulative_figure_is_not() -> None:
    assert prose("我局开展政府信息公开工作以来,对依申请提供政府信息未收取检索、复印、邮寄等费用。", "fees")[
        "fees_collected_yuan"].value == 0
    assert "fees_collected_yuan" not in prose("开展工作以来累计收取检索费用200元。", "fees")
