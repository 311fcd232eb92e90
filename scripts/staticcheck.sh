#!/usr/bin/env bash
# Runs staticcheck on the module, first installing the pinned version from
# the Go module proxy into .tools/bin (project-local, git-ignored) when it
# is missing or another version. Extra arguments go to staticcheck.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
go="${GO:-go}"
version=v0.8.2

bin="$PWD/.tools/bin"
if ! "$bin/staticcheck" -version 2>/dev/null | grep -qF "(${version#v})"; then
	echo "staticcheck: installing honnef.co/go/tools/cmd/staticcheck@$version into .tools/bin"
	GOBIN="$bin" "$go" install "honnef.co/go/tools/cmd/staticcheck@$version"
fi
"$bin/staticcheck" "$@" ./...
