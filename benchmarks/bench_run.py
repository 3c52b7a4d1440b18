"""The real path at corpus scale: `gov-pipeline run` (Dagster, Great Expectations, dbt) on generated
corpora (benchmarks/bench_corpus.py), against the floor of reading the same files to text.

    make bench                                   # 1 000 and 10 000 documents
    BENCH_N=100000 make bench                    # any sizes: BENCH_N=1000,100000
    .venv/bin/python benchmarks/bench_run.py --sizes 1000 --profile /tmp/profile.txt   # py-spy as well

Per size it prints, for every Dagster step (each asset and asset check, Great Expectations being the
`gx_reports_gate` check) and every dbt node (its run_results.json), the wall time, documents per second
and the peak memory of the whole process tree (RSS of the `gov-pipeline` process and all its children,
summed, sampled every SAMPLE_SECONDS: an upper bound, pages shared between forked processes count
twice); then the floor (read every file; HTML through selectolax/lexbor to text, text and markdown
decoded, PDFs through pypdfium2's text layer) and the ratio pipeline / floor; then the same figures for
`gov-pipeline backfill` of the corpus's largest report year on the warehouse the run wrote (what
re-materialising one year costs). The machine's load average is printed with every figure: on a shared
machine the numbers move with it."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import psutil
import pypdfium2
from selectolax.lexbor import LexborHTMLParser

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_corpus import generate, load_sources  # a sibling script, not a package

from gov_pipeline.config import PROJECT_ROOT

SAMPLE_SECONDS = 0.25
TARGET_DOCS, TARGET_SECONDS, TARGET_MEMORY = 100_000, 600, 2 * 2**30
DBT_TARGET = PROJECT_ROOT / "dbt_models" / "target"
BIN = Path(sys.executable).parent


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


@dataclass
class TreeMemory:
    """Samples the summed RSS of a process and all its descendants in a background thread."""

    pid: int
    samples: list[tuple[float, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _total(self) -> int:
        try:
            root = psutil.Process(self.pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0
        total = 0
        for process in processes:
            with contextlib.suppress(psutil.Error):  # exited between the listing and the read
                total += process.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.samples.append((time.time(), self._total()))

    def __enter__(self) -> TreeMemory:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def peak(self, start: float = 0.0, end: float = float("inf")) -> int:
        return max((rss for t, rss in self.samples if start <= t <= end), default=0)


@dataclass(frozen=True)
class Timed:
    name: str
    start: float  # epoch seconds
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


def floor(raw: Path) -> dict[str, float]:
    """Seconds to read every file of the folder to text, per format (the least any pipeline does)."""
    seconds: Counter[str] = Counter()
    for path in sorted(raw.iterdir()):
        started = time.perf_counter()
        data = path.read_bytes()
        if path.suffix in (".html", ".htm"):
            LexborHTMLParser(data).text(separator="\n")
            kind = "html (lexbor)"
        elif path.suffix == ".pdf":
            pdf = pypdfium2.PdfDocument(data)
            for page in pdf:
                page.get_textpage().get_text_bounded()
            pdf.close()
            kind = "pdf (pdfium text)"
        else:
            data.decode("utf-8", errors="replace")
            kind = "text/markdown (decode)"
        seconds[kind] += time.perf_counter() - started
    return dict(seconds)


def step_times(dagster_home: Path, run_id: str) -> list[Timed]:
    """Each Dagster step of the run, start to end, from the instance's event log."""
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        run = instance.get_run_by_id(run_id) or instance.get_runs(limit=1)[0]
        starts: dict[str, float] = {}
        steps = []
        for entry in instance.all_logs(run.run_id):
            event = entry.dagster_event
            if event is None or not entry.step_key:
                continue
            if event.event_type_value == "STEP_START":
                starts[entry.step_key] = entry.timestamp
            elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and entry.step_key in starts:
                steps.append(Timed(entry.step_key, starts[entry.step_key], entry.timestamp))
    return sorted(steps, key=lambda s: s.start)


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def dbt_times(run_id: str) -> list[Timed]:
    """Each dbt node of the run's `dbt build` (run_results.json of its target folder), compile to end."""
    folders = sorted(DBT_TARGET.glob(f"*-{run_id[:7]}*"), key=lambda p: p.stat().st_mtime)
    if not folders or not (folders[-1] / "run_results.json").exists():
        return []
    nodes = []
    for result in json.loads((folders[-1] / "run_results.json").read_text())["results"]:
        timing = result["timing"]
        if timing:
            nodes.append(Timed(result["unique_id"].replace("gov_pipeline_scoring.", ""),
                               _epoch(timing[0]["started_at"]), _epoch(timing[-1]["completed_at"])))
    shutil.rmtree(folders[-1], ignore_errors=True)  # a target folder per run would pile up
    return nodes


