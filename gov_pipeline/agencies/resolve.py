"""Which body published a report: its administrative division (registry code), the kind of body and a
key that is the same for every name variant of one body. Resolved in context: the agency name first,
then the places the title, the signature block, the page header and the source path name; a name the
context cannot narrow to one division stays unresolved, with its candidates and the reason."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from gov_pipeline.agencies.bodies import (
    BODY_END,
    DEPARTMENT,
    GOVERNMENT,
    GOVERNMENT_WORDS,
    NATIONAL_LINE,
    OFFICE,
    OFFICE_WORDS,
    PRONOUN,
    SPECIAL_AREA,
    SPECIAL_AREA_WORDS,
    SPECIAL_AREAS,
    TOWNSHIP,
    TOWNSHIP_NAME,
    UNLISTED_AREA,
    department_type,
)
from gov_pipeline.agencies.registry import Registry, registry

MAX_CANDIDATES = 12  # candidates listed for an ambiguous name
MIN_CONTEXT_NAME = 3  # shorter names ('道县', '城区') count in the context only after their parent's name
_SUFFIX_ENDS = frozenset("省市县区州旗盟镇乡道木")  # last characters of every registry name
_RELATIVE_LEVEL = {"省": "province", "市": "city", "区": "county", "县": "county", "旗": "county",
                   "镇": "township", "乡": "township", "街": "township"}
_PATH_PARTS = re.compile(r"[/\\_\-.\s]+")


@dataclass(frozen=True)
class Place:
    """A run of registry names in a text ('长沙市天心区桂花坪街道'), with the codes it can mean."""

    text: str
    end: int
    codes: tuple[str, ...]  # of the last name, consistent with the names before it
    stem_only: bool = False  # the last name was matched by its stem ('平潭' of 平潭综合实验区)


@dataclass(frozen=True)
class Body:
    """What an agency name says: where (a place, if it names one) and what kind of body."""

    place: Place | None
    kind: str
    body_type: str | None  # 水务局, 综合实验区, 街道 ... (None for a division's government)
    label: str  # the body below its division, for the key ('人民政府', '平潭综合实验区', '地方税务局')


@dataclass(frozen=True)
class Resolution:
    division_code: str | None
    body_kind: str | None
    body_type: str | None
    agency_key: str | None
    reason: str
    candidates: tuple[str, ...] = ()  # full names of the divisions an unresolved name may mean
    admin_level: str | None = None  # province | city | county | township | department
    jurisdiction_level: str | None = None  # level of the division the body belongs to


def _consistent(reg: Registry, codes: tuple[str, ...], parents: tuple[str, ...]) -> tuple[str, ...]:
    """The codes that lie under one of `parents` (all of them when there is no parent)."""
    if not parents:
        return codes
    return tuple(c for c in codes if any(reg.within(c, p) and c != p for p in parents))


def _match_at(reg: Registry, text: str, start: int, stems: bool) -> tuple[int, tuple[str, ...], bool] | None:
    """The longest registry name (or, with `stems`, stem) starting at `start`: (end, codes, by_stem)."""
    for length in range(min(reg.longest_name, len(text) - start), 1, -1):
        piece = text[start:start + length]
        if piece in reg.by_name:
            return start + length, reg.by_name[piece], False
        if stems and piece in reg.by_stem:
            return start + length, reg.by_stem[piece], True
    return None


def leading_place(text: str, reg: Registry | None = None) -> Place | None:
    """The run of registry names an agency name starts with; '人民政府' between two names is skipped
    ('桦甸市人民政府新华街道办事处'). The first name may be a stem ('平潭综合实验区')."""
    reg = reg or registry()
    position, by_stem, found = 0, False, False
    codes: tuple[str, ...] = ()
    while True:
        match = _match_at(reg, text, position, stems=not found)
        skipped = 0
        if match is None and found and text.startswith("人民政府", position):
            skipped = len("人民政府")
            match = _match_at(reg, text, position + skipped, stems=False)
        if match is None:
            break
        end, candidates, stem_match = match
        narrowed = _consistent(reg, candidates, codes)
        if not narrowed:
            break
        position, codes, by_stem, found = end, narrowed, stem_match, True
    return Place(text[:position], position, codes, by_stem) if found else None


def places_in(text: str, reg: Registry | None = None) -> list[Place]:
    """Every run of full registry names in a text, left to right, overlaps resolved to the earlier run.
    Looks only where a name can end (a division suffix), so a page costs a few hundred lookups."""
    reg = reg or registry()
    names: list[tuple[int, int]] = []
    for end in range(2, len(text) + 1):
        if text[end - 1] not in _SUFFIX_ENDS:
            continue
        for length in range(min(reg.longest_name, end), 1, -1):
            if text[end - length:end] in reg.by_name:
                names.append((end - length, end))
                break
    places: list[Place] = []
    last_end = -1
    run: list[tuple[int, int]] = []
    for start, end in sorted(names):
        if start < last_end:
            continue
        if run and start != run[-1][1]:
            places += _run_place(reg, text, run)
            run = []
        run.append((start, end))
        last_end = end
    return places + _run_place(reg, text, run)


def _run_place(reg: Registry, text: str, run: list[tuple[int, int]]) -> list[Place]:
    if not run or (len(run) == 1 and run[0][1] - run[0][0] < MIN_CONTEXT_NAME):
        return []
    codes: tuple[str, ...] = ()
    for start, end in run:
        narrowed = _consistent(reg, reg.by_name[text[start:end]], codes)
        codes = narrowed or reg.by_name[text[start:end]]
    return [Place(text[run[0][0]:run[-1][1]], run[-1][1], codes)]


def _township_type(name: str) -> str:
    """街道 | 镇 | 乡 | 苏木, from a township's name."""
    return next(kind for kind in ("街道", "苏木", "镇", "乡", "") if name.endswith(kind))


