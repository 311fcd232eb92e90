#!/usr/bin/env bash
# Runs every fuzz target of the module for a while each, and fails if go
# test does not list every `func Fuzz...` of the test files (so a target
# cannot be left out unseen).
# Usage: scripts/fuzz.sh [duration per target, default 1m]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
fuzztime="${1:-1m}"
go="${GO:-go}"

# The fuzz functions the test files declare, and the folders they are in.
declared="$(grep -rhoE --include='*_test.go' --exclude-dir=node_modules '^func Fuzz[A-Za-z0-9_]*\(' . | wc -l)"
dirs="$(grep -rlE --include='*_test.go' --exclude-dir=node_modules '^func Fuzz' . | xargs -n1 dirname | sort -u)"

ran=0
for dir in $dirs; do
	for target in $("$go" test -list '^Fuzz' "$dir" | grep '^Fuzz' || true); do
		echo "fuzz: $dir $target for $fuzztime"
		"$go" test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$dir"
		ran=$((ran + 1))
	done
done
if [ "$ran" -ne "$declared" ]; then
	echo "fuzz: ran $ran fuzz targets, but the test files declare $declared" >&2
	exit 1
fi
echo "fuzz: all $ran fuzz targets ran for $fuzztime each"
