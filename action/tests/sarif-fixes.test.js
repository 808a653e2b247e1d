'use strict';
// SARIF with fixes (fixes[].artifactChanges[].replacements[]) from the
// native CLI, validated against the official SARIF 2.1.0 schema. Needs the
// CLI: MIGRALINT_BIN, else target/release/migralint, else
// target/debug/migralint; skipped without it.

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const h = require('./helpers');
const { assertValidSarif } = require('./sarif');

const cli = [
  process.env.MIGRALINT_BIN,
  path.join(h.REPO_ROOT, 'target', 'release', 'migralint'),
  path.join(h.REPO_ROOT, 'target', 'debug', 'migralint'),
]
  .filter(Boolean)
  .find((p) => fs.existsSync(p));
const skip = cli ? false : 'no migralint binary (set MIGRALINT_BIN or cargo build -p migralint-cli)';

test('fixes in SARIF match the 2.1.0 schema', { skip }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migralint-sarif-fixes-'));
  try {
    const m = path.join(dir, 'm');
    fs.mkdirSync(m);
    fs.writeFileSync(path.join(m, '000001_users.up.sql'), 'CREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY, seen timestamp(3) without time zone);\n');
    fs.writeFileSync(path.join(m, '000001_users.down.sql'), 'DROP TABLE IF EXISTS users;\n');
    fs.writeFileSync(path.join(m, '000002_idx.up.sql'), 'CREATE INDEX IF NOT EXISTS users_seen_idx ON users (seen);\n');
    fs.writeFileSync(path.join(m, '000002_idx.down.sql'), 'DROP INDEX CONCURRENTLY IF EXISTS users_seen_idx;\n');
    const r = spawnSync(cli, ['check', '--format', 'sarif', 'm'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    const doc = JSON.parse(r.stdout);
    assertValidSarif(doc);
    const withFixes = doc.runs[0].results.filter((x) => x.fixes);
    assert.deepEqual(withFixes.map((x) => x.ruleId).sort(), ['prefer-timestamptz', 'require-concurrent-index-creation']);
    const idx = withFixes.find((x) => x.ruleId === 'require-concurrent-index-creation');
    assert.deepEqual(idx.fixes, [
      {
        description: { text: 'add `CONCURRENTLY`' },
        artifactChanges: [
          {
            artifactLocation: { uri: 'm/000002_idx.up.sql' },
            replacements: [
              {
                deletedRegion: { startLine: 1, startColumn: 13, endLine: 1, endColumn: 13 },
                insertedContent: { text: ' CONCURRENTLY' },
              },
            ],
          },
        ],
        properties: { applicability: 'unsafe' },
      },
    ]);
    // A deliberately broken fix is caught by the schema (the check can fail).
    const broken = JSON.parse(r.stdout);
    delete broken.runs[0].results.find((x) => x.fixes).fixes[0].artifactChanges[0].replacements[0].deletedRegion;
    assert.throws(() => assertValidSarif(broken));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