def read_name(name: str, reg: Registry | None = None) -> Body:
    """The place and kind of body an agency name states."""
    reg = reg or registry()
    name = NATIONAL_LINE.sub("", re.sub(r"\s+", "", name))
    place = None if PRONOUN.match(name) else leading_place(name, reg)
    rest = PRONOUN.sub("", name[place.end:] if place else name)
    level = reg.by_code[place.codes[0]].level if place else None
    zone = SPECIAL_AREAS.match(rest)
    if place and (place.stem_only or zone):
        if not zone:  # a stem followed by anything but a special area is not a place ('中山大学')
            return read_name("本" + name, reg)
        area = name[:place.end] + zone.group(0)
        below = rest[zone.end():]
        if GOVERNMENT_WORDS.match(below):
            return Body(place, SPECIAL_AREA, zone.group(0), area)
        return Body(place, DEPARTMENT, department_type(below), f"{area}/{department_type(below)}")
    if GOVERNMENT_WORDS.match(rest):
        kind = TOWNSHIP if level == 4 else GOVERNMENT
        return Body(place, kind, _township_type(place.text) if kind == TOWNSHIP and place else None, "人民政府")
    if OFFICE_WORDS.match(rest):
        return Body(place, OFFICE, "办公室", "人民政府办公室")
    township = TOWNSHIP_NAME.match(rest)
    if (township and not place) or (township and level and level < 4):
        unlisted = township.group(0)
        return Body(place, TOWNSHIP, _township_type(unlisted), unlisted)
    if place is None and re.fullmatch(r"(?:街道|镇|乡|苏木)(?:人民政府|政府|办事处)?", rest):
        return Body(None, TOWNSHIP, rest[:2] if rest.startswith(("街道", "苏木")) else rest[:1], "人民政府")
    unlisted_area = UNLISTED_AREA.match(rest) if place is None else None
    if unlisted_area and GOVERNMENT_WORDS.match(rest[unlisted_area.end():]):
        area = unlisted_area.group(0)
        return Body(None, SPECIAL_AREA, next(w for w in SPECIAL_AREA_WORDS if area.endswith(w)), area)
    if place is None and re.fullmatch(r"[省市县区旗]?(?:人民)?政府", rest):
        return Body(None, GOVERNMENT, None, "人民政府")
    kind_type = department_type(rest)
    return Body(place, DEPARTMENT, kind_type or None, kind_type)


