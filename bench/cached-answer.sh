#!/usr/bin/env bash
# A cached answer through the gateway under wrk: the whole platform as `dotnet run --project AppHost` starts it
# (Release build, Redis, SQLite), an API key, an assistant with intents, one question answered by the embedded
# responder and stored, then asked again and again: the same question (an exact repeat, which chat-service answers
# from its own copy of the served hit) and a paraphrase of it after an earlier turn (so chat-service reads the
# assistant and asks intent-cache-service every time, which finds it through its intent: the path of a paraphrase
# hit), both POST /v1/chat/completions with X-Cache: hit. Beside them, from the same run, the
# gateway's throughput on a plain proxied route (GET /v1/models, answered by chat-service), and the exact repeat sent
# straight to chat-service (with a caller token) to show the gateway's share. CPU per request is read from every
# process, because on a machine this small the processes share two cores.
#   bench/cached-answer.sh [seconds=5] [connections=32]   (WARMUP seconds per target, default 10)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DURATION="${1:-5}"
CONNECTIONS="${2:-32}"
WARMUP="${WARMUP:-10}"
require_tools wrk redis-server python3 curl
bench_work cached-answer-bench
start_platform
GW="http://localhost:$PORT"

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
EMAIL="bench-$RANDOM@example.com"; PASSWORD="bench password 1234"
curl -fsS -H 'Content-Type: application/json' -d "{\"name\":\"bench\",\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" "$GW/auth/register" >/dev/null
ACCESS=$(curl -fsS -H 'Content-Type: application/json' -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" "$GW/auth/login" | json '["access_token"]')
KEY=$(curl -fsS -H 'Content-Type: application/json' -H "Authorization: Bearer $ACCESS" -d '{"name":"bench"}' "$GW/api/keys" | json '["key"]')
H=(-H "Authorization: Bearer $KEY" -H "Content-Type: application/json")
ASSISTANT=$(curl -fsS "${H[@]}" -d '{"model":"gpt-4o-mini","name":"HR helper","instructions":"Answer HR questions briefly."}' "$GW/v1/assistants" | json '["id"]')
curl -fsS -X PUT "${H[@]}" "$GW/api/intents/$ASSISTANT" -d '{"intents":[
 {"name":"vacation_policy","examples":["How many vacation days do I get?","What is the annual leave allowance?","How many days of holiday per year?"]},
 {"name":"sick_leave","examples":["How do I call in sick?","How many sick days do we get?","Is sick leave paid?"]},
 {"name":"payday","examples":["When do we get paid?","What day is payday?","When is salary paid each month?"]},
 {"name":"password_reset","examples":["I forgot my password","How do I reset my password?","I am locked out of my account"]}]}' >/dev/null

