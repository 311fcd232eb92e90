#!/usr/bin/env bash
# Runs every fuzz target of the module for a short time each.
# Usage: scripts/fuzz.sh [duration per target, default 10s]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
fuzztime="${1:-10s}"
go="${GO:-go}"

for pkg in $("$go" list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' ./...); do
	for target in $("$go" test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
		echo "fuzz: $pkg $target for $fuzztime"
		"$go" test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
	done
done
