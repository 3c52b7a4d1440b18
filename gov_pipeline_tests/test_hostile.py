"""Issue 14: a hostile folder built from the real documents (hostile.py) through one real
`gov-pipeline run` — without network (its own network namespace, connect() watched with strace) and
without the root capabilities that read any file (so permission errors are real). Every entry gets one
`reports` row with the status and reason its class calls for."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from gov_pipeline.ingest.inventory import escape_name, unescape_name
from gov_pipeline_tests.conftest import SHUYANG, query
from gov_pipeline_tests.hostile import (
    CASES,
    GBK_NAME,
    build_hostile_folder,
    entries,
    run_without_privileges,
)

BIN = Path(sys.executable).parent
TOOLS = ("unshare", "capsh", "strace")
pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not all(shutil.which(t) for t in TOOLS),
                                reason="needs root (a network namespace, dropped capabilities) "
                                       "and unshare, capsh, strace")


class HostileRun(NamedTuple):
    raw: Path
    db: Path
    result: subprocess.CompletedProcess
    connects: list[str]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileRun:
    root = tmp_path_factory.mktemp("hostile")
    raw = build_hostile_folder(root)
    db, trace = root / "warehouse.duckdb", root / "connect.log"
    run = [str(BIN / "gov-pipeline"), "run", "--raw-dir", str(raw), "--db", str(db), "--log-level", "WARNING"]
    traced = ["strace", "-f", "--seccomp-bpf", "-e", "trace=connect", "-o", str(trace), *run]
    result = subprocess.run(["unshare", "-n", *run_without_privileges(traced)],
                            capture_output=True, text=True, check=False,
                            env=os.environ | {"GOV_PIPELINE_WORKERS": "1"}, timeout=1800)
    connects = [line for line in trace.read_text().splitlines() if "connect(" in line]
    return HostileRun(raw, db, result, connects)


def test_the_run_succeeds_with_one_row_per_entry(hostile: HostileRun) -> None:
    assert hostile.result.returncode == 0, hostile.result.stderr[-3000:]
    expected = sorted(escape_name(os.fsencode(name)) for name in entries(hostile.raw))
    rows = [path for (path,) in query(hostile.db, "select source_path from reports order by source_path")]
    assert rows == expected
    assert len(rows) == len(set(rows)) == len(CASES) + 4  # the cases plus the four real reports they copy


@pytest.mark.parametrize("case", [c for c in CASES if c.status], ids=lambda c: c.name)
def test_each_class_gets_its_status_and_reason(hostile: HostileRun, case) -> None:
    [(status, reason)] = query(hostile.db, "select status, status_reason from reports where source_path = ?",
                               [escape_name(os.fsencode(case.name))])
    assert (status, case.reason in reason) == (case.status, True), (case.note, status, reason)


def test_a_spanned_cell_past_the_text_cap_is_never_scored_empty(hostile: HostileRun) -> None:
    [(status, reason, facts, year)] = query(hostile.db, "select status, status_reason, fact_count, report_year "
                                            "from reports where source_path = 'status/spanned_cell_before_report.html'")
    if status == "scored":  # a grid cap upstream kept the text under the limit: then the report is whole
        assert facts > 0 and year == 2023
    else:
        assert status in ("unreadable", "duplicate"), (status, reason)  # capped grid: the same text as its original
        assert ("exceeds the 1,000,000-character limit: not read partially" in reason
                or f"the same report as a_reports/{SHUYANG.name}" in reason)


def test_nothing_connects_anywhere(hostile: HostileRun) -> None:
    """dbt's version check and usage statistics are off; no document content reaches the network."""
    assert hostile.result.returncode == 0
    outside = [line for line in hostile.connects if "AF_UNIX" not in line]
    assert outside == []


def test_names_that_are_not_utf8_are_kept_losslessly_and_shown_readably(hostile: HostileRun) -> None:
    [(source_path, display_path)] = query(hostile.db, "select source_path, display_path from raw_documents "
                                          "where display_path like 'names/%'")
    assert unescape_name(source_path) == b"names/" + GBK_NAME
    assert display_path == "names/西湖区2017年报告.txt"


def test_decoding_is_recorded_for_the_odd_encodings(hostile: HostileRun) -> None:
    methods = {p: (e, m) for p, e, m in query(
        hostile.db, "select source_path, detected_encoding, encoding_method from raw_documents "
                    "where source_path like 'text/%'")}
    assert methods["text/gbk_declares_latin1.html"][0] == "gb18030"
    assert "declared iso-8859-1 gave mojibake" in methods["text/gbk_declares_latin1.html"][1]
    assert methods["text/utf32le_no_bom.txt"] == ("utf-32-le", "utf-32-le without byte-order mark (NUL byte pattern)")
    assert methods["text/utf32be_no_bom.txt"][0] == "utf-32-be"
    assert methods["text/utf16be_no_bom.txt"][0].replace("_", "-") == "utf-16-be"
    assert methods["text/nul_every_500.txt"] == ("utf-8", "valid utf-8")


def test_characters_outside_the_basic_block_are_kept(hostile: HostileRun) -> None:
    [(text,)] = query(hostile.db, "select c.text from cleaned_documents c join raw_documents r using (doc_id) "
                                  "where r.source_path = 'text/rare_han_agency.txt'")
    assert "凉𪚥区" in text


def test_the_partitions_follow_the_decoded_year(hostile: HostileRun) -> None:
    years = dict(query(hostile.db, "select source_path, partition_key from raw_documents"))
    assert years["text/utf32le_no_bom.txt"] == years["text/nul_every_500.txt"] == "2017"
    assert years["text/gbk_declares_latin1.html"] == "2023"
    assert years["special/pipe.html"] == "unknown"


@pytest.mark.parametrize("name", ["links/outside_absolute.html", "links/dangling.html", "links/loop_a.html",
                                  "special/pipe.html", "special/one_gib.html"])
def test_extract_explains_entries_it_does_not_read(hostile: HostileRun, name: str) -> None:
    result = subprocess.run([str(BIN / "gov-pipeline"), "extract", str(hostile.raw / name)],
                            capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert '"status": "unreadable"' in result.stdout


def test_extract_reads_a_gbk_file_name(hostile: HostileRun) -> None:
    result = subprocess.run([str(BIN / "gov-pipeline").encode(), b"extract", os.fsencode(hostile.raw) + b"/names/"
                             + GBK_NAME], capture_output=True, check=False, timeout=120)
    assert result.returncode == 0 and b"Traceback" not in result.stderr
    assert "西湖区2017年报告.txt" in result.stdout.decode("utf-8")