ask() { printf '{"model":"%s","messages":[{"role":"user","content":"%s"}]}' "$ASSISTANT" "$1"; }
ask_after() { printf '{"model":"%s","messages":[{"role":"user","content":"%s"},{"role":"assistant","content":"Hello."},{"role":"user","content":"%s"}]}' "$ASSISTANT" "$1" "$2"; }
# The first question goes to the (embedded) model and is stored; its paraphrase must come back from the cache.
EXACT=$(ask 'How many vacation days do I get?')
PARAPHRASE=$(ask_after 'Hello' 'how many days of holiday per year do I get')
curl -fsS "${H[@]}" -d "$EXACT" "$GW/v1/chat/completions" >/dev/null
x_cache() { curl -fsS -o /dev/null -D - "${H[@]}" -d "$1" "$GW/v1/chat/completions" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache" {print $2}'; }
for body in "$EXACT" "$PARAPHRASE"; do
  CACHE=$(x_cache "$body")
  echo "X-Cache of $(echo "$body" | python3 -c 'import json,sys; print(repr([m["content"] for m in json.load(sys.stdin)["messages"]]))'): $CACHE"
  [ "$CACHE" = "hit" ] || { echo "a repeat or its paraphrase does not hit the cache; not benchmarking" >&2; exit 1; }
done

# chat-service's own address and the caller token the gateway would mint, for the direct line.
GATEWAY_PID=$(pid_of Gateway); CHAT_PID=$(pid_of ChatService); INTENTS_PID=$(pid_of IntentCacheService)
DOCS_PID=$(pid_of DocumentService)
REDIS_PID=$(redis_pid | tail -n 1)
for pid in "$GATEWAY_PID" "$CHAT_PID" "$INTENTS_PID" "$DOCS_PID" "$REDIS_PID"; do
  [ -n "$pid" ] || { echo "a process of the platform is missing (is redis-server installed?):" \
    "gateway=$GATEWAY_PID chat=$CHAT_PID intents=$INTENTS_PID documents=$DOCS_PID redis=$REDIS_PID" >&2
    ps -eo pid,args | grep -E "redis-server|$ROOT" | grep -v grep | cut -c1-160 >&2; exit 1; }
done
CHAT=$(tr '\0' '\n' </proc/"$GATEWAY_PID"/environ | awk -F= '$1=="services__chat-service__http__0" {print $2}')
SIGNING_KEY=$(cat "$WORK/data/identity.key")
USER_ID=$(curl -fsS -H "Authorization: Bearer $ACCESS" "$GW/auth/me" | json '["id"]')
TOKEN=$(python3 - "$SIGNING_KEY" "$USER_ID" <<'PY'
import base64, hmac, hashlib, json, sys, time
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
body = b64(json.dumps({"caller": {"sub": sys.argv[2]}, "exp": int(time.time()) + 3600}).encode())
print("v1." + body + "." + b64(hmac.new(sys.argv[1].encode(), body.encode(), hashlib.sha256).digest()))
PY
)

script() { # file, body, extra header line
  cat >"$1" <<LUA
wrk.method = "POST"
wrk.body = '$2'
wrk.headers["Content-Type"] = "application/json"
$3
LUA
}
AUTH="wrk.headers[\"Authorization\"] = \"Bearer $KEY\""
script "$WORK/exact.lua" "$EXACT" "$AUTH"
script "$WORK/paraphrase.lua" "$PARAPHRASE" "$AUTH"
script "$WORK/chat.lua" "$EXACT" "wrk.headers[\"X-Caller-Identity\"] = \"$TOKEN\""
printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$KEY" >"$WORK/plain.lua"
curl -fsS -o /dev/null -H "X-Caller-Identity: $TOKEN" -H 'Content-Type: application/json' -d "$EXACT" "$CHAT/v1/chat/completions" \
  || { echo "chat-service refused the direct request" >&2; exit 1; }
curl -fsS -o /dev/null -H "Authorization: Bearer $KEY" "$GW/v1/models" || { echo "GET /v1/models failed" >&2; exit 1; }

cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.4f", ($14 + $15) / hz }' "/proc/$1/stat"; }
PROCS=(gateway:$GATEWAY_PID chat:$CHAT_PID intents:$INTENTS_PID documents:$DOCS_PID redis:$REDIS_PID)
run() { # name, url, lua
  local threads=$(( CONNECTIONS < 2 ? 1 : 2 ))
  wrk -t"$threads" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$3" "$2" >/dev/null
  local before=() p
  for p in "${PROCS[@]}"; do before+=("$(cpu "${p#*:}")"); done
  wrk -t"$threads" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$3" "$2" >"$WORK/wrk-$1.txt"
  local i=0 line=""
  for p in "${PROCS[@]}"; do line+="${p%%:*}=$(python3 -c "print(${before[$i]})") $(cpu "${p#*:}") "; i=$((i+1)); done
  echo "$line" >"$WORK/cpu-$1.txt"
}
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
run plain "$GW/v1/models" "$WORK/plain.lua"
run exact "$GW/v1/chat/completions" "$WORK/exact.lua"
run paraphrase "$GW/v1/chat/completions" "$WORK/paraphrase.lua"
run chat "$CHAT/v1/chat/completions" "$WORK/chat.lua"
# One client asking one question after another: the latency of the path itself, without queueing behind 31 others.
CONNECTIONS=1 run exact-1 "$GW/v1/chat/completions" "$WORK/exact.lua"

STATS=$(curl -fsS -H "Authorization: Bearer $KEY" "$GW/api/intent-cache/stats?assistant_id=$ASSISTANT")
python3 - "$WORK" "$STATS" "$(nproc)" "$LOAD_BEFORE" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import json, re, sys
work, stats, cores, load_before, load = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
def ms(label, text):
    m = re.search(r"^\s*" + label + r"%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
print(f"\n{'path':<10} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8}   CPU us per request")
rate = {}
for name in ("plain", "exact", "paraphrase", "chat", "exact-1"):
    text = open(f"{work}/wrk-{name}.txt").read()
    n = int(re.search(r"(\d+) requests in", text).group(1))
    rate[name] = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    parts = open(f"{work}/cpu-{name}.txt").read().split()
    cpu = {parts[i].split("=")[0]: (float(parts[i + 1]) - float(parts[i].split("=")[1])) / n * 1e6 for i in range(0, len(parts), 2)}
    shares = " ".join(f"{k} {v:.0f}" for k, v in cpu.items()) + f" (sum {sum(cpu.values()):.0f})"
    print(f"{name:<10} {rate[name]:>10,.0f} {ms('50', text):>8.2f} {ms('99', text):>8.2f}   {shares}" + (f"  NON-2xx: {bad.group(1)}" if bad else ""))
    if name == "exact":
        chat_exact = cpu["chat"]
print("\nplain = GET /v1/models through the gateway; exact = the stored question again; paraphrase = another wording of it"
      "\nafter an earlier turn (chat-service reads the assistant and asks intent-cache-service every time);"
      "\nchat = the exact repeat straight to chat-service; exact-1 = the exact repeat with one client")
for name, target in (("exact", 0.5), ("paraphrase", 0.25)):
    ratio = rate[name] / rate["plain"]
    print(f"{name} / plain through the gateway: {ratio:.2f}x (target >= {target}x: {'met' if ratio >= target else 'MISSED'})")
print(f"chat-service CPU per exact-repeat hit through the gateway: {chat_exact:.0f} us (target <= 150 us: {'met' if chat_exact <= 150 else 'MISSED'})")
data = stats["data"][0]
print(f"intent-cache counted {data['lookups']} lookups, {data['hits']} hits (hit rate {data['hit_rate']}); {cores} cores, "
      f"load average {load_before} before the runs, {load} after")
PY
