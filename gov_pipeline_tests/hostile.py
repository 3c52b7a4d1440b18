"""A hostile input folder built from the real documents in data/raw (issue 14): every class of entry a
crawler or an unzipped archive can leave, each with the status and reason the warehouse must give it.
Used by test_hostile.py and by benchmarks/bench_hostile.py (which measures time and memory)."""

from __future__ import annotations

import os
import shlex
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gov_pipeline_tests.conftest import CORPUS, SEEDS, SHUYANG

SEED_2016 = SEEDS / "000_990f776b87745625.txt"  # 凉州区 2016
SEED_2018 = SEEDS / "002_f94757b5ee07a06a.txt"
SEED_2017 = SEEDS / "004_a8ef66291314f876.txt"  # 西湖区 2017: 接到政府信息公开申请2681件
PINGTAN_2022 = CORPUS / "2022_city_pingtan-zone_report.txt"  # crawler dump: table 3 rows as glued digit runs
RECEIVED_ROW = "一、本年新收政府信息公开申请数量 713000074"
RECEIVED = "接到政府信息公开申请2681件"
GBK_NAME = "西湖区2017年报告.txt".encode("gbk")  # what unzipping a Windows archive gives
ONE_GIB = 2**30


@dataclass(frozen=True)
class Case:
    """One entry of the hostile folder and what `reports` must say about it."""

    name: str  # relative path (a str; the GBK name is written through its bytes)
    status: str | None  # expected reports.status; None when the check is `accept`
    reason: str  # a part of reports.status_reason
    note: str  # the class of issue 14 it stands for


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _shuyang_with(before_report: str) -> str:
    """The Shuyang page with markup inserted just before its first heading (inside the content)."""
    page = _text(SHUYANG)
    at = page.rfind("<p", 0, page.index("一、总体情况"))
    return page[:at] + before_report + page[at:]


def _news_page() -> str:
    sentence = _text(SEED_2017).split("\n")[21][:46]  # a real sentence of 46 characters
    return f"<html><head><meta charset='utf-8'><title>工作动态</title></head><body><div>{sentence}</div></body></html>"


def _external_links() -> str:
    links = "".join(f'<a href="http://203.0.113.{i}/x">链接</a><img src="https://203.0.113.{i}/p.png">'
                    f'<iframe src="http://198.51.100.{i}/f"></iframe>' for i in range(1, 40))
    return _shuyang_with(f"<div>{links}</div>")


def _rare_han() -> str:
    return _text(SEED_2016).replace("凉州区", "凉𪚥区")


def _nul_every_500() -> bytes:
    text = _text(SEED_2017)
    return "\x00".join(text[i:i + 500] for i in range(0, len(text), 500)).encode("utf-8")


def _gbk_declared_latin1() -> bytes:
    page = (_text(SHUYANG).replace('charset="utf-8"', 'charset="iso-8859-1"')
            .replace("charset=utf-8", "charset=iso-8859-1"))
    return page.encode("gb18030", errors="ignore")


def _two_reports() -> str:
    return _text(SEED_2016) + "\n\n" + _text(SEED_2018)


def _spanned_cell_before_report() -> str:
    cell = _text(SEED_2017).split("\n")[21][:100]
    return _shuyang_with(f'<table><tr><td rowspan="200" colspan="60">{cell}</td></tr>'
                         + "<tr><td>x</td></tr>" * 199 + "</table>")


def _span_amplification() -> str:
    """One 30 000-character cell at rowspan=200 colspan=60: copying it into every slot would take gigabytes."""
    cell = (_text(SEED_2017).split("\n")[21] * 400)[:30000]
    return _shuyang_with(f'<table><tr><td rowspan="200" colspan="60">{cell}</td></tr></table>')


def _glued_48_digits() -> str:
    """A table-3 row whose 48 digits run together (C(47, 7) splits if searched blindly)."""
    text = _text(PINGTAN_2022)
    assert RECEIVED_ROW in text
    return text.replace(RECEIVED_ROW, "一、本年新收政府信息公开申请数量 " + "713000074" * 5 + "713")


