"""Resources: the warehouse connection and the folder of raw documents."""

from __future__ import annotations

from pathlib import Path

import dagster as dg


class RawFolder(dg.ConfigurableResource):
    """The folder searched (recursively) for raw report files."""

    path: str

    @property
    def root(self) -> Path:
        return Path(self.path)
