"""A crawl: URL-list entries and column pages in, one fetch_log row per URL attempt out, report bytes
into the store. Re-running is cheap and safe: a URL fetched before is asked for conditionally
(If-None-Match / If-Modified-Since), a 304 re-uses what the earlier fetch found (its stored file or the
links it followed), and the store keeps each content once, so a crawl killed midway resumes by running
it again."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import duckdb

from gov_pipeline.collect.client import Client, Politeness, Response
from gov_pipeline.collect.pages import Link, document_kind, read_page, year_in
from gov_pipeline.collect.store import Store
from gov_pipeline.warehouse.store import ensure_tables, frame, replacing

T = TypeVar("T")
STORE_FOLDER = "fetched"  # the store's folder inside the raw folder
_LINK_FIELDS = ("url", "role", "title", "year_hint", "column_root")  # what a 304 needs to follow again


@dataclass(frozen=True)
class Target:
    """A URL to fetch and why. role: url (from a URL list) | column (a column page or its next page)
    | item (a report link of a column) | attachment (a detail page's attachment)."""

    url: str
    role: str = "url"
    found_on: str | None = None
    title: str | None = None
    agency_hint: str | None = None
    level_hint: str | None = None
    year_hint: int | None = None
    column_root: str | None = None  # the column a column page belongs to (for the page cap)


@dataclass
class CrawlSummary:
    crawl_id: str
    outcomes: Counter[str]
    wire_bytes: int
    stored_new: int

    def __str__(self) -> str:
        counts = ", ".join(f"{name} {count}" for name, count in sorted(self.outcomes.items()))
        return (f"crawl {self.crawl_id}: {sum(self.outcomes.values())} URL attempts ({counts}); "
                f"{self.wire_bytes} bytes downloaded, {self.stored_new} new files in the store")


class FetchLog:
    """fetch_log in the warehouse: appended one committed row at a time, so a killed crawl keeps every
    attempt it finished."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self.conn = conn
        ensure_tables(conn, ["fetch_log"])

    def append(self, row: dict[str, Any]) -> None:
        with replacing(self.conn, {"fetch_log": "false"}) as write:
            write("fetch_log", frame("fetch_log", [row]))

    def previous(self, url: str) -> dict[str, Any] | None:
        """The URL's latest full (2xx) response: its validators, stored file and followed links."""
        found = self.conn.execute(
            "select etag, last_modified, sha256, stored_path, outcome, reason, links from fetch_log "
            "where url = ? and http_status between 200 and 299 order by fetched_at desc limit 1", [url]).fetchall()
        keys = ("etag", "last_modified", "sha256", "stored_path", "outcome", "reason", "links")
        return dict(zip(keys, found[0], strict=True)) if found else None


def _conditional_headers(previous: dict[str, Any] | None, raw_dir: Path) -> dict[str, str]:
    """Validators of the earlier response, unless what it stored has gone from the store since."""
    if previous is None or (previous["stored_path"] and not (raw_dir / previous["stored_path"]).exists()):
        return {}
    headers = {}
    if previous["etag"]:
        headers["If-None-Match"] = previous["etag"]
    if previous["last_modified"]:
        headers["If-Modified-Since"] = previous["last_modified"]
    return headers


class Crawl:
    def __init__(self, conn: duckdb.DuckDBPyConnection, raw_dir: Path, politeness: Politeness,
                 max_pages: int | None) -> None:
        self.log = FetchLog(conn)
        self.raw_dir = raw_dir
        self.store = Store(raw_dir / STORE_FOLDER)
        self.politeness = politeness
        self.max_pages = max_pages  # column pages per column; None = all
        self.summary = CrawlSummary(uuid.uuid4().hex[:12], Counter(), 0, 0)
        self._seen: set[str] = set()
        self._skipped: set[str] = set()
        self._pages: Counter[str] = Counter()
        self._tasks: set[asyncio.Task[None]] = set()

    def record(self, target: Target, outcome: str, reason: str, response: Response | None = None,
               **extra: Any) -> None:
        response = response or Response(target.url)
        self.log.append({
            "crawl_id": self.summary.crawl_id, "url": target.url, "final_url": response.final_url,
            "found_on": target.found_on, "role": target.role, "title": target.title,
            "http_status": response.status, "etag": response.etag, "last_modified": response.last_modified,
            "content_type": response.content_type or None, "fetched_at": response.fetched_at,
            "bytes": len(response.body), "wire_bytes": response.wire_bytes, "attempts": response.attempts,
            "outcome": outcome, "reason": reason, "agency_hint": target.agency_hint,
            "level_hint": target.level_hint, "year_hint": target.year_hint} | extra)
        self.summary.outcomes[outcome] += 1
        self.summary.wire_bytes += response.wire_bytes

    def _drain_robots(self, client: Client) -> None:
        while client.robots_fetches:
            robots = client.robots_fetches.pop(0)
            self.record(Target(robots.url, role="robots"), "robots", robots.reason,
                        Response(robots.url, status=robots.status, fetched_at=robots.fetched_at,
                                 wire_bytes=robots.wire_bytes))

    def enqueue(self, client: Client, target: Target) -> None:
        if target.url in self._seen:
            return
        if target.role == "column":
            root = target.column_root or target.url
            if self.max_pages is not None and self._pages[root] >= self.max_pages:
                return
            self._pages[root] += 1
        self._seen.add(target.url)
        task = asyncio.create_task(self._visit(client, target))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _children(self, target: Target, links: Sequence[Link], role: str) -> list[Target]:
        return [Target(link.url, role, target.url, link.title or None, target.agency_hint, target.level_hint,
                       year_in(link.title) or target.year_hint,
                       (target.column_root or target.url) if role == "column" else None)
                for link in links]

    async def _off_loop(self, function: Callable[..., T], *args: Any) -> T:
        """Warehouse writes and page parsing run on one worker thread, one at a time (one DuckDB
        connection), so the event loop stays free to send requests at the moment their turn comes."""
        return await asyncio.get_running_loop().run_in_executor(self._worker, function, *args)

    async def _visit(self, client: Client, target: Target) -> None:
        if urlsplit(target.url).scheme not in ("http", "https"):
            await self._off_loop(self.record, target, "unsupported", "only http and https URLs are fetched")
            return
        previous = await self._off_loop(self.log.previous, target.url)
        response = await client.fetch(target.url, _conditional_headers(previous, self.raw_dir))
        await self._off_loop(self._drain_robots, client)
        for child in await self._off_loop(self._handle, target, response, previous):
            self.enqueue(client, child)

    def _handle(self, target: Target, response: Response, previous: dict[str, Any] | None) -> list[Target]:
        """Record the attempt; return what to fetch next."""
        if response.outcome:
            self.record(target, response.outcome, response.reason or "", response)
            return []
        status = response.status or 0
        if status == 304 and previous is not None:
            links = json.loads(previous["links"]) if previous["links"] else None
            self.record(target, "not_modified", f"unchanged since the last fetch ({previous['outcome']}: "
                        f"{previous['reason']})", response, sha256=previous["sha256"],
                        stored_path=previous["stored_path"], links=links)
            return [Target(**{**vars(target), **child, "found_on": target.url}) for child in links or []]
        if status in (401, 403, 412):
            self.record(target, "blocked", f"HTTP {status}: a login wall or an anti-bot challenge (412 is what "
                        "JavaScript cookie challenges answer)", response)
            return []
        if not 200 <= status < 300:
            self.record(target, "failed", f"HTTP {status}", response)
            return []
        suffix = document_kind(response.body, response.content_type, response.final_url or target.url)
        if suffix is None:
            self.record(target, "unsupported", f"not a document: {response.content_type or 'no content type'}",
                        response)
            return []
        if suffix == ".html":
            reading = read_page(response.body, response.final_url or target.url, is_column=target.role == "column")
            if reading.kind != "document":
                role = "attachment" if reading.kind == "attachment_page" else "item"
                children = (self._children(target, reading.follow, role)
                            + self._children(target, reading.next_pages, "column"))
                for skipped in self._children(target, reading.skipped, "item"):
                    if skipped.url in self._skipped:
                        continue  # once per crawl (navigation repeats on every column page)
                    self._skipped.add(skipped.url)
                    self.record(skipped, "skipped",
                                "link title does not look like an annual report (年度报告 / 年报 with a year)")
                self.record(target, reading.kind, reading.reason, response,
                            links=[{k: v for k, v in vars(c).items() if k in _LINK_FIELDS} for c in children] or None)
                return children
        stored = self.store.put(response.body, suffix)
        self.summary.stored_new += stored.new
        self.record(target, "stored", ("new file" if stored.new else "same bytes already in the store")
                    + f" ({suffix[1:]}, {len(response.body)} bytes)", response, sha256=stored.sha256,
                    stored_path=stored.path.relative_to(self.raw_dir).as_posix())
        return []

    async def run(self, targets: Sequence[Target]) -> CrawlSummary:
        self.store.remove_partials()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="fetch_log") as self._worker:
            async with Client(self.politeness) as client:
                for target in targets:
                    self.enqueue(client, target)
                while self._tasks:
                    await asyncio.gather(*list(self._tasks))
        return self.summary



def crawl(conn: duckdb.DuckDBPyConnection, raw_dir: Path, targets: Sequence[Target],
          politeness: Politeness | None = None, max_pages: int | None = None) -> CrawlSummary:
    """Fetch the targets (and what their pages lead to) into `raw_dir`/fetched, logging to fetch_log."""
    return asyncio.run(Crawl(conn, raw_dir, politeness or Politeness(), max_pages).run(targets))