WRITERS: dict[str, Callable[[], str | bytes]] = {
    "text/nul_every_500.txt": _nul_every_500,
    "text/gbk_declares_latin1.html": _gbk_declared_latin1,
    "text/utf32le_no_bom.txt": lambda: _text(SEED_2017).encode("utf-32-le"),
    "text/utf32be_no_bom.txt": lambda: _text(SEED_2016).encode("utf-32-be"),
    "text/utf16be_no_bom.txt": lambda: _text(SEED_2018).encode("utf-16-be"),
    "text/rare_han_agency.txt": _rare_han,
    "text/external_links.html": _external_links,
    "status/short_news_page.html": _news_page,
    "status/two_reports_two_years.txt": _two_reports,
    "status/spanned_cell_before_report.html": _spanned_cell_before_report,
    "numbers/requests_1e12.txt": lambda: _text(SEED_2017).replace(RECEIVED, "接到政府信息公开申请1000000000000件"),
    "numbers/requests_400_digits.txt": lambda: _text(SEED_2017).replace(RECEIVED, f"接到政府信息公开申请{'9' * 400}件"),
    "limits/span_amplification.html": _span_amplification,
    "limits/glued_48_digit_row.txt": _glued_48_digits,
    "limits/clause_of_40000_digits.txt": lambda: _text(SEED_2017) + "\n本年度网站点击量" + "1" * 40000 + "次。\n",
    "limits/clause_of_30000_numerals.txt": lambda: _text(SEED_2016) + "\n办理事项" + "一二三" * 10000 + "件。\n",
    "status/empty.html": lambda: b"",
    "status/binary.txt": lambda: bytes(range(256)) * 64,
    "status/spreadsheet.csv": lambda: "年份,申请数\n2017,2681\n",
}

CASES: tuple[Case, ...] = (
    Case("links/outside_absolute.html", "unreadable", "symlink to outside the input folder, not followed",
         "symlink to a system file"),
    Case("links/outside_relative.txt", "unreadable", "symlink to outside the input folder, not followed",
         "symlink ../ to a real report next to the folder"),
    Case("links/inside.txt", "duplicate", "same bytes as", "symlink to a report inside the folder: read, a duplicate"),
    Case("links/dangling.html", "unreadable", "dangling symlink", "dangling symlink"),
    Case("links/loop_a.html", "unreadable", "symlink loop", "symlink loop"),
    Case("links/loop_b.html", "unreadable", "symlink loop", "symlink loop"),
    Case("links/to_folder", "unreadable", "symlink to a folder, not followed", "symlink to a folder"),
    Case("special/pipe.html", "unreadable", "a FIFO (named pipe), not a regular file", "FIFO"),
    Case("special/null_device.txt", "unreadable", "a character device, not a regular file", "device"),
    Case("special/no_permission.txt", "unreadable", "could not be opened: Permission denied", "permission denied"),
    Case("special/locked_folder", "unreadable", "folder could not be listed: Permission denied", "unlistable folder"),
    Case("special/one_gib.html", "unreadable", "(1,073,741,824 bytes) exceeds the 32 MB limit: not read",
         "1 GiB file, size from stat"),
    Case(os.fsdecode(b"names/" + GBK_NAME), "duplicate", f"the same report as a_reports/{SEED_2017.name}",
         "GBK file name: read, and found to be the bundled report it copies"),
    Case("text/nul_every_500.txt", "duplicate", f"the same report as a_reports/{SEED_2017.name} (100% of sentences",
         "valid UTF-8 with a NUL every 500 characters: decodes to the same text as its original"),
    Case("text/gbk_declares_latin1.html", "duplicate",
         f"the same report as a_reports/{SHUYANG.name} (100% of sentences",
         "GBK page declaring iso-8859-1: decodes to the same text as its original"),
    Case("text/utf32le_no_bom.txt", "duplicate", f"the same report as a_reports/{SEED_2017.name} (100% of sentences",
         "UTF-32 LE without BOM"),
    Case("text/utf32be_no_bom.txt", "duplicate", f"the same report as a_reports/{SEED_2016.name} (100% of sentences",
         "UTF-32 BE without BOM"),
    Case("text/utf16be_no_bom.txt", "duplicate", f"the same report as a_reports/{SEED_2018.name} (100% of sentences",
         "UTF-16 BE without BOM"),
    Case("text/rare_han_agency.txt", "duplicate", f"the same report as a_reports/{SEED_2016.name}",
         "GB18030 four-byte character (𪚥): kept (test_characters_outside_the_basic_block_are_kept)"),
    Case("text/external_links.html", "duplicate", f"the same report as a_reports/{SHUYANG.name} (100% of sentences",
         "external links, images, iframes (no network)"),
    Case("status/short_news_page.html", "not_a_report", "too short for an annual report", "short news page"),
    Case("status/two_reports_two_years.txt", "needs_review", "the page holds 2 reports (2016, 2018)",
         "two reports in one page"),
    Case("status/spanned_cell_before_report.html", None, "", "spanned cell before the report, past the text cap"),
    Case("numbers/requests_1e12.txt", "quarantined", "value_plausible: requests_received = "
         "1,000,000,000,000 requests is beyond the plausible bound", "requests_received = 10^12"),
    Case("numbers/requests_400_digits.txt", "duplicate", f"the same report as a_reports/{SEED_2017.name}",
         "400-digit count: never read as a number (no inf), so the page is its original"),
    Case("limits/span_amplification.html", "duplicate", f"the same report as a_reports/{SHUYANG.name}",
         "30 000-character cell at rowspan=200 colspan=60 (grid capped before spans are copied)"),
    Case("limits/glued_48_digit_row.txt", "scored", "passed the blocking",
         "48-digit glued run in a table-3 row (bounded digit-run search)"),
    Case("limits/clause_of_40000_digits.txt", "duplicate", f"the same report as a_reports/{SEED_2017.name}",
         "a clause of 40 000 digits (linear scan)"),
    Case("limits/clause_of_30000_numerals.txt", "duplicate", f"the same report as a_reports/{SEED_2016.name}",
         "a clause of 30 000 Chinese numerals (linear scan)"),
    Case("status/empty.html", "unreadable", "empty file", "empty file"),
    Case("status/binary.txt", "unreadable", "binary content", "binary bytes"),
    Case("status/spreadsheet.csv", "unreadable", "file type '.csv' is not one the pipeline reads", "unsupported type"),
)


