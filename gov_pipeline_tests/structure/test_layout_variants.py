"""The layout-variant harness: every real template report with gold, its tables printed in twelve
layouts real pages use, must give back the facts read from the real document. A crawler dump with
glued digit runs may lose a value, but only where its run has several readings, and it says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from gov_pipeline_tests.layout_variants import (
    LAYOUTS,
    Report,
    applies,
    expected_of,
    read_back,
    score,
    table_of,
    template_reports,
)

REPORTS = template_reports()
# glued digits: a run may have several readings, or none when the table breaks its identities
LOSSY = {"crawler_glued_digits"}


def test_every_template_report_with_gold_is_in_the_harness() -> None:
    assert len(REPORTS) >= 9 and {r.template for r in REPORTS} == {"2019", "2021"}
    assert all(len(r.facts) > 100 for r in REPORTS)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("report", REPORTS, ids=lambda r: Path(r.name).stem)
def test_the_same_facts_from_every_layout(report: Report, layout: str, tmp_path: Path) -> None:
    if not applies(layout, report):
        pytest.skip("the 30号 form has three （六） rows a 2019 report cannot fill")
    want = expected_of(layout, report)
    found, cells = read_back(report, layout, tmp_path)
    result = score(want, found)
    assert not result.wrong, result.wrong[:10]
    if layout not in LOSSY:
        assert not result.missing, result.missing[:10]
        return
    for key in result.missing:  # a value left unknown names its reason in its row
        notes = [c.note for c in cells if c.table_key == table_of(key) and c.note]
        assert any("reading" in note for note in notes), (key, notes)
