#!/usr/bin/env bash
# migralint migrate: tests against a throwaway PostgreSQL 15 (started by the
# tests themselves with initdb/pg_ctl as the postgres user) and, when
# ../shared is present, the real migration history in ../shared/corpus.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
    echo "20-migrate: installing PostgreSQL (initdb not found)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
fi
# initdb refuses root: the tests run it as the postgres user.
id postgres >/dev/null

export CI="${CI:-true}"
echo "20-migrate: cargo test -p migralint-migrate"
log="$(mktemp)"
set +e
cargo test -p migralint-migrate 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
echo "20-migrate: summary"
grep -E "^test result:|Running " "$log" || true
rm -f "$log"
exit "$status"
