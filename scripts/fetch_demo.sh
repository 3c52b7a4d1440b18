#!/bin/sh
# Collection walk-through on the local fake government site (gov_pipeline_tests/fake_site.py, built from
# data/raw): `gov-pipeline fetch --column URL`, the same crawl again (all 304), `gov-pipeline run`, scores.
# Usage: sh scripts/fetch_demo.sh [DIR]   (default: a new temporary folder; run from the repository root)
set -eu
BIN=.venv/bin
PORT=${PORT:-8765}
DEMO=${1:-$(mktemp -d)}
COLUMN="http://127.0.0.1:$PORT/zwgk/nb/index.html"
$BIN/python -m gov_pipeline_tests.fake_site --port "$PORT" &
SITE=$!
trap 'kill $SITE' EXIT INT TERM
until $BIN/python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/robots.txt')" 2>/dev/null
do sleep 0.2; done
# delays shrunk for a local site (the defaults: 3 s between requests, 20 s timeout, 4 attempts)
POLITE="--min-interval 0.2 --timeout 1 --attempts 2 --backoff 0.2"
echo "== first crawl"
$BIN/gov-pipeline fetch --column "$COLUMN" --raw-dir "$DEMO/raw" --db "$DEMO/warehouse.duckdb" $POLITE
echo "== second crawl (conditional requests: unchanged pages cost nothing)"
$BIN/gov-pipeline fetch --column "$COLUMN" --raw-dir "$DEMO/raw" --db "$DEMO/warehouse.duckdb" $POLITE
echo "== pipeline"
$BIN/gov-pipeline run --raw-dir "$DEMO/raw" --db "$DEMO/warehouse.duckdb" --log-level WARNING
$BIN/python - "$DEMO/warehouse.duckdb" <<'PY'
import sys, duckdb
conn = duckdb.connect(sys.argv[1], read_only=True)
print("\n== fetch_log (first crawl)")
for row in conn.execute("""select outcome, count(*), string_agg(distinct split_part(url, '/', -1), ' ')
                           from fetch_log where crawl_id = (select arg_min(crawl_id, fetched_at) from fetch_log)
                           group by 1 order by 1""").fetchall():
    print(*row, sep="  ")
print("\n== reports with their source page, fetch time and score")
for row in conn.execute("""select r.source_url, f.fetched_at, r.status, s.score from reports r
                           join fetch_log f on f.sha256 = r.doc_id and f.outcome = 'stored'
                           left join compliance_scores s using (doc_id) order by r.source_url""").fetchall():
    print(*row, sep="  ")
PY
echo "warehouse: $DEMO/warehouse.duckdb"
