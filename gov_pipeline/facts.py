"""Stage 4, report_facts: every number a report states, with its evidence, and none it does not.

Prose rules look for a fact's phrasing inside one clause of one sentence, in the sections where the
fact belongs (the requests section before the overview, so a sub-body's figure quoted elsewhere does
not win), and step around cumulative figures, sub-counts (其中…) and percentages. Table cells become
facts under the template's keys. Where prose and a table disagree the table wins and the disagreement
is returned for the quality stage."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from gov_pipeline.numbers import APPROX_AFTER, APPROX_BEFORE, NUMBER_PATTERN, quantity_from_match
from gov_pipeline.records import Fact, Section, Violation
from gov_pipeline.table_facts import extract_table_facts  # noqa: F401  (re-export)

Q = (r"(?P<before>" + "|".join(APPROX_BEFORE) + r")?(?P<num>" + NUMBER_PATTERN + r")(?P<mag>[万亿])?"
     r"(?P<after>" + "|".join(APPROX_AFTER) + r")?(?P<pct>%|％)?")
_CLAUSE_SPLIT = re.compile(r"[。；;！？!?\n]")
_CUMULATIVE = re.compile(r"以来|历年|累计|总计至今|截至目前|截止目前")
_SUBCOUNT_START = re.compile(r"^[，,]?\s*(?:其中|含|包括)")
_ZERO_NUMBER = re.compile(r"^[零〇0]$")

REQUEST_SECTIONS = ("requests", "refusals", "overview", "preamble", "unknown", "other")
REQUEST_CONTEXT = r"信息公开|依申请|公开申请|申请公开"
_NOT_A_COUNT_OF_CASES = r"纠错|败诉|纠正|撤销|确认违法|被责令"
REVIEW_SECTIONS = ("review_litigation", "requests", "overview", "preamble", "unknown", "other", "problems")
FEE_SECTIONS = ("fees", "requests", "other", "overview", "preamble", "unknown")
PROACTIVE_SECTIONS = ("proactive", "overview", "preamble", "unknown")


@dataclass(frozen=True)
class ProseRule:
    fact_key: str
    unit: str
    sections: tuple[str, ...]
    pattern: re.Pattern[str]
    zero: bool = False  # the phrase states zero without a number (未收到…申请)
    equals: str | None = None  # the phrase says 'all of X' (全部办结): the value of that fact
    clause_must: str | None = None  # the clause must also mention this (复议 for review outcomes)
    clause_must_not: str | None = None
    # outside the rule's first (home) section the clause must show it is about this topic: an overview
    # also counts approval applications (受理申请136437件) and service-window cases
    context: str | None = None
    family: str = ""  # the _NEEDS family whose words a clause must contain


# Words a clause must contain for a fact family's rules to be worth running (a cheap pre-filter).
_NEEDS = (
    ("proactive", ("公开", "公布", "发布")), ("requests_received", ("申请", "请求")),
    ("requests_completed", ("办结", "答复", "回复", "完毕")), ("outcome", ("公开", "提供", "处理")),
    ("refused", ("秘密", "隐私", "稳定", "政府信息", "情形", "情况")), ("fees", ("费",)),
    ("review", ("复议",)), ("litigation", ("诉讼",)), ("complaints", ("举报",)),
)


def _rule(fact_key: str, unit: str, sections: tuple[str, ...], pattern: str, **kw: object) -> ProseRule:
    family = next(prefix for prefix, _ in _NEEDS if fact_key.startswith(prefix))
    return ProseRule(fact_key, unit, sections, re.compile(pattern.replace("{Q}", Q)), family=family, **kw)  # type: ignore[arg-type]


_ALL_WORDS = sorted({word for _, words in _NEEDS for word in words}, key=len, reverse=True)
# one scan per clause: at each position the longest family word starting there; a word stands for
# every family word it contains (a shorter word at the same position is inside it)
_FAMILY_WORD = re.compile("(?=(" + "|".join(_ALL_WORDS) + "))")
_FAMILIES_OF_WORD = {word: frozenset(prefix for prefix, words in _NEEDS if any(w in word for w in words))
                     for word in _ALL_WORDS}
_COUNT_HINT = re.compile(r"\d|[零〇一二两三四五六七八九十百千万]{1,6}[件条起个项元]")


def _families(clause: str) -> tuple[frozenset[str], bool]:
    """The fact families a clause can hold, and whether it states a number at all."""
    found = frozenset().union(*(_FAMILIES_OF_WORD[word] for word in set(_FAMILY_WORD.findall(clause))))
    return found, bool(found) and _COUNT_HINT.search(clause) is not None


_NC = r"[^，,。；;：:]"  # within one clause
PROSE_RULES: tuple[ProseRule, ...] = (
    _rule("proactive_disclosed_total", "items", PROACTIVE_SECTIONS,
          r"主动公开(?:了)?(?:各类|各种)?(?:政府)?信息(?:共计|共|总数|数量|总量)?(?:为|达|达到)?{Q}(?:条|件)"),
    _rule("proactive_disclosed_total", "items", PROACTIVE_SECTIONS, r"主动公开(?:的|了)?{Q}条"),
    _rule("proactive_disclosed_total", "items", PROACTIVE_SECTIONS,
          r"(?:公开|公布|发布)(?:各类)?政府信息(?:共计|共)?{Q}条"),
    _rule("requests_received", "requests", REQUEST_SECTIONS,
          rf"(?:收到|受理|接到|接收)(?:了)?{_NC}{{0,14}}?申请(?:件|数)?(?:共计|共|合计)?(?:为|达)?{{Q}}件",
          clause_must_not=r"复议|诉讼|咨询|留言|来信|诉求", context=REQUEST_CONTEXT),
    _rule("requests_received", "requests", REQUEST_SECTIONS,
          r"(?:收到|受理|接到)(?:了)?依申请(?:公开)?(?:事项|信息|政府信息)?(?:申请)?(?:共)?{Q}件"),
    _rule("requests_received", "requests", REQUEST_SECTIONS,
          rf"(?:没有|未|无)(?:收到|接到|受理|发生|出现){_NC}{{0,16}}?(?:申请|请求)", zero=True,
          clause_must_not=r"复议|诉讼|费", context=REQUEST_CONTEXT),
    _rule("requests_received", "requests", REQUEST_SECTIONS,
          rf"没有{_NC}{{0,10}}提出{_NC}{{0,24}}?(?:申请|请求)", zero=True, clause_must_not=r"复议|诉讼",
          context=REQUEST_CONTEXT),
    _rule("requests_completed", "requests", REQUEST_SECTIONS,
          r"(?<!公开)(?<!予以)(?:已|共)?(?:办结|答复|回复|处理完毕|办理完毕)(?:了)?(?:申请)?{Q}件",
          clause_must_not=r"复议|诉讼", context=REQUEST_CONTEXT),
    _rule("requests_completed", "requests", REQUEST_SECTIONS,
          rf"{{Q}}件{_NC}{{0,18}}?(?:全部|均)(?:已)?(?:按时|依法|按期)?(?:办结|答复完毕|答复|办理完毕)",
          context=REQUEST_CONTEXT),
    _rule("requests_completed", "requests", REQUEST_SECTIONS,
          r"(?:全部|均已|均)(?:依法|按时|按期|在规定期限内)?(?:办结|答复完毕|办理完毕|予以答复|答复)",
          equals="requests_received", clause_must_not=r"复议|诉讼|未", context=REQUEST_CONTEXT),
    _rule("outcome_already_public", "requests", REQUEST_SECTIONS, r"已主动公开[”\"]?(?:的)?{Q}件"),
    _rule("outcome_granted", "requests", REQUEST_SECTIONS, r"(?:同意|予以)公开[”\"]?(?:答复)?(?:的)?{Q}件"),
    _rule("outcome_partially_granted", "requests", REQUEST_SECTIONS,
          r"(?<![及和与、])部分公开[”\"]?(?:答复)?(?:的)?{Q}件"),
    _rule("outcome_refused", "requests", REQUEST_SECTIONS,
          r"不予公开[”\"]?(?:政府信息|答复|的)?(?:申请)?{Q}件"),
    _rule("outcome_unable_to_provide", "requests", REQUEST_SECTIONS, r"无法提供(?:的)?{Q}件"),
    _rule("outcome_not_processed", "requests", REQUEST_SECTIONS, r"不予处理(?:的)?{Q}件"),
    _rule("refused_state_secret", "requests", REQUEST_SECTIONS, r"(?:涉及|属于)?国家秘密(?:的)?{Q}件"),
    _rule("refused_commercial_secret", "requests", REQUEST_SECTIONS, r"(?:涉及|属于)?商业秘密(?:的)?{Q}件"),
    _rule("refused_personal_privacy", "requests", REQUEST_SECTIONS, r"(?:涉及|属于)?个人隐私(?:的)?{Q}件"),
    _rule("refused_security_stability", "requests", REQUEST_SECTIONS, rf"危及{_NC}{{0,30}}?稳定(?:的)?{{Q}}件"),
    _rule("refused_not_government_info", "requests", REQUEST_SECTIONS,
          r"不(?:是|属于)《?条例》?所指(?:的)?政府信息{Q}件"),
    _rule("refused_other_law", "requests", REQUEST_SECTIONS,
          r"(?:法律|法规|法律法规|法律、法规)(?:、法规)?(?:规定)?(?:的)?其他(?:情形|情况){Q}件"),
    _rule("fees_collected_yuan", "yuan", FEE_SECTIONS,
          rf"收取{_NC}{{0,14}}?(?:费|费用)(?:共计|共|合计|总计)?(?:为)?{{Q}}元"),
    _rule("fees_collected_yuan", "yuan", FEE_SECTIONS,
          rf"(?:未|没有|不|无)(?:向申请人)?(?:发生)?(?:收取|收)(?:过)?(?:任何)?{_NC}{{0,6}}?(?:费用|费)", zero=True),
    _rule("fees_collected_yuan", "yuan", FEE_SECTIONS, rf"未发生{_NC}{{0,10}}收费", zero=True),
    _rule("review_total", "cases", REVIEW_SECTIONS,
          rf"行政复议(?:案件|申请)?{_NC}{{0,20}}?(?:共|共计|合计)?{{Q}}(?:件|起)", clause_must_not=r"其中"),
    _rule("review_total", "cases", REVIEW_SECTIONS, rf"{{Q}}(?:件|起){_NC}{{0,16}}行政复议"),
    _rule("review_total", "cases", REVIEW_SECTIONS,
          r"(?:未|没有)(?:发生|收到|出现|产生|接到)[^。；;]{0,40}?行政复议", zero=True,
          clause_must_not=_NOT_A_COUNT_OF_CASES),
    _rule("review_upheld", "cases", REVIEW_SECTIONS, r"{Q}件(?:予以)?维持", clause_must=r"复议", clause_must_not=r"诉讼"),
    _rule("review_upheld", "cases", REVIEW_SECTIONS, r"(?:结果)?维持(?:原)?(?:决定)?{Q}件",
          clause_must=r"复议", clause_must_not=r"诉讼"),
    _rule("review_corrected", "cases", REVIEW_SECTIONS, r"{Q}件(?:责令履行|纠正|纠错|撤销|确认违法)",
          clause_must=r"复议", clause_must_not=r"诉讼"),
    _rule("review_corrected", "cases", REVIEW_SECTIONS, r"(?:结果)?(?:纠正|纠错){Q}件",
          clause_must=r"复议", clause_must_not=r"诉讼"),
    _rule("review_other", "cases", REVIEW_SECTIONS, r"其他(?:情形|结果)(?:数)?{Q}件",
          clause_must=r"复议", clause_must_not=r"诉讼"),
    _rule("review_pending", "cases", REVIEW_SECTIONS, r"尚未审结{Q}件", clause_must=r"复议", clause_must_not=r"诉讼"),
    _rule("litigation_total", "cases", REVIEW_SECTIONS,
          rf"行政诉讼(?:案件)?{_NC}{{0,20}}?(?:共|共计|合计)?{{Q}}(?:件|起)", clause_must_not=r"其中"),
    _rule("litigation_total", "cases", REVIEW_SECTIONS, rf"{{Q}}(?:件|起){_NC}{{0,10}}行政诉讼"),
    _rule("litigation_total", "cases", REVIEW_SECTIONS,
          r"(?:未|没有)(?:发生|收到|出现|产生|被提起|接到)[^。；;]{0,50}?行政诉讼", zero=True,
          clause_must_not=_NOT_A_COUNT_OF_CASES),
    _rule("complaints_total", "cases", REVIEW_SECTIONS, r"举报投诉(?:有|共)?{Q}(?:件|起)"),
)


def _clauses(text: str) -> Iterable[str]:
    for clause in _CLAUSE_SPLIT.split(text):
        if clause.strip():
            yield clause.strip()


def _is_cumulative(clause: str, report_year: int | None) -> bool:
    if not _CUMULATIVE.search(clause):
        return False
    # "2019年累计公布…" counts the report year itself
    return not (report_year and re.search(rf"{report_year}年(?:全年|度)?(?:共)?累计", clause))


def _prose_value(rule: ProseRule, clause: str, known: dict[str, Fact], home_section: bool) -> tuple[float, bool] | None:
    match = rule.pattern.search(clause)
    if match is None:
        return None
    if rule.clause_must and not re.search(rule.clause_must, clause):
        return None
    if rule.clause_must_not and re.search(rule.clause_must_not, clause if rule.zero else clause[: match.end()]):
        return None
    if rule.context and not home_section and not re.search(rule.context, clause):
        return None
    if rule.zero:
        return 0.0, False
    if rule.equals:
        base = known.get(rule.equals)
        return (base.value, base.approx) if base else None
    if _SUBCOUNT_START.search(clause[: match.start()][-6:]) and rule.fact_key.endswith("_total"):
        return None
    quantity = quantity_from_match(match)
    if quantity is None or quantity.is_percent:
        return None
    value = quantity.value * (10_000 if rule.unit == "yuan" and clause[match.end():match.end() + 1] == "万" else 1)
    return value, quantity.approx


def extract_prose_facts(doc_id: str, sections: Sequence[Section], report_year: int | None) -> list[Fact]:
    """One fact per key from the report's prose: the first clause, in the first section (by the
    rule's priority) that states it. Cumulative clauses (以来, 历年, 累计…) never give a year's fact."""
    found: dict[str, Fact] = {}
    # per section key, its sections with their clauses by family: (clause, states a number)
    by_key: dict[str, list[tuple[Section, dict[str, list[tuple[str, bool]]]]]] = {}
    for section in sections:
        by_family: dict[str, list[tuple[str, bool]]] = {}
        for clause in _clauses(section.text):
            if not _is_cumulative(clause, report_year):
                families, counts = _families(clause)
                for family in families:
                    by_family.setdefault(family, []).append((clause, counts))
        by_key.setdefault(section.section_key, []).append((section, by_family))
    for rule in PROSE_RULES:
        if rule.fact_key in found:
            continue
        for section_key in rule.sections:
            fact = next((fact for section, by_family in by_key.get(section_key, [])
                         for clause, counts in by_family.get(rule.family, ())
                         if counts or rule.zero or rule.equals
                         if (fact := _prose_fact(doc_id, rule, section, clause, found)) is not None), None)
            if fact is not None:
                found[rule.fact_key] = fact
                break
    return list(found.values())


def _prose_fact(doc_id: str, rule: ProseRule, section: Section, clause: str, found: dict[str, Fact]) -> Fact | None:
    read = _prose_value(rule, clause, found, section.section_key == rule.sections[0])
    if read is None:
        return None
    value, approx = read
    return Fact(doc_id, rule.fact_key, value, rule.unit, section.section_key, clause[:300], "prose", approx)


def merge_facts(doc_id: str, prose: Sequence[Fact], table: Sequence[Fact]) -> tuple[list[Fact], list[Violation]]:
    """Tables win over prose for the keys they state; every disagreement becomes a warning that names
    both values and their evidence."""
    by_key = {f.fact_key: f for f in table}
    mismatches: list[Violation] = []
    for fact in prose:
        table_fact = by_key.get(fact.fact_key)
        if table_fact is None:
            by_key[fact.fact_key] = fact
        elif abs(table_fact.value - fact.value) > 1e-6 and not fact.approx:
            mismatches.append(Violation(
                doc_id, "prose_table_mismatch", "warning",
                f"{fact.fact_key}: prose says {fact.value:g} ({fact.evidence[:120]}) but the table says "
                f"{table_fact.value:g} ({table_fact.evidence}); the table value is kept"))
    return list(by_key.values()), mismatches
