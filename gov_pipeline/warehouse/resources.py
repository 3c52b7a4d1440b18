"""Resources: the warehouse connection (with its writer lock), the folder of raw documents, and dbt
kept offline."""

from __future__ import annotations

import importlib.metadata
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DbtCliInvocation, DbtCliResource
from dagster_duckdb import DuckDBResource
from packaging import version
from pydantic import PrivateAttr

from gov_pipeline.warehouse.writer_lock import writer_lock

BUFFER_POOL = "1GB"  # DuckDB's memory_limit in each process that opens the warehouse (the run's, dbt's)


class RawFolder(dg.ConfigurableResource):
    """The folder searched (recursively) for raw report files."""

    path: str

    @property
    def root(self) -> Path:
        return Path(self.path)


class Warehouse(DuckDBResource):
    """The DuckDB warehouse, held with its writer lock for the whole run (see writer_lock.py): a run
    launched while another writes the same file waits `lock_wait_seconds`, then fails before any step.
    DuckDB's buffer pool is capped at `memory_limit` (it keeps what it wrote cached up to 80 % of the
    machine otherwise, so the run's memory would grow with the corpus); set by SQL, not as connection
    configuration, so other connections to the same file need no matching configuration."""

    lock_wait_seconds: float = 0.0
    memory_limit: str = BUFFER_POOL
    _lock: ExitStack = PrivateAttr(default_factory=ExitStack)

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with super().get_connection() as conn:
            conn.execute("set memory_limit = ?", [self.memory_limit])
            yield conn

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        def tell(message: str) -> None:
            if context.log is not None:
                context.log.info(message)

        self._lock.enter_context(writer_lock(Path(self.database), self.lock_wait_seconds, tell))

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self._lock.close()


class OfflineDbtCli(DbtCliResource):
    """dbt without network, on the warehouse Dagster writes. dagster-dbt asks `dbt --version` for the
    version, and that command always looks up the latest release on PyPI: the installed package's
    version answers the same question offline. (Usage statistics are off through
    DBT_SEND_ANONYMOUS_USAGE_STATS, which dagster-dbt sets, and dbt_project.yml's flags.) The warehouse
    path and the buffer-pool cap reach profiles.yml as vars of every invocation, not through the
    environment."""

    duckdb_path: str
    memory_limit: str = BUFFER_POOL

    def cli(self, args: Sequence[str], *, variables: Mapping[str, Any] | None = None,
            **kwargs: Any) -> DbtCliInvocation:
        """dbt with the warehouse vars and the caller's own (`variables`)."""
        every = {"duckdb_path": self.duckdb_path, "memory_limit": self.memory_limit, **(variables or {})}
        return super().cli([*args, "--vars", json.dumps(every)], **kwargs)

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))
