"""Encodings, built in the test from the real seed texts."""

from __future__ import annotations

import codecs
import re

import pytest

from gov_pipeline.ingest.decoding import UndecodableError, canonical_encoding, decode
from gov_pipeline_tests.conftest import SEEDS

SEED_TEXT = (SEEDS / "004_a8ef66291314f876.txt").read_text(encoding="utf-8")
# A paragraph of seed 002 written in Traditional characters, as Big5 sites publish it.
TRADITIONAL = re.sub(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]+\)", "", next(
    line for line in (SEEDS / "002_f94757b5ee07a06a.txt").read_text(encoding="utf-8").splitlines()
    if line.strip().startswith("為切實做好2018年政務")))


def html_page(body: str, charset: str | None) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return f"<html><head>{meta}<title>报告</title></head><body><div>{body}</div></body></html>"


@pytest.mark.parametrize("codec", ["gbk", "gb2312", "gb18030"])
def test_gb_family_is_read_as_gb18030(codec: str) -> None:
    body = "\n".join(line for line in SEED_TEXT.splitlines() if line.strip() and line.strip() != "?")[:3000]
    page = html_page(body, codec).encode(codec, errors="ignore")
    decoded = decode(page, is_html=True)
    assert decoded.encoding == "gb18030"
    assert decoded.method == f"declared {codec}"
    assert "杭州市西湖区人民政府编制而成" in decoded.text


def test_missing_declaration_is_detected_not_guessed() -> None:
    page = html_page(SEED_TEXT[:4000], None).encode("gb18030", errors="ignore")
    decoded = decode(page, is_html=True)
    assert decoded.encoding == "gb18030"
    assert "charset-normalizer" in decoded.method
    assert "西湖区" in decoded.text


def test_wrong_declaration_is_overruled_by_valid_utf8() -> None:
    page = html_page(SEED_TEXT[:4000], "gb2312").encode("utf-8")
    decoded = decode(page, is_html=True)
    assert decoded.encoding == "utf-8"
    assert "declared gb2312, ignored" in decoded.method


def test_wrong_utf8_declaration_falls_back_to_detector() -> None:
    page = html_page(SEED_TEXT[:4000], "utf-8").encode("gb18030", errors="ignore")
    decoded = decode(page, is_html=True)
    assert decoded.encoding == "gb18030"
    assert "did not fit" in decoded.method


def test_big5_traditional_page() -> None:
    page = html_page(TRADITIONAL, "big5").encode("big5", errors="ignore")
    decoded = decode(page, is_html=True)
    assert decoded.encoding == "big5hkscs"
    assert "政務公開" in decoded.text


@pytest.mark.parametrize("codec,bom", [("utf-16", b""), ("utf-8-sig", codecs.BOM_UTF8)])
def test_byte_order_marks(codec: str, bom: bytes) -> None:
    data = SEED_TEXT[:2000].encode(codec)
    assert data.startswith(bom or codecs.BOM_UTF16_LE)
    decoded = decode(data, is_html=False)
    assert decoded.method == "byte-order mark"
    assert decoded.text.lstrip("\ufeff").startswith(SEED_TEXT[:20])


def test_utf16_without_bom_is_detected() -> None:
    decoded = decode(SEED_TEXT[:3000].encode("utf-16-le"), is_html=False)
    assert decoded.encoding.startswith("utf_16") or decoded.encoding.startswith("utf-16")
    assert "西湖区" in decoded.text


@pytest.mark.parametrize("data,reason", [
    (b"", "empty file"),
    (b"   \n\t ", "empty file"),
    (bytes(range(256)) * 40, "binary"),
])
def test_bytes_that_are_not_text(data: bytes, reason: str) -> None:
    with pytest.raises(UndecodableError, match=reason):
        decode(data, is_html=False)


def test_canonical_names() -> None:
    assert canonical_encoding("GB2312") == "gb18030"
    assert canonical_encoding("x-gbk") == "gb18030"
    assert canonical_encoding("UTF8") == "utf-8"
    assert canonical_encoding("Big5") == "big5hkscs"
