#!/usr/bin/env bash
# A cached-answer lookup (POST /api/intent-cache/lookup that hits) under wrk, against intent-cache-service directly,
# on a real redis-server, twice in one run: with the service's near cache (hot answers served from process memory,
# IntentCache:NearCacheDuration 1 s) and without it (every lookup reads Redis), so each path has its own figures. chat-service's ownership check is stood in by a tiny Python server (it is asked once, then
# remembered). Prints p50, p99 and req/s against the targets (p50 <= 1 ms, >= 10k req/s).
#   bench/intent-cache.sh [seconds=5] [connections=32]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
DURATION="${1:-5}"
CONNECTIONS="${2:-32}"
require_tools wrk redis-server python3 curl
bench_work intent-cache-bench
REDIS_PORT=$(free_port); CHAT_PORT=$(free_port); NEAR_PORT=$(free_port); REDIS_ONLY_PORT=$(free_port)
KEY="bench-signing-key-0123456789abcdef0123456789"

echo "building IntentCacheService (Release)..."
dotnet publish IntentCacheService -c Release -o "$WORK/app" --nologo -v q >/dev/null

redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$WORK" --save '' --appendonly no --daemonize no >"$WORK/redis.log" 2>&1 &
PIDS+=($!)

# chat-service stand-in: every assistant belongs to whoever asks.
python3 - "$CHAT_PORT" >"$WORK/chat.log" 2>&1 <<'PY' &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"id":"asst_bench","object":"assistant"}'
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
PIDS+=($!)

REDIS_PID=${PIDS[0]}
start_service() { # port, extra env...
  local port=$1; shift
  # (env: the service name's '-' is no shell variable name)
  env ConnectionStrings__cache="127.0.0.1:$REDIS_PORT" \
    ConnectionStrings__intentdb="Data Source=$WORK/intentdb-$port.db" \
    "services__chat-service__http__0=http://127.0.0.1:$CHAT_PORT" \
    Identity__SigningKey="$KEY" \
    Identity__TokenLifetime="00:10:00" \
    ASPNETCORE_URLS="http://127.0.0.1:$port" \
    Logging__LogLevel__Default=Warning \
    "$@" \
    dotnet "$WORK/app/IntentCacheService.dll" >"$WORK/service-$port.log" 2>&1 &
  PIDS+=($!)
}
start_service "$NEAR_PORT"
NEAR_PID=$!
start_service "$REDIS_ONLY_PORT" IntentCache__NearCacheDuration=00:00:00
REDIS_ONLY_PID=$!
# CPU seconds a process has used (user + system): per-request CPU does not depend on how busy the shared machine is.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.4f", ($14 + $15) / hz }' "/proc/$1/stat"; }

# The gateway's caller token, minted as ServiceDefaults' CallerTokenCodec does (HMAC-SHA256, base64url).
TOKEN=$(python3 - "$KEY" <<'PY'
import base64, hmac, hashlib, json, sys, time
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
body = b64(json.dumps({"caller": {"sub": "usr_bench"}, "exp": int(time.time()) + 600}).encode())
print("v1." + body + "." + b64(hmac.new(sys.argv[1].encode(), body.encode(), hashlib.sha256).digest()))
PY
)
measure() { # label, port, pid
local label=$1 BASE="http://127.0.0.1:$2" SERVICE_PID=$3
for _ in $(seq 1 100); do curl -sf "$BASE/alive" >/dev/null && break; sleep 0.1; done
curl -sf "$BASE/alive" >/dev/null || { echo "the service did not start:"; cat "$WORK/service-$2.log"; exit 1; }

local H=(-H "X-Caller-Identity: $TOKEN" -H "Content-Type: application/json")
curl -sS --fail-with-body -X PUT "$BASE/api/intents/asst_bench" "${H[@]}" -d '{"intents":[
 {"name":"vacation_policy","examples":["How many vacation days do I get?","What is the annual leave allowance?","How many days of holiday per year?"]},
 {"name":"sick_leave","examples":["How do I call in sick?","How many sick days do we get?","Is sick leave paid?"]},
 {"name":"payday","examples":["When do we get paid?","What day is payday?","When is salary paid each month?"]},
 {"name":"password_reset","examples":["I forgot my password","How do I reset my password?","I am locked out of my account"]}]}' >/dev/null
