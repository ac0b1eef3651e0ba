#!/bin/sh
# Fetch civetweb 1.15 from Debian's source package into the given folder.
#
# Debian's libcivetweb binary loads OpenSSL at run time through the 1.1 API and crashes on the
# first TLS handshake with OpenSSL 3, so we compile civetweb.c ourselves with OPENSSL_API_3_0.
# A private apt source list and state folder keep the system's own apt files untouched.
set -eu
dest=${1:?usage: fetch-civetweb.sh DEST}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/private.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
apt_private="-o Dir::Etc::SourceParts=/dev/null -o Dir::Etc::sourcelist=$work/private.sources \
 -o Dir::State::Lists=$work/lists -o Dir::Cache=$work/cache -o APT::Sandbox::User=root"

# shellcheck disable=SC2086
apt-get -q $apt_private update >/dev/null
# shellcheck disable=SC2086
(cd "$work" && apt-get -q $apt_private source --download-only civetweb=1.15+dfsg-4 >/dev/null)
rm -rf "$dest"
(cd "$work" && dpkg-source -x civetweb_1.15+dfsg-4.dsc src >/dev/null 2>&1)
mkdir -p "$(dirname "$dest")"
mv "$work/src" "$dest"
echo "civetweb source ready in $dest"
