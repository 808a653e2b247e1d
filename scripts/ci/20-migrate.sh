#!/usr/bin/env bash
# migralint migrate: tests against a throwaway PostgreSQL 15 (started by the
# tests themselves with initdb/pg_ctl as the postgres user) and, when
# ../shared is present, the real migration history in ../shared/corpus.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash scripts/ci/postgres.sh

export CI="${CI:-true}"
if [ "${MIGRALINT_WORKSPACE_TESTED:-}" = 1 ]; then
    # scripts/test-all.sh ran these in its one `cargo test --workspace`
    # (one build for every crate's tests, instead of one per package).
    echo "20-migrate: cargo test -p migralint-migrate already ran in cargo test --workspace"
    exit 0
fi
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
