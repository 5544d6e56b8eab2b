#!/usr/bin/env bash
# Gateway benchmark, every figure from one run: the same small backend route direct, through nginx as a keep-alive
# reverse proxy, through a bare YARP (bench/Yarp.Baseline) and through the gateway with API-key auth and rate limits:
# limits in process memory (with the API key, and with a user's access token), limits in Redis with leases and with a
# call per request (Redis's own CPU per request shown beside), and exporting telemetry to a local OTLP receiver (every
# trace, and with the SDK's standard sampler keeping 10%). A POST route (/v1/chat/completions) runs through bare YARP
# and the gateway too. Prints req/s, p50, p99 and the ratios the issue sets targets for.
# The backend, the nginx proxy and the OTLP receiver are separate nginx processes (one worker each), so the proxy never
# shares a worker with what it proxies to.
# Each target is warmed up first (WARMUP seconds, default 20): .NET compiles hot code again with profile data only
# after it has run a while, and a gateway serves for days, so a cold JIT would measure start-up, not the gateway.
# The targets the issue sets ratios for (bare YARP, the gateway in memory, in Redis, with OTLP) run in ROUNDS rounds
# (default 5), the order reversed every other round, so a neighbour's load drifting during a run falls on all of them
# alike; each ratio is the median of the ratios of the rounds, printed with its spread. The other paths run once.
# Usage: bench/gateway.sh [seconds per run, default 5] [connections, default 32]
set -euo pipefail

DURATION="${1:-5}"
CONNECTIONS="${2:-32}"
WARMUP="${WARMUP:-20}"
ROUNDS="${ROUNDS:-5}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d /tmp/gateway-bench.XXXXXX)"
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in wrk nginx curl python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y --no-install-recommends wrk nginx curl python3" >&2; exit 1; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 1 200); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

BACKEND=$(free_port); NGINX=$(free_port); GW=$(free_port); GW_REDIS=$(free_port); REDIS=$(free_port); BARE=$(free_port)
OTLP=$(free_port); GW_OTLP=$(free_port); GW_SAMPLED=$(free_port); GW_REDIS1=$(free_port)

declare -A SERVER_PID   # the process that serves each target, for its CPU per request
# One nginx process per role. The backend answers like a tiny /v1/models, and like a chat completion with its usage.
COMPLETION='{"id":"chatcmpl-bench","object":"chat.completion","created":0,"model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}'
start_nginx() { # name, server block
  local dir="$WORK/nginx-$1"
  mkdir -p "$dir/logs" "$dir/tmp"
  cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp;
  fastcgi_temp_path $dir/tmp; uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
  $2
}
CONF
  nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" -g 'daemon off;' &
  PIDS+=($!); SERVER_PID[$1]=$!
}
start_nginx backend "server {
    listen 127.0.0.1:$BACKEND;
    default_type application/json;
    location = /v1/chat/completions { return 200 '$COMPLETION'; }
    location / { return 200 '{\"object\":\"list\",\"data\":[]}'; }
  }"
start_nginx proxy "upstream backend { server 127.0.0.1:$BACKEND; keepalive 64; }
  server {
    listen 127.0.0.1:$NGINX;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection \"\"; }
  }"
# The OTLP receiver: accepts every export (HTTP/protobuf) and answers 200, as a collector would.
start_nginx otlp "server { listen 127.0.0.1:$OTLP; client_max_body_size 64m; location / { return 200; } }"

echo "building the gateway (Release)..." >&2
dotnet build "$ROOT/Gateway" -c Release -o "$WORK/gateway-bin" -v quiet -nologo >/dev/null
dotnet build "$ROOT/bench/Yarp.Baseline" -c Release -o "$WORK/bare-bin" -v quiet -nologo >/dev/null
(cd "$WORK/bare-bin" && exec env ASPNETCORE_URLS="http://127.0.0.1:$BARE" Backend="http://127.0.0.1:$BACKEND" \
  dotnet Yarp.Baseline.dll >"$WORK/bare.log" 2>&1) &
PIDS+=($!); SERVER_PID[yarp-bare]=$!

if command -v redis-server >/dev/null; then
  redis-server --bind 127.0.0.1 --port "$REDIS" --dir "$WORK" --save '' --appendonly no --daemonize no >/dev/null &
  PIDS+=($!); REDIS_PID=$!
fi