curl -sS --fail-with-body -X POST "$BASE/api/intent-cache/store" "${H[@]}" -d '{"assistant_id":"asst_bench","text":"How many vacation days do I get?","context":[],"knowledge_version":"v1","answer":"Full-time staff get 25 vacation days a year; ask your manager to approve leave in the HR portal."}'
LOOKUP='{"assistant_id":"asst_bench","text":"how many days of holiday per year do I get","context":[],"knowledge_version":"v1"}'
local FIRST=$(curl -sf -X POST "$BASE/api/intent-cache/lookup" "${H[@]}" -d "$LOOKUP")
echo "lookup: $FIRST"
echo "$FIRST" | grep -q '"hit":true' || { echo "the lookup does not hit; not benchmarking"; exit 1; }

cat >"$WORK/lookup.lua" <<LUA
wrk.method = "POST"
wrk.body = '$LOOKUP'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Caller-Identity"] = "$TOKEN"
LUA
curl -sf -X POST "$BASE/api/intent-cache/lookup" "${H[@]}" -d "$LOOKUP" >/dev/null
wrk -t2 -c"$CONNECTIONS" -d1s -s "$WORK/lookup.lua" "$BASE/api/intent-cache/lookup" >/dev/null   # warm-up (JIT, pools)
S0=$(cpu "$SERVICE_PID"); R0=$(cpu "$REDIS_PID")
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/lookup.lua" "$BASE/api/intent-cache/lookup" | tee "$WORK/wrk-$label.txt"
S1=$(cpu "$SERVICE_PID"); R1=$(cpu "$REDIS_PID")

# The floor: the same service answering GET /alive (no body, no Redis) in the same run.
A0=$(cpu "$SERVICE_PID")
wrk -t2 -c"$CONNECTIONS" -d2s --latency "$BASE/alive" >"$WORK/alive-$label.txt"
A1=$(cpu "$SERVICE_PID")

local STATS=$(curl -sf "$BASE/api/intent-cache/stats?assistant_id=asst_bench" -H "X-Caller-Identity: $TOKEN")
python3 - "$label" "$WORK/wrk-$label.txt" "$STATS" "$WORK/alive-$label.txt" "$S0" "$S1" "$R0" "$R1" "$A0" "$A1" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import json, re, sys
label = sys.argv.pop(1)
text = open(sys.argv[1]).read()
alive = open(sys.argv[3]).read()
s0, s1, r0, r1, a0, a1 = map(float, sys.argv[4:10])
cores, load = sys.argv[10], sys.argv[11]
def count(t): return int(re.search(r"(\d+) requests in", t).group(1))
def ms(label, text=text):
    m = re.search(r"^\s*" + label + r"%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
p50, p99 = ms("50"), ms("99")
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
stats = json.loads(sys.argv[2])["data"][0]
print()
print(f"cached-answer lookup, direct, {label}: p50 {p50:.3f} ms (target <= 1 ms: {'met' if p50 <= 1 else 'MISSED'}, {p50 / 1:.2f}x), "
      f"p99 {p99:.3f} ms, {rps:,.0f} req/s (target >= 10k: {'met' if rps >= 10000 else 'MISSED'}, {rps / 10000:.2f}x)")
print(f"non-2xx: {errors.group(1) if errors else 0}; service counted {stats['lookups']} lookups, {stats['hits']} hits "
      f"(hit rate {stats['hit_rate']})")
arps = float(re.search(r"Requests/sec:\s+([\d.]+)", alive).group(1))
n, na = count(text), count(alive)
lookup_cpu, redis_cpu, alive_cpu = (s1 - s0) / n * 1e6, (r1 - r0) / n * 1e6, (a1 - a0) / na * 1e6
print(f"floor, GET /alive on the same service: p50 {ms('50', alive):.3f} ms, {arps:,.0f} req/s; lookup/floor throughput {rps / arps:.2f}x")
print(f"CPU per request: lookup {lookup_cpu:.0f} us in the service + {redis_cpu:.0f} us in redis-server; /alive {alive_cpu:.0f} us "
      f"(ratio {lookup_cpu / alive_cpu:.2f}x); {cores} cores, load average {load} (other work on the machine skews latency)")
PY
}

measure "near cache" "$NEAR_PORT" "$NEAR_PID"
measure "Redis every lookup" "$REDIS_ONLY_PORT" "$REDIS_ONLY_PID"
