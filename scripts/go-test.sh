#!/usr/bin/env bash
# Runs `go test ./...` with what the tests need: when tools/otspec exists,
# a fresh batch of 30,000 reference vectors from the npm package
# ot-text-unicode in CONFPAD_OT_VECTORS (read by the collab tests): over
# 20,000 apply, transform, compose and transformPosition cases, plus the
# other kinds gen.js makes. Extra arguments go to go test. Services
# (redis-server, nginx, chromium) are started by the tests themselves on
# free loopback ports.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
go="${GO:-go}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [ -f tools/otspec/gen.js ]; then
	node tools/otspec/gen.js 30000 >"$tmp/vectors.json"
	export CONFPAD_OT_VECTORS="$tmp/vectors.json"
fi

"$go" test "$@" ./...
