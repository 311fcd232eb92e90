#!/usr/bin/env bash
# Installs what `make test` needs and the machine lacks: redis-server,
# chromium and nginx (plus Node.js and npm when the repository has
# package.json files) from Debian's packages when run as root, then the
# npm packages of frontend/ and tools/otspec/ where node_modules is
# missing or older than package-lock.json. Safe to run again: it only
# installs what is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# have reports whether a command exists, on PATH or in the sbin
# directories that a non-root PATH may lack.
have() {
	command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]
}

node_dirs=()
for dir in frontend tools/otspec; do
	if [ -f "$dir/package.json" ]; then
		node_dirs+=("$dir")
	fi
done

packages=()
have redis-server || packages+=(redis-server)
have chromium || packages+=(chromium)
have nginx || packages+=(nginx-light)
have git || packages+=(git)
# Colour emoji in the pad screenshot the browser tests take.
[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || packages+=(fonts-noto-color-emoji)
if [ "${#node_dirs[@]}" -gt 0 ] && ! have npm; then
	have node && packages+=(npm) || packages+=(nodejs npm)
fi

if [ "${#packages[@]}" -gt 0 ]; then
	if [ "$(id -u)" -eq 0 ] && have apt-get; then
		echo "test-deps: installing ${packages[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq "${packages[@]}" >/dev/null
	else
		echo "test-deps: missing ${packages[*]}; install them (as root this script uses apt-get)" >&2
	fi
fi

# A stamp of the lock file it was installed from tells when node_modules
# is stale.
for dir in "${node_dirs[@]}"; do
	want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
	stamp="$dir/node_modules/.confpad-lock-sha256"
	if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
		echo "test-deps: npm ci in $dir"
		(cd "$dir" && npm ci --no-audit --no-fund)
		echo "$want" >"$stamp"
	fi
done
