"""CPU cost of the per-document code (document.process_document: cleaning → structure → facts →
checks) on the generated benchmark corpus (bench_corpus.py), in one process: no pool, no warehouse.

    .venv/bin/python benchmarks/bench_documents.py --docs 2000 [--digest] [--corpus DIR]

Prints CPU-ms per document overall, per content type and per stage (each stage function of
document.py timed around the calls process_document makes). `--digest` prints a SHA-256 over every
document's rows (DocumentResult.rows(), in file order): equal digests before and after a change show
that it left every output byte-identical. `--corpus DIR` keeps the generated corpus in DIR and reuses
it when DIR already holds files (generation itself runs the pipeline's code, so compare digests on a
freshly generated corpus as well)."""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_corpus import generate  # a sibling script, not a package

from gov_pipeline import document
from gov_pipeline.ingest.inventory import read_raw

STAGES = ("clean", "structure", "facts", "checks")  # the stage functions of document.py, in run order


def timed_stages(totals: dict[str, float]) -> None:
    """Wrap each stage function of document.py so that its CPU time adds to totals[stage]."""
    for name in STAGES:
        stage = getattr(document, name)

        def wrapper(*args: Any, _stage: Callable[..., Any] = stage, _name: str = name) -> Any:
            start = time.process_time()
            try:
                return _stage(*args)
            finally:
                totals[_name] += time.process_time() - start

        setattr(document, name, wrapper)


def run(raw_dir: Path, digest: bool) -> None:
    stage_seconds: dict[str, float] = defaultdict(float)
    timed_stages(stage_seconds)
    by_type: dict[str, list[float]] = defaultdict(list)
    sha = hashlib.sha256()
    paths = sorted(p for p in raw_dir.iterdir() if p.is_file())
    for path in paths:
        data = path.read_bytes()
        start = time.process_time()
        raw = read_raw(path, raw_dir, data)
        result = document.process_document(raw, data)
        by_type[raw.content_type].append(time.process_time() - start)
        if digest:
            sha.update(path.name.encode())
            sha.update(repr(result.rows()).encode())
    every = [s for seconds in by_type.values() for s in seconds]
    print(f"{len(every)} documents: {1000 * sum(every) / len(every):.2f} CPU-ms/doc "
          f"({sum(every):.1f} CPU-s, read_raw included)")
    for content_type, seconds in sorted(by_type.items()):
        print(f"  {content_type:9} {len(seconds):5} docs  {1000 * sum(seconds) / len(seconds):7.2f} ms/doc  "
              f"{100 * sum(seconds) / sum(every):5.1f}% of the time")
    for name in STAGES:
        print(f"  stage {name:10} {1000 * stage_seconds[name] / len(every):7.2f} ms/doc")
    if digest:
        print(f"digest {sha.hexdigest()}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--digest", action="store_true")
    parser.add_argument("--corpus", type=Path, help="keep (or reuse) the generated corpus here")
    args = parser.parse_args()
    if args.corpus:
        args.corpus.mkdir(parents=True, exist_ok=True)
        if not any(args.corpus.iterdir()):
            generate(args.corpus, args.docs)
        run(args.corpus, args.digest)
        return
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), args.docs)
        run(Path(tmp), args.digest)


if __name__ == "__main__":
    main()
