#!/usr/bin/env bash
# A soak: the whole platform as `dotnet run --project AppHost` starts it (Release, Production, Redis, SQLite, the
# embedded model, speech and embeddings), and mixed traffic through the gateway on loopback for a bounded time:
# chat streams, cached answers, document uploads (each deleted again), searches, voice answers, and streams from a
# key whose token budget is meant to refuse most of them. Prints every error other than those intended 429s (must be
# 0), p50/p99 latency per route, and the RSS of each process sampled over the run (first/last/max after warm-up).
#   bench/soak.sh [seconds=600]   (WARMUP seconds, default a fifth of the run, at most 120)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DURATION="${1:-600}"
WARMUP="${WARMUP:-$(( DURATION / 5 < 120 ? DURATION / 5 : 120 ))}"
require_tools redis-server python3 curl espeak-ng
bench_work soak-bench
# Only the budget key is refused (the common limits are high); the offline model streams a word every 5 ms, as a
# model streams tokens.
start_platform Chat__OfflineWordDelay=00:00:00.005
GW="http://127.0.0.1:$PORT"

PROCS=""
for service in Gateway ChatService DocumentService IntentCacheService VoiceService; do
  pid=$(pid_of "$service")
  [ -n "$pid" ] || { echo "$service is not running" >&2; exit 1; }
  PROCS+="$service:$pid "
done
for pid in $(redis_pid); do PROCS+="redis:$pid "; done

python3 "$ROOT/bench/soak_traffic.py" "$GW" "$DURATION" "$WARMUP" $PROCS
