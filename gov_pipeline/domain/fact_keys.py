"""The registry of fact keys: each fact a report can state, once — its key, unit, home sections (where
prose states it, most trusted first), description, the topic words that name it in prose, and the
phrasings of its prose statements. The prose rules (facts.py), the fact-key dictionary of the
warehouse and the scoring's key-fact list (dbt int_indicator_key_facts.sql, checked by a test) are
derived from it; adding a fact key is one entry plus its phrasing. Keys that only the template tables
state are derived from template.py's rows and columns.

A phrasing is a pattern over one clause with {Q} for the quantity (numbers.QUANTITY_PATTERN); the
clause grammar around it (cumulative, sub-counts, coordinated and zero statements) lives in facts.py."""

from __future__ import annotations

from dataclasses import dataclass, field

from gov_pipeline.domain.template import (
    APPLICANT_SUFFIX,
    CUMULATIVE_SUFFIX,
    TABLE2_2019,
    TABLE2_2021,
    TABLE3_ROWS,
    TABLE4_COLUMNS,
)

REQUEST_SECTIONS = ("requests", "refusals", "overview", "preamble", "unknown", "other")
REVIEW_SECTIONS = ("review_litigation", "requests", "overview", "preamble", "unknown", "other", "problems")
FEE_SECTIONS = ("fees", "requests", "other", "overview", "preamble", "unknown", "review_litigation")
PROACTIVE_SECTIONS = ("proactive", "overview", "preamble", "unknown")
TABLE_SECTIONS = ("requests",)

REQUEST_CONTEXT = r"信息公开|依申请|公开申请|申请公开"
"""Outside its home section a clause about requests must show it is about disclosure requests: an
overview also counts approval applications (受理申请136437件) and service-window cases."""
NOT_A_COUNT_OF_CASES = r"纠错|败诉|纠正|撤销|确认违法|被责令"
"""A clause about reviews or suits lost or corrected counts outcomes, not the cases themselves."""
_NC = r"[^，,。；;：:]"  # one character within the clause part


@dataclass(frozen=True)
class Phrasing:
    """One way prose states a fact."""

    pattern: str  # regex over a clause; {Q} is the quantity
    zero: bool = False  # the phrase states zero without a number (未收到…申请)
    equals: str | None = None  # the phrase says 'all of X' (全部办结): the value of that fact
    clause_must: str | None = None  # the clause must also mention this (复议 for review outcomes)
    clause_must_not: str | None = None  # words before the figure (anywhere, for zero phrases) that disqualify
    context: str | None = None  # outside the key's home section the clause must mention this


@dataclass(frozen=True)
class FactKey:
    key: str
    unit: str  # items | requests | cases | yuan | wan_yuan | count
    sections: tuple[str, ...]  # where prose states it, most trusted first; the first is its home
    description: str
    words: tuple[str, ...] = ()  # words any clause stating it contains (a cheap pre-filter)
    topic: str | None = None  # regex of the nouns that name it in coordinated and zero statements
    topic_must_not: str | None = None  # a coordinated or zero statement naming it with these is no count of it
    phrasings: tuple[Phrasing, ...] = ()
    key_fact: str | None = None  # its name in the legacy rubric's key-fact list (D1), if it is one
    context: str | None = None  # outside its home section a clause about it must also mention this


UNIT_WORDS = {"requests": ("件",), "cases": ("件", "起"), "items": ("条",), "yuan": ("元",)}
"""The counter words prose writes after a figure of each unit (a figure with another counter, or none,
counts something else)."""
_COUNT_LINK = r"(?:共计|合计|总计|共|总数|数量|总量|条数|件数|数)?(?:为|达到|达|有)?"
"""Words between a topic and its figure: 主动公开政府信息数N条, …信息共计为N条."""

