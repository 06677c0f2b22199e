#!/usr/bin/env bash
# Search under load: a 2-character search, a 2-term search and title suggestions at
# 10,000 and 100,000 articles, wrk -t2 -c32 like ../shared/bench/perf.sh, release build.
# Run from the project root: bash bench/search.sh
#   SIZES="10000 100000"   article counts (realistic Chinese news text, ~4 KB each, 9 of 10
#                          published; from ../shared/bench/lib/articles.py)
#   BACKENDS="sqlite"      and/or "postgres" (PG_URL, default the local server's
#                          postgres://postgres@127.0.0.1:5432, database PG_DB, default
#                          bench_search, dropped and made again)
#   CACHE_BYTES=0          the response cache is off by default, so every request is
#                          answered by the search itself (set it to measure cached answers)
#   WRK_DURATION=15s
#   BIN=path              measure this build instead of building the tree's (to compare
#                          a change with the binary of before it)
# Articles are loaded with SQL (the API would take an hour for 100,000), with the search
# index's format set stale, so the server's start-up rebuilds the index the way an
# upgrade does (`search::reindex_if_stale`); the time it took is printed. Each request
# draws its query from a list (20 two-character terms of the corpus, 20 pairs of them,
# 60 title prefixes of 1-3 characters), so no single answer dominates; `list` is the
# plain list of 20 (pages 1-3) the searches are compared with.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared/bench}"
source "$SHARED/lib/common.sh"
SIZES="${SIZES:-10000 100000}"; BACKENDS="${BACKENDS:-sqlite}"; PORT="${PORT:-18090}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"; PG_DB="${PG_DB:-bench_search}"
export WRK_DURATION="${WRK_DURATION:-15s}" WRK_WARMUP="${WRK_WARMUP:-3s}"
ensure_wrk
if [ -z "${BIN:-}" ]; then
  (cd "$ROOT" && cargo build --release -q)
  BIN="$ROOT/target/release/newsdesk"
fi
W="${PEERS_TMP}/search"; rm -rf "$W"; mkdir -p "$W"
export PYTHONPATH="$SHARED/lib"