start_gateway() { # port, extra env...
  local port=$1; shift
  (cd "$WORK/gateway-bin" && exec env ASPNETCORE_URLS="http://127.0.0.1:$port" \
    Identity__SigningKey="bench-signing-key-0123456789abcdef0123456789" \
    ConnectionStrings__gatewaydb="Data Source=$WORK/gateway.db" \
    services__chat-service__http__0="http://127.0.0.1:$BACKEND" \
    Limits__UserRpm=100000000 Logging__LogLevel__Default=Warning ${GATEWAY_ENV:-} "$@" \
    dotnet Gateway.dll >"$WORK/gateway-$port.log" 2>&1) &
  PIDS+=($!); SERVER_PID[$port]=$!
}
start_gateway "$GW"
wait_http "http://127.0.0.1:$NGINX/v1/models"
wait_http "http://127.0.0.1:$GW/alive"
wait_http "http://127.0.0.1:$BARE/v1/models"

# An account and an API key with limits, made the way a client makes them.
EMAIL="bench-$RANDOM@example.com"; PASSWORD="bench password 1234"
curl -fsS -H 'Content-Type: application/json' -d "{\"name\":\"bench\",\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" \
  "http://127.0.0.1:$GW/auth/register" >/dev/null
ACCESS=$(curl -fsS -H 'Content-Type: application/json' -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" \
  "http://127.0.0.1:$GW/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
KEY=$(curl -fsS -H 'Content-Type: application/json' -H "Authorization: Bearer $ACCESS" \
  -d '{"name":"bench","rpm":100000000,"tpm":100000000}' "http://127.0.0.1:$GW/api/keys" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')

if [ -n "${REDIS_PID:-}" ]; then
  start_gateway "$GW_REDIS" ConnectionStrings__cache="127.0.0.1:$REDIS"
  wait_http "http://127.0.0.1:$GW_REDIS/alive"
  # The same without leases: one Redis call per request.
  start_gateway "$GW_REDIS1" ConnectionStrings__cache="127.0.0.1:$REDIS" Limits__LeaseSize=1
  wait_http "http://127.0.0.1:$GW_REDIS1/alive"
fi
start_gateway "$GW_OTLP" OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$OTLP" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf \
  OTEL_SERVICE_NAME=gateway
wait_http "http://127.0.0.1:$GW_OTLP/alive"
# The same export with a tenth of the traces kept, by the SDK's standard sampler variables (no code).
start_gateway "$GW_SAMPLED" OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$OTLP" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf \
  OTEL_SERVICE_NAME=gateway OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.1
wait_http "http://127.0.0.1:$GW_SAMPLED/alive"

# A POST with a body through bare YARP and the gateway. Token budgets are kept by chat-service (docs/contracts.md), not
# by the gateway, so this run measures the gateway's work on a proxied POST; bench/soak.sh runs the budgets.
CHAT_BODY='{"model":"bench","messages":[{"role":"user","content":"hi"}],"max_tokens":16}'
cat > "$WORK/chat.lua" <<LUA
wrk.method = "POST"
wrk.body = '$CHAT_BODY'
wrk.headers["Content-Type"] = "application/json"
LUA

# wrk prints latencies with units; report milliseconds.
to_ms() { awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); v=v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) } else if (v ~ /s$/) { sub(/s$/,"",v); v=v*1000 } printf "%.2f", v }'; }

# CPU seconds (user + system) a server has used, its children (nginx's worker) included. CPU per request does not
# depend on how busy the shared machine is, so it compares fairly even when req/s is skewed by other work.
cpu() {
  local total=0 pid
  for pid in "$1" $(ps -o pid= --ppid "$1"); do
    total=$(awk -v t="$total" -v hz="$(getconf CLK_TCK)" '{ printf "%.4f", t + ($14 + $15) / hz }' "/proc/$pid/stat")
  done
  echo "$total"
}

