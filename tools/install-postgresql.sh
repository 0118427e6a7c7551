#!/usr/bin/env bash
# Install Debian's PostgreSQL server for the tracking-study tests (tests/tracking): the
# test suite starts its own throwaway cluster from /usr/lib/postgresql/*/bin (initdb,
# pg_ctl) as an unprivileged user and stops it at the end, so no service is configured
# here. Idempotent: exits at once when the server binaries are there. Needs root.
set -euo pipefail

shopt -s nullglob
for bin in /usr/lib/postgresql/*/bin; do
    if [[ -x $bin/initdb && -x $bin/pg_ctl && -x $bin/postgres ]]; then
        exit 0
    fi
done
if [[ $(id -u) -ne 0 ]]; then
    echo "install-postgresql: no PostgreSQL server in /usr/lib/postgresql/*/bin;" \
         "run as root: sudo $0" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update </dev/null
apt-get install -y --no-install-recommends postgresql </dev/null
