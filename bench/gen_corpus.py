#!/usr/bin/env python3
"""Generate a realistic golang-migrate directory for benchmarks.

~10,000 files (5,000 versions, up + down), about 1 MB: tables, indexes
(plain and concurrent), constraints, column changes, enum types, plpgsql
functions and triggers, data fixes. Seeded and deterministic.

Usage: bench/gen_corpus.py OUT_DIR [--versions 5000] [--seed 42]
"""
import argparse
import os
import random
import shutil

NOUNS = ["user", "account", "order", "invoice", "payment", "session", "team", "project", "event",
         "audit_log", "product", "price", "subscription", "webhook", "api_key", "address", "shipment"]
TYPES = ["text", "bigint", "integer", "boolean", "timestamptz", "jsonb", "uuid", "numeric(12,2)",
         "varchar(255)", "date"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--versions", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    if os.path.isdir(args.out):
        shutil.rmtree(args.out)
    os.makedirs(args.out)
    tables = []  # (name, [columns])

    def create_table(v):
        name = f"{rng.choice(NOUNS)}s_{v}"
        cols = [f"{rng.choice(NOUNS)}_{i}" for i in range(rng.randint(1, 3))]
        lines = ["  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
                 "  created_at timestamptz NOT NULL DEFAULT now()"]
        lines += [f"  {c} {rng.choice(TYPES)}{' NOT NULL' if rng.random() < 0.3 else ''}" for c in cols]
        tables.append((name, cols))
        return (f"create_{name}", f"CREATE TABLE {name} (\n" + ",\n".join(lines) + "\n);\n",
                f"DROP TABLE IF EXISTS {name};\n")

    def add_column(v):
        t, cols = rng.choice(tables)
        c = f"extra_{v}"
        cols.append(c)
        default = rng.choice(["", " DEFAULT 0", " DEFAULT now()", " DEFAULT gen_random_uuid()"])
        ty = {"": "text", " DEFAULT 0": "integer", " DEFAULT now()": "timestamptz",
              " DEFAULT gen_random_uuid()": "uuid"}[default]
        return (f"add_{c}_to_{t}", f"SET lock_timeout = '2s';\nALTER TABLE {t} ADD COLUMN IF NOT EXISTS {c} {ty}{default};\n",
                f"ALTER TABLE {t} DROP COLUMN IF EXISTS {c};\n")

    def add_index(v):
        t, cols = rng.choice(tables)
        c = rng.choice(cols)
        conc = " CONCURRENTLY" if rng.random() < 0.5 else ""
        return (f"index_{t}_{c}", f"CREATE INDEX{conc} IF NOT EXISTS idx_{v} ON {t} ({c});\n",
                f"DROP INDEX{conc} IF EXISTS idx_{v};\n")

    def add_fk(v):
        (t, _), (r, _) = rng.choice(tables), rng.choice(tables)
        nv = " NOT VALID" if rng.random() < 0.5 else ""
        return (f"fk_{t}_{r}",
                f"ALTER TABLE {t} ADD COLUMN IF NOT EXISTS ref_{v} bigint;\n"
                f"ALTER TABLE {t}\n  ADD CONSTRAINT fk_{v} FOREIGN KEY (ref_{v}) REFERENCES {r} (id){nv};\n",
                f"ALTER TABLE {t} DROP CONSTRAINT IF EXISTS fk_{v};\nALTER TABLE {t} DROP COLUMN IF EXISTS ref_{v};\n")

    def change_type(v):
        t, cols = rng.choice(tables)
        c = rng.choice(cols)
        new = rng.choice(["text", "varchar(500)", "bigint USING %s::bigint" % c])
        return (f"alter_{t}_{c}", f"ALTER TABLE {t} ALTER COLUMN {c} TYPE {new};\n", "-- irreversible\n")

    def function(v):
        t, _ = rng.choice(tables)
        body = (f"CREATE OR REPLACE FUNCTION touch_{v}() RETURNS trigger\nLANGUAGE plpgsql AS $$\nBEGIN\n"
                f"  IF NEW.created_at IS NULL THEN\n    NEW.created_at := now();\n  END IF;\n"
                f"  RAISE NOTICE 'touched % in {t}', NEW.id;\n  RETURN NEW;\nEND;\n$$;\n\n"
                f"CREATE TRIGGER trg_{v} BEFORE INSERT ON {t}\n  FOR EACH ROW EXECUTE FUNCTION touch_{v}();\n")
        return (f"trigger_{t}", body, f"DROP TRIGGER IF EXISTS trg_{v} ON {t};\nDROP FUNCTION IF EXISTS touch_{v}();\n")

    def data_fix(v):
        t, _ = rng.choice(tables)
        where = " WHERE created_at < '2020-01-01'" if rng.random() < 0.7 else ""
        return (f"backfill_{t}", f"BEGIN;\nUPDATE {t} SET created_at = now(){where};\nDELETE FROM {t} WHERE id < 0;\nCOMMIT;\n",
                "-- data fixes are not reverted\n")

    def enum_type(v):
        return (f"enum_{v}", f"CREATE TYPE status_{v} AS ENUM ('new', 'active', 'closed');\n",
                f"DROP TYPE IF EXISTS status_{v};\n")

    shapes = [(create_table, 3), (add_column, 3), (add_index, 3), (add_fk, 1), (change_type, 1),
              (function, 1), (data_fix, 1), (enum_type, 1)]
    population = [s for s, w in shapes for _ in range(w)]
    total = 0
    for v in range(1, args.versions + 1):
        shape = create_table if not tables or v <= 3 else rng.choice(population)
        title, up, down = shape(v)
        for direction, text in (("up", up), ("down", down)):
            path = os.path.join(args.out, f"{v:06d}_{title}.{direction}.sql")
            with open(path, "w") as f:
                f.write(text)
            total += len(text.encode())
    print(f"wrote {2 * args.versions} files, {total} bytes, to {args.out}")


if __name__ == "__main__":
    main()
