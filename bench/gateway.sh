#!/usr/bin/env bash
# Gateway benchmark: the same small backend route three ways in one run (direct, through nginx as a keep-alive
# reverse proxy, through the gateway with API-key auth and rate/token limits on), printing req/s, p50, p99 and the
# gateway/nginx ratio. The gateway runs twice: limits in process memory (one instance) and in Redis (shared). A bare
# YARP (bench/Yarp.Baseline) runs too, to separate what YARP costs from what the gateway adds.
# Each target is warmed up first (WARMUP seconds, default 10): .NET compiles hot code again with profile data only
# after it has run a while, and a gateway serves for days, so a cold JIT would measure start-up, not the gateway.
# Usage: bench/gateway.sh [seconds per run, default 5] [connections, default 32]
set -euo pipefail

DURATION="${1:-5}"
CONNECTIONS="${2:-32}"
WARMUP="${WARMUP:-10}"
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

# Backend and nginx proxy: one nginx, two servers. The backend answers like a tiny /v1/models.
mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/tmp; proxy_temp_path $WORK/nginx/tmp;
  fastcgi_temp_path $WORK/nginx/tmp; uwsgi_temp_path $WORK/nginx/tmp; scgi_temp_path $WORK/nginx/tmp;
  upstream backend { server 127.0.0.1:$BACKEND; keepalive 64; }
  server {
    listen 127.0.0.1:$BACKEND;
    location / { default_type application/json; return 200 '{"object":"list","data":[]}'; }
  }
  server {
    listen 127.0.0.1:$NGINX;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" -g 'daemon off;' &
PIDS+=($!)

echo "building the gateway (Release)..." >&2
dotnet build "$ROOT/Gateway" -c Release -o "$WORK/gateway-bin" -v quiet -nologo >/dev/null
dotnet build "$ROOT/bench/Yarp.Baseline" -c Release -o "$WORK/bare-bin" -v quiet -nologo >/dev/null
(cd "$WORK/bare-bin" && exec env ASPNETCORE_URLS="http://127.0.0.1:$BARE" Backend="http://127.0.0.1:$BACKEND" \
  dotnet Yarp.Baseline.dll >"$WORK/bare.log" 2>&1) &
PIDS+=($!)

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
  PIDS+=($!)
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
fi

# wrk prints latencies with units; report milliseconds.
to_ms() { awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); v=v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) } else if (v ~ /s$/) { sub(/s$/,"",v); v=v*1000 } printf "%.2f", v }'; }

declare -A RPS P50 P99
run() { # name, url, extra wrk args...
  local name=$1 url=$2; shift 2
  wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" "$@" "$url" >/dev/null 2>&1 || true   # warm-up (tiered JIT, connection pools)
  local out; out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" "$url")
  echo "$out" >"$WORK/wrk-$name.txt"
  local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  [ -z "$non2xx" ] || echo "warning: $name had $non2xx non-2xx answers" >&2
  RPS[$name]=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  P50[$name]=$(echo "$out" | awk '$1=="50%" {print $2}' | to_ms)
  P99[$name]=$(echo "$out" | awk '$1=="99%" {print $2}' | to_ms)
}

AUTH=(-H "Authorization: Bearer $KEY")
run direct "http://127.0.0.1:$BACKEND/v1/models"
run nginx "http://127.0.0.1:$NGINX/v1/models"
run yarp-bare "http://127.0.0.1:$BARE/v1/models"
run gateway "http://127.0.0.1:$GW/v1/models" "${AUTH[@]}"
# The gateway process's own floor: its /alive runs the same host pipeline without auth, limits or proxying.
run gateway-alive "http://127.0.0.1:$GW/alive"
NAMES=(direct nginx yarp-bare gateway gateway-alive)
if curl -fsS -o /dev/null "http://127.0.0.1:$GW_REDIS/alive" 2>/dev/null; then
  run gateway-redis "http://127.0.0.1:$GW_REDIS/v1/models" "${AUTH[@]}"
  NAMES+=(gateway-redis)
  if [ "${RPS[gateway-redis]:-0}" = "0.00" ] || [ -z "${RPS[gateway-redis]:-}" ]; then
    cat "$WORK/wrk-gateway-redis.txt" >&2; tail -n 30 "$WORK/gateway-$GW_REDIS.log" >&2
  fi
fi

printf '\n%-15s %12s %10s %10s\n' "path" "req/s" "p50 ms" "p99 ms"
for name in "${NAMES[@]}"; do
  printf '%-15s %12s %10s %10s\n' "$name" "${RPS[$name]}" "${P50[$name]}" "${P99[$name]}"
done
ratio() { python3 -c "print(f'{float(\"$1\")/float(\"$2\"):.2f}')"; }
echo
echo "gateway/nginx req/s ratio: $(ratio "${RPS[gateway]}" "${RPS[nginx]}") (target >= 1.0)"
echo "gateway/nginx p99 ratio:   $(ratio "${P99[gateway]}" "${P99[nginx]}") (target <= 1.0)"
echo "yarp-bare/nginx req/s ratio: $(ratio "${RPS[yarp-bare]}" "${RPS[nginx]}") (YARP's own ceiling here)"
echo "gateway/yarp-bare req/s ratio: $(ratio "${RPS[gateway]}" "${RPS[yarp-bare]}") (what auth, limits and identity cost)"
if [ -n "${RPS[gateway-redis]:-}" ]; then
  echo "gateway-redis/nginx req/s ratio: $(ratio "${RPS[gateway-redis]}" "${RPS[nginx]}")"
fi
