"""The content-addressed store: fetched document bytes exactly as received (after the HTTP transfer
encoding, before any charset decoding), one file per distinct content, named by its sha256. It lives
inside the raw folder, so the raw catalog reads it like any other input; a file's doc_id there is the
same sha256 fetch_log records."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

PARTIAL = ".part"  # a write in progress; not a suffix the raw catalog reads


@dataclass(frozen=True)
class Stored:
    sha256: str
    path: Path
    new: bool  # False when the same bytes were already in the store


class Store:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str, suffix: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}{suffix}"

    def put(self, data: bytes, suffix: str) -> Stored:
        """Keep the bytes once: written to a temporary name, flushed, then renamed, so a crawl killed
        mid-write never leaves a truncated document where the catalog reads."""
        sha256 = hashlib.sha256(data).hexdigest()
        path = self.path_for(sha256, suffix)
        if path.exists():
            return Stored(sha256, path, False)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + PARTIAL)
        with open(partial, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
        return Stored(sha256, path, True)

    def remove_partials(self) -> int:
        """Delete writes a killed crawl left unfinished; returns how many."""
        leftovers = list(self.root.rglob(f"*{PARTIAL}")) if self.root.exists() else []
        for path in leftovers:
            path.unlink()
        return len(leftovers)
