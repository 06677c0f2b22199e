#!/usr/bin/env bash
# Throughput and latency of the API under many concurrent clients, on the scenarios of
# the performance issue: one article, the front-page list, a channel's list, a
# two-character Chinese search, and creating articles. Starts its own release server on
# a fresh database, seeds N articles (about 4 KB of Chinese each, nine in ten published)
# through the API, then runs wrk (-t2 -c32, 5 s warm-up, DURATION seconds) per scenario.
#
#   bash bench/perf.sh                       # 10,000 articles, SQLite, response cache on
#   N=100000 bash bench/perf.sh              # the same at 100,000 articles
#   CACHE=off bash bench/perf.sh             # every read reaches the database
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench bash bench/perf.sh   # an empty PostgreSQL database
#
# Environment: N, CACHE (on|off), DURATION (30), CONNECTIONS (32), PORT (18280),
# DATABASE_URL, SCENARIOS (default "item list channel search create"). Needs wrk
# (apt-get install wrk). Prints one line per scenario and the server's peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-10000}
CACHE=${CACHE:-on}
DURATION=${DURATION:-30}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18280}
SCENARIOS=${SCENARIOS:-item list channel search create}
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 1; }

cargo build --release --quiet --bin newsdesk
work=$(mktemp -d)
base="http://127.0.0.1:$PORT"
export DATABASE_URL="${DATABASE_URL:-sqlite://$work/perf.db}"
export NEWSDESK_BIND="127.0.0.1:$PORT" RUST_LOG=warn
export NEWSDESK_JWT_SECRET="bench-secret-bench-secret-bench-secret"
export NEWSDESK_ADMIN_EMAIL=bench@example.com NEWSDESK_ADMIN_PASSWORD=bench-password-123
export NEWSDESK_PUBLIC_WRITES_PER_MINUTE=1000000 NEWSDESK_LOGIN_ATTEMPTS_PER_MINUTE=1000000
[ "$CACHE" = on ] || export NEWSDESK_CACHE_BYTES=0

setsid target/release/newsdesk serve > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
until curl -fs "$base/readyz" >/dev/null 2>&1; do sleep 0.2; done

export BASE="$base" N WORK="$work"
python3 - <<'PY'
"""Seeds a channel tree, an author and N articles through the API, 8 client threads."""
import concurrent.futures, datetime, json, os, random, time, urllib.request
base, n, work = os.environ["BASE"], int(os.environ["N"]), os.environ["WORK"]
def call(method, path, body=None, token=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=60) as res:
        return json.loads(res.read())
token = call("POST", "/api/v1/auth/login", {"email": os.environ["NEWSDESK_ADMIN_EMAIL"],
                                           "password": os.environ["NEWSDESK_ADMIN_PASSWORD"]})["access_token"]
portal = call("POST", "/api/v1/channels", {"name": "大江网", "slug": "bench-portal"}, token)["id"]
places = ["南昌", "九江", "景德镇", "萍乡", "新余", "鹰潭", "赣州", "宜春", "上饶", "吉安", "抚州"]
channels = [call("POST", "/api/v1/channels", {"name": p + "频道", "slug": f"bench-city-{i}", "parent_id": portal},
                 token)["id"] for i, p in enumerate(places)]
author = call("POST", "/api/v1/authors", {"name": "梁永明", "slug": "bench-liang", "title": "记者"}, token)["id"]
words = ["经济", "发展", "项目", "建设", "产业", "转型", "升级", "工业", "农业", "乡村", "振兴", "交通",
         "教育", "医疗", "文化", "旅游", "生态", "环境", "民生", "就业", "科技", "创新", "城市", "社区"]
now = datetime.datetime.now(datetime.timezone.utc)
def one(i):
    rng = random.Random(i)
    place = rng.randrange(len(places))
    sentence = lambda: places[place] + "".join(rng.choice(words) for _ in range(12)) + "。"
    pages = ["<p>" + "".join(sentence() for _ in range(14)) + "</p>" for _ in range(2)]
    return call("POST", "/api/v1/articles", {
        "title": places[place] + rng.choice(words) + rng.choice(words) + f"报道{i}",
        "slug": f"bench-{i}", "summary": sentence(), "channel_id": channels[place],
        "source": {"name": "江西日报"}, "bylines": [{"author_id": author, "role": "author"}],
        "pages": pages, "status": "draft" if i % 10 == 9 else "published",
        "published_at": (now - datetime.timedelta(minutes=i)).isoformat()}, token)["id"]
started = time.time()
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    ids = list(pool.map(one, range(n)))
print(f"seeded {n} articles in {time.time() - started:.0f} s")
open(work + "/article", "w").write(str(ids[n // 2 - (n // 2) % 10]))
open(work + "/token", "w").write(token)
open(work + "/post.json", "w").write(json.dumps({
    "title": "压测稿件", "channel_id": channels[3], "status": "published",
    "summary": "萍乡" + "".join(words), "pages": ["<p>" + "萍乡" * 1100 + "</p>"]}, ensure_ascii=False))
PY

cat > "$work/post.lua" <<'LUA'
local f = assert(io.open(os.getenv("POST_JSON"), "r")); local body = f:read("*a"); f:close()
local counter, threads = 0, 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
wrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
request = function()
  counter = counter + 1
  local slug = string.format("perf-%d-%d-%d", os.time(), tid or 0, counter)
  return wrk.format(nil, nil, nil, body:sub(1, -2) .. ',"slug":"' .. slug .. '"}')
end
LUA
export POST_JSON="$work/post.json" TOKEN; TOKEN=$(cat "$work/token")

peak_rss=0
measure() { # NAME URL [LUA]
    local name=$1 url=$2 script=${3:-}
    local args=(-t2 "-c$CONNECTIONS" --latency)
    [ -n "$script" ] && args+=(-s "$script")
    wrk "${args[@]}" -d5s "$url" > /dev/null
    wrk "${args[@]}" "-d${DURATION}s" "$url" > "$work/$name.out" &
    local wrk_pid=$!
    while kill -0 $wrk_pid 2>/dev/null; do
        rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$server/status")
        [ "$rss" -gt "$peak_rss" ] && peak_rss=$rss
        sleep 0.5
    done
    awk -v name="$name" '
        $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
        /Requests\/sec/ { rps = $2 } /Non-2xx/ { bad = $NF }
        END { printf "%-8s %10s req/s  p50 %8s  p99 %8s  non-2xx %s\n", name, rps, p50, p99, bad + 0 }
    ' "$work/$name.out"
}

echo "N=$N cache=$CACHE database=${DATABASE_URL%%:*} wrk -t2 -c$CONNECTIONS -d${DURATION}s"
for scenario in $SCENARIOS; do
    case $scenario in
        item) measure item "$base/api/v1/articles/$(cat "$work/article")" ;;
        list) measure list "$base/api/v1/articles?per_page=20" ;;
        channel) measure channel "$base/api/v1/articles?channel=bench-city-3&per_page=20" ;;
        search) measure search "$base/api/v1/articles?q=%E8%90%8D%E4%B9%A1&per_page=20" ;;
        create) measure create "$base/api/v1/articles" "$work/post.lua" ;;
    esac
done
echo "peak RSS under load: $((peak_rss / 1024)) MB"
