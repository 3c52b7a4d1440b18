"""What `gov-pipeline run` shows while it works: a rich progress display fed by the Dagster run's own
events (steps started and finished, materialisations with their row counts, check results) and by
dbt's output, folded into one progress bar over its nodes. Leaves one line per stage behind (rows,
time, rate) and the numbers the closing summary needs."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from typing import Self, TextIO

import dagster as dg
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

# dbt's own progress lines: "12 of 103 START sql view model main.stg_reports ....... [RUN]"
DBT_NODE = re.compile(r"^\s*\d+ of (\d+) (START|OK|PASS|WARN|ERROR|FAIL|SKIP)\b\s*(.*?)\s*(?:\.{2,}.*)?$")
DBT_DONE = re.compile(r"^Done\. (PASS=.*)$")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
DBT_ERROR = re.compile(r"\berror\b", re.IGNORECASE)  # dbt's other lines are chatter; these are kept


@dataclass
class StageTime:
    """One Dagster step: when it ran and the rows of the tables it wrote."""

    step: str
    started: float
    seconds: float | None = None
    rows: dict[str, int] = field(default_factory=dict)
    dbt: bool = False  # the step ran dbt (its rate is in nodes, not rows)


@dataclass
class RunProgress:
    """Live progress of one run, and what it leaves for the summary."""

    console: Console
    steps_total: int
    verbose: bool = False
    stages: dict[str, StageTime] = field(default_factory=dict)
    checks: dict[str, int] = field(default_factory=lambda: {"passed": 0, "warn": 0, "error": 0})
    dbt_problems: list[str] = field(default_factory=list)
    dbt_done: str | None = None

    def __post_init__(self) -> None:
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                                 console=self.console, transient=True)
        self.steps = self.progress.add_task("starting", total=self.steps_total, rate="")
        self.dbt: TaskID | None = None
        self.dbt_started = 0.0

    def __enter__(self) -> Self:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    # ------------------------------------------------------------ Dagster events
    def on_event(self, event: dg.DagsterEvent) -> None:
        step = event.step_key or ""
        kind = event.event_type
        if kind == dg.DagsterEventType.STEP_START:
            self.stages[step] = StageTime(step, time.monotonic())
            self.progress.update(self.steps, description=f"running {step}")
        elif kind in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
            stage = self.stages.get(step)
            if stage is not None:
                stage.seconds = time.monotonic() - stage.started
                if stage.rows or kind == dg.DagsterEventType.STEP_FAILURE:
                    self.console.print(self.stage_line(stage, failed=kind == dg.DagsterEventType.STEP_FAILURE),
                                       highlight=False, soft_wrap=True)
            self.progress.advance(self.steps)
        elif kind == dg.DagsterEventType.ASSET_MATERIALIZATION and step in self.stages:
            materialization = event.event_specific_data.materialization  # type: ignore[union-attr]
            rows = materialization.metadata.get("dagster/row_count")
            if rows is not None and isinstance(rows.value, int):
                self.stages[step].rows[materialization.asset_key.to_user_string()] = rows.value
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if evaluation.passed:  # type: ignore[union-attr]
                self.checks["passed"] += 1
            else:
                self.checks["error" if evaluation.severity == dg.AssetCheckSeverity.ERROR else "warn"] += 1  # type: ignore[union-attr]

    @staticmethod
    def stage_line(stage: StageTime, failed: bool = False) -> str:
        seconds = stage.seconds or 0.0
        if failed:
            return f"✗ {stage.step} FAILED after {seconds:.1f}s"
        rows = sum(stage.rows.values())
        tables = ", ".join(f"{name} {count}" for name, count in stage.rows.items()) if len(stage.rows) <= 3 \
            else f"{len(stage.rows)} tables, {rows} rows"
        rate = f", {rows / seconds:,.0f} rows/s" if seconds >= 1 and rows and not stage.dbt else ""
        return f"✓ {stage.step:<20} {seconds:6.1f}s  {tables}{rate}"

    # ------------------------------------------------------------ dbt's output
    def on_dbt_line(self, line: str) -> bool:
        """Fold one line of dbt's output into the progress bar; False for a line to show (an error)."""
        line = ANSI.sub("", line).rstrip()
        node = DBT_NODE.match(line)
        if node:
            for stage in self.stages.values():
                stage.dbt = stage.dbt or stage.seconds is None
            total, status, name = int(node.group(1)), node.group(2), node.group(3)
            if self.dbt is None:
                self.dbt = self.progress.add_task("dbt build", total=total, rate="")
                self.dbt_started = time.monotonic()
            if status != "START":
                self.progress.advance(self.dbt)
                elapsed = time.monotonic() - self.dbt_started
                done = self.progress.tasks[self.dbt].completed
                self.progress.update(self.dbt, rate=f"{done / elapsed:.0f} nodes/s" if elapsed else "",
                                     description=f"dbt {name.split()[-1] if name else ''}"[:60])
            if status in ("WARN", "ERROR", "FAIL"):
                self.dbt_problems.append(f"{status} {name}")
            return True
        finished = DBT_DONE.match(line)
        if finished:
            self.dbt_done = finished.group(1)
        return bool(finished) or not DBT_ERROR.search(line)


class FoldedStdout:
    """sys.stdout while a quiet run works: dbt's lines go to the progress display, anything else that
    is not dbt chatter is printed as it comes."""

    def __init__(self, progress: RunProgress, real: TextIO) -> None:
        self.progress, self.real, self.pending = progress, real, ""

    def write(self, text: str) -> int:
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            if not self.progress.on_dbt_line(line):
                self.progress.console.print(line, highlight=False, markup=False, soft_wrap=True)
        return len(text)

    def flush(self) -> None:
        self.real.flush()

    def isatty(self) -> bool:
        return False


class EventHandler(logging.Handler):
    """Hands each Dagster event of the run to the progress display."""

    def __init__(self, progress: RunProgress) -> None:
        super().__init__(logging.DEBUG)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "dagster_meta", {}).get("dagster_event")
        if event is not None:
            self.progress.on_event(event)


def progress_logger(progress: RunProgress) -> dg.LoggerDefinition:
    """A Dagster logger that feeds `progress` (added to the CLI's run only, never to the code location)."""

    @dg.logger(config_schema={}, description="feeds the CLI's progress display")
    def feed(_: dg.InitLoggerContext) -> logging.Logger:
        log = logging.getLogger("gov_pipeline.run_progress")
        log.setLevel(logging.DEBUG)
        log.propagate = False
        log.handlers = [EventHandler(progress)]
        return log

    return feed
