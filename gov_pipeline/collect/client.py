"""Polite HTTP: httpx for transport (pool limits, timeouts, redirect cap, content decoding), protego
for robots.txt, tenacity for retries. Every request, redirect hops and retries included, passes one
hook that checks robots.txt; the per-host spacing is kept at the moment the request headers go out
(httpcore's trace callback, after any connection setup), and a semaphore per host caps concurrent
fetches."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Self

import httpx
from protego import Protego
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

USER_AGENT = ("gov_pipeline-collector/0.1 (+open data on government information-disclosure annual reports; "
              "honours robots.txt; one request every few seconds per site)")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ROBOTS_PATH = "/robots.txt"
_ROBOTS_REQUEST = "gov_pipeline_robots"


@dataclass(frozen=True)
class Politeness:
    """How hard one crawl may press a site. Defaults suit real government sites; tests shrink the
    delays."""

    user_agent: str = USER_AGENT
    min_interval: float = 3.0  # seconds between request starts to one host (robots Crawl-delay if longer)
    per_host: int = 2  # concurrent fetches per host
    max_connections: int = 8  # the whole pool
    timeout: float = 20.0  # connect / read / write / pool timeout of one request
    attempt_timeout: float = 120.0  # one attempt end to end (a slow drip cannot hold a fetch forever)
    attempts: int = 4
    backoff: float = 2.0  # first retry delay; doubles, plus up to as much jitter
    backoff_max: float = 120.0
    retry_after_max: float = 300.0  # a longer Retry-After is cut to this
    max_redirects: int = 5
    max_bytes: int = 20 * 2**20


class Disallowed(Exception):
    """robots.txt forbids the URL (raised before the request is sent)."""


class TooLarge(Exception):
    """The body is over the size cap (checked while streaming)."""


class RetryableStatus(Exception):
    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after


RETRYABLE = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError, RetryableStatus, TimeoutError)


@dataclass(frozen=True)
class Response:
    """One fetch after its retries: the final response, or the outcome that ended it."""

    url: str
    final_url: str | None = None
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = ""
    body: bytes = b""
    wire_bytes: int = 0  # bytes read from the network (compressed)
    attempts: int = 1
    outcome: str | None = None  # set when the fetch ended without a usable response
    reason: str | None = None
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class RobotsFetch:
    url: str
    status: int | None
    reason: str
    fetched_at: datetime
    wire_bytes: int


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class HostGate:
    """Per-host politeness: request starts at least `interval` apart, at most `slots` fetches at once."""

    def __init__(self, per_host: int) -> None:
        self.slots = asyncio.Semaphore(per_host)
        self._turn = asyncio.Lock()
        self._next_start = 0.0

    async def wait_turn(self, interval: float) -> None:
        async with self._turn:
            loop = asyncio.get_running_loop()
            start = max(loop.time(), self._next_start)
            await asyncio.sleep(start - loop.time())
            self._next_start = start + interval


class Client:
    """One crawl's HTTP client. Use as `async with Client(politeness) as client`."""

    def __init__(self, politeness: Politeness) -> None:
        self.politeness = politeness
        self.robots_fetches: list[RobotsFetch] = []  # drained by the crawler into fetch_log
        self._robots: dict[str, Protego | None] = {}  # origin -> rules (None: unreachable, nothing allowed)
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._gates: dict[str, HostGate] = {}
        self._delays: dict[str, float] = {}  # host -> seconds between request starts
        self._http = httpx.AsyncClient(
            headers={"User-Agent": politeness.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(politeness.timeout), follow_redirects=True,
            max_redirects=politeness.max_redirects,
            limits=httpx.Limits(max_connections=politeness.max_connections,
                                max_keepalive_connections=politeness.max_connections),
            event_hooks={"request": [self._before_request]})

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()

    def gate(self, host: str) -> HostGate:
        return self._gates.setdefault(host, HostGate(self.politeness.per_host))

    async def _before_request(self, request: httpx.Request) -> None:
        """Runs before every request and every redirect hop: robots.txt, and the host's spacing
        (robots Crawl-delay when longer) handed to the trace callback that waits for the turn."""
        if not request.extensions.get(_ROBOTS_REQUEST):
            rules = await self._rules(request.url)
            if rules is None:
                raise Disallowed(f"robots.txt of {request.url.host} could not be read: nothing is fetched from it")
            if not rules.can_fetch(str(request.url), self.politeness.user_agent):
                raise Disallowed(f"robots.txt disallows {request.url} for our user agent")
            self._delays[request.url.host] = max(self.politeness.min_interval,
                                                 rules.crawl_delay(self.politeness.user_agent) or 0)
        request.extensions = {**request.extensions, "trace": self._trace}

    async def _trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's trace hook: wait for the host's turn just before the request headers are sent."""
        if event.endswith("send_request_headers.started"):
            host = info["request"].url.host.decode()
            await self.gate(host).wait_turn(self._delays.get(host, self.politeness.min_interval))

    async def _rules(self, url: httpx.URL) -> Protego | None:
        """The origin's robots.txt, fetched once per crawl (RFC 9309: a 4xx allows everything; an
        unreachable file or a 5xx allows nothing)."""
        origin = f"{url.scheme}://{url.netloc.decode()}"
        async with self._robots_locks.setdefault(origin, asyncio.Lock()):
            if origin in self._robots:
                return self._robots[origin]
            robots_url = origin + ROBOTS_PATH
            status: int | None = None
            wire_bytes = 0
            try:
                response = await self._http.get(robots_url, extensions={_ROBOTS_REQUEST: True})
                status, wire_bytes = response.status_code, response.num_bytes_downloaded
                if response.is_success:
                    rules: Protego | None = Protego.parse(response.content.decode("utf-8", errors="replace"))
                    reason = "robots.txt read"
                elif 400 <= status < 500:
                    rules, reason = Protego.parse(""), f"no robots.txt (HTTP {status}): everything allowed"
                else:
                    rules, reason = None, f"robots.txt unavailable (HTTP {status}): nothing fetched from this site"
            except httpx.HTTPError as exc:
                rules, reason = None, f"robots.txt unreachable ({type(exc).__name__}): nothing fetched from this site"
            self.robots_fetches.append(RobotsFetch(robots_url, status, reason, datetime.now(UTC), wire_bytes))
            self._robots[origin] = rules
            return rules

    def _wait(self, state: RetryCallState) -> float:
        """Exponential backoff with jitter, or the server's Retry-After when that is longer."""
        backoff = wait_exponential_jitter(initial=self.politeness.backoff, max=self.politeness.backoff_max,
                                          jitter=self.politeness.backoff)(state)
        error = state.outcome.exception() if state.outcome else None
        hinted = getattr(error, "retry_after", None) or 0.0
        return min(self.politeness.retry_after_max, max(backoff, hinted))

    async def _attempt(self, url: str, headers: dict[str, str]) -> Response:
        cap = self.politeness.max_bytes
        async with asyncio.timeout(self.politeness.attempt_timeout):
            async with self._http.stream("GET", url, headers=headers) as response:
                if response.status_code in RETRY_STATUSES:
                    raise RetryableStatus(response.status_code,
                                          retry_after_seconds(response.headers.get("retry-after")))
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > cap:
                    raise TooLarge(f"Content-Length {int(declared)} bytes")
                body = bytearray()
                async for chunk in response.aiter_bytes():  # content-encoding (gzip) undone, charset untouched
                    body += chunk
                    if len(body) > cap:
                        raise TooLarge(f"more than {cap} bytes")
                return Response(url, str(response.url), response.status_code, response.headers.get("etag"),
                                response.headers.get("last-modified"), response.headers.get("content-type", ""),
                                bytes(body), response.num_bytes_downloaded)

    async def fetch(self, url: str, headers: dict[str, str] | None = None) -> Response:
        """GET one URL with retries on timeouts, 429 and 5xx; every other ending is an outcome."""
        headers = headers or {}
        politeness = self.politeness
        retrying = AsyncRetrying(stop=stop_after_attempt(politeness.attempts), wait=self._wait,
                                 retry=retry_if_exception_type(RETRYABLE), reraise=True)
        host = self.gate(httpx.URL(url).host)
        try:
            async with host.slots:
                async for attempt in retrying:
                    with attempt:
                        response = await self._attempt(url, headers)
            attempts = retrying.statistics.get("attempt_number", 1)
            return Response(**{**vars(response), "attempts": attempts})
        except Disallowed as exc:
            return Response(url, outcome="disallowed", reason=str(exc), attempts=0)
        except TooLarge as exc:
            return Response(url, outcome="too_large",
                            reason=f"response over the {politeness.max_bytes} byte cap: {exc}")
        except httpx.TooManyRedirects:
            return Response(url, outcome="failed", reason=f"more than {politeness.max_redirects} redirects "
                                                          "(a redirect loop?)")
        except httpx.UnsupportedProtocol as exc:
            return Response(url, outcome="unsupported", reason=f"not an http(s) URL: {exc}")
        except RetryableStatus as exc:
            return Response(url, status=exc.status, outcome="failed",
                            reason=f"HTTP {exc.status} after {politeness.attempts} attempts",
                            attempts=politeness.attempts)
        except RETRYABLE as exc:
            return Response(url, outcome="failed", attempts=politeness.attempts,
                            reason=f"{type(exc).__name__ or 'timeout'} after {politeness.attempts} attempts "
                                   f"(timeout {politeness.timeout}s)")
        except httpx.HTTPError as exc:
            return Response(url, outcome="failed", reason=f"{type(exc).__name__}: {exc}")
