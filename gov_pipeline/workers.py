"""The process pool the stage runners share: documents in chunks, mapped in spawned worker processes
in order, with a bounded number of tasks in flight."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
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


def parallel_map(function: Callable[[T], R], tasks: Iterable[T], documents: int) -> Iterator[R]:
    """Map over tasks in worker processes (spawned: the caller may be a threaded Dagster process), in
    order; runs inline when there are few documents or one worker. One pool per call (spawning one
    costs about a second); `tasks` may be lazy: only a few tasks per worker are in flight, so the
    caller reads the next batch from the warehouse while the workers compute, in bounded memory."""
    workers = worker_count()
    if (workers == 1 or documents < PARALLEL_THRESHOLD) and can_time():  # the time budget needs the main thread
        yield from map(function, tasks)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        in_flight: deque[Future[R]] = deque()
        for task in tasks:
            in_flight.append(pool.submit(function, task))
            if len(in_flight) >= IN_FLIGHT_PER_WORKER * workers:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()
