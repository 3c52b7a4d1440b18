"""A time budget per document: one hostile document must never stall a run.

Mechanism: an interval timer (SIGALRM via `signal.setitimer`) armed around each document's work in
the process that does it — a worker of the process pool, or the coordinating process when a stage
runs inline. When it fires, the signal handler raises `BudgetExceeded` inside that document's work;
the stage records the document as unreadable and goes on with the next one, so the pool and its
workers survive (no worker is killed, no task is lost). The timer needs the main thread of its
process: parallel_map only runs a stage inline there, and uses worker processes otherwise.

Limit: a signal handler runs between Python bytecodes, so one long call into C code (a single
regular-expression match, a PDF library call) is stopped when it returns, not during it; the stage
code keeps such calls bounded (caps on text and grid size, linear-time patterns)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from gov_pipeline.config import document_seconds


class BudgetExceeded(Exception):
    """A document's work ran past its time budget."""


def can_time() -> bool:
    """Whether this thread can arm the timer (signals are delivered to the main thread only)."""
    return threading.current_thread() is threading.main_thread()


def exceeded_reason(seconds: float | None = None) -> str:
    return f"processing exceeded {seconds if seconds is not None else document_seconds():g} s"


@contextmanager
def time_budget(seconds: float | None = None) -> Iterator[None]:
    """Raise BudgetExceeded in the enclosed work once it has run `seconds` (the configured budget by
    default); a no-op for a budget of 0 or off the main thread."""
    seconds = document_seconds() if seconds is None else seconds
    if seconds <= 0 or not can_time():
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise BudgetExceeded(exceeded_reason(seconds))

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