# The query lists, one path per line.
python3 - "$W" <<'PY'
import random, re, sys, urllib.parse, articles
w = sys.argv[1]; random.seed(7)
text = "".join(articles.PARAS)
grams = sorted({m for p in articles.PARAS for m in (p[i:i+2] for i in range(len(p)-1)) if re.fullmatch(r"[\u4e00-\u9fff]{2}", m)})
two = random.sample(grams, 20)
pairs = [f"{random.choice(two)} {random.choice(two)}" for _ in range(20)]
heads = [h for h in articles.HEADLINES]
prefixes = sorted({h[i:i+n] for h in heads for i in range(len(h)) for n in (1, 2, 3) if len(h[i:i+n]) == n and re.fullmatch(r"[\u4e00-\u9fff]+", h[i:i+n])})
prefixes = random.sample(prefixes, min(60, len(prefixes)))
q = lambda s: urllib.parse.quote(s)
open(f"{w}/two_char.txt", "w").write("".join(f"/api/v1/articles?q={q(t)}\n" for t in two))
open(f"{w}/two_terms.txt", "w").write("".join(f"/api/v1/articles?q={q(t)}\n" for t in pairs))
open(f"{w}/suggest.txt", "w").write("".join(f"/api/v1/articles/suggest?q={q(t)}\n" for t in prefixes))
# The plain list a search is compared with: what a page of 20 costs without one.
open(f"{w}/list.txt", "w").write("".join(f"/api/v1/articles?per_page=20&page={p}\n" for p in (1, 2, 3)))
PY
cat > "$W/rotate.lua" <<'LUA'
local paths = {}
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
local i = 0
function init(args) i = math.random(#paths) end
request = function() i = i % #paths + 1; return wrk.format("GET", paths[i]) end
LUA

# seed N: rows for articles, pages and bylines as CSV files for the loaders below.
seed_csv() {
  python3 - "$1" "$W" <<'PY'
import csv, sys, articles
n, w = int(sys.argv[1]), sys.argv[2]
with open(f"{w}/articles.csv", "w", newline="") as fa, open(f"{w}/pages.csv", "w", newline="") as fp:
    a, p = csv.writer(fa), csv.writer(fp)
    for i in range(n):
        x = articles.article(i)
        at = x["published_at"].replace("T", " ")
        a.writerow([i + 1, f"bench-{i}", x["title"], x["summary"], x["status"], 1, x["source"], at, 1, at, at, at])
        p.writerow([i + 1, 1, "".join(f"<p>{t}</p>" for t in x["body"].split("\n"))])
PY
}
COLS="id, slug, title, summary, status, channel_id, source_name, published_at, page_count, created_at, updated_at, status_changed_at"

load_sqlite() {  # N DBFILE
  python3 - "$2" "$W" <<PY
import csv, sqlite3, sys
db = sqlite3.connect(sys.argv[1]); w = sys.argv[2]
db.execute("INSERT INTO channels (id, slug, name, created_at, updated_at) VALUES (1, 'bench', '萍乡新闻', '2022-01-01 00:00:00', '2022-01-01 00:00:00')")
db.executemany("INSERT INTO articles ($COLS) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", csv.reader(open(f"{w}/articles.csv")))
db.executemany("INSERT INTO article_pages (article_id, page_number, body_html) VALUES (?,?,?)", csv.reader(open(f"{w}/pages.csv")))
db.execute("UPDATE search_format SET format = 0")
db.commit()
PY
}

load_postgres() {  # N URL
  psql -q "$2" -v ON_ERROR_STOP=1 <<SQL
INSERT INTO channels (id, slug, name, created_at, updated_at) VALUES (1, 'bench', '萍乡新闻', '2022-01-01', '2022-01-01');
\copy articles ($COLS) FROM '$W/articles.csv' CSV
\copy article_pages (article_id, page_number, body_html) FROM '$W/pages.csv' CSV
SELECT setval(pg_get_serial_sequence('articles', 'id'), (SELECT max(id) FROM articles));
SELECT setval(pg_get_serial_sequence('channels', 'id'), 1);
UPDATE search_format SET format = 0;
SQL
}

SPID=""
trap 'stop_pid "$SPID"' EXIT
echo "load before: $(uptime)"
for backend in $BACKENDS; do
  for n in $SIZES; do
    seed_csv "$n"
    case $backend in
      sqlite) url="sqlite://$W/search-$n.db"; rm -f "$W/search-$n.db"* ;;
      postgres)
        psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB"
        url="$PG_URL/$PG_DB" ;;
    esac
    export DATABASE_URL="$url" NEWSDESK_BIND="127.0.0.1:$PORT" RUST_LOG=warn \
      NEWSDESK_JWT_SECRET="bench-secret-bench-secret-bench-secret-42" NEWSDESK_CACHE_BYTES="${CACHE_BYTES:-0}"
    "$BIN" migrate
    t=$(now)
    if [ "$backend" = sqlite ]; then load_sqlite "$n" "$W/search-$n.db"; else load_postgres "$n" "$url"; fi
    note "$backend-$n" sql_load_s "$(echo "$(now) - $t" | bc)"
    t=$(now)
    setsid "$BIN" serve > "$W/server-$backend-$n.log" 2>&1 & SPID=$!
    note "$backend-$n" start_with_reindex_s "$(wait_200 "http://127.0.0.1:$PORT/healthz" "$t" 1800)"
    for kind in two_char two_terms suggest list; do
      PATHS="$W/$kind.txt" bench "$backend-$n" "$kind" "$SPID" "http://127.0.0.1:$PORT/" "$WRK_DURATION" "$W/rotate.lua"
    done
    stop_pid "$SPID"; SPID=""
  done
done
echo "load after: $(uptime)"
column -t -s $'\t' "$RESULTS_DIR/summary.tsv" | cut -c1-160
