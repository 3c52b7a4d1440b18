"""Agencies as entities: the registry of divisions, the resolver on real reports, and coverage against
the registry in the warehouse."""

from __future__ import annotations

import pytest

from gov_pipeline.agencies import division_names, division_rows, registry, resolve_agency, resolve_report
from gov_pipeline.domain.metadata import agency_key
from gov_pipeline_tests.conftest import CORPUS, clean_file, query

PROVINCES = CORPUS / "provinces"
HUADIAN_STREET = PROVINCES / "2012_township_jilin-huadian-xinhua-street_report.txt"


def test_registry_holds_the_official_divisions_offline() -> None:
    reg = registry()
    assert reg.metadata["data_as_of"] == "2025-12-31"
    assert reg.by_code["350128"].full_name == "福建省福州市平潭县"
    assert len(division_names("province")) == 33 and "福建省" in division_names("province")
    assert "福建省福州市平潭县" in division_names("county")
    rows = division_rows()
    assert len({row["code"] for row in rows}) == len(rows)
    pingtan = next(row for row in rows if row["code"] == "350128")
    assert (pingtan["province_name"], pingtan["city_name"], pingtan["county_code"]) == ("福建省", "福州市", "350128")


@pytest.mark.parametrize(("variants", "key"), [
    (("平潭综合实验区管委会", "平潭综合实验区", "平潭综合实验区管理委员会"), "350128:平潭综合实验区"),
    (("平潭县人民政府", "平潭县", "福建省平潭县人民政府", "福州市平潭县人民政府"), "350128:人民政府"),
    (("沭阳县发展和改革局", "沭阳县发改局"), "321322:发展和改革局"),
    (("上海市人民政府办公厅", "上海市政府办公厅"), "310000:人民政府办公室"),
])
def test_name_variants_of_one_body_share_one_key(variants: tuple[str, ...], key: str) -> None:
    assert {resolve_agency(name, None, []).agency_key for name in variants} == {key}
    assert agency_key(variants[0]) == key  # metadata delegates to the resolver


def test_bodies_outside_the_registry_hang_under_the_division_that_runs_them() -> None:
    zone = resolve_agency("平潭综合实验区管委会", None, [])
    tax = resolve_agency("平潭综合实验区地方税务局", None, [])
    assert (zone.division_code, zone.body_kind, zone.body_type) == ("350128", "special_area", "综合实验区")
    assert (tax.division_code, tax.body_kind, tax.body_type) == ("350128", "department", "地方税务局")
    assert tax.agency_key != zone.agency_key != resolve_agency("平潭县人民政府", None, []).agency_key


def test_an_ambiguous_name_stays_unresolved_with_its_candidates() -> None:
    text = clean_file(HUADIAN_STREET).document.text
    opening = text[:200]  # names no place: '我街道 ... 按照市政府的统一部署'
    alone = resolve_agency("新华街道", None, [opening])
    assert alone.division_code is None and alone.agency_key is None
    assert len(alone.candidates) > 1 and "吉林省吉林市桦甸市新华街道" in alone.candidates
    assert "is 26 divisions" in alone.reason
    # the signature block of the same report names the city: one division
    signed = resolve_agency("新华街道", None, [text[-300:], opening])
    assert (signed.division_code, signed.body_kind) == ("220282004", "township")


@pytest.mark.parametrize(("relative", "code", "kind"), [
    ("2012_township_jilin-huadian-xinhua-street_report.txt", "220282004", "township"),  # '我街道' + signature
    ("2018_department_sichuan-cangxi-agriculture-bureau_report.txt", "510824", "department"),  # '本局' + signature
    ("2018_township_guangdong-suixi-jianxin-town_report.txt", "440823109", "township"),  # two 建新镇 in the registry
    ("2022_department_liaoning-shenyang-hunnan-sasac_report.txt", "210112", "department"),  # '区政府国资局'
    ("2020_township_hunan-changsha-tianxin-guihuaping-street_report.txt", "430103009", "township"),
    ("2014_county_xinjiang-yining-county_report.txt", "654021", "government"),
])
def test_real_reports_resolve_in_context(relative: str, code: str, kind: str) -> None:
    document = clean_file(PROVINCES / relative).document
    resolution = resolve_report(document, f"corpus/provinces/{relative}")
    assert (resolution.division_code, resolution.body_kind) == (code, kind), resolution.reason


def test_every_report_has_a_division_or_a_reason(sample_warehouse) -> None:
    rows = query(sample_warehouse.db, "select source_path, division_code, division_reason, agency_key, body_kind "
                                      "from reports where status in ('scored', 'quarantined')")
    assert rows and all(reason for _, _, reason, _, _ in rows)
    assert all(code is None or (key and key.startswith(code + ":")) for _, code, _, key, _ in rows)
    pingtan_zone = {key for path, _, _, key, _ in rows if "pingtan-zone" in path}
    assert pingtan_zone == {"350128:平潭综合实验区"}  # 管委会 and bare-name reports, html and txt
    resolved = sum(code is not None for _, code, _, _, _ in rows)
    assert resolved / len(rows) > 0.85


def test_coverage_of_fujian_lists_pingtan_and_the_counties_without_a_report(sample_warehouse) -> None:
    db = sample_warehouse.db
    pingtan = query(db, "select agency_key, report_year, publication_status from division_coverage "
                        "where division_code = '350128' and reports > 0")
    years = {(key, year) for key, year, _ in pingtan}
    assert {("350128:人民政府", 2011), ("350128:人民政府", 2012), ("350128:平潭综合实验区", 2019),
            ("350128:平潭综合实验区/地方税务局", 2013)} <= years
    assert {(k, y): s for k, y, s in pingtan}[("350128:平潭综合实验区", 2019)] == "on time"
    fujian_counties = {row["code"] for row in division_rows() if row["province_code"] == "350000"
                       and row["level"] == "county"}
    listed = dict(query(db, """
        select division_code, bool_and(publication_status = 'no report in the corpus') from division_coverage
        where registry_government and division_level = 'county' group by division_code"""))
    assert set(listed) == fujian_counties
    assert listed["350128"] is False and listed["350102"] is True  # 鼓楼区 of 福州 has no report in the corpus
    assert sum(listed.values()) == len(fujian_counties) - 1


def test_summaries_by_division_carry_province_city_and_county(sample_warehouse) -> None:
    rows = query(sample_warehouse.db, """
        select unit_level, province_name, city_name, county_name, governments, governments_published, reports
        from division_summary where unit_code in ('350100', '350128') and report_year = 2012 order by unit_level""")
    # 平潭县 2012 is one report in two formats: the copy is a near-duplicate, so one report counts
    assert rows == [("city", "福建省", "福州市", None, 14, 1, 1), ("county", "福建省", "福州市", "平潭县", 1, 1, 1)]
