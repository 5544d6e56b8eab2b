#!/usr/bin/env bash
# Regenerates deploy/ from the AppHost's model: the AppHost's manifest publisher writes deploy/aspire-manifest.json and
# DeployGen turns it into the kustomize tree. With --check it changes nothing and exits 1 when the committed tree is not
# what the AppHost's model gives.
# Usage: deploy/generate.sh [--check]
set -euo pipefail
cd "$(dirname "$0")/.."
check=${1:-}
[ -z "$check" ] || [ "$check" = --check ] || { echo "usage: deploy/generate.sh [--check]" >&2; exit 2; }

manifest=deploy/aspire-manifest.json
# Written beside the committed one, because the paths in it are relative to the manifest's folder.
fresh=deploy/.aspire-manifest.fresh.json
trap 'rm -f "$fresh"' EXIT
ASPIRE_ALLOW_UNSECURED_TRANSPORT=true dotnet run --project AppHost -- --publisher manifest --output-path "$PWD/$fresh" >/dev/null
# The check compares the tree, not the manifest: the manifest also records how this machine runs Redis and
# PostgreSQL (commands, arguments), which the cluster does not use.
if [ -n "$check" ]; then manifest=$fresh; else mv "$fresh" "$manifest"; fi
dotnet run --project DeployGen -- "$manifest" deploy $check
