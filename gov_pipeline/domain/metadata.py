"""Report metadata: title, publishing body, its level, report year, publish / written date, 索引号.
Each field is taken from the most trustworthy place that has it (page meta, crawler header, page
metadata rows, title, body phrases, signature); a field nothing supports stays None."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache

import regex

from gov_pipeline.agencies.resolve import resolve_agency
from gov_pipeline.domain.charclass import HAN
from gov_pipeline.domain.numbers import DATE_NUMERAL_CHARS, chinese_to_int

_CN = DATE_NUMERAL_CHARS
_YEAR = rf"(?:(?:19|20)\d{{2}}|[二][〇零○Ｏ][{_CN}]{{2}})"
_DATE_ISO = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_DATE_CN = re.compile(rf"({_YEAR})\s*年\s*([{_CN}\d]{{1,3}})\s*月\s*([{_CN}\d]{{1,3}})\s*日")
_REPORT_TITLE = re.compile(
    r"(?:政府信息公开|政务公开|信息公开|政府信息公开工作|政务公开工作)(?:工作)?(?:年度)?(?:报告|年报)|年度报告|年报"
)
_TITLE_IN_BODY = regex.compile(
    rf"[{HAN}（）()]{{2,40}}?(?:{_YEAR}\s*年度?{HAN}{{0,12}}?(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:年度)?"
    rf"|(?:政府信息公开|政务公开|信息公开)(?:工作)?{_YEAR}\s*年度?(?:工作)?)(?:报告|年报)"
)
"""A report's title quoted in its body, the year before or after the topic ('…信息公开2018年度工作报告')."""
_NOT_REPORT_TITLE = re.compile(
    r"(?:关于.{0,60}的?(?:函|通知|通报|公告|批复|意见|决定|请示|方案))|(?:^.{0,40}(?:函|通知|通报|公告)$)")
_SITE_SUFFIX = re.compile(r"\s*[_|—\-]+\s*[^_|—\-]{0,40}$")
_AGENCY_SUFFIX = (
    "人民政府办公厅|人民政府办公室|人民政府|管理委员会|管委会|街道办事处|办事处|委员会|办公厅|办公室|"
    "局|厅|委|署|院|中心|所|站|队|政府|区|县|市|旗|镇|乡|街道"
)
_AGENCY_PHRASES = (
    # the body naming itself as the first words of the report ('五河县临北回族乡依据《条例》要求,…')
    regex.compile(rf"^({HAN}{{2,30}}?(?:{_AGENCY_SUFFIX}))(?:依据|根据|按照|遵照)"),
    # the name before the year of a title that starts a line or is quoted ('武江区龙归镇人民政府2016年政府信息公开…')
    regex.compile(rf"(?:^|(?<=[\n《]))({HAN}{{2,30}}?(?:{_AGENCY_SUFFIX})){_YEAR}\s*年度?{HAN}{{0,12}}?"
                  r"(?:政府信息公开|政务公开|信息公开)"),
    regex.compile(rf"由({HAN}{{2,30}}?(?:{_AGENCY_SUFFIX}))(?:负责|组织|根据|依据|按照|编制|汇总)"),
    regex.compile(rf"({HAN}{{2,30}}?(?:{_AGENCY_SUFFIX}))(?:结合实际，?)?编制(?:了|完成)"),
    regex.compile(rf"现(?:向社会)?公布({HAN}{{2,30}}?(?:{_AGENCY_SUFFIX})){_YEAR}"),
)
_INDEX_NO = re.compile(r"索引号\s*[:：]?\s*([0-9A-Za-z][0-9A-Za-z\-/_.]{5,60})")
_DATE_VALUE = r"\s*[:：]?[\s|]*((?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})"
# Page labels for the publication date, most specific first; a bare 时间 only as a page header field
# (line start or after a field separator: '来源:本站原创 | 时间:2019-01-18'), in the page's head.
_PUBLISH_LABELS = tuple(
    re.compile(label + _DATE_VALUE, re.MULTILINE)
    for label in ("(?:发布日期|发布时间|公开日期|公布日期)", "(?:发文日期|生成日期)", r"(?:^|(?<=[\s|]))时间")
)
HEADER_CHARS = 1500  # where a page's header fields (时间, 发布单位) sit
_PAGE_AGENCY = regex.compile(rf"(?:发布单位|发布机构|发文机关)\s*[:：][\s|]*({HAN}[{HAN}（）()]{{1,30}})")
MARKUP_CHARS = " \t\r\n\u3000#*|>"
"""What a markdown heading, a table row or a quote leaves around a title or a name (str.strip: linear)."""


