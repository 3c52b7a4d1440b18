"""HTML page -> page metadata, whole-page text and main-content text (lexbor via selectolax).

The hot path never touches BeautifulSoup: one lexbor parse per page. Block boundaries are marked
with a sentinel before parsing so inline runs (Word-pasted <span><font> soup) join without spaces
while paragraphs, rows and line breaks stay separate lines. Data tables are rendered as pipe rows."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import regex
from selectolax.lexbor import LexborHTMLParser, LexborNode

from gov_pipeline.cleaning.grids import render_pipe_rows, resolve_spans
from gov_pipeline.domain.charclass import HAN, NOT_HAN

BLOCK = "\x1f"
_BLOCK_TAGS = (
    "p", "div", "br", "tr", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead",
    "tbody", "section", "article", "header", "footer", "nav", "aside", "main", "blockquote", "pre", "hr", "center",
    "form", "fieldset", "address", "figure", "figcaption", "caption", "title",
)


def _prefix_tree(words: Iterable[str]) -> str:
    """An alternation of literal words factored by their common prefixes ('p(?:re)?'): the engine
    tries one branch per first letter at each position instead of every word (1.4x faster on pages)."""
    tree: dict[str, dict] = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        if "" in node:
            return f"(?:{'|'.join(branches)})?"
        return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"

    return emit(tree)


# starts with a literal '<' and has a constant replacement, so sub() skips ahead and stays in C
_BLOCK_TAG_RE = re.compile(rf"<(?=/?{_prefix_tree(_BLOCK_TAGS)}[\s/>])", re.I)
_JUNK_TAGS = ["script", "style", "noscript", "iframe", "template", "object", "embed", "svg", "canvas",
              "select", "button", "textarea", "input", "map", "audio", "video", "link", "head"]
# Containers that government CMSs (TRS, Hanweb/大汉, ucap, Word exports) put the article body in,
# most specific first.
CONTENT_SELECTORS = (
    ".TRS_Editor", ".TRS_UEDITOR", ".Custom_UnionStyle", "ucapcontent", "#UCAP-CONTENT", "#zoom",
    "#zoomcon", "#fontzoom", "#Zoom", ".zoom", ".article-content", ".article_content", ".artCon",
    ".art_con", ".wzy_con", ".pages_content", ".news_content", ".content_text", "#content", ".content",
    ".con", "article", ".main-txt", ".xxgk_content", ".zw", "#zw", ".view",
)
# Page widgets inside or around the content: share / print / font size / QR code / breadcrumbs.
CHROME_SELECTORS = (
    "nav", "footer", ".share", ".bdshare", ".bshare", "[class*=share]", "[class*=print]",
    "[class*=fontsize]", "[class*=font-size]", "[class*=ewm]", "[class*=qrcode]", "[class*=crumb]",
    "[class*=position]", "[class*=location]", "[id*=share]", "[id*=print]", "[id*=footer]",
    "[class*=footer]",
)
MIN_CONTENT_CJK = 150
_CJK = regex.compile(HAN)
_NOT_CJK = regex.compile(rf"{NOT_HAN}+")
_SPACE_RUN = re.compile(r"[ \t\r\n\f\v\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")


@dataclass(frozen=True)
class HtmlPage:
    title: str | None  # the page's <title>
    heading: str | None  # the article's own title element (<ucaptitle>, h1.article-title, h1)
    meta: dict[str, str]
    page_text: str  # every visible line of the page (metadata lines such as 发布日期 live outside the body)
    body_text: str  # the main content, tables as pipe rows
    container: str  # which selector (or fallback) chose the main content
    removed: dict[str, int] = field(default_factory=dict)


def _lines(raw: str) -> str:
    """Collapse whitespace as a browser does and turn block sentinels into line breaks."""
    raw = _SPACE_RUN.sub(" ", _INVISIBLE.sub("", raw))
    return "\n".join(line for line in map(str.strip, raw.split(BLOCK)) if line)


def _node_text(node: LexborNode) -> str:
    return _lines(node.text(deep=True, separator=""))


def _cjk_count(text: str) -> int:
    return len(_NOT_CJK.sub("", text))  # what remains is the Chinese characters (no list of them built)


def _meta(tree: LexborHTMLParser) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in tree.css("meta"):
        attrs = node.attributes
        name = (attrs.get("name") or attrs.get("property") or attrs.get("http-equiv") or "").strip()
        content = (attrs.get("content") or "").strip()
        if name and content:
            found.setdefault(name.lower(), content)
    for tag in ("publishtime", "pubtime"):  # Hanweb/ucap pages carry the date in a custom element
        custom = tree.css_first(tag)
        if custom is not None and custom.text().strip():
            found.setdefault(tag, custom.text().strip())
    return found


def _heading(tree: LexborHTMLParser) -> str | None:
    for selector in ("ucaptitle", ".article-title", ".article_title", "h1"):
        node = tree.css_first(selector)
        if node is not None:
            text = _lines(node.text()).replace("\n", "")
            if 4 <= len(text) <= 80 and _CJK.search(text):
                return text
    return None


def _choose_content(tree: LexborHTMLParser) -> tuple[LexborNode, str]:
    """The main-content node: a known CMS container with enough Chinese text, else the block that
    holds the most paragraph text (a readability-style score), else the body."""
    for selector in CONTENT_SELECTORS:
        best: LexborNode | None = None
        best_count = 0
        for node in tree.css(selector):
            count = _cjk_count(node.text(deep=True, separator=""))
            if count > best_count:
                best, best_count = node, count
        if best is not None and best_count >= MIN_CONTENT_CJK:
            return best, selector
    scores: dict[int, tuple[float, LexborNode]] = {}
    for para in tree.css("p, td, pre")[:5000]:
        count = _cjk_count(para.text(deep=False, separator=""))
        if count < 10:
            continue
        parent = para.parent
        for share in (1.0, 0.5):
            if parent is None:
                break
            key = parent.mem_id
            prev = scores.get(key, (0.0, parent))[0]
            scores[key] = (prev + count * share, parent)
            parent = parent.parent
    if scores:
        return max(scores.values(), key=lambda item: item[0])[1], "paragraph-density fallback"
    root = tree.body or tree.root
    assert root is not None  # lexbor builds <html><body> around any input, even an empty one
    return root, "body"


def _render_tables(container: LexborNode) -> tuple[int, int]:
    """Replace every leaf table (one holding no other table) by its pipe rows; returns how many, and
    how many characters the grid caps kept out (a hostile span must not copy a page into every slot)."""
    rendered = cut = 0
    for table in container.css("table"):
        if len(table.css("table")) > 1:  # css() matches the node itself too
            continue  # a layout table around other content: let its text flow
        rows = []
        for tr in table.css("tr"):
            cells = [(_lines(cell.text(deep=True, separator="")).replace("\n", " "),
                      cell.attributes.get("rowspan"), cell.attributes.get("colspan"))
                     for cell in tr.iter() if cell.tag in ("td", "th")]
            if cells:
                rows.append(cells)
        if not rows:
            continue
        resolved = resolve_spans(rows)
        cut += resolved.cut_chars
        grid = resolved.rows
        if len(grid) >= 2 and len(grid[0]) >= 2:
            table.replace_with(f"{BLOCK}{render_pipe_rows(grid).replace(chr(10), BLOCK)}{BLOCK}")
            rendered += 1
    return rendered, cut


def parse_html(html: str) -> HtmlPage:
    """Split one page into metadata, whole-page text and main-content text."""
    tree = LexborHTMLParser(_BLOCK_TAG_RE.sub(BLOCK + "<", html))
    meta = _meta(tree)
    title_node = tree.css_first("title")
    title = _lines(title_node.text()).replace("\n", " ") if title_node else None
    junk = sum(len(node.text(deep=True)) for node in tree.css(",".join(_JUNK_TAGS)))
    tree.strip_tags(_JUNK_TAGS)
    page_text = _node_text(tree.body) if tree.body else ""
    container, how = _choose_content(tree)
    chrome = 0
    for selector in CHROME_SELECTORS:
        for node in container.css(selector):
            chrome += len(node.text(deep=True))
            node.decompose()
    tables, over_grid_cap = _render_tables(container)
    body_text = _node_text(container)
    removed = {"script_style_markup": junk, "page_widgets": chrome, "table_text_over_grid_cap": over_grid_cap,
               "page_chrome_outside_content": max(0, len(page_text) - len(body_text) - chrome)}
    return HtmlPage(title=title or None, heading=_heading(tree), meta=meta, page_text=page_text, body_text=body_text,
                    container=f"{how} ({tables} tables)", removed={k: v for k, v in removed.items() if v})
