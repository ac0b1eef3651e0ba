#!/bin/sh
# Fetch civetweb 1.15 from Debian's source package, and patch its civetweb.c for our build.
#
#   fetch-civetweb.sh DEST               unpacks the source package into DEST
#   fetch-civetweb.sh --patch SRC OUT    writes SRC (civetweb.c of that package) with the patch
#                                        below applied to OUT, and fails if a hunk does not apply
#
# Debian's libcivetweb binary loads OpenSSL at run time through the 1.1 API and crashes on the
# first TLS handshake with OpenSSL 3, so we compile civetweb.c ourselves with OPENSSL_API_3_0.
# A private apt source list and state folder keep the system's own apt files untouched.
#
# The patch changes three places of civetweb.c. The Makefile applies it to a copy in the build
# folder, so the unpacked source stays as Debian ships it.
#  1. pull_all(), under mg_read(): a read also ends once request_timeout_ms has passed since it
#     began while data kept arriving. Unpatched, the timeout counts only while nothing arrives,
#     so a client sending one byte every few seconds keeps a single mg_read() call, and its
#     worker thread, busy for as long as it likes. The HTTP glue (common/http.c) checks its body
#     timeout between reads, so each read must end.
#  2. handle_request(): a negative return of the begin_request callback sets must_close, so the
#     connection closes after the response. Unpatched, civetweb keeps the connection open when
#     the request had no body or its Content-Length header was dropped (civetweb keeps at most
#     64 header fields), and then parses the unread body as the next request: request
#     smuggling. The HTTP glue returns -1 whenever it rejects a request without reading its body.
#  3. process_new_connection(): the keep-alive check compared request_len + content_len with
#     data_len. strtoll() reads a Content-Length of more than 18 digits as LLONG_MAX, so that sum
#     overflowed (undefined behaviour; UBSan aborts). The check now compares content_len with
#     data_len - request_len, which cannot overflow because data_len >= request_len there.
set -eu

if [ "${1:-}" = "--patch" ]; then
	src=${2:?usage: fetch-civetweb.sh --patch SRC OUT}
	out=${3:?usage: fetch-civetweb.sh --patch SRC OUT}
	# Every context line must match (--fuzz=0) and an already patched file is not reversed
	# (--forward), so any civetweb.c other than the expected one fails here.
	trap 'rm -f "$out.tmp"' EXIT
	patch --quiet --batch --forward --fuzz=0 --reject-file=- -o "$out.tmp" "$src" <<'PATCH'
--- a/src/civetweb.c
+++ b/src/civetweb.c
@@ -6446,6 +6446,12 @@
 		} else {
 			nread += n;
 			len -= n;
+			/* Also stop once the timeout has passed while data kept coming,
+			 * so a client sending a byte at a time cannot stretch one read. */
+			if ((timeout >= 0.0)
+			    && ((mg_get_current_time_ns() - start_time) > timeout_ns)) {
+				break;
+			}
 		}
 	}
 
@@ -14092,6 +14098,7 @@
 			/* civetweb should process the request */
 		} else {
 			/* unspecified - may change with the next version */
+			conn->must_close = 1;
 			return;
 		}
 	}
@@ -18620,8 +18627,8 @@
 		             && ((conn->is_chunked == 4)
 		                 || (!conn->is_chunked
 		                     && ((conn->consumed_content == conn->content_len)
-		                         || ((conn->request_len + conn->content_len)
-		                             <= conn->data_len))))
+		                         || (conn->content_len
+		                             <= (conn->data_len - conn->request_len)))))
 		             && (conn->protocol_type == PROTOCOL_TYPE_HTTP1);
 
 		if (keep_alive) {
PATCH
	mv "$out.tmp" "$out"
	exit 0
fi

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
