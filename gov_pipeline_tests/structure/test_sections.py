"""Heading grammar and canonical section keys, on real documents and real snippets."""

from __future__ import annotations

import pytest

from gov_pipeline.structure.sections import parse_heading, section_key, split_glued_headings, split_sections
from gov_pipeline_tests.conftest import CORPUS, SEEDS, cleaned_text


@pytest.mark.parametrize("line,level,heading", [
    ("一、概述", 1, "一、概述"),
    ("二、主动公开政府信息的情况", 1, "二、主动公开政府信息的情况"),
    ("（一）主动公开政府信息的数量", 2, "（一）主动公开政府信息的数量"),
    ("(二)完善制度、优化机制。根据上级要求，结合工作实际", 2, "(二)完善制度、优化机制"),
    ("1.门户网站", 3, "1.门户网站"),
    ("2、通过公开栏进行公开", 3, "2、通过公开栏进行公开"),
    ("（3）推进食品药品安全信息公开。区市场监督管理局加大", 4, "（3）推进食品药品安全信息公开"),
    ("三、政府信息依申请公开工作情况2011年全区未收到有关政府信息公开的申请", 1, "三、政府信息依申请公开工作情况"),
    ("一、总体情况2019年，在省政府办公厅、省公开办等部门的关心和指导下", 1, "一、总体情况"),
])
def test_heading_grammar(line: str, level: int, heading: str) -> None:
    parsed = parse_heading(line)
    assert parsed is not None and (parsed.level, parsed.text) == (level, heading)


@pytest.mark.parametrize("line", [
    "2018年，全市因政府信息公开被申请行政复议43件",
    "| 一、本年新收政府信息公开申请数量 | 32 | 2 | 0 |",
    "1.5万条信息已经公开",
    "一、二是进一步完善了制度建设，并在全区范围内推广开来，形成了良好的工作局面，取得了明显成效。",
])
def test_lines_that_are_not_headings(line: str) -> None:
    assert parse_heading(line) is None


def test_glued_headings_in_flattened_dumps_get_their_own_line() -> None:
    glued = "如对本报告有任何疑问，请与办公室联系。一、总体情况2019年，我区认真贯彻落实"
    assert split_glued_headings(glued).split("\n")[1].startswith("一、总体情况")


@pytest.mark.parametrize("heading,key", [
    ("一、概述", "overview"), ("一、总体情况", "overview"),
    ("二、主动公开政府信息情况", "proactive"),
    ("三、收到和处理政府信息公开申请情况", "requests"), ("三、政府信息依申请公开办理情况", "requests"),
    ("四、依申请公开信息收取费用情况", "fees"), ("四、政府信息公开的收费及减免情况", "fees"),
    ("四、政府信息公开行政复议、行政诉讼情况", "review_litigation"),
    ("五、因政府信息公开工作被申请行政复议和提起行政诉讼情况", "review_litigation"),
    ("五、存在的主要问题及改进情况", "problems"), ("五、政府信息公开工作存在的主要问题及改进情况", "problems"),
    ("六、其他需要报告的事项", "other"),
    ("三、略政办[2016]77号文件要求落实的事项", "unknown"),
    # art. 32's first item as township outlines shorten it, and headings that are no section of their own
    ("二、政府信息公开情况", "proactive"), ("一、2014年政府信息公开工作情况", "overview"),
    ("六、政府信息公开情况统计表", "unknown"), ("四、政府信息公开的收费及减免情况", "fees"),
    ("二、行政机关依申请公开政府信息和不予公开政府信息的情况", "requests"),
])
def test_section_keys(heading: str, key: str) -> None:
    assert section_key(heading) == key


@pytest.mark.parametrize("name", ["000_990f776b87745625.txt", "001_d2b3fed2330643c7.txt", "002_f94757b5ee07a06a.txt",
                                  "003_c2cef3dbede2db47.txt", "004_a8ef66291314f876.txt"])
def test_seed_sections_match_gold(name: str, gold: dict[str, dict]) -> None:
    keys = {s.section_key for s in split_sections("doc", cleaned_text(SEEDS / name))}
    assert set(gold[name]["sections"]) <= keys
    assert not set(gold[name].get("missing_sections", [])) & keys


def test_sections_nest_with_parents() -> None:
    sections = split_sections("doc", cleaned_text(SEEDS / "000_990f776b87745625.txt"))
    proactive = next(s for s in sections if s.heading == "二、主动公开政府信息的情况")
    children = [s for s in sections if s.parent_ordinal == proactive.ordinal]
    assert [c.heading for c in children][:2] == ["(一)政府信息公开的内容", "(二)政府信息公开形式"]
    assert all(c.level == 2 and c.section_key == "proactive" for c in children)


def test_mojibake_subheadings_are_recovered_as_headings() -> None:
    sections = split_sections("doc", cleaned_text(SEEDS / "002_f94757b5ee07a06a.txt"))
    requests = next(s for s in sections if s.heading == "三、依申请公开情况")
    assert "（一）受理政府信息公开申请情况" in [s.heading for s in sections if s.parent_ordinal == requests.ordinal]


@pytest.mark.parametrize("relative,expected", [
    ("2019_city_pingtan-zone_report.txt",
     {"overview", "proactive", "requests", "review_litigation", "problems", "other"}),
    ("2015_city_pingtan-zone_report.txt",
     {"overview", "proactive", "requests", "fees", "review_litigation", "problems"}),
    ("2024_department_shanghai-stcsm_report.md",
     {"overview", "proactive", "requests", "review_litigation", "problems", "other"}),
])
def test_corpus_sections(relative: str, expected: set[str]) -> None:
    keys = {s.section_key for s in split_sections("doc", cleaned_text(CORPUS / relative))}
    assert expected <= keys
