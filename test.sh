#!/usr/bin/env bash
# Installs the real servers and tools the tests use (when run as root), then runs every test.
# Usage: ./test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Gateway]
set -euo pipefail
cd "$(dirname "$0")"

# apt package -> a file that proves it is installed
declare -A wanted=(
  [redis-server]=/usr/bin/redis-server
  [poppler-utils]=/usr/bin/pdftotext
  [espeak-ng]=/usr/bin/espeak-ng
  [flite]=/usr/bin/flite
  [sox]=/usr/bin/sox
  [ffmpeg]=/usr/bin/ffmpeg
  [pocketsphinx]=/usr/bin/pocketsphinx_continuous
  [pocketsphinx-en-us]=/usr/share/pocketsphinx/model/en-us/en-us
  [postgresql]=/usr/lib/postgresql/15/bin/postgres
  [nodejs]=/usr/bin/node
  [npm]=/usr/bin/npm
  [chromium]=/usr/bin/chromium
)
missing=()
for pkg in "${!wanted[@]}"; do
  [ -e "${wanted[$pkg]}" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "test.sh: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "test.sh: missing ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}" >&2
  fi
fi
# The Kubernetes schema validator of tests/Deploy.Tests, pinned by its package-lock.json.
validator=tests/Deploy.Tests/validator
[ -d "$validator/node_modules/kubernetes-models" ] || (cd "$validator" && npm ci --no-audit --no-fund --loglevel=error)
# The openai npm package the Responses end-to-end tests drive, and the TypeScript compiler that checks our JSON
# against its types, pinned by its package-lock.json.
sdk=tests/EndToEnd.Tests/OpenAINode
[ -d "$sdk/node_modules/openai" ] && [ -d "$sdk/node_modules/typescript" ] || (cd "$sdk" && npm ci --no-audit --no-fund --loglevel=error)
[ -d tests/EndToEnd.Tests/VectorStoresNode/node_modules/openai ] || (cd tests/EndToEnd.Tests/VectorStoresNode && npm ci --no-audit --no-fund --loglevel=error)
command -v kubectl >/dev/null || echo "test.sh: kubectl is missing; the deploy/ render tests will fail" >&2
command -v moto_server >/dev/null || echo "test.sh: moto_server is missing (pip install 'moto[server]'); the AWS tests will fail" >&2

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test Microservices.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line for the whole run, summed over the test assemblies.
awk '/^(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) { gsub(",", "", $i); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
