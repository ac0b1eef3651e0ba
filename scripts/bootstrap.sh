#!/bin/sh
# Install the Debian 12 packages the build, the servers and the tests need, and fetch the
# civetweb source. Safe to run again: it does nothing when everything is present.
set -eu
cd "$(dirname "$0")/.."

packages="build-essential pkg-config asn1c libmbedtls-dev libcjson-dev libpq-dev libssl-dev
 libcurl4-openssl-dev libqrencode-dev libpng-dev zbar-tools postgresql postgresql-client
 dpkg-dev ca-certificates curl openssl xxd procps clang-14 libclang-rt-14-dev"

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "bootstrap: missing Debian packages:$missing; run 'make deps' as root or install them" >&2
		exit 1
	fi
	echo "bootstrap: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >/dev/null
fi

[ -f build/civetweb-src/src/civetweb.c ] || scripts/fetch-civetweb.sh build/civetweb-src