@dataclass(frozen=True)
class Metadata:
    title: str | None
    agency_name: str | None
    admin_level: str | None
    jurisdiction_level: str | None
    report_year: int | None
    publish_date: date | None
    written_date: date | None
    index_no: str | None


def _valid_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    """First date in `text`: 2019-03-22, 2019/3/22, 2019年3月22日 or 二〇一九年三月二十日."""
    iso = _DATE_ISO.search(text)
    cn = _DATE_CN.search(text)
    candidates = []
    if iso:
        candidates.append((iso.start(), _valid_date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))))
    if cn:
        parts = [int(p) if p.isdigit() else chinese_to_int(p) for p in cn.groups()]
        if None not in parts:
            candidates.append((cn.start(), _valid_date(*parts)))  # type: ignore[arg-type]
    candidates = [c for c in candidates if c[1] is not None]
    return min(candidates)[1] if candidates else None


def _year_value(token: str) -> int | None:
    value = int(token) if token.isdigit() else chinese_to_int(token)
    return value if value and 1990 <= value <= 2100 else None


def clean_title(raw: str | None) -> str | None:
    """A page <title> without its site suffix ('…年度报告_政府信息公开年报_某某网' -> '…年度报告')."""
    if not raw:
        return None
    title = re.sub(r"\s+", " ", raw).strip(MARKUP_CHARS)
    for _ in range(3):
        if (_REPORT_TITLE.search(title) and (stripped := _SITE_SUFFIX.sub("", title)) != title
                and (_REPORT_TITLE.search(stripped) or _NOT_REPORT_TITLE.search(stripped))):
            title = stripped
            continue
        break
    return title or None


def title_from_body(body: str) -> str | None:
    """The title as the body states it: the leading lines up to one naming the report, or the report
    named in the opening paragraph ('…编制了横现河街道办事处2016年度政府信息公开工作年度报告')."""
    lines = [line.strip(MARKUP_CHARS) for line in body.split("\n")[:4] if line.strip(MARKUP_CHARS)]

    def titled(text: str) -> bool:
        return len(text) <= 60 and bool(_REPORT_TITLE.search(text) or _NOT_REPORT_TITLE.search(text))

    for first, second in zip(lines, [*lines[1:], ""], strict=False):  # no lines: no pairs
        if titled(first):
            return first
        continues = not titled(second) or len(second) <= 6 or re.match(rf"{_YEAR}\s*年", second)
        if (second and continues and len(first) <= 30 and not re.search(r"[。，；：,;:]", first)
                and titled(first + second)):
            return first + second
    named = _TITLE_IN_BODY.search(body[:1500])
    if named:
        text = named.group(0)
        return re.sub(r"^.*?(?:编制了?|公布|发布|现将|根据)", "", text) or text
    head = body[:80].split("。")[0]
    return head if _REPORT_TITLE.search(head) else None


