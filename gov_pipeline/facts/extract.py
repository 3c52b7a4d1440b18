"""Stage 4, report_facts: every number a report states, with its evidence, and none it does not.

Prose is read clause by clause with one grammar: a fact is a topic of the registry (fact_keys.py) with a
quantity (numbers.py) in a clause whose scope is the body's own year. A clause is disqualified when it
is cumulative (以来, 历年, 累计…), a sub-count (其中…), a percentage, about another kind of request
or about letters and messages (each phrasing's exclusions). Statements that name several facts at
once are read as such: 'A、B分别为x、y件' assigns respectively, 'A、B均为N' gives each N, and a negated
statement ('未发生…的行政复议案、行政诉讼案和…申诉案') gives 0 to every fact whose topic it governs.
Where no phrasing reads a fact, its topic with the clause's one figure of its counter word does
('本年度政府信息公开申请数量为5件'), when nothing between them makes the figure another's.
The requests section comes before the overview, so a sub-body's figure quoted elsewhere does not win.
Table cells become facts under the template's keys. Where prose and a table disagree the table wins
and the disagreement is returned for the quality stage."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, partial

import regex

from gov_pipeline.domain.fact_keys import PROSE_KEYS, UNIT_WORDS, FactKey, Phrasing
from gov_pipeline.domain.numbers import (
    QUANTITY_PATTERN,
    STATES_A_NUMBER,
    Quantity,
    iter_quantities,
    quantities,
    quantity_from_match,
)
from gov_pipeline.domain.records import Fact, Section, Violation
from gov_pipeline.facts.table_facts import extract_table_facts  # noqa: F401  (re-export)

_CLAUSE_SPLIT = regex.compile(r"[。；;！？!?\n]")
_CUMULATIVE = regex.compile(r"以来|历年|累计|总计至今|截至目前|截止目前")
# a part of a larger figure: opened by 其中 (含, 包括) right before the phrase, or followed by its share
# ('县直各单位主动公开政府信息303条，占71.3%')
_SUBCOUNT_START = regex.compile(r"^[，,]?\s*(?:其中|含|包括)")
_SHARE_AFTER = regex.compile(r"\s*[，,（(]?\s*(?:占|约占)")
_COUNTED = r"(?:件|起|条|元|宗|个|次)"
_RESPECTIVELY = regex.compile(r"分别(?:为|是|有)?")
_EACH = regex.compile(rf"(?:均|都|皆)(?:为|是|有)?(?:{QUANTITY_PATTERN})(?:{_COUNTED}|(?=[，,、]|$))")
_NEGATION = r"(?:未|没有|无|不存在|并无)(?!法|予|经|能|按|及时)"  # not 无法提供, 未予, 未经复议, 未能, 未按时
# a negation states that nothing happened: a verb of happening between it and the noun, or the noun followed
# by 情况/情形/发生 ('没有依申请公开信息的情况', '无行政复议、行政诉讼的情况发生')
_HAPPENING = regex.compile(r"发生|收到|出现|产生|接到|受理|提起|提出|涉及|收取|收费|有过")
_SITUATION_AFTER = regex.compile(r"[^，,。；;0-9]{0,20}?(?:情况|情形|现象|发生|出现)")
_NEGATED_AFTER = regex.compile(r"(?:(?:均|都|也|皆)(?:为零|为0|为〇|未发生|没有发生|无)|为零|为0|为〇|未发生|没有发生)"
                               r"(?:件|起)?\s*$")
# one character a negation governs up to its noun: within the sentence part, no figure but a year
# ('没有接到…要求公开政府信息的申请' is 0; '没有接到投诉，收到申请5件' says nothing of the requests)
GOVERNED = r"(?:[^。；;0-9]|[0-9]{4}年)"
MAX_GOVERNED_CHARS = 60  # a negation governs the nouns of its own clause, not the next statement


@dataclass(frozen=True)
class ProseRule:
    """One phrasing of one registry fact, compiled."""

    fact: FactKey
    phrasing: Phrasing
    pattern: regex.Pattern[str]
    clause_must: regex.Pattern[str] | None
    clause_must_not: regex.Pattern[str] | None
    context: regex.Pattern[str] | None

    @property
    def fact_key(self) -> str:
        return self.fact.key


def _compiled(pattern: str | None) -> regex.Pattern[str] | None:
    return regex.compile(pattern) if pattern else None


PROSE_RULES: tuple[ProseRule, ...] = tuple(
    ProseRule(fact, phrasing, regex.compile(phrasing.pattern.replace("{Q}", QUANTITY_PATTERN)),
              _compiled(phrasing.clause_must), _compiled(phrasing.clause_must_not), _compiled(phrasing.context))
    for fact in PROSE_KEYS for phrasing in fact.phrasings)
_RULES_OF = {fact.key: [rule for rule in PROSE_RULES if rule.fact is fact] for fact in PROSE_KEYS}
_TOPICAL = tuple(fact for fact in PROSE_KEYS if fact.topic)
_TOPIC = {fact.key: regex.compile(fact.topic) for fact in _TOPICAL if fact.topic}
_NOT_TOPIC = {fact.key: regex.compile(fact.topic_must_not) for fact in _TOPICAL if fact.topic_must_not}
# the topics of the other facts of the same unit: a review count is not read across the words 行政诉讼
_RIVALS = {fact.key: tuple(_TOPIC[other.key] for other in _TOPICAL if other.unit == fact.unit and other is not fact)
           for fact in _TOPICAL}
_ZERO_STATEMENT = {fact.key: regex.compile(rf"{_NEGATION}{GOVERNED}{{0,{MAX_GOVERNED_CHARS}}}?(?P<topic>{fact.topic})")
                   for fact in _TOPICAL}

_ALL_WORDS = sorted({word for fact in PROSE_KEYS for word in fact.words}, key=len, reverse=True)
# one scan per clause: at each position the longest registry word starting there; a word stands for
# every registry word it contains (a shorter word at the same position is inside it)
# (re, not regex, behind a class of the words' first characters: 1.4x faster, the same matches)
_WORD = re.compile("(?=[" + re.escape("".join(sorted({word[0] for word in _ALL_WORDS}))) + "])(?=("
                   + "|".join(map(re.escape, _ALL_WORDS)) + "))")
_KEYS_OF_WORD = {word: frozenset(f.key for f in PROSE_KEYS if any(w in word for w in f.words)) for word in _ALL_WORDS}


@dataclass(frozen=True)
class Clause:
    """One clause of a section, with what the grammar needs to know about it."""

    text: str
    keys: frozenset[str]  # the facts whose words it contains
    counts: bool  # it states a number at all
    coordinated: frozenset[str]  # facts it names in a respective ('分别') statement
    cumulative: bool = False  # about a period longer than the year (以来, 累计…): only a zero holds for the year


def _clauses(text: str, report_year: int | None) -> Iterable[Clause]:
    for piece in _CLAUSE_SPLIT.split(text):
        clause = piece.strip()
        if not clause:
            continue
        keys = frozenset().union(*(_KEYS_OF_WORD[word] for word in set(_WORD.findall(clause))))
        if keys:
            yield Clause(clause, keys, STATES_A_NUMBER.search(clause) is not None, _respective_keys(clause),
                         _is_cumulative(clause, report_year))


def _is_cumulative(clause: str, report_year: int | None) -> bool:
    if not _CUMULATIVE.search(clause):
        return False
    # "2019年累计公布…" counts the report year itself
    return not (report_year and _this_years_total(report_year).search(clause))


@cache
def _this_years_total(report_year: int) -> regex.Pattern[str]:
    return regex.compile(rf"{report_year}年(?:全年|度)?(?:共)?累计")


def _topics(text: str) -> list[tuple[int, str]]:
    """The registry facts a text names by their topic nouns, in the order it names them."""
    found = [(match.start(), key) for key, topic in _TOPIC.items() if (match := topic.search(text))]
    return sorted(found)


def _respective_keys(clause: str) -> frozenset[str]:
    marker = _RESPECTIVELY.search(clause)
    if marker is None:
        return frozenset()
    named = _topics(clause[:marker.start()])
    return frozenset(key for _, key in named) if len(named) >= 2 else frozenset()


def _coordinated_value(fact: FactKey, clause: Clause) -> tuple[float, bool] | None:
    """The fact's value from a statement naming several facts: 'A、B分别为x件、y件' (in order) or
    'A、B均为N' (each N); None when the clause is no such statement or does not add up."""
    if (must_not := _NOT_TOPIC.get(fact.key)) and must_not.search(clause.text):
        return None
    if fact.key in clause.coordinated:
        marker = _RESPECTIVELY.search(clause.text)
        named = [key for _, key in _topics(clause.text[:marker.start()])]  # type: ignore[union-attr]
        stated = [q for start, end, q in iter_quantities(clause.text[marker.end():])  # type: ignore[union-attr]
                  if not q.is_percent]
        if len(stated) == len(named):
            respective = stated[named.index(fact.key)]
            return respective.value, respective.approx
        return None
    each = _EACH.search(clause.text)
    if each and fact.key in {key for _, key in _topics(clause.text[:each.start()])}:
        quantity = quantity_from_match(each)
        if quantity is not None and not quantity.is_percent:
            return quantity.value, quantity.approx
    return None


# what, between a topic and a figure, makes the figure count something else: a part (其中), a share,
# a sub-kind or a stage of handling (答复, 办结, 公开 of the answers), another period
_NOT_THE_TOPICS_FIGURE = regex.compile(r"其中|占|比|同比|较|增长|下降|减少|分别|答复|办结|回复|予以|同意|不予|部分|"
                                       r"无法|转办|咨询|留言|来信|电话|月|季度|上年|去年")
MAX_TOPIC_GAP = 16  # characters between a topic noun and its figure
_CLAUSE_PART_END = regex.compile(r"[，,、：:（(]")  # a figure after the topic's own part of the clause is another's


def _topic_quantity(fact: FactKey, clause: Clause, home_section: bool) -> tuple[float, bool] | None:
    """The fact read as topic × quantity × scope: the clause names the fact's topic, states exactly
    one figure with the fact's counter word, after the topic and close to it with nothing between
    that makes it count something else; no rival fact of the same unit is named, and outside the home
    section the clause shows its context. Anything less certain reads nothing."""
    text = clause.text
    if (must_not := _NOT_TOPIC.get(fact.key)) and must_not.search(text):
        return None
    if fact.context and not home_section and not regex.search(fact.context, text):
        return None
    if any(rival.search(text) for rival in _RIVALS.get(fact.key, ())):
        return None
    counters = UNIT_WORDS.get(fact.unit, ())
    figures = [(start, end, q) for start, end, q in quantities(text)
               if text.startswith(counters, end) and not q.is_percent] if counters else []
    if len(figures) != 1:
        return None
    start, _, quantity = figures[0]
    topics = list(_TOPIC[fact.key].finditer(text, 0, start))
    if not topics:
        return None
    gap = text[topics[-1].end():start]
    if len(gap) > MAX_TOPIC_GAP or _CLAUSE_PART_END.search(gap) or _NOT_THE_TOPICS_FIGURE.search(gap) or any(
            topic.search(gap) for key, topic in _TOPIC.items() if key != fact.key):
        return None
    return quantity.value, quantity.approx


def _zero_statement(fact: FactKey, clause: Clause) -> bool:
    """Whether a negated statement governs the fact's topic: 'negation … topic' within the clause, or
    'topic(s) … 均为零 / 无' closing it."""
    if (must_not := _NOT_TOPIC.get(fact.key)) and must_not.search(clause.text):
        return False
    for negated in _ZERO_STATEMENT[fact.key].finditer(clause.text):
        if (_HAPPENING.search(clause.text, negated.start(), negated.end())
                or _SITUATION_AFTER.match(clause.text, negated.end())):
            return True
    after = _NEGATED_AFTER.search(clause.text)
    return after is not None and fact.key in {key for _, key in _topics(clause.text[:after.start()])}


def _phrasing_value(rule: ProseRule, clause: Clause, home_section: bool,
                    known: dict[str, Fact]) -> tuple[float, bool] | None:
    phrasing, text = rule.phrasing, clause.text
    if rule.fact_key in clause.coordinated:
        return None  # 'A、B分别为x、y件': a phrasing would read A's figure for B
    match = rule.pattern.search(text)
    if match is None:
        return None
    if rule.clause_must and not rule.clause_must.search(text):
        return None
    if rule.clause_must_not and rule.clause_must_not.search(text if phrasing.zero else text[: match.end()]):
        return None
    if rule.context and not home_section and not rule.context.search(text):
        return None
    if phrasing.zero:
        return 0.0, False
    if phrasing.equals:
        base = known.get(phrasing.equals)
        return (base.value, base.approx) if base else None
    if rule.fact_key.endswith("_total") and (_SUBCOUNT_START.search(text[: match.start()][-6:])
                                             or _SHARE_AFTER.match(text, match.end())):
        return None
    around = text[match.start():match.start("num")] + text[match.end("num"):match.end()]
    if any(rival.search(around) for rival in _RIVALS.get(rule.fact_key, ())):
        return None  # '未经行政复议直接提起行政诉讼1件' counts suits, not reviews
    quantity: Quantity | None = quantity_from_match(match)
    if quantity is None or quantity.is_percent:
        return None
    return quantity.value, quantity.approx


Reader = Callable[[Clause, bool, dict[str, Fact]], "tuple[float, bool] | None"]
"""(clause, whether it is in the fact's home section, the facts found so far) -> (value, approx) or None."""


@dataclass(frozen=True)
class ClauseReader:
    """One way a fact is read from a clause."""

    read: Reader
    needs_number: bool  # the clause must state a number
    zero: bool = False  # it reads a zero: one that holds since inception (以来) holds for the year too


def _readers(fact: FactKey) -> tuple[ClauseReader, ...]:
    """How a fact is read from a clause, in priority order: its phrasings, then statements naming
    several facts, then its topic with the clause's one figure, then zero statements."""
    readers = [ClauseReader(partial(_phrasing_value, rule), not (rule.phrasing.zero or rule.phrasing.equals),
                            rule.phrasing.zero) for rule in _RULES_OF[fact.key]]
    if fact.topic:
        readers.append(ClauseReader(lambda clause, _home, _known: _coordinated_value(fact, clause), True))
        readers.append(ClauseReader(lambda clause, home, _known: _topic_quantity(fact, clause, home), True))
        readers.append(ClauseReader(
            lambda clause, _home, _known: (0.0, False) if _zero_statement(fact, clause) else None, False, True))
    return tuple(readers)


_READERS = {fact.key: _readers(fact) for fact in PROSE_KEYS}


def extract_prose_facts(doc_id: str, sections: Sequence[Section], report_year: int | None) -> list[Fact]:
    """One fact per registry key from the report's prose: the first of its readers that reads it, from
    the first clause in the first of the key's sections that states it. Cumulative clauses give a
    year's fact only as a zero ('开展工作以来…未收取…费用': nothing since inception, nothing this year)."""
    # per section, the clauses naming each fact, in order (a fact is only read from a clause naming it)
    by_key: dict[str, list[tuple[Section, dict[str, list[Clause]]]]] = {}
    for section in sections:
        naming: dict[str, list[Clause]] = {}
        for clause in _clauses(section.text, report_year):
            for key in clause.keys:
                naming.setdefault(key, []).append(clause)
        by_key.setdefault(section.section_key, []).append((section, naming))
    found: dict[str, Fact] = {}

    def first(fact: FactKey, reader: ClauseReader) -> Fact | None:
        for section_key in fact.sections:
            for section, naming in by_key.get(section_key, ()):
                home = section.section_key == fact.sections[0]
                for clause in naming.get(fact.key, ()):
                    if (clause.counts or not reader.needs_number) and (reader.zero or not clause.cumulative):
                        value = reader.read(clause, home, found)
                        if value is not None:
                            return Fact(doc_id, fact.key, value[0], fact.unit, section.section_key,
                                        clause.text[:300], "prose", value[1])
        return None

    for fact in PROSE_KEYS:
        read = next((f for reader in _READERS[fact.key] if (f := first(fact, reader)) is not None), None)
        if read is not None:
            found[fact.key] = read
    return list(found.values())


def _compared(prose: Sequence[Fact], table: Sequence[Fact]) -> Iterator[tuple[Fact, Fact]]:
    """The exact prose figures (not approximate ones) whose key a table also states, with that table fact."""
    by_key = {f.fact_key: f for f in table}
    for fact in prose:
        if fact.fact_key in by_key and not fact.approx:
            yield fact, by_key[fact.fact_key]


def _agree(prose_fact: Fact, table_fact: Fact) -> bool:
    return abs(table_fact.value - prose_fact.value) <= 1e-6


def merge_facts(doc_id: str, prose: Sequence[Fact], table: Sequence[Fact]) -> tuple[list[Fact], list[Violation]]:
    """Tables win over prose for the keys they state; every disagreement becomes a warning that names
    both values and their evidence."""
    by_key = {f.fact_key: f for f in table}
    by_key.update({f.fact_key: f for f in prose if f.fact_key not in by_key})
    mismatches = [Violation(
        doc_id, "prose_table_mismatch", "warning",
        f"{fact.fact_key}: prose says {fact.value:g} ({fact.evidence[:120]}) but the table says "
        f"{table_fact.value:g} ({table_fact.evidence}); the table value is kept")
        for fact, table_fact in _compared(prose, table) if not _agree(fact, table_fact)]
    return list(by_key.values()), mismatches


def prose_table_agreements(prose: Sequence[Fact], table: Sequence[Fact]) -> list[str]:
    """The comparisons of merge_facts that hold, worded as passes: with its disagreements they are every
    prose figure checked against a table (rubric X2's denominator)."""
    return [f"{fact.fact_key}: prose says {fact.value:g} ({fact.evidence[:120]}), as the table does "
            f"({table_fact.evidence})" for fact, table_fact in _compared(prose, table) if _agree(fact, table_fact)]
