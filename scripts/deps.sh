#!/usr/bin/env bash
# Installs the Debian 12 packages that Hromada's build, tests and benchmarks need.
#
# Idempotent: asks dpkg what is already installed and calls apt-get only for what is
# missing, running `apt-get update` once, and only when it must install. Prints
# one line, "dependencies OK", when nothing is missing; otherwise names what it
# installs, keeps apt's and npm's output in $TMPDIR/hromada-deps.log and shows
# it only when a step fails. Services that
# Debian starts on install (nginx on port 80, PostgreSQL's default cluster) are kept
# from starting: the tests and benchmarks start their own throw-away servers.
set -euo pipefail

packages=(
	# build
	gcc make cmake pkg-config clang libclang-rt-14-dev
	# libraries
	libssl-dev libjansson-dev libmicrohttpd-dev libcurl4-openssl-dev libsqlite3-dev
	libpq-dev zlib1g-dev libinih-dev libcmocka-dev libqrencode-dev libzbar-dev libpng-dev
	libzbar0
	# key isolation: the key process's system-call filter, and a PKCS#11 token
	# (SoftHSM2) for the HSM-backed signer and its tests
	libseccomp-dev softhsm2 libp11-kit-dev
	# tests: a real PostgreSQL server, started by the harness in a temporary directory
	postgresql-15 curl openssl
	# tests: independent decoders (tests/tools/*.py) on the standard library and
	# Debian's cryptography module
	python3 python3-cryptography
	# tests: the OASIS STIX 2.1 schemas checked by an independent validator
	python3-jsonschema
	# tests: systemd-analyze verify and security on packaging/systemd/ (lint.systemd_units)
	systemd
	# benchmarks: load generator, the nginx peer, and sqlite3 to pick citizens
	wrk nginx-light sqlite3
	# browser tests: Debian's Chromium, driven by web/'s pinned playwright-core
	chromium
)

missing=()
for p in "${packages[@]}"; do
	case "$p" in \#*) continue ;; esac
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done

# The npm peers of the benchmarks need node and npm; a machine may already have
# them from elsewhere (NodeSource bundles npm into its nodejs package), so ask
# for the commands, not the packages.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	missing+=(nodejs npm)
fi

# The web pages embed two npm packages (jsQR, qrcode-generator) and the browser
# tests use two more (playwright-core, axe-core), all pinned by web/package-lock.json.
# npm ci runs only when web/node_modules is missing or older than the lockfile.
web_modules() {
	local web
	web="$(cd "$(dirname "$0")/.." && pwd)/web"
	if [ ! -f "$web/node_modules/.package-lock.json" ] ||
		[ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; then
		echo "deps.sh: npm ci in web/ (pinned by web/package-lock.json)" >&2
		quietly "$log" bash -c "cd '$web' && npm ci --no-audit --no-fund --loglevel=error"
	fi
}

# A step's output goes to the log and is shown only when the step fails.
log="${TMPDIR:-/tmp}/hromada-deps.log"
quietly() {
	local out="$1"
	shift
	if ! "$@" >>"$out" 2>&1; then
		cat "$out" >&2
		echo "deps.sh: failed: $* (output above, in $out)" >&2
		exit 1
	fi
}
: >"$log"

if [ ${#missing[@]} -eq 0 ]; then
	web_modules
	echo "dependencies OK"
	exit 0
fi

echo "deps.sh: installing ${missing[*]} (output in $log)" >&2
sudo=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "deps.sh: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
	sudo=(sudo)
fi

# policy-rc.d returning 101 tells invoke-rc.d not to start services during this install.
policy=/usr/sbin/policy-rc.d
placed_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
	"${sudo[@]}" chmod 755 "$policy"
	placed_policy=1
fi
cleanup() { if [ "$placed_policy" = 1 ]; then "${sudo[@]}" rm -f "$policy"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
quietly "$log" "${sudo[@]}" apt-get update -q
quietly "$log" "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
web_modules
echo "dependencies OK (installed ${missing[*]})"