def _support(reg: Registry, code: str, places: Sequence[Place]) -> int:
    """How many places of the context lie above or below a candidate division."""
    return sum(1 for p in places if any(reg.within(code, c) or reg.within(c, code) for c in p.codes))


def _levels(reg: Registry, body: Body, code: str | None) -> tuple[str | None, str | None]:
    if code is None:
        relative = _RELATIVE_LEVEL.get((body.label or " ")[0]) if body.kind == DEPARTMENT else None
        return ("department" if body.kind in (DEPARTMENT, OFFICE) else
                "township" if body.kind == TOWNSHIP else None), relative
    level = reg.by_code[code].level_name
    return ("department" if body.kind in (DEPARTMENT, OFFICE) else level), level


def _same_body(found: Body, wanted: Body | None) -> bool:
    """Whether a body named in the context can be the one a placeless name means: the same kind, and for
    a department the same type ('本局' fits any 局); with no name at all, any division's government."""
    if found.place is None:
        return False
    if wanted is None:
        return found.kind in (GOVERNMENT, TOWNSHIP, SPECIAL_AREA)
    if found.kind != wanted.kind:
        return False
    return wanted.kind != DEPARTMENT or not wanted.body_type or (found.body_type or "").endswith(wanted.body_type)


def _from_context(reg: Registry, wanted: Body | None, texts: Sequence[str]) -> tuple[str, Body] | None:
    """A body without a place ('本局', '我街道', or no name at all) found in the context: the first place
    of the title, signature, header or opening that, alone or with the body named after it, is such a
    body. Returns the words read and the body."""
    for text in texts:
        for place in places_in(text, reg):
            after = BODY_END.match(text, place.end)
            named = text[place.end - len(place.text):after.end() if after else place.end]
            for words in dict.fromkeys((named, place.text)):
                found = read_name(words, reg)
                if _same_body(found, wanted):
                    return words, found
    return None


def resolve_agency(agency_name: str | None, title: str | None, snippets: Sequence[str],
                   source_path: str = "") -> Resolution:
    """The division, kind and key of the body that published a report. `snippets` are short texts
    around the report (signature block first, then the page header and the opening); `source_path`
    adds the places its folder and file names state."""
    reg = registry()
    context = [t for t in (title or "", *snippets, " ".join(_PATH_PARTS.split(source_path))) if t]
    name = (agency_name or "").strip()
    body = read_name(name, reg) if name else None
    if body is None or body.place is None:
        found = _from_context(reg, body, context)
        if found is None:
            said = f"agency name '{name}' names no place" if name else "no agency name"
            kind = body or Body(None, GOVERNMENT, None, "")
            return Resolution(None, body.kind if body else None, body.body_type if body else None, None,
                              f"{said} and the title, signature, header and path name no such body",
                              (), *_levels(reg, kind, None) if body else (None, None))
        how = f"'{name}' read as '{found[0]}' from the context" if name else f"'{found[0]}' from the context"
        body = found[1]
    else:
        how = f"agency name '{name}'"
    assert body.place is not None
    codes = body.place.codes
    if len(codes) > 1:
        places = [p for text in context for p in places_in(text, reg)]
        scores = {code: _support(reg, code, places) for code in codes}
        best = max(scores.values())
        chosen = [c for c, s in scores.items() if s == best]
        if best == 0 or len(chosen) > 1:
            candidates = tuple(reg.by_code[c].full_name for c in (chosen if best else codes))[:MAX_CANDIDATES]
            return Resolution(None, body.kind, body.body_type, None,
                              f"{how}: '{body.place.text}' is {len(codes)} divisions of the registry and the "
                              "context does not tell which", candidates, *_levels(reg, body, None))
        how += f", narrowed by the places the context names ({best})"
        codes = (chosen[0],)
    code = codes[0]
    division = reg.by_code[code]
    return Resolution(code, body.kind, body.body_type, f"{code}:{body.label}",
                      f"{how} -> {division.full_name} ({code})", (), *_levels(reg, body, code))
