'use strict';
// Finding things on disk: migralint.toml, the migrations directory and the
// SQL files in it (walked the way the CLI walks a directory).

const fs = require('node:fs');
const path = require('node:path');
const { ActionError } = require('./errors');

const CONFIG_FILE = 'migralint.toml';

/** Where migrations usually live, tried in this order when `path` is empty. */
const CANDIDATES = [
  'migrations',
  'db/migrations',
  'database/migrations',
  'sql/migrations',
  'internal/db/migrations',
  'internal/database/migrations',
  'internal/migrations',
  'pkg/db/migrations',
  'schema/migrations',
  'db/migrate',
  'migrate',
  'sql',
];

/** Directories the CLI does not descend into (besides dot-directories). */
const SKIP_DIRS = new Set(['node_modules', 'target', 'vendor']);

/** A golang-migrate file name: `{version}_{title}.{up|down}.sql`. */
const MIGRATION_NAME = /^[0-9]+_.*\.(up|down)\.sql$/i;

function isDir(p) {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** `p` relative to `base`, with forward slashes ('.' for the same directory). */
function relPath(base, p) {
  const r = path.relative(base, p);
  return r === '' ? '.' : r.split(path.sep).join('/');
}

/** Resolves symlinks when possible (git prints real paths). */
function real(p) {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * The config file: the `config` input (relative to the workspace), else
 * `migralint.toml` in the workspace or a parent up to the repository root
 * (like the CLI, which looks in the working directory and its parents).
 * @returns {{file: string, display: string, text: string} | null}
 */
function findConfig({ workspace, repoRoot, input }) {
  let file = null;
  if (input) {
    file = path.resolve(workspace, input);
    if (!isFile(file)) throw new ActionError(`config file ${input} not found (input config)`);
  } else {
    const dirs = [];
    const ws = real(workspace);
    const root = repoRoot ? real(repoRoot) : null;
    if (root && (ws === root || ws.startsWith(root + path.sep))) {
      for (let d = ws; ; d = path.dirname(d)) {
        dirs.push(d);
        if (d === root || path.dirname(d) === d) break;
      }
    } else {
      dirs.push(ws);
      if (root) dirs.push(root);
    }
    file = dirs.map((d) => path.join(d, CONFIG_FILE)).find(isFile) || null;
    if (!file) return null;
  }
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ActionError(`cannot read ${relPath(workspace, file)}: ${e.message}`);
  }
  return { file, display: relPath(real(workspace), real(file)), text };
}

/** The lines of a TOML text before its first table header (the top-level keys). */
function topLevelEnd(lines) {
  const i = lines.findIndex((l) => /^\s*\[/.test(l));
  return i === -1 ? lines.length : i;
}

function keyPattern(key) {
  return new RegExp(`^\\s*(?:${key}|"${key}"|'${key}')\\s*=\\s*(.*)$`);
}

/**
 * The top-level `migrations = "..."` of a migralint.toml text (the CLI
 * resolves it against the config file's directory). `undefined` when the
 * key is absent; throws when it is there in a form this reader does not
 * handle (a multi-line string).
 */
function configuredMigrations(text) {
  const lines = String(text).split(/\r?\n/);
  const re = keyPattern('migrations');
  for (const line of lines.slice(0, topLevelEnd(lines))) {
    const m = re.exec(line);
    if (!m) continue;
    const v = m[1];
    let s = /^"((?:[^"\\]|\\.)*)"\s*(#.*)?$/.exec(v);
    if (s && !v.startsWith('"""')) {
      try {
        return JSON.parse(`"${s[1]}"`);
      } catch {
        break;
      }
    }
    s = /^'([^']*)'\s*(#.*)?$/.exec(v);
    if (s && !v.startsWith("'''")) return s[1];
    break;
  }
  if (lines.slice(0, topLevelEnd(lines)).some((l) => re.test(l))) {
    throw new ActionError('cannot read the `migrations` key of the config file (write it as migrations = "dir"), or set the path input');
  }
  return undefined;
}

/**
 * The config text with `pg-version` set to `version` (the `pg-version`
 * input wins over the file, as the CLI's --pg-version does): top-level
 * `pg-version` lines are dropped and one is put first.
 */
function withPgVersion(text, version) {
  const lines = String(text || '').split('\n');
  const end = topLevelEnd(lines);
  const re = keyPattern('pg-version');
  const kept = lines.filter((l, i) => i >= end || !re.test(l));
  return `pg-version = ${version}\n${kept.join('\n')}`;
}

