"""Removal of what is not the report: crawler header blocks, page chrome lines, mojibake runs,
injected spam tokens and bodies published twice. Every remover returns the cleaned text and adds the
number of characters it dropped, by kind, to a NoiseLog (stored as cleaned_documents.removed_noise)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import regex

from gov_pipeline.domain.charclass import HAN

NoiseLog = Counter  # kind -> characters removed

_CRAWLER_SEPARATOR = re.compile(r"^=+\s*正文\s*=+[ \t]*$", re.M)
_HEADER_FIELD = regex.compile(rf"^\s*([{HAN}A-Za-z]{{2,10}})\s*[:：]\s*(.*?)\s*$")

METADATA_LABELS = (
    "信息索引号|索引号|公开方式|公开形式|发布机构|发布单位|发文机关|组配分类|主题分类|体裁分类|服务对象分类|文件编号|"
    "文号|发文字号|发文日期|成文日期|生成日期|发布日期|发布时间|公布日期|公开日期|公开时限|有效性|时效|信息来源|来源|"
    "作者|浏览次数|阅读次数|访问次数|点击数|统一编号|所属机构|所属主题|分类|关键词|名称|信息名称|内容概述|文件下载"
)
_METADATA_LINE = re.compile(rf"^(?:{METADATA_LABELS})\s*(?:[:：]|\s|$)")
_METADATA_LABEL_ONLY = re.compile(rf"^(?:{METADATA_LABELS})[:：]?$")

_CHROME_LINE = re.compile(
    r"^(?:正文|首页|网站首页|返回首页|返回顶部|打印|打印本页|【打印本页】|【打印】|收藏|【收藏】|关闭|关闭本页|关闭窗口|【关闭窗口】|"
    r"【关闭】|分享|分享到.{0,40}|字号[:：].{0,20}|【?字体[:：]?\s*[大中小].{0,10}|扫一扫在手机打开当前页|扫一扫.{0,20}|"
    r"[【\[]?\s*[大中小]\s*[中小]?\s*[】\]]?|微信|微博|QQ空间|全真版|文字版|附件下载|相关链接[:：]?|无障碍|长者模式|"
    r"返回政府网首页.{0,30}|\?|？|-->|\d{5,}|当前位置[:：].{0,200}|您(?:现在)?的位置[:：].{0,200}|你的位置[:：].{0,200}|"
    r"所在位置[:：].{0,200}|>.{0,200}|(?=.*>).{0,60}(?:\s*>\s*\S{1,20}){2,}|首页\s*[>›»].{0,200})$"
)  # (?=.*>): a breadcrumb needs a '>', found in one scan before 60 starts are tried (1.3x on lines)
_FOOTER_MARKS = ("ICP备", "ICP证", "公网安备", "公安备案", "版权所有", "Copyright", "©", "主办单位", "承办单位",
                 "技术支持", "运行维护", "网站标识码", "Produced By", "建议使用.{0,20}浏览器", "分辨率", "主办[:：]",
                 "^地址[:：].{0,60}电话", "网站地图", "联系我们")
"""What marks a footer line (regular expressions, each starting with a literal character after an optional ^)."""
# behind a class of the marks' first characters (case-insensitive too): 2.6x faster, the same matches
_FOOTER_LINE = re.compile("(?=[" + re.escape("".join(sorted({mark.lstrip("^")[0] for mark in _FOOTER_MARKS})))
                          + "])(?:" + "|".join(_FOOTER_MARKS) + ")", re.I)
_FOOTER_MAX_LEN = 120
# Chrome glued into flattened crawler bodies: "当前位置： 首页… 来源：… 时间：… 微信 微博 QQ空间 … 相关链接： -->"
_INLINE_CHROME = re.compile(
    r"当前位置[:：].{0,300}?相关链接[:：]\s*(?:-->)?|(?:\s|^)(?:微信 微博 QQ空间|全真版 文字版|附件下载)(?=\s|$)"
)

_HANZI = regex.compile(HAN)
_SPAM_LEXICON_FILE = Path(__file__).with_name("spam_lexicon.txt")
_WORD_CHAR = regex.compile(rf"[{HAN}A-Za-z0-9]")
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")
_MOJIBAKE_ANCHOR = re.compile(r"[\ue000-\uf8ff\ufffd]|(?<![A-Za-z0-9])\?(?=[。！!?A-Za-z\u3100-\u312f\ue000-\uf8ff])")
# Symbols that garbled GBK/UTF-8 produces and Chinese prose does not use (curly quotes, dashes, dots kept).
_MOJIBAKE_SYMBOL = re.compile(
    r"[\ue000-\uf8ff\ufffd?？。！!@_\u3100-\u312f\u0080-\u00ff\ufe50-\ufe6f"
    r"\u2010-\u2012\u2015\u2016\u201a\u201b\u201e-\u2025\u2027-\u2bff]"
)


def split_crawler_header(text: str) -> tuple[dict[str, str], str]:
    """A crawler dump starts with `key: value` lines and a `==== 正文 ====` rule; return both parts."""
    match = _CRAWLER_SEPARATOR.search(text, 0, 4000)
    if not match:
        return {}, text
    fields: dict[str, str] = {}
    for line in text[: match.start()].splitlines():
        field = _HEADER_FIELD.match(line)
        if field and field.group(2):
            fields.setdefault(field.group(1), field.group(2))
    return fields, text[match.end():].lstrip("\n")


_MARKUP_RESIDUE = re.compile(
    r"<!--.*?-->|<!\[(?:if|endif)[^\]]*\]>|<\?xml[^>]{0,200}\?>|</?[A-Za-z][A-Za-z0-9]*(?::[A-Za-z0-9]+)?"
    r"(?:\s[^<>\n]{0,300})?/?>",
    re.S,
)


def drop_markup_residue(text: str, log: NoiseLog) -> str:
    """Markup that survived into text: Word conditional comments (<!--[if !supportLists]-->), <o:p>,
    <?xml …?> and stray tags. Chinese book-title brackets (<中华人民共和国…格式>) are not tags."""
    def drop(match: re.Match[str]) -> str:
        log["markup_residue"] += len(match.group(0))
        return ""

    return _MARKUP_RESIDUE.sub(drop, text)


def drop_chrome_lines(text: str, log: NoiseLog) -> str:
    """Drop whole lines that are page furniture: navigation, widgets, page-metadata rows, footers."""
    kept: list[str] = []
    lines = text.split("\n")
    skip_value = False
    for line in lines:
        stripped = line.strip()
        if skip_value and stripped and len(stripped) <= 40 and not _METADATA_LINE.match(stripped):
            log["page_metadata"] += len(stripped)
            skip_value = False
            continue
        skip_value = False
        if not stripped:
            continue
        if _METADATA_LABEL_ONLY.match(stripped):
            log["page_metadata"] += len(stripped)
            skip_value = True
            continue
        if len(stripped) <= 160 and _METADATA_LINE.match(stripped):
            log["page_metadata"] += len(stripped)
            continue
        if _CHROME_LINE.match(stripped):
            log["navigation_and_widgets"] += len(stripped)
            continue
        if len(stripped) <= _FOOTER_MAX_LEN and _FOOTER_LINE.search(stripped):
            log["footer"] += len(stripped)
            continue
        kept.append(stripped)
    return "\n".join(kept)


def drop_inline_chrome(text: str, log: NoiseLog) -> str:
    def drop(match: re.Match[str]) -> str:
        log["navigation_and_widgets"] += len(match.group(0).strip())
        return " "

    return _INLINE_CHROME.sub(drop, text)


def _is_common_hanzi(ch: str) -> bool:
    """GB2312 level 1: the 3,755 most common characters (first byte 0xB0-0xD7)."""
    try:
        encoded = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2 and 0xB0 <= encoded[0] <= 0xD7


_LOST_BYTE = re.compile(r"\?[\x21-\x7e\u00c0-\u024f]{0,8}?(?=[^\x00-\x7f\u00c0-\u024f])")
_UNCLEAN = re.compile(r"[\ue000-\uf8ff\ufffd\u3100-\u312f\u2500-\u257f\u2460-\u24ff\ufe50-\ufe6f\x00-\x1f?]")


def _common_share(text: str) -> float:
    hanzi = _HANZI.findall(text)
    return sum(map(_is_common_hanzi, hanzi)) / len(hanzi) if hanzi else 0.0


def _realign(segment: str, simplify: Callable[[str], str]) -> tuple[str, int] | None:
    """Decode `segment` again with its double-byte pairs shifted by one byte. Returns the clean prefix
    of that reading and how many characters of `segment` it replaces, or None if it is no better."""
    raw = segment.encode("gb18030")
    shifted = (b"\xa3" + raw).decode("gb18030", errors="replace")[1:]  # first char pairs the pad byte
    unclean = _UNCLEAN.search(shifted)  # the clean prefix ends at the first unclean character
    fixed = shifted[:unclean.start() if unclean else len(shifted)]
    consumed = 1 + len(fixed.encode("gb18030"))
    used = taken = 0
    while used < len(segment) and taken < consumed:
        taken += len(segment[used].encode("gb18030"))
        used += 1
    same = 0  # the two readings agree again once the byte pairs are back in step
    while same < min(len(fixed), used) and fixed[-1 - same] == segment[used - 1 - same]:
        same += 1
    new_head, old_head = fixed[:len(fixed) - same], segment[:used - same]
    if len(_HANZI.findall(new_head)) < 2:
        return None  # (before the garble test: it converts and looks up every character)
    garbled = bool(_UNCLEAN.search(old_head)) or _common_share(simplify(old_head)) < 0.5
    if not garbled or _common_share(simplify(new_head)) < 0.75:
        return None
    return fixed, used


def repair_misaligned_gbk(text: str, log: NoiseLog, simplify: Callable[[str], str]) -> str:
    """Repair GBK text that was decoded one byte out of step (a lost byte shows as '?'): every
    character then pairs the second byte of one original character with the first of the next, giving
    runs like '?。ㄈ﹪@'. Re-encoding the run and decoding it shifted back by one byte restores it
    ('（三）圍繞'); a reading is kept only when it is made of common characters and beats the garble."""
    if "?" not in text:
        return text
    out: list[str] = []
    position = 0
    for lost in _LOST_BYTE.finditer(text):
        if lost.start() < position:
            continue
        line_end = text.find("\n", lost.end())
        segment = text[lost.end():(len(text) if line_end < 0 else line_end)][:400]
        repaired = _realign(segment, simplify)
        if repaired is None:
            continue
        fixed, used = repaired
        out += [text[position:lost.start()], fixed]
        position = lost.end() + used
        log["mojibake_repaired"] += len(fixed)
    out.append(text[position:])
    return "".join(out)


def drop_mojibake(text: str, log: NoiseLog) -> str:
    """Remove runs of garbled characters (UTF-8 read as GBK, private-use code points).

    A run grows from an anchor (a private-use character, U+FFFD, or a '?' glued to CJK punctuation)
    over neighbouring symbols, over rare characters (outside GB2312 level 1) and over common ones that
    occur only once in the document, so the real words next to the garbage survive."""
    if "?" not in text and "\ufffd" not in text and not _PRIVATE_USE.search(text):
        return text
    if not _MOJIBAKE_ANCHOR.search(text):
        return text
    frequency = Counter(text)

    def suspect(ch: str) -> bool:
        if _MOJIBAKE_SYMBOL.match(ch) or (ch.isascii() and ch.isalpha()):
            return True
        if _HANZI.match(ch):
            return frequency[ch] <= 1 if _is_common_hanzi(ch) else frequency[ch] < 5
        return False

    spans: list[tuple[int, int]] = []
    for anchor in _MOJIBAKE_ANCHOR.finditer(text):
        if spans and anchor.start() < spans[-1][1]:
            continue
        start, end = anchor.start(), anchor.end()
        while start > 0 and text[start - 1] != "\n" and suspect(text[start - 1]):
            start -= 1
        while end < len(text) and text[end] != "\n":
            if suspect(text[end]):
                end += 1
            elif any(_MOJIBAKE_SYMBOL.match(ch) for ch in text[end + 1:end + 3]):
                end += 1  # one ordinary-looking character inside a garbled run
            else:
                break
        spans.append((start, end))
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        log["mojibake"] += end - start
        last = end
    out.append(text[last:])
    return "".join(out)


def _spam_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The lexicon as one regular expression, plus one that finds the literal core of any entry: a
    document holding none of the cores (nearly all of them) is not scanned with the expression at all
    (one search for the cores: 3.7x faster than testing each core with `in`)."""
    words = [line.strip() for line in _SPAM_LEXICON_FILE.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    cores = [max(re.split(r"\\d\{\d+\}|[\\.*+?()\[\]{}|^$]", word), key=len) for word in words]
    return re.compile("|".join(words)), re.compile("|".join(map(re.escape, cores)))


_SPAM, _SPAM_CORES = _spam_patterns()


def _injected_token(text: str, hits: list[re.Match[str]]) -> str:
    """The injected token around a lexicon hit: the hit extended as far as every occurrence agrees
    (an injection is pasted verbatim; its surroundings differ). A lone hit extends to its word run."""
    start, end = hits[0].start(), hits[0].end()
    if len(hits) == 1:
        while start > 0 and _WORD_CHAR.match(text[start - 1]) and hits[0].start() - start < 6:
            start -= 1
        while end < len(text) and _WORD_CHAR.match(text[end]) and end - hits[0].end() < 6:
            end += 1
        return text[start:end]
    left = right = 0
    while all(h.start() - left - 1 >= 0 and text[h.start() - left - 1] == text[start - left - 1]
              and _WORD_CHAR.match(text[h.start() - left - 1]) for h in hits) and left < 10:
        left += 1
    while all(h.end() + right < len(text) and text[h.end() + right] == text[end + right]
              and _WORD_CHAR.match(text[h.end() + right]) for h in hits) and right < 10:
        right += 1
    return text[start - left:end + right]


def drop_spam(text: str, log: NoiseLog) -> str:
    """Remove injected spam tokens (gambling, sports streams, forums…) wherever they were pasted,
    including a colon glued after them."""
    if not _SPAM_CORES.search(text):
        return text
    by_word: dict[str, list[re.Match[str]]] = {}
    for hit in _SPAM.finditer(text):
        by_word.setdefault(hit.group(0), []).append(hit)
    tokens = {_injected_token(text, hits) for hits in by_word.values()}
    for token in sorted(tokens, key=len, reverse=True):
        pattern = re.compile(re.escape(token) + r"[:：]?")
        text, count = pattern.subn("", text)
        log["spam"] += count * len(token)
    return text


def drop_repeated_body(text: str, log: NoiseLog, min_chars: int = 200, min_lines: int = 3) -> str:
    """Keep a body once when the page publishes it twice: a run of >= min_lines consecutive lines
    (>= min_chars) that repeats an earlier run verbatim is dropped."""
    lines = text.split("\n")
    first_seen: dict[str, int] = {}
    for index, line in enumerate(lines):
        if len(line) >= 10:
            first_seen.setdefault(line, index)
    keep = [True] * len(lines)
    i = 0
    while i < len(lines):
        j = first_seen.get(lines[i], i) if len(lines[i]) >= 10 else i
        if j >= i:
            i += 1
            continue
        start, earlier = i, j
        while earlier > 0 and keep[start - 1] and lines[start - 1] == lines[earlier - 1]:
            start, earlier = start - 1, earlier - 1  # short lines (headings) just before the repeat belong to it
        run = 0
        while start + run < len(lines) and earlier + run < start and lines[start + run] == lines[earlier + run]:
            run += 1
        chars = sum(len(line) for line in lines[start:start + run])
        if run >= min_lines and chars >= min_chars:
            for k in range(start, start + run):
                keep[k] = False
            log["duplicated_body"] += chars
            i = start + run
        else:
            i += 1
    return "\n".join(line for line, kept in zip(lines, keep, strict=True) if kept)
