// Generates a realistic golang-migrate migrations folder for the wasm
// benchmark: ~10,000 files (5,000 versions, up + down), ~1 MB, seeded and
// deterministic. Used only when the lead's bench/gen_corpus.py is absent.
//
// Usage: node bench/wasm/gen_corpus.mjs <out-dir> [--versions 5000] [--seed 42]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const out = args[0];
if (!out) {
  console.error('usage: node gen_corpus.mjs <out-dir> [--versions N] [--seed S]');
  process.exit(2);
}
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i === -1 ? dflt : Number(args[i + 1]);
};
const versions = opt('--versions', 5000);
let seed = opt('--seed', 42) >>> 0;

// mulberry32: small, seeded, good enough for picking shapes.
function rand() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

const nouns = ['user', 'account', 'order', 'invoice', 'payment', 'session', 'team', 'project', 'event', 'audit_log',
  'product', 'price', 'subscription', 'webhook', 'api_key', 'address', 'shipment', 'coupon', 'review', 'message'];
const colTypes = ['text', 'bigint', 'integer', 'boolean', 'timestamptz', 'jsonb', 'uuid', 'numeric(12,2)', 'varchar(255)', 'date'];
const tables = []; // {name, cols: [..]}

function createTable(v) {
  const name = `${pick(nouns)}s_${v}`;
  const cols = ['id', 'created_at'];
  const lines = ['  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY', '  created_at timestamptz NOT NULL DEFAULT now()'];
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) {
    const c = `${pick(nouns)}_${i}`;
    cols.push(c);
    lines.push(`  ${c} ${pick(colTypes)}${rand() < 0.3 ? ' NOT NULL' : ''}`);
  }
  tables.push({ name, cols });
  return {
    title: `create_${name}`,
    up: `CREATE TABLE ${name} (\n${lines.join(',\n')}\n);\n`,
    down: `DROP TABLE ${name};\n`,
  };
}

const shapes = [
  (v) => createTable(v),
  (v) => {
    const t = pick(tables);
    const c = `extra_${v}`;
    return {
      title: `add_${c}_to_${t.name}`,
      up: `ALTER TABLE ${t.name} ADD COLUMN ${c} ${pick(colTypes)};\n`,
      down: `ALTER TABLE ${t.name} DROP COLUMN ${c};\n`,
    };
  },
  (v) => {
    const t = pick(tables);
    const c = pick(t.cols);
    const conc = rand() < 0.5 ? ' CONCURRENTLY' : '';
    return {
      title: `index_${t.name}_${c}`,
      up: `CREATE INDEX${conc} idx_${t.name}_${c}_${v} ON ${t.name} (${c});\n`,
      down: `DROP INDEX${conc} idx_${t.name}_${c}_${v};\n`,
    };
  },
  (v) => {
    const t = pick(tables);
    const c = pick(t.cols);
    return {
      title: `backfill_${t.name}`,
      up: `SET lock_timeout = '2s';\nUPDATE ${t.name} SET ${c} = ${c} WHERE id < ${v};\n`,
      down: `SELECT 1;\n`,
    };
  },
  (v) => {
    const t = pick(tables);
    const c = pick(t.cols);
    return {
      title: `not_null_${t.name}_${c}`,
      up: `ALTER TABLE ${t.name} ALTER COLUMN ${c} SET NOT NULL;\n`,
      down: `ALTER TABLE ${t.name} ALTER COLUMN ${c} DROP NOT NULL;\n`,
    };
  },
];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
let bytes = 0;
for (let v = 1; v <= versions; v++) {
  const m = tables.length < 5 || rand() < 0.3 ? createTable(v) : pick(shapes)(v);
  const prefix = String(v).padStart(6, '0');
  const header = `-- ${m.title.replaceAll('_', ' ')}\n`;
  for (const [dir, body] of [['up', m.up], ['down', m.down]]) {
    const text = header + body;
    writeFileSync(join(out, `${prefix}_${m.title}.${dir}.sql`), text);
    bytes += Buffer.byteLength(text);
  }
}
console.error(`wrote ${versions * 2} files, ${bytes} bytes, to ${out}`);
