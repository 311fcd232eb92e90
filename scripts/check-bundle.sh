#!/usr/bin/env bash
# Fails when the committed frontend bundle (frontend/dist) differs from a
# fresh build of frontend/. Run after `npm ci && npm run build`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ -n "$(git status --porcelain -- frontend/dist)" ]; then
	echo "check-bundle: frontend/dist is not what the sources build:" >&2
	git status --short -- frontend/dist >&2
	git --no-pager diff --stat -- frontend/dist >&2
	echo "check-bundle: run 'make frontend' and commit frontend/dist" >&2
	exit 1
fi
echo "check-bundle: frontend/dist is current"