def report_year(title: str | None, body: str) -> int | None:
    """The year reported on: from the title, else the body's statistics period or 'N年度' phrases."""
    for source in (title or "", body[:600]):
        match = re.search(rf"({_YEAR})\s*年度?", source)
        if match and source is title and _REPORT_TITLE.search(source):
            return _year_value(match.group(1))
    period = re.search(rf"(?:统计期限|统计时限|统计周期|统计时间)[^。]{{0,10}}?({_YEAR})\s*年", body[:3000])
    if period:
        return _year_value(period.group(1))
    stated = re.search(rf"({_YEAR})\s*年度?(?:政府信息公开|政务公开|信息公开)", body[:2000])
    if stated:
        return _year_value(stated.group(1))
    # the year the body narrates: the one its clauses most often open with ('2014年,县政府…')
    opening = [year for m in _YEAR_OPENING.finditer(body[:5000]) if (year := _year_value(m.group(1)))]
    return max(set(opening), key=lambda year: (opening.count(year), -year)) if opening else None


_YEAR_OPENING = re.compile(rf"(?:^|[。；;\n])[^。；;\n，,]{{0,8}}?({_YEAR})\s*年度?[，,]", re.MULTILINE)


def publish_date(meta: dict[str, str], header: dict[str, str], page_text: str) -> date | None:
    for key in ("pubdate", "publishdate", "publishtime", "firstpublishedtime", "article:published_time", "dc.date"):
        if key in meta and (found := parse_date(meta[key])):
            return found
    for key in ("发布时间", "发布日期", "公开日期"):
        if key in header and (found := parse_date(header[key])):
            return found
    for label in _PUBLISH_LABELS:
        head = page_text[:HEADER_CHARS] if label is _PUBLISH_LABELS[-1] else page_text[:6000]
        if labelled := label.search(head):
            return parse_date(labelled.group(1))
    return None


def written_date(body: str) -> date | None:
    """The signature date closing the report (also in Chinese numerals), in the last lines."""
    tail_lines = [line.strip() for line in body.rstrip().split("\n")[-12:]]
    for line in reversed(tail_lines):
        if len(line) <= 40:
            found = _DATE_CN.search(line)
            if found and line.endswith("日"):
                return parse_date(found.group(0))
    tail = body.rstrip()[-120:]  # flattened dumps: "…办公室 2014年12月10日" at the very end
    dates = list(_DATE_CN.finditer(tail))
    if dates and len(tail) - dates[-1].end() <= 8:
        return parse_date(dates[-1].group(0))
    return None


def _strip_office(name: str) -> str:
    """'淮安市洪泽区人民政府办公室' edits the report for '淮安市洪泽区人民政府'."""
    return re.sub(r"(人民政府|管委会|管理委员会)办公室$", r"\1", name)


_PRONOUN = re.compile(r"^(?:我|本|该)")
"""我镇, 我街道, 本局, 本单位: the body naming itself, never its name."""
_BARE_LEVEL = re.compile(r"^(?:省|市|区|县|镇|乡)(?:政府|人民政府)")
"""区政府国资局: a name that leaves out its place."""
_NAME_LINE = regex.compile(rf"^[{HAN}（）()]{{2,40}}?(?:{_AGENCY_SUFFIX})$")
_DATE_LINE = re.compile(rf"^(?:{_DATE_CN.pattern}|{_DATE_ISO.pattern})$")


def _as_name(text: str) -> str | None:
    """A line that is nothing but a body's name (markup stripped), or None."""
    name = text.strip(MARKUP_CHARS)
    return name if _NAME_LINE.match(name) and not _PRONOUN.match(name) and jurisdiction(name) else None


def signature_agency(body: str) -> str | None:
    """The name in the signature block: the line just before the closing date, or beside it on the
    same line ('…办公室 2014年12月10日')."""
    lines = [line.strip() for line in body.rstrip().split("\n")[-12:] if line.strip()]
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index]
        if _DATE_LINE.match(line):
            return _as_name(lines[index - 1]) if index else None
        dated = list(_DATE_CN.finditer(line)) or list(_DATE_ISO.finditer(line))
        if dated and line.endswith("日") and (name := _as_name(line[:dated[-1].start()])):
            return name
    closing = _CLOSING_NAME.search(lines[-1].strip(MARKUP_CHARS)) if lines else None
    return _as_name(closing.group(1)) if closing else None


