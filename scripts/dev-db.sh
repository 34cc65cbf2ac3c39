#!/usr/bin/env bash
# A private, throwaway PostgreSQL + PostGIS cluster for the demo and the tests.
#
#   scripts/dev-db.sh start    install what is missing, start the cluster, print DATABASE_URL
#   scripts/dev-db.sh stop     stop it
#   scripts/dev-db.sh url      print DATABASE_URL of the running cluster
#
# Sourced by scripts/serve.sh and scripts/test.sh (function `ensure_database`). When DATABASE_URL
# is already set, that database is used as it is and nothing is installed or started.
#
# The cluster listens on a Unix socket only (no TCP port, so it never clashes with another
# PostgreSQL), with fsync off: it is for development and tests, never for data you keep.
#
# Sourcing it changes none of the sourcing shell's options: strict mode is set when the script
# runs as a command, and the functions that do the work (start_cluster, stop_cluster) run in a
# subshell of their own with it, so a failure inside them stops them, not the shell that called.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then set -euo pipefail; fi

SEGSTAT_ROOT="${SEGSTAT_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
SEGSTAT_DB_NAME="${SEGSTAT_DB_NAME:-segstat}"

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"
    else return 1
    fi
}

apt_install() {
    # Installs Debian/Ubuntu packages, or stops and says exactly what to install.
    local missing=("$@")
    command -v apt-get >/dev/null \
        || die "missing: ${missing[*]}. This script installs them with apt-get on Debian/Ubuntu; install the equivalents with your system's package manager."
    say "installing ${missing[*]} ..."
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
            || die "could not install ${missing[*]}. Run as root or with sudo: apt-get update && apt-get install -y ${missing[*]}"
    fi
}

pg_bin_dir() {
    # The newest server installation that has PostGIS, else the newest at all.
    local best="" dir v
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
        v=$(basename "$(dirname "$dir")")
        [ -x "$dir/initdb" ] || continue
        if [ -f "/usr/share/postgresql/$v/extension/postgis.control" ]; then best="$dir"
        elif [ -z "$best" ] || [ ! -f "/usr/share/postgresql/$(basename "$(dirname "$best")")/extension/postgis.control" ]; then best="$dir"
        fi
    done
    printf '%s' "$best"
}

ensure_packages() {
    local bin v
    bin=$(pg_bin_dir)
    if [ -z "$bin" ]; then
        apt_install postgresql
        bin=$(pg_bin_dir)
        [ -n "$bin" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql after installing 'postgresql'"
    fi
    v=$(basename "$(dirname "$bin")")
    [ -f "/usr/share/postgresql/$v/extension/postgis.control" ] || apt_install "postgresql-$v-postgis-3"
    # libpq's headers and library: diesel links against libpq.
    if [ ! -f /usr/include/postgresql/libpq-fe.h ]; then apt_install libpq-dev; fi
    PG_BIN="$bin"
}

cluster_dir() {
    # Under the project when the server's user can write there; otherwise a private folder in
    # /tmp named after the project path (socket paths are limited to ~100 bytes).
    local dir="$SEGSTAT_ROOT/.pg" hash
    if [ "$(id -u)" -ne 0 ] && [ ${#dir} -lt 80 ]; then printf '%s' "$dir"; return; fi
    if [ "$(id -u)" -eq 0 ] && [ ${#dir} -lt 80 ] && mkdir -p "$dir" && chown postgres: "$dir" 2>/dev/null \
        && runuser -u postgres -- test -w "$dir" 2>/dev/null; then
        printf '%s' "$dir"; return
    fi
    hash=$(printf '%s' "$SEGSTAT_ROOT" | sha256sum | cut -c1-12)
    printf '%s' "/tmp/segstat-pg-$hash"
}

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cluster_url() {
    local dir="$1"
    printf 'postgres://postgres@localhost/%s?host=%s' "$SEGSTAT_DB_NAME" "$dir/run"
}

start_cluster() (
    set -euo pipefail
    ensure_packages
    local dir
    dir=$(cluster_dir)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        say "creating a throwaway PostgreSQL cluster in $dir"
        as_pg mkdir -p "$dir/data" "$dir/run"
        as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
            || as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
    elif [ "$(cat "$dir/data/PG_VERSION")" != "$(basename "$(dirname "$PG_BIN")")" ]; then
        die "the cluster in $dir was made by PostgreSQL $(cat "$dir/data/PG_VERSION"); remove $dir to recreate it with $(basename "$(dirname "$PG_BIN")")"
    fi
    if ! as_pg "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start \
            -o "-c listen_addresses='' -k $dir/run -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null \
            || { tail -20 "$dir/postgres.log" >&2; die "PostgreSQL did not start; its log is above ($dir/postgres.log)"; }
    fi
    if ! as_pg "$PG_BIN/psql" -h "$dir/run" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$SEGSTAT_DB_NAME'" | grep -q 1; then
        as_pg "$PG_BIN/psql" -h "$dir/run" -U postgres -d postgres -qc "CREATE DATABASE \"$SEGSTAT_DB_NAME\"" >/dev/null
    fi
    cluster_url "$dir"
)

stop_cluster() (
    set -euo pipefail
    local dir bin
    dir=$(cluster_dir)
    bin=$(pg_bin_dir)
    [ -f "$dir/data/PG_VERSION" ] && [ -n "$bin" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
)

# Exports DATABASE_URL: the one given, or the private cluster's.
ensure_database() {
    if [ -n "${DATABASE_URL:-}" ]; then
        say "using DATABASE_URL from the environment"
    else
        DATABASE_URL=$(start_cluster) || return 1
        export DATABASE_URL
    fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    case "${1:-start}" in
        start) start_cluster; echo ;;
        stop) stop_cluster ;;
        url) cluster_url "$(cluster_dir)"; echo ;;
        *) die "usage: $0 start|stop|url" ;;
    esac
fi
