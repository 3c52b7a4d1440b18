"""A fake government site on 127.0.0.1 built from the real documents in data/raw/: an annual-report
column of two list pages, report detail pages (one served gzip-encoded, one as GBK bytes with no
charset anywhere, one PDF-only page with its attachment), an SPA shell, an Epoint WebBuilder shell, a
non-report notice, a robots.txt that disallows /private/, and injected faults (429 with Retry-After,
an intermittent 500, a response slower than the timeout, a redirect loop, a 30 MB body, an HTTP 412
anti-bot answer). Every static page has an ETag and a Last-Modified and answers 304 to a matching
conditional request. The server logs every request it receives.

Run it by hand for the README walk-through: `python -m gov_pipeline_tests.fake_site --port 8765`."""

from __future__ import annotations

import argparse
import gzip
import hashlib
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from gov_pipeline.config import PROJECT_ROOT

RAW = PROJECT_ROOT / "data" / "raw" / "corpus"
LAST_MODIFIED = "Wed, 17 Jan 2024 08:00:00 GMT"
COLUMN = "/zwgk/nb/index.html"
PAGE_2 = "/zwgk/nb/index_1.html"
RETRY_AFTER = 1
BIG_BYTES = 30 * 2**20
SLOW_SECONDS = 3.0


def _html(path: str) -> bytes:
    return (RAW / "html" / path).read_bytes()


def _gbk_without_charset(path: str) -> bytes:
    """A real page as GBK bytes with its charset declaration removed (an old GB2312-era site)."""
    return _html(path).decode("utf-8").replace('charset="utf-8" ', "").encode("gbk")


def _list_page(title: str, items: list[tuple[str, str]], pager: list[tuple[str, str]]) -> bytes:
    """A TRS-style column page: site navigation, the item list with dates, the pager."""
    lis = "\n".join(f'<li><a href="{href}" title="{text}">{text}</a><span>2024-01-17</span></li>'
                    for href, text in items)
    pages = " ".join(f'<a href="{href}">{text}</a>' for href, text in pager)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_平潭综合实验区</title></head><body>'
            '<div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a>'
            '<a href="/zwgk/nb/">政府信息公开年报</a></div>'
            f'<div class="list"><ul>{lis}</ul></div><div class="page">{pages}</div>'
            '<div class="footer">主办：平潭综合实验区党工委管委会办公室</div></body></html>').encode()


PDF_ONLY_PAGE = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>洪泽区2024年政府信息公开工作年度报告</title>'
                 '</head><body><div class="nav"><a href="/">首页</a></div><div class="article">'
                 '<h1>洪泽区2024年政府信息公开工作年度报告'
                 '</h1><p>发布日期：2025-01-20</p><div class="content"><p>附件：<a href="/files/hongze_2024.pdf">'
                 '洪泽区2024年政府信息公开工作年度报告.pdf</a></p></div></div></body></html>').encode()
SPA_SHELL = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开</title>'
             '<link href="/static/css/app.3f2a.css" rel="stylesheet"></head><body>'
             '<noscript>本站需要启用 JavaScript</noscript>'
             '<div id="app"></div><script src="/static/js/chunk-vendors.81c2.js"></script>'
             '<script src="/static/js/app.5d1e.js"></script></body></html>').encode()
WEBBUILDER_SHELL = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>信息公开</title>'
                    '<script src="/js/epoint/frame/core.js"></script>'
                    '<script>var infoid = "8f1c2b7e-53aa-4d0b-9a7e-1e6f0c2d9b41";'
                    '$.post("/EWB-FRONT/rest/lightfrontaction/getinfodetail", {infoid: infoid}, render);'
                    '</script></head>'
                    '<body><div class="ewb-container"><div class="ewb-article" id="content"></div></div>'
                    '</body></html>').encode()
ANTI_BOT = (b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><script>'
            b"$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=81235;$_ts.cd=\"qEtsrrAlEqhvNrEmrqq\";</script>"
            b'<script src="/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js" r="m"></script></head><body></body></html>')


@dataclass(frozen=True)
class Request:
    at: float  # time.monotonic() when the request line arrived
    path: str
    headers: dict[str, str]


