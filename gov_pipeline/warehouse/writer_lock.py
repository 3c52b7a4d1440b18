"""One writer per warehouse file: an exclusive advisory lock (`flock`) on `<warehouse>.lock`, held for
a whole run. The CLI takes it before Dagster starts anything, the Dagster warehouse resource takes it
when a run initialises its resources (so a run launched from the UI is covered too), and within one
process the lock is re-entrant. A second writer either waits (up to a timeout, saying so) or stops at
once with `WarehouseBusy`, before any stage runs. The kernel drops the lock when its holder dies, so
a killed run never leaves the warehouse locked."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

POLL_SECONDS = 0.25
_HELD: dict[str, int] = {}  # lock file -> how many times this process holds it


class WarehouseBusy(RuntimeError):
    """Another process is writing the warehouse."""


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def _holder(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, 200).decode("utf-8", "replace").strip() or "another process"


@contextmanager
def writer_lock(db_path: Path, wait_seconds: float = 0.0, on_wait: Callable[[str], None] | None = None
                ) -> Iterator[None]:
    """Hold the warehouse's writer lock for the enclosed work; wait up to `wait_seconds` for it (telling
    `on_wait` once), then raise WarehouseBusy naming the holder."""
    path = lock_path(db_path.resolve())
    key = str(path)
    if key in _HELD:
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline, told = time.monotonic() + wait_seconds, False
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(fd)
                if time.monotonic() >= deadline:
                    waited = f" after waiting {wait_seconds:g} s" if wait_seconds > 0 else ""
                    raise WarehouseBusy(f"another run is writing {db_path} ({holder}){waited}; nothing was run. "
                                        "Wait for it to finish, or pass --wait SECONDS to queue behind it.") from None
                if not told and on_wait is not None:
                    on_wait(f"waiting up to {wait_seconds:g} s for the writer lock on {db_path} ({holder})")
                    told = True
                time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.write(fd, f"run by pid {os.getpid()} since {datetime.now():%Y-%m-%d %H:%M:%S}".encode())
        _HELD[key] = 1
        try:
            yield
        finally:
            del _HELD[key]
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
