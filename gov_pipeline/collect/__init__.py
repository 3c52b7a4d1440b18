"""Collection: fetch annual reports from government sites (URL lists and a site's annual-report column)
politely and resumably, keep the bytes exactly as received in a content-addressed store inside the raw
folder, and log every URL attempt in `fetch_log`. Pure modules (no Dagster): `pages` reads a fetched
page, `store` keeps bytes, `http` talks to servers, `crawl` walks URL lists and columns, `registry`
reads the registered columns; `asset` is the thin Dagster wiring."""
