# What the bench scripts share, sourced by them (after `set -euo pipefail`): the tools they need, a work dir that
# goes on exit with every process the bench started, free loopback ports, and the whole platform started as
# `dotnet run --project AppHost` starts it.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

require_tools() { # tool... (each is also the name of its Debian package)
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y --no-install-recommends $*" >&2; exit 1; }
  done
}

bench_work() { # name: WORK, a dir of this run's own; PIDS, the processes to stop at the end
  WORK="$(mktemp -d "/tmp/$1.XXXXXX")"
  PIDS=()
  APPHOST_PID=""
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

bench_cleanup() {
  # The platform is a process group of its own (setsid); DCP stops the services it detached along with it.
  [ -z "$APPHOST_PID" ] || { kill -TERM -- "-$APPHOST_PID" 2>/dev/null || true; wait "$APPHOST_PID" 2>/dev/null || true; }
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

start_platform() { # [Name=value...]: settings beyond the common ones. Sets PORT (the gateway's) and APPHOST_PID.
  PORT=$(free_port)
  echo "building the platform (Release)..." >&2
  dotnet build "$ROOT/AppHost" -c Release -v quiet -nologo >/dev/null
  # Limits stay on (every request is authenticated and counted) but high enough not to refuse the benchmark;
  # Production, as deployed (the launch profile says Development, with its exception page); no telemetry export, so
  # the figures are the platform's own; its own dashboard ports, so it runs beside another AppHost.
  local dashboard otlp resources
  dashboard=$(free_port); otlp=$(free_port); resources=$(free_port)
  (cd "$ROOT" && exec setsid env AppHost__GatewayPort="$PORT" AppHost__DataDirectory="$WORK/data" \
    Limits__UserRpm=100000000 Logging__LogLevel__Default=Warning ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production \
    OTEL_SDK_DISABLED=true ASPIRE_ALLOW_UNSECURED_TRANSPORT=true "$@" \
    dotnet run --project AppHost -c Release --no-build --no-launch-profile -- \
    --ASPNETCORE_URLS="http://127.0.0.1:$dashboard" --ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL="http://127.0.0.1:$otlp" \
    --ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL="http://127.0.0.1:$resources" >"$WORK/apphost.log" 2>&1) &
  APPHOST_PID=$!
  local health="http://127.0.0.1:$PORT/health"
  for _ in $(seq 1 900); do curl -fs -m 2 "$health" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "the platform did not start:" >&2; tail -n 40 "$WORK/apphost.log" >&2; exit 1
}

# This run's processes only: the services run from this tree's Release build; Redis is the redis-server working in
# this run's data directory (its address is behind Aspire's local proxy, so the port does not tell).
pid_of() { pgrep -f "$ROOT/$1/bin/Release/net10.0/$1" | head -n 1 || true; }

redis_pid() {
  local pid
  for pid in $(pgrep -x redis-server || true); do
    case "$(readlink /proc/"$pid"/cwd)" in "$WORK"*) echo "$pid" ;; esac
  done
}