_CLOSING_NAME = regex.compile(r"(?:[。；！？!?\s]|报告|年报)((?:(?!报告|年报)[^。；！？!?\s]){2,40})$")
"""The words a text ends with after its last sentence or title: an undated signature glued to the body
('…附表:2016年龙归镇政府信息公开年度报告韶关市武江区龙归镇人民政府')."""


def heading_agency(body: str) -> str | None:
    """A body's name standing alone on one of the first lines (a letterhead above the report)."""
    return next((name for line in body.split("\n")[:3] if (name := _as_name(line.strip()))), None)


def _named_for(pronoun: str, body: str) -> str | None:
    """What a pronoun (我乡, 本局) stands for: a name with the same ending that the body uses as a
    subject ('2014年,南薰乡未收取…')."""
    ending = re.sub(r"^(?:我|本|该)", "", pronoun)
    if not ending or not re.fullmatch(f"(?:{_AGENCY_SUFFIX})", ending):
        return None
    named = [m.group(1) for m in _subject(ending).finditer(body[:20_000])
             if jurisdiction(m.group(1)) and not re.search("[我本该]", m.group(1))]
    return max(set(named), key=named.count) if named else None


@cache
def _subject(ending: str) -> regex.Pattern[str]:
    """A name ending in `ending` standing as a clause's subject."""
    return regex.compile(rf"(?:^|[，,。；;：:\s]|年度|年(?!度))((?![我本全各该]){HAN}{{2,10}}?{ending})"
                         r"(?=未|没有|在|的|认真|严格|按照|根据|共|对|把|将|通过|[，,])", regex.MULTILINE)


_TOPIC_AFTER_NAME = re.compile(r"(?:政府信息公开|政务公开|信息公开)(?:工作)?$")


def agency_name(title: str | None, body: str, meta: dict[str, str], header: dict[str, str],
                page_text: str = "") -> str | None:
    """The publishing body: the full name the report signs with, else the name before the year in the
    title widened to the fullest form the body, the page header or the page metadata gives ('西湖区'
    -> '杭州市西湖区人民政府'). A pronoun (我镇, 本局) is resolved to the name it stands for or dropped;
    markup (#, |) never stays in a name."""
    short = None
    if title:
        before = re.match(rf"^(.{{2,40}}?)(?:关于)?{_YEAR}\s*年", title)
        after = re.match(rf"^{_YEAR}\s*年度?(.{{2,30}}?)(?:政府信息公开|政务公开|信息公开)", title)
        named = before or after
        short = named.group(1).strip(MARKUP_CHARS) if named else None
        short = _TOPIC_AFTER_NAME.sub("", short) if short else None  # 临北回族乡信息公开2018年度工作报告
        short = None if short and ("关于" in short or re.fullmatch(f"(?:{_AGENCY_SUFFIX})+", short)) else short
    candidates: list[str] = []
    for pattern in _AGENCY_PHRASES:
        candidates += [m.group(1) for m in pattern.finditer(body[:1500])]
    for key in ("发布机构", "发布单位", "来源", "单位"):
        if header.get(key):
            candidates.append(header[key])
    if page := _PAGE_AGENCY.search(page_text[:HEADER_CHARS]):
        candidates.append(page.group(1))
    for key in ("author", "contentsource", "source"):
        if meta.get(key):
            candidates.append(meta[key])
    candidates = [_strip_office(re.sub(r"^(?:本报告|报告|本单位)", "", c).strip(MARKUP_CHARS)) for c in candidates if c]
    candidates = [c for c in candidates if c and not _PRONOUN.match(c)]
    signed = signature_agency(body)
    signed = _strip_office(signed) if signed else None
    if short and _PRONOUN.match(short):
        short = signed or _named_for(short, body)
    if signed and (not short or short in signed or _BARE_LEVEL.match(short) or not jurisdiction(short)):
        short = signed
    if (not short or _BARE_LEVEL.match(short)) and (letterhead := heading_agency(body)):
        short = _strip_office(letterhead)
    if short:
        wider = [c for c in candidates if short in c and len(c) > len(short) and len(c) <= 30]
        return min(wider, key=len) if wider else short
    plausible = [c for c in candidates if re.search(f"(?:{_AGENCY_SUFFIX})$", c)]
    placed = [c for c in plausible if jurisdiction(c)]  # 党政办公室 is the office that compiled it
    return next(iter(placed or plausible), None)


