#!/usr/bin/env bash
# Adds migration NAME, once for SQLite and once for PostgreSQL, to every service whose model changed since its last
# migration (docs/migrations.md). Services whose model did not change are left alone.
# Usage: scripts/add-migration.sh NAME [Project ...]   (default: every service with a database)
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: scripts/add-migration.sh NAME [Project ...]}
shift
projects=("$@")
[ ${#projects[@]} -gt 0 ] || projects=(ChatService DocumentService Gateway IntentCacheService)

dotnet tool restore >/dev/null
added=0
for project in "${projects[@]}"; do
  csproj="$project/$project.csproj"
  dotnet build "$csproj" -nologo -v q -clp:ErrorsOnly
  for provider in Sqlite Postgres; do
    ef=(dotnet ef --project "$csproj" --no-build)
    if "${ef[@]}" migrations has-pending-model-changes -- --provider "$provider" >/dev/null 2>&1; then
      continue
    fi
    echo "$project: adding $name for $provider"
    "${ef[@]}" migrations add "$name" --output-dir "Migrations/$provider" \
      --namespace "$project.Migrations.$provider" -- --provider "$provider" >/dev/null
    added=$((added + 1))
    # A context's first migration: dotnet-ef puts the snapshot under a folder named after the namespace and names it
    # after the context alone, the same for both providers, so later runs would find one provider's file for the
    # other's. Give it the provider in its name and move it beside its migrations.
    for snapshot in "$project/$project/Migrations/$provider/"*ModelSnapshot.cs; do
      [ -e "$snapshot" ] || continue
      class=$(basename "$snapshot" .cs)
      renamed=${class%ModelSnapshot}${provider}ModelSnapshot
      sed "s/\b$class\b/$renamed/" "$snapshot" >"$project/Migrations/$provider/$renamed.cs"
      rm -r "${project:?}/$project"
      dotnet build "$csproj" -nologo -v q -clp:ErrorsOnly
    done
  done
done
echo "added $added migration(s)"
