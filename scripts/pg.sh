#!/bin/sh
# A private PostgreSQL 15 cluster for the demo and the tests, listening only on a Unix socket.
#
#   scripts/pg.sh start         start the cluster (creating it first if needed)
#   scripts/pg.sh stop          stop it
#   scripts/pg.sh conninfo [DB] print the libpq connection string of database DB (default rsp)
#   scripts/pg.sh createdb DB   create database DB (dropping an older one of that name)
#   scripts/pg.sh dropdb DB
#
# initdb refuses to run as root, and the postgres user cannot enter a checkout under /root, so
# as root the cluster lives in a folder of its own under /var/tmp, owned by postgres and named
# after the checkout path. As another user it lives in .state/pg of the checkout.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
bindir=/usr/lib/postgresql/15/bin
port=5432

if [ "$(id -u)" = 0 ]; then
	key=$(printf '%s' "$repo" | cksum | cut -d' ' -f1)
	dir=${RSP_PG_DIR:-/var/tmp/esim-rsp-pg-$key}
	as_pg() { runuser -u postgres -- "$@"; }
	dbuser=postgres
else
	dir=${RSP_PG_DIR:-$repo/.state/pg}
	as_pg() { "$@"; }
	dbuser=$(id -un)
fi
data=$dir/data

conninfo() { echo "host=$dir port=$port dbname=${1:-rsp} user=$dbuser"; }

start() {
	if [ ! -f "$data/PG_VERSION" ]; then
		mkdir -p "$dir"
		[ "$(id -u)" = 0 ] && chown postgres: "$dir" && chmod 700 "$dir"
		as_pg "$bindir/initdb" -D "$data" -A trust -U "$dbuser" -E UTF8 --no-locale >"$dir.initdb.log" 2>&1 \
			|| { cat "$dir.initdb.log" >&2; exit 1; }
	fi
	if as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		return 0
	fi
	as_pg "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 30 \
		-o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $port -c max_connections=300 -c fsync=off" \
		start >/dev/null || { tail -20 "$dir/server.log" >&2; exit 1; }
	as_pg "$bindir/psql" -h "$dir" -p $port -U "$dbuser" -d postgres -qAtc \
		"SELECT 1 FROM pg_database WHERE datname='rsp'" | grep -q 1 \
		|| as_pg "$bindir/createdb" -h "$dir" -p $port -U "$dbuser" rsp
}

case ${1:-} in
start) start ;;
stop) as_pg "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true ;;
conninfo) conninfo "${2:-rsp}" ;;
createdb)
	as_pg "$bindir/dropdb" -h "$dir" -p $port -U "$dbuser" --if-exists "$2"
	as_pg "$bindir/createdb" -h "$dir" -p $port -U "$dbuser" "$2" ;;
dropdb) as_pg "$bindir/dropdb" -h "$dir" -p $port -U "$dbuser" --if-exists "$2" ;;
*) echo "usage: scripts/pg.sh start|stop|conninfo [DB]|createdb DB|dropdb DB" >&2; exit 2 ;;
esac