_PLACE = regex.compile(HAN + r"{1,10}?(?:自治区|省|市|自治州|州|盟|地区|县|旗|区|街道|乡|镇)")


def jurisdiction(agency: str) -> str:
    """The chain of place names an agency name starts with ('杭州市西湖区人民政府' -> '杭州市西湖区')."""
    end = 0
    while (place := _PLACE.match(agency, end)) is not None:
        end = place.end()
        if agency[end - 1] == "州" and agency[end:end + 1] in ("市", "区", "县"):
            end += 1  # 株洲市, 凉州区: 州 is part of the name here, not the suffix
    return agency[:end]


@lru_cache(maxsize=4096)
def admin_levels(agency: str | None) -> tuple[str | None, str | None]:
    """(admin_level, jurisdiction_level) of a name alone; the agencies resolver decides them (in
    context, where the reports are built). Cached: a name alone always resolves alike, and a body
    reports every year."""
    resolution = resolve_agency(agency, None, [])
    return resolution.admin_level, resolution.jurisdiction_level


def agency_key(agency: str | None) -> str | None:
    """The key of the body a name alone denotes (division code and body, from the agencies resolver)."""
    return resolve_agency(agency, None, []).agency_key


def index_no(page_text: str) -> str | None:
    found = _INDEX_NO.search(page_text[:8000])
    return found.group(1) if found else None


def is_annual_report(title: str | None, body: str) -> tuple[bool, str | None]:
    """Whether the document is an annual report, and if not, why (in words)."""
    if title and _NOT_REPORT_TITLE.search(title) and not re.search(r"年度报告|年报", title):
        kind = re.search(r"(函|通知|通报|公告|批复|意见|决定|请示|方案)", title)
        return False, f"title '{title}' names a {kind.group(1) if kind else 'notice'}, not an annual report"
    if title and _REPORT_TITLE.search(title):
        return True, None
    opening = body[:1500]
    if (re.search(r"本(?:年度)?报告|年度报告(?:如下|全文)|现将.{0,20}年度报告", opening)
            or _TITLE_IN_BODY.search(opening)):
        return True, None
    return False, "neither the title nor the opening names a government information-disclosure annual report"


def choose_title(candidates: list[str | None], body: str) -> str | None:
    """The first candidate that names a report (or a letter/notice), else the body's own title, else
    the first candidate at all."""
    cleaned = [clean_title(c) for c in candidates]
    named = [c for c in cleaned if c and (_REPORT_TITLE.search(c) or _NOT_REPORT_TITLE.search(c))]
    return (named[0] if named else None) or title_from_body(body) or next((c for c in cleaned if c), None)


def extract_metadata(*, html_title: str | None, html_heading: str | None, meta: dict[str, str],
                     header: dict[str, str], page_text: str, body: str) -> Metadata:
    title = choose_title([meta.get("articletitle"), header.get("标题"), header.get("名称"), html_heading, html_title],
                         body)
    agency = agency_name(title, body, meta, header, page_text)
    level, jurisdiction = admin_levels(agency)
    return Metadata(
        title=title,
        agency_name=agency,
        admin_level=level,
        jurisdiction_level=jurisdiction,
        report_year=report_year(title, body),
        publish_date=publish_date(meta, header, page_text),
        written_date=written_date(body),
        index_no=index_no(page_text),
    )