def build_hostile_folder(root: Path) -> Path:
    """Write the hostile folder under `root` (plus a report next to it, outside) and return it."""
    raw = root / "hostile"
    (raw / "a_reports").mkdir(parents=True)
    for source in (SEED_2016, SEED_2017, SEED_2018):
        shutil.copy(source, raw / "a_reports" / source.name)
    shutil.copy(SHUYANG, raw / "a_reports" / SHUYANG.name)
    outside = root / "outside_report.txt"
    shutil.copy(SEED_2017, outside)
    for name, write in WRITERS.items():
        path = raw / name
        path.parent.mkdir(parents=True, exist_ok=True)
        content = write()
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    for folder in ("links", "special", "names"):
        (raw / folder).mkdir(exist_ok=True)
    links = raw / "links"
    os.symlink("/etc/passwd", links / "outside_absolute.html")
    os.symlink("../../outside_report.txt", links / "outside_relative.txt")
    os.symlink(f"../a_reports/{SEED_2016.name}", links / "inside.txt")
    os.symlink("missing.html", links / "dangling.html")
    os.symlink("loop_b.html", links / "loop_a.html")
    os.symlink("loop_a.html", links / "loop_b.html")
    os.symlink("../a_reports", links / "to_folder")
    special = raw / "special"
    os.mkfifo(special / "pipe.html")
    os.mknod(special / "null_device.txt", 0o644 | stat.S_IFCHR, os.makedev(1, 3))
    shutil.copy(SEED_2018, special / "no_permission.txt")
    (special / "no_permission.txt").chmod(0)
    (special / "locked_folder").mkdir()
    shutil.copy(SEED_2018, special / "locked_folder" / "inside_locked.txt")
    (special / "locked_folder").chmod(0)
    with open(special / "one_gib.html", "wb") as huge:  # sparse: no disk used, 1 GiB by stat
        huge.truncate(ONE_GIB)
    (raw / "names").joinpath(os.fsdecode(GBK_NAME)).write_bytes(
        _text(SEED_2017).replace("办结2670件", "办结2671件").replace(RECEIVED, "接到政府信息公开申请2682件")
        .encode("utf-8"))
    return raw


def entries(raw: Path) -> list[str]:
    """Every entry of the folder a run must account for (not the folders it descends into)."""
    found = []
    for folder, subfolders, files in os.walk(raw):
        listable = [d for d in subfolders if not os.path.islink(os.path.join(folder, d))
                    and os.stat(os.path.join(folder, d)).st_mode & 0o500]
        found += [os.path.relpath(os.path.join(folder, n), raw) for n in files + subfolders if n not in listable]
        subfolders[:] = listable
    return sorted(found)


def run_without_privileges(command: list[str]) -> list[str]:
    """The command as root without the capabilities that read any file (so permission errors happen)."""
    return ["capsh", "--drop=cap_dac_override,cap_dac_read_search", "--", "-c", shlex.join(command)]