declare -A RPS P50 P99 CPU_US EXTRA_CPU_US WARMED ROUND_RPS ROUND_CPU
run() { # name, server pid, url, extra wrk args... (EXTRA_PID: another process whose CPU per request is shown too)
  local name=$1 pid=$2 url=$3; shift 3
  if [ -z "${WARMED[$name]:-}" ]; then   # warm-up (tiered JIT, connection pools), once per target
    wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" "$@" "$url" >/dev/null 2>&1 || true
    WARMED[$name]=1
  fi
  local before; before=$(cpu "$pid")
  local extra_before=0; [ -z "${EXTRA_PID:-}" ] || extra_before=$(cpu "$EXTRA_PID")
  local out; out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" "$url")
  local after; after=$(cpu "$pid")
  local count; count=$(echo "$out" | awk '/requests in/ {print $1}')
  CPU_US[$name]=$(python3 -c "print(f'{($after - $before) / $count * 1e6:.1f}')")
  if [ -n "${EXTRA_PID:-}" ]; then
    EXTRA_CPU_US[$name]=$(python3 -c "print(f'{($(cpu "$EXTRA_PID") - $extra_before) / $count * 1e6:.1f}')")
  fi
  echo "$out" >"$WORK/wrk-$name.txt"
  local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  [ -z "$non2xx" ] || echo "warning: $name had $non2xx non-2xx answers" >&2
  RPS[$name]=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  P50[$name]=$(echo "$out" | awk '$1=="50%" {print $2}' | to_ms)
  P99[$name]=$(echo "$out" | awk '$1=="99%" {print $2}' | to_ms)
  ROUND_RPS[$name]="${ROUND_RPS[$name]:-} ${RPS[$name]}"
  ROUND_CPU[$name]="${ROUND_CPU[$name]:-} ${CPU_US[$name]}"
}

echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
AUTH=(-H "Authorization: Bearer $KEY")
CHAT=(-s "$WORK/chat.lua")
REDIS_ON=""
if curl -fsS -o /dev/null "http://127.0.0.1:$GW_REDIS/alive" 2>/dev/null; then REDIS_ON=1; fi
run_target() { # the targets the ratios compare, by name
  case $1 in
    yarp-bare) run yarp-bare "${SERVER_PID[yarp-bare]}" "http://127.0.0.1:$BARE/v1/models" ;;
    gateway) run gateway "${SERVER_PID[$GW]}" "http://127.0.0.1:$GW/v1/models" "${AUTH[@]}" ;;
    gateway-redis) EXTRA_PID=$REDIS_PID run gateway-redis "${SERVER_PID[$GW_REDIS]}" "http://127.0.0.1:$GW_REDIS/v1/models" "${AUTH[@]}" ;;
    gateway-otlp) run gateway-otlp "${SERVER_PID[$GW_OTLP]}" "http://127.0.0.1:$GW_OTLP/v1/models" "${AUTH[@]}" ;;
  esac
}
TARGETS=(yarp-bare gateway)
[ -z "$REDIS_ON" ] || TARGETS+=(gateway-redis)
TARGETS+=(gateway-otlp)
run direct "${SERVER_PID[backend]}" "http://127.0.0.1:$BACKEND/v1/models"
run nginx "${SERVER_PID[proxy]}" "http://127.0.0.1:$NGINX/v1/models"
for round in $(seq 1 "$ROUNDS"); do
  order=("${TARGETS[@]}")
  if [ $((round % 2)) -eq 0 ]; then order=($(printf '%s\n' "${TARGETS[@]}" | tac)); fi
  for target in "${order[@]}"; do run_target "$target"; done
  echo "round $round of $ROUNDS done, load average $(cut -d' ' -f1 /proc/loadavg)" >&2
done
if [ -n "$REDIS_ON" ] && { [ "${RPS[gateway-redis]:-0}" = "0.00" ] || [ -z "${RPS[gateway-redis]:-}" ]; }; then
  cat "$WORK/wrk-gateway-redis.txt" >&2; tail -n 30 "$WORK/gateway-$GW_REDIS.log" >&2
fi
NAMES=(direct nginx "${TARGETS[@]}")
if [ -n "$REDIS_ON" ]; then
  # The same without leases: one Redis call per request.
  EXTRA_PID=$REDIS_PID run gateway-redis1 "${SERVER_PID[$GW_REDIS1]}" "http://127.0.0.1:$GW_REDIS1/v1/models" "${AUTH[@]}"
  NAMES+=(gateway-redis1)
fi
run gateway-otlp10 "${SERVER_PID[$GW_SAMPLED]}" "http://127.0.0.1:$GW_SAMPLED/v1/models" "${AUTH[@]}"
# The same with a user's access token (a JWT) instead of an API key.
run gateway-jwt "${SERVER_PID[$GW]}" "http://127.0.0.1:$GW/v1/models" -H "Authorization: Bearer $ACCESS"
# The gateway process's own floor: its /alive runs the same host pipeline without auth, limits or proxying.
run gateway-alive "${SERVER_PID[$GW]}" "http://127.0.0.1:$GW/alive"
run yarp-bare-chat "${SERVER_PID[yarp-bare]}" "http://127.0.0.1:$BARE/v1/chat/completions" "${CHAT[@]}"
run gateway-post "${SERVER_PID[$GW]}" "http://127.0.0.1:$GW/v1/chat/completions" "${AUTH[@]}" "${CHAT[@]}"
NAMES+=(gateway-otlp10 gateway-jwt gateway-alive yarp-bare-chat gateway-post)
echo "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# A round target's figures are the medians of its rounds (p50 and p99 are its last round's).
median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.${2:-2}f}')" $1; }
for target in "${TARGETS[@]}"; do
  RPS[$target]=$(median "${ROUND_RPS[$target]}")
  CPU_US[$target]=$(median "${ROUND_CPU[$target]}" 1)
