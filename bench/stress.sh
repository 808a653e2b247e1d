#!/usr/bin/env bash
# Scaling check of `migralint check` on one huge migration: for each shape,
# an up file of N statements (after N ADD COLUMNs) and a down file of N,
# then the same at 2N; prints wall time, peak memory and the time ratio
# (about 2 when the replay is linear, 4 when it is quadratic). A script,
# not a test: nothing here asserts a time.
#
# Usage: bench/stress.sh [N]        (default 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-5000}"
cargo build --release -q -p migralint-cli
bin="$PWD/target/release/migralint"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
shapes=(
  "ALTER TABLE users ADD COLUMN x{i} int;"
  "ALTER TABLE users DROP COLUMN c{i};"
  "ALTER TABLE users RENAME COLUMN c{i} TO d{i};"
  "ALTER TABLE users ALTER COLUMN c{i} SET NOT NULL;"
  "ALTER TABLE users ADD CONSTRAINT k{i} CHECK (c{i} > 0);"
  "CREATE INDEX i{i} ON users (c{i});"
  "DROP INDEX i{i};"
  "UPDATE users SET c{i} = 1;"
  "CREATE TABLE t{i} (id int PRIMARY KEY); ALTER TABLE t{i} RENAME TO u{i};"
  "CREATE TABLE t{i} (id int PRIMARY KEY); CREATE INDEX x{i} ON t{i} (id); DROP TABLE t{i};"
  "SELECT {i};"
)
run() { # shape count -> "seconds kilobytes"
  rm -rf "$work/m" && mkdir "$work/m"
  python3 - "$work/m" "$2" "$1" <<'PY'
import sys
d, n, shape = sys.argv[1], int(sys.argv[2]), sys.argv[3]
open(f"{d}/1_a.up.sql", "w").write("CREATE TABLE users (id int);\n")
cols = "\n".join(f"ALTER TABLE users ADD COLUMN c{i} int;" for i in range(n))
body = "\n".join(shape.format(i=i) for i in range(n))
open(f"{d}/2_b.up.sql", "w").write(cols + "\n" + body + "\n")
open(f"{d}/2_b.down.sql", "w").write(body + "\n")
PY
  { /usr/bin/time -f "%e %M" "$bin" check --format json "$work/m" > /dev/null || true; } 2>&1 | tail -1
}
printf '%-10s %-10s %-10s %-10s %s\n' "N s" "2N s" "ratio" "2N MB" "shape"
for shape in "${shapes[@]}"; do
  read -r t1 _ <<<"$(run "$shape" "$n")"
  read -r t2 kb <<<"$(run "$shape" $((2 * n)))"
  awk -v a="$t1" -v b="$t2" -v kb="$kb" -v s="$shape" 'BEGIN {
    printf "%-10.2f %-10.2f %-10.2f %-10.0f %s\n", a, b, (a > 0 ? b / a : 0), kb / 1024, s }'
done
