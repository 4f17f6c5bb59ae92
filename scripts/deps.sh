#!/usr/bin/env bash
# Installs the Debian 12 packages that Hromada's build, tests and benchmarks need.
#
# Idempotent: asks dpkg what is already installed and calls apt-get only for what is
# missing, running `apt-get update` once, and only when it must install. Services that
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
		(cd "$web" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
	fi
}

if [ ${#missing[@]} -eq 0 ]; then
	web_modules
	exit 0
fi

echo "deps.sh: installing ${missing[*]}" >&2
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
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
web_modules
