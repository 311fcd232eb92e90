#!/usr/bin/env bash
# Runs every fuzz target of the module for a while each, and fails if go
# test does not list every `func Fuzz...` of the test files (so a target
# cannot be left out unseen).
# Usage: scripts/fuzz.sh [per target: a duration such as 1m (the default),
# or a count of inputs such as 10000x]
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
		log="$(mktemp)"
		if ! "$go" test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$dir" 2>&1 | tee "$log"; then
			# Go 1.26's fuzz coordinator can report "context deadline
			# exceeded" when a duration -fuzztime ends while a worker is
			# busy (golang/go#75804, fixed in Go 1.27): no input failed.
			# A real failure always writes its input to testdata/fuzz.
			if grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written to' "$log"; then
				echo "fuzz: $target stopped by golang/go#75804 at the end of its time; no input failed"
			else
				rm -f "$log"
				exit 1
			fi
		fi
		rm -f "$log"
		ran=$((ran + 1))
	done
done
if [ "$ran" -ne "$declared" ]; then
	echo "fuzz: ran $ran fuzz targets, but the test files declare $declared" >&2
	exit 1
fi
echo "fuzz: all $ran fuzz targets ran for $fuzztime each"
