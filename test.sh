#!/usr/bin/env bash
# test.sh is the project's single test command: it installs what the tests
# need when it is missing, then runs every test, including the browser checks
# (PODCAST_E2E=1). Arguments are passed to `go test`, e.g.
#
#   ./test.sh -run TestBrowser -v
#
# More steps (e.g. a graphql-http conformance audit) are added below the go
# test step as they come; keep each one self-installing and quiet on success.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# as_root runs a command as root, through sudo when not already root.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	else
		sudo "$@"
	fi
}

# Debian's Chromium, driven by playwright-core (no browser download).
if [ ! -x /usr/bin/chromium ]; then
	echo "test.sh: installing Debian's chromium" >&2
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# Debian's nginx, in front of a test cluster (internal/cluster's
# TestClusterBehindNginx runs deploy/nginx/podcastgraph.conf).
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
	echo "test.sh: installing Debian's nginx-light" >&2
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
fi

# Node.js and npm for e2e/: Debian's when missing. The federation gateway
# (@graphql-hive/gateway) needs Node.js 20 or later, which Debian 12's
# packages (18) are not: such a machine needs a newer Node.js on its PATH.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "test.sh: installing Debian's nodejs and npm" >&2
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
	echo "test.sh: Node.js $(node --version) is on the PATH; the checks in e2e/ need 20 or later (the federation gateway does): install a newer Node.js and run ./test.sh again" >&2
	exit 1
fi

# The e2e scripts' dependencies, reinstalled when the lock file changes.
lock_sum=$(sha256sum e2e/package-lock.json | cut -d' ' -f1)
stamp=e2e/node_modules/.package-lock.sha256
if [ ! -d e2e/node_modules ] || [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
	echo "test.sh: npm ci --prefix e2e" >&2
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix e2e --no-audit --no-fund --loglevel=error
	echo "$lock_sum" >"$stamp"
fi

# Go tests, with the browser checks on.
PODCAST_E2E=1 go test ./... "$@"

# Further test steps go here.
