"""Cleaning on the real documents: noise gone, text Simplified, metadata right, bad input survives."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from gov_pipeline.cleaning.clean import clean_document
from gov_pipeline.cleaning.noise import (
    NoiseLog,
    drop_mojibake,
    drop_repeated_body,
    drop_spam,
    repair_misaligned_gbk,
)
from gov_pipeline.domain.metadata import agency_key
from gov_pipeline.domain.normalize import strip_pinyin_glosses, to_simplified
from gov_pipeline.ingest.inventory import read_raw
from gov_pipeline_tests.conftest import CORPUS, SEEDS, SHUYANG, clean_file, cleaned_text

NOISE = {
    "000_990f776b87745625.txt": ["扫一扫在手机打开当前页", "Produced By", "大汉版通发布系统", ">政府信息公开>",
                                 "浏览次数"],
    "001_d2b3fed2330643c7.txt": ["西甲直播"],
    "003_c2cef3dbede2db47.txt": ["返回政府网首页", "当前位置", "ICP备", "公网安备", "技术支持", "振风大道100号"],
    "004_a8ef66291314f876.txt": ["上海419论坛", "浏览次数"],
    "002_f94757b5ee07a06a.txt": ["關閉本頁", "关闭本页", "7449713"],
}
_PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]+\)")


@pytest.mark.parametrize("name", sorted(NOISE))
def test_seed_noise_is_removed(name: str) -> None:
    text = cleaned_text(SEEDS / name)
    for noise in NOISE[name]:
        assert noise not in text, noise


def test_seed_002_is_simplified_without_pinyin_and_repairs_mojibake() -> None:
    text = cleaned_text(SEEDS / "002_f94757b5ee07a06a.txt")
    assert not _PINYIN.search(text)
    assert "政府信息公开工作年度报告" in text and "公開" not in text and "報告" not in text
    # the garbled sub-headings (' ?。ㄈ﹪@…') are restored from their mis-aligned GBK bytes
    assert "（三）围绕“放管服”改革推进服务公开" in text
    assert "（一）主动公开政府信息的数量及类别" in text
    assert not re.search(r"[\ue000-\uf8ff\u3100-\u312f]", text)


def test_seed_004_body_published_twice_is_kept_once() -> None:
    document = clean_file(SEEDS / "004_a8ef66291314f876.txt").document
    assert document.text.count("38091") == 1
    assert document.text.count("一、概述") == 1
    assert document.removed_noise["duplicated_body"] > 5000


def test_spam_token_inside_sentences_and_before_metadata() -> None:
    log = NoiseLog()
    text = "省、市、县西甲直播:开展政府信息公开工作。按照《西甲直播人民政府信息公开规定》，省市县西甲直播:政府信息"
    assert drop_spam(text, log) == "省、市、县开展政府信息公开工作。按照《人民政府信息公开规定》，省市县政府信息"
    assert (drop_spam("上海419论坛\n索引号\n上海419论坛00250239-7/2018-01417", NoiseLog())
            == "\n索引号\n00250239-7/2018-01417")


def test_pinyin_glosses_and_traditional() -> None:
    raw = "株洲市人民政府2018年政府信息公開工作年度報告 網(wǎng)站 服務(wù)"
    simplified, changed = to_simplified(raw)
    assert changed > 0
    assert strip_pinyin_glosses(simplified)[0] == "株洲市人民政府2018年政府信息公开工作年度报告 网站 服务"


def test_misaligned_gbk_run_is_repaired_not_just_dropped() -> None:
    line = next(candidate for candidate in (SEEDS / "002_f94757b5ee07a06a.txt").read_text(encoding="utf-8").splitlines()
                if "市本級依申請" in candidate)
    log = NoiseLog()
    repaired = repair_misaligned_gbk(line, log, lambda t: to_simplified(t)[0])
    assert "未收取任何費用" in repaired and log["mojibake_repaired"] > 0


def test_unrepairable_mojibake_is_removed_and_counted() -> None:
    seed = (SEEDS / "002_f94757b5ee07a06a.txt").read_text(encoding="utf-8")
    log = NoiseLog()
    cleaned = drop_mojibake(seed + "\n政府信息\ue40c\ue30f﹪@公开", log)
    assert cleaned.endswith("\n政府信息公开")
    assert log["mojibake"] > 4 and not re.search(r"[\ue000-\uf8ff]", cleaned)


def test_repeated_body_needs_a_real_run() -> None:
    lines = "\n".join(["一、概述", "这是一段足够长的正文内容，用来测试重复正文的去除。" * 3, "二、主动公开",
                       "另一段足够长的正文内容。" * 10])
    assert drop_repeated_body(lines + "\n" + lines, NoiseLog()) == lines
    assert drop_repeated_body("短句重复\n短句重复", NoiseLog()) == "短句重复\n短句重复"


@pytest.mark.parametrize("name", ["000_990f776b87745625.txt", "001_d2b3fed2330643c7.txt", "002_f94757b5ee07a06a.txt",
                                  "003_c2cef3dbede2db47.txt", "004_a8ef66291314f876.txt"])
def test_seed_metadata_matches_gold(name: str, gold: dict[str, dict]) -> None:
    expected = gold[name]
    document = clean_file(SEEDS / name).document
    assert document.is_annual_report
    assert document.report_year == expected["report_year"]
    assert expected["agency_contains"] in document.agency_name
    for field in ("publish_date", "written_date"):
        if field in expected:
            assert getattr(document, field) == date.fromisoformat(expected[field]), field


CORPUS_PAGES = {
    "html/2011_city_pingtan-zone_report.html":
        ("平潭综合实验区2011年政府信息公开工作年度报告", "平潭综合实验区管委会", "2012-04-11"),
    "html/2011_county_pingtan-county_report.html":
        ("平潭县人民政府2011年政府信息公开工作年度报告", "平潭县人民政府", "2012-04-18"),
    "html/2012_county_pingtan-county_report.html":
        ("平潭县人民政府2012年政府信息公开工作年度报告", "平潭县人民政府", "2013-01-17"),
    "html/2013_city_pingtan-zone_report.html":
        ("平潭综合实验区2013年政府信息公开工作年度报告", "平潭综合实验区管委会", "2014-01-10"),
    "html/2013_department_pingtan-local-tax-bureau_report.html":
        ("平潭综合实验区地方税务局2013年信息公开年度报告", "平潭综合实验区地方税务局", "2014-02-25"),
    "html/2018_city_pingtan-zone_report.html":
        ("平潭综合实验区2018年度政府信息公开工作年度报告", "平潭综合实验区管委会", "2019-01-10"),
    "html/2023_department_shuyang-county-development-reform-bureau_report.html":
        ("沭阳县发展和改革局2023年政府信息公开年度报告", "沭阳县发展和改革局", "2024-01-17"),
    "2015_city_pingtan-zone_report.txt":
        ("平潭综合实验区2015年度政府信息公开工作年度报告", "平潭综合实验区管委会", "2016-01-12"),
    "2021_city_pingtan-zone_report.txt":
        ("平潭综合实验区2021年度政府信息公开工作年度报告", "平潭综合实验区管委会", "2022-02-08"),
}


@pytest.mark.parametrize("relative", sorted(CORPUS_PAGES))
def test_corpus_page_metadata(relative: str) -> None:
    title, agency, published = CORPUS_PAGES[relative]
    document = clean_file(CORPUS / relative).document
    assert document.title == title
    assert agency_key(document.agency_name) == agency_key(agency)
    assert document.publish_date == date.fromisoformat(published)
    assert document.report_year == int(relative.split("/")[-1][:4])


def test_shuyang_page_keeps_the_body_and_drops_the_chrome() -> None:
    document = clean_file(SHUYANG).document
    assert document.index_no == "014314799/2024-00002"
    assert document.written_date == date(2024, 1, 17)
    assert document.admin_level == "department"
    for chrome in ("繁體版", "无障碍", "采集时间", "智能问答", "页面生成时间"):
        assert chrome not in document.text
    assert "| 规章 | 0 | 0 | 0 |" in document.text


@pytest.mark.parametrize("relative", ["2014_city_pingtan-zone_letter-not-annual-report.txt",
                                      "html/2014_city_pingtan-zone_letter-not-annual-report.html"])
def test_letter_in_the_report_column_is_not_a_report(relative: str) -> None:
    document = clean_file(CORPUS / relative).document
    assert not document.is_annual_report
    assert "函" in document.not_report_reason


def test_word_residue_is_removed_from_text_dumps() -> None:
    document = clean_file(CORPUS / "2016_city_pingtan-zone_report.txt").document
    assert "supportLists" not in document.text and "<!--" not in document.text
    assert document.removed_noise["markup_residue"] > 0


def test_pdf_text_layer_and_page_numbers() -> None:
    document = clean_file(CORPUS / "pdf" / "2024_city_huaian-city_report.pdf").document
    assert document.title == "淮安市人民政府2024年政府信息公开工作年度报告"
    assert document.agency_name == "淮安市人民政府"
    assert "- 1 -" not in document.text


# ---------------------------------------------------------------- bad input
def _clean_bytes(tmp_path: Path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return clean_document(read_raw(path, tmp_path, data), data)


@pytest.mark.parametrize("name,data,status,reason", [
    ("empty.html", b"", "unreadable", "empty file"),
    ("noise.txt", bytes(range(256)) * 64, "unreadable", "binary"),
    ("scan.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "unreadable", "PDF"),
    ("english.md", b"# Notes\n" + b"An English page that is not a Chinese report at all. " * 20, "not_a_report",
     "Chinese"),
])
def test_bad_files_get_a_status_and_reason(tmp_path: Path, name: str, data: bytes, status: str, reason: str) -> None:
    result = _clean_bytes(tmp_path, name, data)
    assert result.document is None
    assert result.failure.status == status and reason in result.failure.reason


def test_image_only_pdf_says_no_text_layer(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842)
    target = tmp_path / "scan.pdf"
    pdf.save(str(target))
    result = _clean_bytes(tmp_path, "scan2.pdf", target.read_bytes())
    assert result.failure.status == "unreadable"
    assert result.failure.reason == "no text layer (OCR not supported)"


def test_numbers_in_scripts_styles_and_attributes_never_reach_the_text(tmp_path: Path) -> None:
    page = SHUYANG.read_text(encoding="utf-8").replace(
        "<ucapcontent>",
        '<ucapcontent><script>var received = 987654;</script><style>.x{width:765432px}</style>'
        '<noscript>共收到申请876543件</noscript><p data-count="54321" title="受理申请13579件">',
    )
    document = _clean_bytes(tmp_path, "page.html", page.encode("utf-8")).document
    for fake in ("987654", "765432", "876543", "54321", "13579"):
        assert fake not in document.text
    assert "26" in document.text


def test_declared_charset_wrong(tmp_path: Path) -> None:
    page = SHUYANG.read_text(encoding="utf-8").replace('<meta charset="utf-8" />', '<meta charset="gbk" />')
    document = _clean_bytes(tmp_path, "page.html", page.encode("utf-8")).document
    assert document.title.startswith("沭阳县发展和改革局2023年")


def test_truncated_html_still_yields_what_is_there(tmp_path: Path) -> None:
    page = SHUYANG.read_bytes()
    cut = page[: page.index("三、收到和处理".encode()) + 200]
    result = _clean_bytes(tmp_path, "cut.html", cut)
    assert result.document is not None and result.document.report_year == 2023
    assert "一、总体情况" in result.document.text
    assert _clean_bytes(tmp_path, "stub.html", page[:1500]).failure.status == "unreadable"


def test_deeply_nested_and_huge_pages_end_with_a_status(tmp_path: Path) -> None:
    body = SHUYANG.read_text(encoding="utf-8")
    nested = body.replace("<ucapcontent>", "<ucapcontent>" + "<div>" * 20000 + "嵌套" + "</div>" * 20000)
    assert _clean_bytes(tmp_path, "nested.html", nested.encode()).document.report_year == 2023
    huge = body.replace("</body>", "<div class='filler'>" + "无关内容" * 1_700_000 + "</div></body>")
    assert len(huge.encode()) > 20_000_000
    result = _clean_bytes(tmp_path, "huge.html", huge.encode())
    assert (result.document or result.failure) is not None


def test_entities_and_character_references_are_resolved(tmp_path: Path) -> None:
    seed = (SEEDS / "001_d2b3fed2330643c7.txt").read_text(encoding="utf-8")
    encoded = seed.replace("横现河街道办事处", "&#27178;&#x73B0;&#27827;街道办事处&nbsp;", 1)
    document = _clean_bytes(tmp_path, "report.txt", encoded.encode("utf-8")).document
    assert "&#" not in document.text and "&nbsp;" not in document.text
    assert document.text.count("横现河街道办事处") == seed.count("横现河街道办事处")


def test_crawler_header_fields_are_kept_as_metadata() -> None:
    document = clean_file(CORPUS / "2019_city_pingtan-zone_report.txt").document
    assert document.page_meta["栏目"] == "政府信息公开年报"
    assert document.source_url.endswith("t20200120_80576.htm")
    assert "原文链接" not in document.text and "本地目录" not in document.text


# ---------------------------------------------------------------- metadata from the whole document (issue 13 §5)
def _gold_entries() -> list[tuple[str, dict]]:
    from gov_pipeline_tests.conftest import FIXTURES
    entries = []
    for path in sorted(FIXTURES.glob("*gold*.json")):
        for key, entry in json.loads(path.read_text(encoding="utf-8")).items():
            if not key.startswith("_") and isinstance(entry, dict) and "facts" in entry:
                entries.append((key, entry))
    return entries


@pytest.mark.parametrize("key,entry", _gold_entries(), ids=[key for key, _ in _gold_entries()])
def test_gold_metadata_from_signature_header_and_title(key: str, entry: dict) -> None:
    from gov_pipeline_tests.facts.test_gold import _document
    document = clean_file(_document(key)).document
    if "agency_contains" not in entry:  # the body is never named: no name rather than 我乡 or 政府
        assert document.agency_name is None
    else:
        assert entry["agency_contains"] in document.agency_name
        assert not re.match(r"[我本该]", document.agency_name) and not re.search(r"[#|*]", document.agency_name)
    assert document.report_year == entry["report_year"]
    for field in ("publish_date", "written_date"):
        if entry.get(field):
            assert getattr(document, field) == date.fromisoformat(entry[field]), field


def test_agency_names_outside_the_basic_cjk_block_are_kept_whole(tmp_path: Path) -> None:
    source = CORPUS / "provinces" / "2018_township_guangdong-suixi-jianxin-town_report.txt"
    data = source.read_text(encoding="utf-8").replace("建新镇", "𪚥新镇").encode("gb18030")
    document = _clean_bytes(tmp_path, "report.txt", data).document
    assert document.agency_name == "遂溪县𪚥新镇人民政府"
