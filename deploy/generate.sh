#!/usr/bin/env bash
# Regenerates deploy/ from the AppHost's model: the AppHost's manifest publisher writes deploy/aspire-manifest.json and
# DeployGen turns it into the kustomize tree. With --check it changes nothing and exits 1 when the committed manifest or
# tree is stale.
# Usage: deploy/generate.sh [--check]
set -euo pipefail
cd "$(dirname "$0")/.."
check=${1:-}
[ -z "$check" ] || [ "$check" = --check ] || { echo "usage: deploy/generate.sh [--check]" >&2; exit 2; }

manifest=deploy/aspire-manifest.json
# The hand-made AppHost has no manifest publisher; until the Aspire one lands, the committed manifest is the input.
if grep -q 'Aspire.AppHost.Sdk' AppHost/AppHost.csproj; then
  # Written beside the committed one, because project paths in it are relative to the manifest's folder.
  fresh=deploy/.aspire-manifest.fresh.json
  trap 'rm -f "$fresh"' EXIT
  ASPIRE_ALLOW_UNSECURED_TRANSPORT=true dotnet run --project AppHost -- --publisher manifest --output-path "$PWD/$fresh" >/dev/null
  if [ -n "$check" ]; then
    cmp -s "$fresh" "$manifest" || { echo "stale: $manifest (the AppHost's model changed)" >&2; exit 1; }
  else
    mv "$fresh" "$manifest"
  fi
fi
dotnet run --project DeployGen -- "$manifest" deploy $check