class FakeSite:
    """The site's content and fault state; `serve()` starts it on a free port of 127.0.0.1."""

    def __init__(self) -> None:
        self.documents: dict[str, bytes] = {
            "/zwgk/nb/201801/t2018_pingtan.html": _html("2018_city_pingtan-zone_report.html"),
            "/zwgk/nb/201401/t2013_tax.html": _gbk_without_charset(
                "2013_department_pingtan-local-tax-bureau_report.html"),
            "/zwgk/nb/202401/t2023_shuyang.shtml": _html(
                "2023_department_shuyang-county-development-reform-bureau_report.html"),
            "/zwgk/nb/202501/t2024_hongze.html": PDF_ONLY_PAGE,
            "/files/hongze_2024.pdf": (RAW / "pdf" / "2024_county_huaian-hongze-district_report.pdf").read_bytes(),
            "/zwgk/nb/202301/t2022_spa.html": SPA_SHELL,
            "/zwgk/nb/202201/t2021_ewb.html": WEBBUILDER_SHELL,
            "/zwgk/nb/201412/t2014_letter.html": _html("2014_city_pingtan-zone_letter-not-annual-report.html"),
            "/zwgk/nb/201204/t2011_pingtan.html": _html("2011_city_pingtan-zone_report.html"),
            "/zwgk/nb/201301/t2012_county.html": _html("2012_county_pingtan-county_report.html"),
            "/zwgk/nb/201204/t2011_county.html": _html("2011_county_pingtan-county_report.html"),
            "/robots.txt": b"User-agent: *\nDisallow: /private/\n",
        }
        self.documents[COLUMN] = _list_page("政府信息公开年报", [
            ("201801/t2018_pingtan.html", "平潭综合实验区2018年度政府信息公开工作年度报告"),
            ("201401/t2013_tax.html", "平潭综合实验区地方税务局2013年信息公开年度报告"),
            ("202401/t2023_shuyang.shtml", "沭阳县发展和改革局2023年政府信息公开年度报告"),
            ("202501/t2024_hongze.html", "洪泽区2024年政府信息公开工作年度报告"),
            ("202301/t2022_spa.html", "平潭综合实验区2022年政府信息公开工作年度报告"),
            ("202201/t2021_ewb.html", "平潭综合实验区2021年度政府信息公开年报"),
            ("201412/t2014_letter.html", "关于2014年政府信息公开工作要点落实情况的函"),
            ("/private/t2019_draft.html", "平潭综合实验区2019年政府信息公开工作年度报告（征求意见稿）"),
        ], [("index_1.html", "下一页"), ("index_1.html", "2")])
        self.documents[PAGE_2] = _list_page("政府信息公开年报", [
            ("201204/t2011_pingtan.html", "平潭综合实验区2011年政府信息公开工作年度报告"),
            ("201301/t2012_county.html", "平潭县人民政府2012年政府信息公开工作年度报告"),
            ("201204/t2011_county.html", "平潭县人民政府2011年政府信息公开工作年度报告"),
            ("202101/t2020_slow.html", "平潭综合实验区2020年政府信息公开工作年度报告"),
            ("202001/t2019_loop.html", "平潭综合实验区2019年政府信息公开工作年度报告"),
            ("201801/t2017_big.html", "平潭综合实验区2017年政府信息公开工作年度报告"),
            ("201701/t2016_guarded.html", "平潭综合实验区2016年政府信息公开工作年度报告"),
        ], [("index.html", "上一页"), ("index.html", "1")])
        self.gzip_paths = {"/zwgk/nb/201801/t2018_pingtan.html"}
        self.fail_first = {"/zwgk/nb/201301/t2012_county.html": 429, "/zwgk/nb/201204/t2011_county.html": 500}
        self.requests: list[Request] = []
        self.hits: Counter[str] = Counter()
        self.hold_path: str | None = None  # a request for it waits until `release` is set
        self.held = threading.Event()
        self.release = threading.Event()
        self.active = 0  # requests being answered now
        self.max_active = 0
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def serve(self, port: int = 0) -> FakeSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                site.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def close(self) -> None:
        self.release.set()
        self._closing.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path.split("?")[0]
        # the client gives up on the slow and the oversized answers while their threads carry on: they
        # do not count as requests in flight
        counted = not path.endswith(("t2020_slow.html", "t2017_big.html"))
        with self._lock:
            self.requests.append(Request(time.monotonic(), path, dict(h.headers.items())))
            self.hits[path] += 1
            hit = self.hits[path]
            self.active += counted
            self.max_active = max(self.max_active, self.active)
        try:
            self._answer(h, path, hit)
        finally:
            with self._lock:
                self.active -= counted

    def _answer(self, h: BaseHTTPRequestHandler, path: str, hit: int) -> None:
        if path == self.hold_path:
            self.held.set()
            self.release.wait(30)
        if path in self.fail_first and hit == 1:
            status = self.fail_first[path]
            extra = {"Retry-After": str(RETRY_AFTER)} if status == 429 else {}
            return self._send(h, status, b"busy", extra)
        if path.endswith("t2020_slow.html"):
            self._closing.wait(SLOW_SECONDS)
            return self._send(h, 200, b"<html>too late</html>", {"Content-Type": "text/html"})
        if path.endswith(("t2019_loop.html", "t2019_loop_b.html")):
            other = "t2019_loop_b.html" if path.endswith("t2019_loop.html") else "t2019_loop.html"
            return self._send(h, 302, b"", {"Location": path.rsplit("/", 1)[0] + "/" + other})
        if path.endswith("t2017_big.html"):
            return self._stream_big(h)
        if path.endswith("t2016_guarded.html"):
            return self._send(h, 412, ANTI_BOT, {"Content-Type": "text/html"})
        body = self.documents.get(path)
        if body is None:
            return self._send(h, 404, b"not found", {"Content-Type": "text/plain"})
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        validators = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
        if h.headers.get("If-None-Match") == etag:
            return self._send(h, 304, b"", validators)
        kind = ("application/pdf" if path.endswith(".pdf") else "text/plain" if path.endswith(".txt")
                else "text/html")  # no charset: the bytes say what they are
        headers = validators | {"Content-Type": kind}
        if path in self.gzip_paths and "gzip" in h.headers.get("Accept-Encoding", ""):
            body, headers = gzip.compress(body), headers | {"Content-Encoding": "gzip"}
        return self._send(h, 200, body, headers)

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]) -> None:
        try:
            h.send_response(status)
            for name, value in headers.items():
                h.send_header(name, value)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            if body and status != 304:
                h.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _stream_big(self, h: BaseHTTPRequestHandler) -> None:
        """30 MB without a Content-Length (chunked), so only a cap while streaming can stop it."""
        try:
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Transfer-Encoding", "chunked")
            h.end_headers()
            chunk = b"<p>" + "平潭".encode() * 87380 + b"</p>"
            sent = 0
            while sent < BIG_BYTES:
                h.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
            h.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    site = FakeSite().serve(args.port)
    print(f"fake government site at {site.base}{COLUMN} (Ctrl-C to stop)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        site.close()


if __name__ == "__main__":
    main()