def run_pipeline(raw: Path, work: Path, profile: Path | None, *command_args: str) -> tuple[float, str, TreeMemory]:
    """A `gov-pipeline` command (`run` by default) on the folder, with the warehouse and Dagster instance
    of `work` (made fresh on the first call); (seconds, run id, memory samples)."""
    home = work / "dagster_home"
    if not home.exists():
        home.mkdir()
        shutil.copy(PROJECT_ROOT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    command = [str(BIN / "gov-pipeline"), *(command_args or ("run",)), "--raw-dir", str(raw),
               "--db", str(work / "warehouse.duckdb")]
    if profile is not None:
        command = [str(BIN / "py-spy"), "record", "--subprocesses", "-r", "20", "-f", "raw",
                   "-o", str(profile), "--", *command]
    env = os.environ | {"DAGSTER_HOME": str(home)}
    started = time.perf_counter()
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process, \
            TreeMemory(process.pid) as memory:
        output = process.communicate()[0]
    seconds = time.perf_counter() - started
    (work / "run.log").write_text(output)
    run_id = next((line.split("(run ")[1].split(",")[0] for line in output.splitlines() if "(run " in line), "")
    if process.returncode != 0:
        print(output[-3000:])
        print(f"gov-pipeline {command_args[0] if command_args else 'run'} exited with {process.returncode}")
    return seconds, run_id, memory


def print_steps(work: Path, run_id: str, docs: int, memory: TreeMemory) -> None:
    """The run's Dagster steps and its dbt nodes (the slowest 25, then the rest summed)."""
    print("Dagster steps:")
    for step in step_times(work / "dagster_home", run_id):
        print(_line(step.name, step.seconds, docs, memory.peak(step.start, step.end)))
    nodes = dbt_times(run_id)
    if nodes:
        print(f"dbt nodes ({len(nodes)}; the slowest 25, then the rest summed):")
        ranked = sorted(nodes, key=lambda n: -n.seconds)
        for node in ranked[:25]:
            print(_line(node.name, node.seconds, docs, memory.peak(node.start, node.end)))
        rest = ranked[25:]
        print(f"  {len(rest)} more nodes: {sum(n.seconds for n in rest):.2f} s")


def rematerialise_year(raw: Path, work: Path) -> None:
    """`gov-pipeline backfill` of one report year on the warehouse the run wrote (the year holding the
    most documents): what re-materialising one year costs next to the whole run."""
    with duckdb.connect(str(work / "warehouse.duckdb"), read_only=True) as conn:
        [(year, docs)] = conn.execute("select partition_key, count(*) from raw_documents where partition_key <> "
                                      "'unknown' group by 1 order by 2 desc, 1 limit 1").fetchall()
    seconds, run_id, memory = run_pipeline(raw, work, None, "backfill", "--from", year, "--to", year)
    print(f"\ngov-pipeline backfill --from {year} --to {year} ({docs:,} documents of the year): {seconds:.1f} s, "
          f"peak {memory.peak() / 2**20:.0f} MiB; {load()}")
    print_steps(work, run_id, docs, memory)


def _line(name: str, seconds: float, docs: int, peak: int) -> str:
    rate = docs / seconds if seconds > 0 else float("inf")
    return f"  {name[:58]:58s} {seconds:8.2f} s {rate:9.0f} docs/s {peak / 2**20:7.0f} MiB"


def top_frames(profile: Path, count: int = 25) -> Iterator[str]:
    """The functions most often on the stack (inclusive) and on top of it (self) in a py-spy raw file."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in profile.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        if not stack or not samples.isdigit():
            continue
        frames = [frame.split(" (")[0] + " (" + frame.split(" (")[-1].split(":")[0].split("/")[-1] + ")"
                  for frame in stack.split(";")]
        weight = int(samples)
        total += weight
        own[frames[-1]] += weight
        for frame in set(frames):
            inclusive[frame] += weight
    yield f"profile: {total} samples"
    yield "  self (top of stack):"
    yield from (f"    {n / total:6.1%}  {frame}" for frame, n in own.most_common(count))
    yield "  inclusive:"
    yield from (f"    {n / total:6.1%}  {frame}" for frame, n in inclusive.most_common(count))


def bench(size: int, sources: Sequence, profile: Path | None) -> None:
    with tempfile.TemporaryDirectory(prefix="gov_bench_") as tmp:
        work = Path(tmp)
        raw = work / "raw"
        started = time.perf_counter()
        size_bytes = generate(raw, size, sources=sources)
        kinds = Counter(p.suffix for p in raw.iterdir())
        print(f"\n== {size:,} documents, {size_bytes / 2**20:.0f} MB "
              f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}), generated in "
              f"{time.perf_counter() - started:.0f} s; {load()}")
        floor_seconds = floor(raw)
        seconds, run_id, memory = run_pipeline(raw, work, profile)
        print(f"gov-pipeline run: {seconds:.1f} s, {size / seconds:.0f} docs/s, peak {memory.peak() / 2**20:.0f} MiB "
              f"summed over the process tree; {load()}  (run {run_id}, "
              f"{os.environ.get('GOV_PIPELINE_WORKERS') or os.cpu_count()} workers)")
        print_steps(work, run_id, size, memory)
        floor_total = sum(floor_seconds.values())
        print(f"floor (read + to text): {floor_total:.2f} s, {size / floor_total:.0f} docs/s  "
              + ", ".join(f"{kind} {s:.2f} s" for kind, s in sorted(floor_seconds.items())))
        print(f"pipeline / floor: 1/{seconds / floor_total:.0f}   (target >= 1/10)")
        projected = seconds / size * TARGET_DOCS
        print(f"at this rate {TARGET_DOCS:,} documents take {projected / 60:.1f} min "
              f"(target < {TARGET_SECONDS / 60:.0f}); "
              f"peak {memory.peak() / 2**30:.2f} GiB (target < {TARGET_MEMORY / 2**30:.0f} GiB)")
        if profile is not None:
            print("\n".join(top_frames(profile)))
        rematerialise_year(raw, work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_N") or "1000,10000",
                        help="comma-separated corpus sizes (default: $BENCH_N or 1000,10000)")
    parser.add_argument("--profile", type=Path, help="also record the run with py-spy into this raw file")
    args = parser.parse_args()
    sources = load_sources()
    for size in (int(s) for s in args.sizes.split(",")):
        bench(size, sources, args.profile)


if __name__ == "__main__":
    main()
