"""What a fetched page is: a report body, a column (list) page, a shell whose body a browser or an API
would fill in, an anti-bot or login page, or a page whose report lives in an attachment. Pure
functions over bytes; the markers are declared once here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from gov_pipeline.cleaning.html_text import parse_html
from gov_pipeline.ingest.decoding import UndecodableError, decode

# A link that names an annual report: 年度报告 or 年报, with a year (the title of the column item).
REPORT_TITLE = re.compile(r"(?=.*(?:19|20)\d{2})(?=.*(?:年度报告|年报))", re.DOTALL)
YEAR = re.compile(r"((?:19|20)\d{2})")
ATTACHMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".wps")
NEXT_PAGE_TEXTS = frozenset({"下一页", "下页", "后一页", "next", ">", "›", "»", "下一页>", "下一页 >"})
ITEM_TITLE_CHARS = 8  # anchor text at least this long is a list item, not navigation
MIN_BODY_CJK = 300  # Chinese characters outside links below which a page holds no report body
MIN_LIST_ITEMS = 3
# Anti-bot JavaScript challenges and login walls that answer instead of the page (瑞数 $_ts, 加速乐
# __jsl_clearance, Aliyun acw_sc__v2, Cloudflare, 创宇盾 / 安全狗 wording).
CHALLENGE_MARKERS = re.compile(
    r"\$_ts\s*=|__jsl_clearance|acw_sc__v2|cf-chl|challenge-platform|_waf_|safedog|创宇盾|"
    r"请开启JavaScript|请启用JavaScript|浏览器安全检查|访问验证|人机验证", re.IGNORECASE)
LOGIN_MARKERS = re.compile(r"<input[^>]+type\s*=\s*[\"']?password", re.IGNORECASE)
SPA_ROOT = re.compile(r"<div[^>]+id\s*=\s*[\"']?(?:app|root)[\"'\s>]", re.IGNORECASE)
SCRIPT_BUNDLE = re.compile(r"<script[^>]+src\s*=", re.IGNORECASE)
# Epoint 新点 WebBuilder: the detail page fetches its body from /EWB-FRONT/rest/... keyed by the info id.
WEBBUILDER_MARKERS = re.compile(r"EWB-FRONT|EpointWebBuilder|webbuilder|epoint", re.IGNORECASE)
WEBBUILDER_ID = re.compile(r"""\b(?:infoid|infoguid|info_id)\b["']?\s*[=:]\s*["']?([0-9A-Za-z_-]{6,})""", re.IGNORECASE)
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Link:
    url: str
    title: str


@dataclass(frozen=True)
class PageReading:
    """How a page is handled. kind: document (store it) | listing | shell | blocked | attachment_page |
    no_content. `follow`: report items of a column page, or a detail page's attachments;
    `next_pages`: the column's following pages; `skipped`: column items that are not reports."""

    kind: str
    reason: str
    follow: tuple[Link, ...] = ()
    next_pages: tuple[Link, ...] = ()
    skipped: tuple[Link, ...] = ()


def document_kind(data: bytes, content_type: str, url: str) -> str | None:
    """File suffix the bytes are stored under (.html, .pdf, .doc, .docx, .wps, .txt), from the magic
    bytes first, then the declared type and the URL; None when it is none of these."""
    path = urlsplit(url).path.lower()
    declared = content_type.split(";")[0].strip().lower()
    if data.startswith(b"%PDF-"):
        return ".pdf"
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE compound file: Word 97-2003 or WPS
        return ".wps" if path.endswith(".wps") or "wps" in declared else ".doc"
    if data.startswith(b"PK\x03\x04"):
        return ".docx" if path.endswith(".docx") or "wordprocessingml" in declared else None
    head = data[:2048].lstrip().lower()
    if "html" in declared or head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in head:
        return ".html"
    if declared == "text/plain":
        return ".txt"
    return None


def _links(tree: LexborHTMLParser, base: str) -> list[Link]:
    found: dict[str, Link] = {}
    for node in tree.css("a[href]"):
        href = (node.attributes.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = urljoin(base, href).split("#")[0]
        if urlsplit(url).scheme not in ("http", "https"):
            continue
        title = " ".join((node.attributes.get("title") or node.text(deep=True) or "").split())
        if url not in found or len(title) > len(found[url].title):
            found[url] = Link(url, title)
    return list(found.values())


def _cjk(text: str) -> int:
    return len(_CJK.findall(text))


def is_attachment(link: Link) -> bool:
    return urlsplit(link.url).path.lower().endswith(ATTACHMENT_SUFFIXES) or link.title.lower().endswith(
        ATTACHMENT_SUFFIXES)


def read_page(data: bytes, url: str, *, is_column: bool = False) -> PageReading:
    """Decide what an HTML page is. `is_column` marks a page reached as a column page (the start of
    a crawl or its next page): its report items and next pages are followed."""
    try:
        text = decode(data, is_html=True).text
    except UndecodableError as exc:
        return PageReading("no_content", f"undecodable HTML: {exc}")
    tree = LexborHTMLParser(text)
    links = _links(tree, url)
    link_cjk = sum(_cjk(link.title) for link in links)
    body_cjk = max(0, _cjk(parse_html(text).body_text) - link_cjk)
    host = urlsplit(url).netloc
    same_site = [link for link in links if urlsplit(link.url).netloc == host and link.url != url]
    items = [link for link in same_site if len(link.title) >= ITEM_TITLE_CHARS and not is_attachment(link)]
    reports = [link for link in items if REPORT_TITLE.match(link.title)]
    next_pages = [link for link in same_site if link.title.lower() in NEXT_PAGE_TEXTS]
    if is_column:
        return PageReading("listing", f"CMS list page with {len(items)} item links ({len(reports)} report links, "
                                      f"{len(next_pages)} next-page links followed)", tuple(reports), tuple(next_pages),
                           tuple(link for link in items if link not in reports))
    if body_cjk >= MIN_BODY_CJK:
        return PageReading("document", f"report body of {body_cjk} Chinese characters")
    if CHALLENGE_MARKERS.search(text):
        return PageReading("blocked", "anti-bot challenge page: the server answered with a JavaScript check "
                                      "instead of the page")
    if LOGIN_MARKERS.search(text):
        return PageReading("blocked", "login page: the document is behind a password form")
    if len(items) >= MIN_LIST_ITEMS and not any(is_attachment(link) for link in links):
        return PageReading("listing", f"CMS list page with {len(items)} item links (not followed: crawl it "
                                      "with --column)")
    if WEBBUILDER_MARKERS.search(text):
        found = WEBBUILDER_ID.search(text) or WEBBUILDER_ID.search(url)
        key = f"infoid={found.group(1)}" if found else "an id in the page"
        return PageReading("shell", f"Epoint WebBuilder detail shell: the body is loaded from its API for {key}")
    if SPA_ROOT.search(text) and SCRIPT_BUNDLE.search(text):
        bundles = len(SCRIPT_BUNDLE.findall(text))
        return PageReading("shell", f"SPA shell: an empty <div id=app> filled by {bundles} script bundles")
    attachments = [link for link in links if is_attachment(link)]
    if attachments:
        return PageReading("attachment_page", f"report body is in {len(attachments)} attachment(s); "
                                              "fetching them instead", tuple(attachments))
    return PageReading("no_content", f"only {body_cjk} Chinese characters of body text and no attachment")


def year_in(title: str) -> int | None:
    """The report year a link title names (the first plausible year in it)."""
    found = YEAR.search(title)
    return int(found.group(1)) if found else None