PROSE_KEYS: tuple[FactKey, ...] = (
    FactKey("proactive_disclosed_total", "items", PROACTIVE_SECTIONS,
            "items of government information disclosed proactively in the year", ("公开", "公布", "发布"),
            key_fact="proactive total", phrasings=(
                Phrasing(rf"主动公开(?:了)?(?:各类|各种)?(?:政府)?信息(?:的)?{_COUNT_LINK}{{Q}}(?:条|件)"),
                Phrasing(r"主动公开(?:的|了)?{Q}条"),
                # the verb 公开 says disclosed ('通过门户网站公开各类信息46条'; not the noun in 政府信息公开信息,
                # nor 依申请公开); 发布/公布 of 各类信息 counts every website post, so they need 政府信息
                Phrasing(rf"(?<!申请|信息)公开(?:了)?(?:各类|各种)?(?:政府)?信息{_COUNT_LINK}{{Q}}条"),
                Phrasing(rf"(?:公布|发布)(?:了)?(?:各类|各种)?政府信息{_COUNT_LINK}{{Q}}条"),
            )),
    FactKey("requests_received", "requests", REQUEST_SECTIONS,
            "new disclosure requests received in the year", ("申请", "请求"),
            topic=r"(?:公开|信息)[^，,。；;]{0,6}(?:申请(?!人)|请求)|依申请公开", topic_must_not=r"复议|诉讼|费|咨询",
            key_fact="requests received", context=REQUEST_CONTEXT, phrasings=(
                Phrasing(rf"(?:收到|受理|接到|接收)(?:了)?{_NC}{{0,14}}?申请(?:件|数)?(?:共计|共|合计)?(?:为|达)?{{Q}}件",
                         clause_must_not=r"复议|诉讼|咨询|留言|来信|诉求", context=REQUEST_CONTEXT),
                Phrasing(r"(?:收到|受理|接到)(?:了)?依申请(?:公开)?(?:事项|信息|政府信息)?(?:申请)?(?:共)?{Q}件"),
            )),
    FactKey("requests_completed", "requests", REQUEST_SECTIONS, "requests answered (办结) in the year",
            ("办结", "答复", "回复", "完毕"), key_fact="requests answered", phrasings=(
                Phrasing(r"(?<!公开)(?<!予以)(?:已|共)?(?:办结|答复|回复|处理完毕|办理完毕)(?:了)?(?:申请)?{Q}件",
                         clause_must_not=r"复议|诉讼", context=REQUEST_CONTEXT),
                Phrasing(rf"{{Q}}件{_NC}{{0,18}}?(?:全部|均)(?:已)?(?:按时|依法|按期)?(?:办结|答复完毕|答复|办理完毕)",
                         context=REQUEST_CONTEXT),
                Phrasing(r"(?:全部|均已|均)(?:依法|按时|按期|在规定期限内)?(?:办结|答复完毕|办理完毕|予以答复|答复)",
                         equals="requests_received", clause_must_not=r"复议|诉讼|未", context=REQUEST_CONTEXT),
            )),
    FactKey("outcome_already_public", "requests", REQUEST_SECTIONS, "answered: the information was already public",
            ("公开",), phrasings=(Phrasing(r"已主动公开[”\"]?(?:的)?{Q}件"),)),
    FactKey("outcome_granted", "requests", REQUEST_SECTIONS, "answered: disclosed (予以公开 / 同意公开)",
            ("公开",), phrasings=(Phrasing(r"(?:同意|予以)公开[”\"]?(?:答复)?(?:的)?{Q}件"),)),
    FactKey("outcome_partially_granted", "requests", REQUEST_SECTIONS, "answered: disclosed in part",
            ("公开",), phrasings=(Phrasing(r"(?<![及和与、])部分公开[”\"]?(?:答复)?(?:的)?{Q}件"),)),
    FactKey("outcome_refused", "requests", REQUEST_SECTIONS, "answered: refused (不予公开)", ("公开",),
            key_fact="refused", phrasings=(Phrasing(r"不予公开[”\"]?(?:政府信息|答复|的)?(?:申请)?{Q}件"),)),
    FactKey("outcome_unable_to_provide", "requests", REQUEST_SECTIONS, "answered: unable to provide (无法提供)",
            ("提供",), phrasings=(Phrasing(r"无法提供(?:的)?{Q}件"),)),
    FactKey("outcome_not_processed", "requests", REQUEST_SECTIONS, "answered: not processed (不予处理)",
            ("处理",), phrasings=(Phrasing(r"不予处理(?:的)?{Q}件"),)),
    FactKey("refused_state_secret", "requests", REQUEST_SECTIONS, "refused: state secret", ("秘密",),
            phrasings=(Phrasing(r"(?:涉及|属于)?国家秘密(?:的)?{Q}件"),)),
    FactKey("refused_commercial_secret", "requests", REQUEST_SECTIONS, "refused: commercial secret", ("秘密",),
            phrasings=(Phrasing(r"(?:涉及|属于)?商业秘密(?:的)?{Q}件"),)),
    FactKey("refused_personal_privacy", "requests", REQUEST_SECTIONS, "refused: personal privacy", ("隐私",),
            phrasings=(Phrasing(r"(?:涉及|属于)?个人隐私(?:的)?{Q}件"),)),
    FactKey("refused_security_stability", "requests", REQUEST_SECTIONS,
            "refused: would endanger security or stability (三安全一稳定)", ("稳定",),
            phrasings=(Phrasing(rf"危及{_NC}{{0,30}}?稳定(?:的)?{{Q}}件"),)),
    FactKey("refused_not_government_info", "requests", REQUEST_SECTIONS,
            "refused: not government information under the regulation", ("政府信息",),
            phrasings=(Phrasing(r"不(?:是|属于)《?条例》?所指(?:的)?政府信息{Q}件"),)),
    FactKey("refused_other_law", "requests", REQUEST_SECTIONS, "refused: other cases laws and regulations name",
            ("情形", "情况"),
            phrasings=(Phrasing(r"(?:法律|法规|法律法规|法律、法规)(?:、法规)?(?:规定)?(?:的)?其他(?:情形|情况){Q}件"),)),
    FactKey("fees_collected_yuan", "yuan", FEE_SECTIONS, "fees charged for answering requests, in yuan", ("费",),
            topic=r"收取?[^，,。；;]{0,6}?费用?|收费", key_fact="fees", phrasings=(
                Phrasing(rf"收取{_NC}{{0,14}}?(?:费|费用)(?:共计|共|合计|总计)?(?:为)?{{Q}}元"),
                # the object may list what was not charged for ('未收取检索、复印、邮寄等费用')
                Phrasing(rf"(?:未|没有|不|无)(?:向申请人)?(?:发生)?(?:收取|收)(?:过)?(?:任何)?{_NC}{{0,12}}?(?:费用|费)",
                         zero=True),
            )),
    FactKey("review_total", "cases", REVIEW_SECTIONS, "administrative reviews (行政复议) about disclosure",
            # a bare 复议 listed with 诉讼 ('未发生…的复议、诉讼和申诉'), never 复议后起诉 / 未经复议
            ("复议",), topic=r"行政复议|(?<!经)复议(?=[、和及与或]\s*(?:行政)?诉讼)",
            topic_must_not=NOT_A_COUNT_OF_CASES, key_fact="reviews", phrasings=(
                Phrasing(rf"行政复议(?:案件|申请)?{_NC}{{0,20}}?(?:共|共计|合计)?{{Q}}(?:件|起)",
                         clause_must_not=r"其中"),
                Phrasing(rf"{{Q}}(?:件|起){_NC}{{0,16}}行政复议"),
            )),
    FactKey("review_upheld", "cases", REVIEW_SECTIONS, "reviews: decision upheld", ("复议",), phrasings=(
        Phrasing(r"{Q}件(?:予以)?维持", clause_must=r"复议", clause_must_not=r"诉讼"),
        Phrasing(r"(?:结果)?维持(?:原)?(?:决定)?{Q}件", clause_must=r"复议", clause_must_not=r"诉讼"),
    )),
    FactKey("review_corrected", "cases", REVIEW_SECTIONS, "reviews: decision corrected", ("复议",), phrasings=(
        Phrasing(r"{Q}件(?:责令履行|纠正|纠错|撤销|确认违法)", clause_must=r"复议", clause_must_not=r"诉讼"),
        Phrasing(r"(?:结果)?(?:纠正|纠错){Q}件", clause_must=r"复议", clause_must_not=r"诉讼"),
    )),
    FactKey("review_other", "cases", REVIEW_SECTIONS, "reviews: other result", ("复议",), phrasings=(
        Phrasing(r"其他(?:情形|结果)(?:数)?{Q}件", clause_must=r"复议", clause_must_not=r"诉讼"),)),
    FactKey("review_pending", "cases", REVIEW_SECTIONS, "reviews: not yet decided", ("复议",), phrasings=(
        Phrasing(r"尚未审结{Q}件", clause_must=r"复议", clause_must_not=r"诉讼"),)),
    FactKey("litigation_total", "cases", REVIEW_SECTIONS, "lawsuits (行政诉讼) about disclosure",
            ("诉讼",), topic=r"行政诉讼|(?<=[、和及与或])诉讼", topic_must_not=NOT_A_COUNT_OF_CASES,
            key_fact="lawsuits", phrasings=(
                Phrasing(rf"行政诉讼(?:案件)?{_NC}{{0,20}}?(?:共|共计|合计)?{{Q}}(?:件|起)", clause_must_not=r"其中"),
                Phrasing(rf"{{Q}}(?:件|起){_NC}{{0,10}}行政诉讼"),
            )),
    FactKey("complaints_total", "cases", REVIEW_SECTIONS,
            "complaints and appeals (申诉 / 举报 / 投诉) about disclosure",
            ("举报", "投诉", "申诉"), topic=r"(?<!信访)(?:申诉|举报|投诉)(?!类)", topic_must_not=r"信访",
            phrasings=(Phrasing(r"举报投诉(?:有|共)?{Q}(?:件|起)"),)),
)

