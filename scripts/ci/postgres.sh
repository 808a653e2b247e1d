#!/usr/bin/env bash
# Installs PostgreSQL 15 when its initdb is missing (as root, Debian) and
# checks the postgres user exists: the migrate tests start their own
# throwaway server with initdb/pg_ctl as that user (initdb refuses root).
set -euo pipefail
if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
    echo "postgres.sh: installing PostgreSQL (initdb not found)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
fi
id postgres >/dev/null
