#!/usr/bin/env bash
# A soak: the whole platform as `dotnet run --project AppHost` starts it (Release, Production, Redis, SQLite, the
# embedded model, speech and embeddings), and mixed traffic through the gateway on loopback for a bounded time:
# chat streams, cached answers, document uploads (each deleted again), searches, voice answers, and streams from a
# key whose token budget is meant to refuse most of them. Prints every error other than those intended 429s (must be
# 0), p50/p99 latency per route, and the RSS of each process sampled over the run (first/last/max after warm-up).
#   bench/soak.sh [seconds=600]   (WARMUP seconds, default a fifth of the run, at most 120)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DURATION="${1:-600}"
WARMUP="${WARMUP:-$(( DURATION / 5 < 120 ? DURATION / 5 : 120 ))}"
for tool in redis-server python3 curl espeak-ng; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y --no-install-recommends redis-server python3 curl espeak-ng" >&2; exit 1; }
done

WORK="$(mktemp -d /tmp/soak-bench.XXXXXX)"
APPHOST_PID=""
cleanup() {
  [ -z "$APPHOST_PID" ] || { kill -TERM -- "-$APPHOST_PID" 2>/dev/null || true; wait "$APPHOST_PID" 2>/dev/null || true; }
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
PORT=$(free_port)
GW="http://127.0.0.1:$PORT"

echo "building the platform (Release)..." >&2
dotnet build "$ROOT/AppHost" -c Release -v quiet -nologo >/dev/null
# Limits high enough that only the budget key is refused; the offline model streams a word every 5 ms, as a model
# streams tokens; setsid gives one process group to stop (DCP detaches the services and stops them with it).
DASHBOARD=$(free_port); OTLP=$(free_port); RESOURCES=$(free_port)
(cd "$ROOT" && exec setsid env AppHost__GatewayPort="$PORT" AppHost__DataDirectory="$WORK/data" \
  Limits__UserRpm=100000000 Chat__OfflineWordDelay=00:00:00.005 Logging__LogLevel__Default=Warning \
  ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production OTEL_SDK_DISABLED=true ASPIRE_ALLOW_UNSECURED_TRANSPORT=true \
  dotnet run --project AppHost -c Release --no-build --no-launch-profile -- \
  --ASPNETCORE_URLS="http://127.0.0.1:$DASHBOARD" --ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL="http://127.0.0.1:$OTLP" \
  --ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL="http://127.0.0.1:$RESOURCES" >"$WORK/apphost.log" 2>&1) &
APPHOST_PID=$!
for _ in $(seq 1 900); do curl -fs -m 2 "$GW/health" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs -m 2 "$GW/health" >/dev/null || { echo "the platform did not start:" >&2; tail -n 40 "$WORK/apphost.log" >&2; exit 1; }

# This run's processes only: the services from this tree's Release build, Redis working in this run's directory.
pid_of() { pgrep -f "$ROOT/$1/bin/Release/net10.0/$1" | head -n 1 || true; }
PROCS=""
for service in Gateway ChatService DocumentService IntentCacheService VoiceService; do
  pid=$(pid_of "$service")
  [ -n "$pid" ] || { echo "$service is not running" >&2; exit 1; }
  PROCS+="$service:$pid "
done
for pid in $(pgrep -x redis-server || true); do
  case "$(readlink /proc/"$pid"/cwd)" in "$WORK"*) PROCS+="redis:$pid " ;; esac
done

python3 "$ROOT/bench/soak_traffic.py" "$GW" "$DURATION" "$WARMUP" $PROCS
