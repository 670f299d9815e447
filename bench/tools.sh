#!/bin/sh
# The bench's load generators outside Python: wrk (Debian package wrk) and pgbench (postgresql-client).
# Installs what is missing when run as root where apt-get exists; otherwise says how, in one line.
set -e
missing=""
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
command -v pgbench >/dev/null 2>&1 || [ -x /usr/bin/pgbench ] || missing="$missing postgresql-client"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench: installing$missing"
    apt-get install -y -q $missing >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q $missing >/dev/null; }
    exit 0
fi
echo "bench: missing$missing; install with: sudo apt-get install -y$missing" >&2
exit 1