/**
 * Every .sql file under `dir`, walked and ordered as the CLI does:
 * recursively, following symlinked directories (but not into a directory
 * it is already inside), skipping dot-directories, node_modules, target and
 * vendor.
 */
function collectSqlFiles(dir) {
  const out = [];
  const walk = (d, ancestors) => {
    const key = real(d);
    if (ancestors.has(key)) return; // a symlink back up: a loop
    const inside = new Set(ancestors).add(key);
    let entries;
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch (e) {
      throw new ActionError(`cannot read directory ${d}: ${e.message}`);
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      const dirLike = e.isDirectory() || (e.isSymbolicLink() && isDir(p));
      if (dirLike) {
        if (!e.name.startsWith('.') && !SKIP_DIRS.has(e.name)) walk(p, inside);
      } else if (path.extname(e.name).toLowerCase() === '.sql') {
        out.push(p);
      }
    }
  };
  walk(dir, new Set());
  return sortPaths(out, dir);
}

/** Sorts paths component by component, bytewise (Rust's `Path` order). */
function sortPaths(paths, base) {
  const parts = new Map(
    paths.map((p) => [p, path.relative(base, p).split(path.sep).map((c) => Buffer.from(c, 'utf8'))]),
  );
  return paths.slice().sort((a, b) => {
    const pa = parts.get(a);
    const pb = parts.get(b);
    for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
      const c = Buffer.compare(pa[i], pb[i]);
      if (c !== 0) return c;
    }
    return pa.length - pb.length;
  });
}

function hasMigrations(dir) {
  try {
    return collectSqlFiles(dir).some((f) => MIGRATION_NAME.test(path.basename(f)));
  } catch {
    return false;
  }
}

/** Directories (up to `maxDepth` below `root`) that directly hold golang-migrate files. */
function scanForMigrationDirs(root, { maxDepth = 5, maxDirs = 20000 } = {}) {
  const found = [];
  let visited = 0;
  const walk = (d, depth) => {
    if (++visited > maxDirs) return;
    let entries;
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => !e.isDirectory() && MIGRATION_NAME.test(e.name))) {
      found.push(d);
      return;
    }
    if (depth >= maxDepth) return;
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith('.') && !SKIP_DIRS.has(e.name)) walk(path.join(d, e.name), depth + 1);
    }
  };
  walk(root, 0);
  return found;
}

/**
 * The migrations directory: the `path` input, else `migrations` from the
 * config file, else the first of CANDIDATES that holds migrations, else
 * the one directory of the workspace that holds `NNN_*.up.sql` files.
 * @returns {{dir: string, how: string}}
 */
function findMigrationsDir({ workspace, input, config }) {
  if (input) {
    const dir = path.resolve(workspace, input);
    if (!isDir(dir)) throw new ActionError(`input path: ${input} is not a directory`);
    return { dir, how: 'input path' };
  }
  if (config) {
    const configured = configuredMigrations(config.text);
    if (configured !== undefined) {
      const dir = path.resolve(path.dirname(config.file), configured);
      if (!isDir(dir)) {
        throw new ActionError(`${config.display}: migrations = ${JSON.stringify(configured)} is not a directory`);
      }
      return { dir, how: `migrations in ${config.display}` };
    }
  }
  for (const c of CANDIDATES) {
    const dir = path.join(workspace, ...c.split('/'));
    if (isDir(dir) && hasMigrations(dir)) return { dir, how: 'found automatically' };
  }
  const found = scanForMigrationDirs(workspace);
  if (found.length === 1) return { dir: found[0], how: 'found automatically' };
  if (found.length > 1) {
    const list = found.slice(0, 10).map((d) => relPath(workspace, d));
    throw new ActionError(
      `several directories hold migrations (${list.join(', ')}${found.length > 10 ? ', …' : ''}): set the path input to the one to lint`,
    );
  }
  throw new ActionError(
    `no migrations found: none of ${CANDIDATES.join(', ')} holds golang-migrate files (NNN_title.up.sql) and no other directory does; set the path input`,
  );
}

module.exports = {
  CONFIG_FILE,
  CANDIDATES,
  MIGRATION_NAME,
  findConfig,
  configuredMigrations,
  withPgVersion,
  collectSqlFiles,
  sortPaths,
  findMigrationsDir,
  relPath,
  real,
};
