"""The process pool the stage runners share: documents in chunks, mapped in spawned worker processes
in order, with a bounded number of tasks in flight. One pool per process (and worker count), started
on first use and kept until the process exits or `release_workers()`: a spawned worker imports the stage
code (1-2 s), so a run pays that once, not once per stage. Workers read no configuration: callers put what a task needs
in the task."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import TypeVar

from gov_pipeline.budget import can_time
from gov_pipeline.config import settings

T = TypeVar("T")
R = TypeVar("R")
CHUNK = 32  # documents per worker task
PARALLEL_THRESHOLD = 24  # below this many documents a worker pool costs more than it saves
IN_FLIGHT_PER_WORKER = 8  # tasks submitted ahead of the results read back


_inline = False  # set in a process that is itself one worker of a larger pool (shards.run_shard)
_pools: dict[int, ProcessPoolExecutor] = {}  # by worker count; ProcessPoolExecutor joins them at exit


def worker_count() -> int:
    return 1 if _inline else settings().workers


@contextmanager
def inline() -> Iterator[None]:
    """Run every stage of this process inline: a shard worker is itself the unit of parallelism."""
    global _inline
    before, _inline = _inline, True
    try:
        yield
    finally:
        _inline = before


def chunks(items: Sequence[T], size: int = CHUNK) -> list[Sequence[T]]:
    return [items[start:start + size] for start in range(0, len(items), size)]


def _pool(workers: int) -> ProcessPoolExecutor:
    if workers not in _pools:  # spawned: the caller may be a threaded Dagster process
        _pools[workers] = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    return _pools[workers]


def release_workers() -> None:
    """Stop the idle pools (each worker holds ~180 MB): a run calls it once its last per-document step is
    done, so the dbt build after it has the memory."""
    while _pools:
        _pools.popitem()[1].shutdown(wait=True)


def parallel_map(function: Callable[[T], R], tasks: Iterable[T], documents: int) -> Iterator[R]:
    """Map over tasks in the worker processes, in order; runs inline when there are few documents or
    one worker. `tasks` may be lazy: only a few tasks per worker are in flight, so the caller reads
    the next batch while the workers compute, in bounded memory. A pool a worker died in is dropped
    (the next call starts a new one)."""
    workers = worker_count()
    if (workers == 1 or documents < PARALLEL_THRESHOLD) and can_time():  # the time budget needs the main thread
        yield from map(function, tasks)
        return
    pool = _pool(workers)
    in_flight: deque[Future[R]] = deque()
    try:
        for task in tasks:
            in_flight.append(pool.submit(function, task))
            if len(in_flight) >= IN_FLIGHT_PER_WORKER * workers:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()
    except BrokenProcessPool:
        _pools.pop(workers, None)
        raise
    finally:  # the caller stopped early (an error): what it will not read is not computed
        for future in in_flight:
            future.cancel()