_TABLE_UNITS = {"admin_fees_wan_yuan": "wan_yuan", "procurement_amount": "wan_yuan"}


def _table_keys() -> tuple[FactKey, ...]:
    """Keys only the template tables state, from template.py's rows and columns."""
    prose = {k.key for k in PROSE_KEYS}
    found: dict[str, FactKey] = {}
    for row in TABLE3_ROWS:
        if row.fact and row.fact not in prose:
            found[row.fact] = FactKey(row.fact, "requests", TABLE_SECTIONS, f"table 3 row {row.key}")
    for column in TABLE4_COLUMNS:
        if column not in prose:
            found[column] = FactKey(column, "cases", ("review_litigation",), f"table 4 column {column}")
    for layout, rows in (("2021", TABLE2_2021), ("2019", TABLE2_2019)):
        for row_key, _, columns, *_ in rows:
            for column in columns:
                found.setdefault(column, FactKey(column, _TABLE_UNITS.get(column, "count"), ("proactive",),
                                                 f"table 2 ({layout} layout) row {row_key}"))
    found["outcome_other"] = FactKey("outcome_other", "requests", TABLE_SECTIONS,
                                     "answered: other handling (table 3 （六）其他处理 / legacy 其他类型答复)")
    return tuple(found.values())


FACT_KEYS: dict[str, FactKey] = {k.key: k for k in (*PROSE_KEYS, *_table_keys())}
KEY_FACTS: tuple[FactKey, ...] = tuple(k for k in PROSE_KEYS if k.key_fact)
"""The legacy rubric's key figures (D1), in the order dbt lists them."""
_SUFFIXES = {suffix: f"table 3 column {column}" for column, suffix in APPLICANT_SUFFIX.items() if suffix}
_SUFFIXES[CUMULATIVE_SUFFIX] = "the running total since reports began (历年累计)"


@dataclass(frozen=True)
class KeyDescription:
    key: str
    unit: str
    description: str
    base: str = field(default="")


def describe(fact_key: str) -> KeyDescription | None:
    """The registry entry of a stored fact key, suffixes (by applicant, cumulative) resolved; None for a
    key the registry does not know."""
    for suffix, meaning in _SUFFIXES.items():
        if fact_key.endswith(suffix) and (base := FACT_KEYS.get(fact_key.removesuffix(suffix))):
            return KeyDescription(fact_key, base.unit, f"{base.description}; {meaning}", base.key)
    entry = FACT_KEYS.get(fact_key)
    return KeyDescription(fact_key, entry.unit, entry.description, entry.key) if entry else None