done

printf '\n%-15s %12s %10s %10s %18s\n' "path" "req/s" "p50 ms" "p99 ms" "server CPU us/req"
for name in "${NAMES[@]}"; do
  printf '%-15s %12s %10s %10s %18s\n' "$name" "${RPS[$name]}" "${P50[$name]}" "${P99[$name]}" "${CPU_US[$name]}"
done
ratio() { python3 -c "print(f'{float(\"$1\")/float(\"$2\"):.2f}')"; }
# The median of the rounds' ratios, each round's pair measured minutes apart at most, and the lowest and highest.
rounds_ratio() { # values of a, values of b (space-separated, one per round)
  python3 - "$1" "$2" <<'PY'
import statistics, sys
ratios = [float(a) / float(b) for a, b in zip(sys.argv[1].split(), sys.argv[2].split())]
print(f"{statistics.median(ratios):.2f} (rounds {min(ratios):.2f}-{max(ratios):.2f})")
PY
}
echo
echo "figures of $ROUNDS rounds: medians; ratios: the median of the rounds' ratios"
echo "gateway/yarp-bare req/s:        $(rounds_ratio "${ROUND_RPS[gateway]}" "${ROUND_RPS[yarp-bare]}") (target >= 0.85: auth, limits in memory, identity)"
echo "gateway-jwt/yarp-bare req/s:    $(ratio "${RPS[gateway-jwt]}" "${RPS[yarp-bare]}") (the same with an access token, once)"
if [ -n "$REDIS_ON" ]; then
  echo "gateway-redis/yarp-bare req/s:  $(rounds_ratio "${ROUND_RPS[gateway-redis]}" "${ROUND_RPS[yarp-bare]}") (target >= 0.70: limits in Redis, leases of up to 32)"
  echo "gateway-redis1/yarp-bare req/s: $(ratio "${RPS[gateway-redis1]}" "${RPS[yarp-bare]}") (limits in Redis, a call per request: Limits__LeaseSize=1, once)"
fi
echo "gateway-otlp/gateway req/s:     $(rounds_ratio "${ROUND_RPS[gateway-otlp]}" "${ROUND_RPS[gateway]}") (target >= 0.85: telemetry to a local OTLP receiver costs <= 15%)"
echo "gateway-otlp10/gateway req/s:   $(ratio "${RPS[gateway-otlp10]}" "${RPS[gateway]}") (the same, 10% of traces sampled, once)"
echo "gateway-post/yarp-bare-chat:  $(ratio "${RPS[gateway-post]}" "${RPS[yarp-bare-chat]}") (POST /v1/chat/completions with a body)"
echo "yarp-bare/nginx req/s:          $(ratio "${RPS[yarp-bare]}" "${RPS[nginx]}") (YARP's own ceiling here)"
echo "gateway/nginx req/s:            $(ratio "${RPS[gateway]}" "${RPS[nginx]}"), p99 $(ratio "${P99[gateway]}" "${P99[nginx]}")x nginx's"
# On a CPU-bound machine req/s goes as 1/CPU per request, so these are the ratios above without other work's noise.
echo "by server CPU per request: yarp-bare/gateway $(rounds_ratio "${ROUND_CPU[yarp-bare]}" "${ROUND_CPU[gateway]}"), gateway/gateway-otlp $(rounds_ratio "${ROUND_CPU[gateway]}" "${ROUND_CPU[gateway-otlp]}"), gateway/gateway-otlp10 $(ratio "${CPU_US[gateway]}" "${CPU_US[gateway-otlp10]}")"
if [ -n "$REDIS_ON" ]; then
  echo "by server CPU per request: yarp-bare/gateway-redis $(rounds_ratio "${ROUND_CPU[yarp-bare]}" "${ROUND_CPU[gateway-redis]}") (Redis's own CPU not counted: ${EXTRA_CPU_US[gateway-redis]} us/req more), yarp-bare/gateway-redis1 $(ratio "${CPU_US[yarp-bare]}" "${CPU_US[gateway-redis1]}") (Redis: ${EXTRA_CPU_US[gateway-redis1]} us/req)"
fi
