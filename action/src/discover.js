'use strict';
// Finding things on disk: migralint.toml, the migrations directory and the
// SQL files in it. The decisions are the core's, through the wasm build:
// resolveConfig reads migralint.toml (no TOML is parsed here), walkEntries
// says which entries of a directory the CLI's walk visits and in what order.
// This file does the file-system reads.

const fs = require('node:fs');
const path = require('node:path');
const { ActionError } = require('./errors');
const { linter } = require('./linter');

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

/**
 * The config with the `pg-version` input over it (as the CLI's
 * --pg-version), read by the core: `{migrations, config}` where
 * `migrations` is the file's `migrations` key (relative to the file's
 * directory) or null, and `config` what the lint calls take. Errors name
 * the file, or the input when the input is at fault.
 * @param {{display: string, text: string} | null} found  findConfig's result
 * @param {number | null} pgVersion
 */
function resolveConfig(found, pgVersion) {
  try {
    return linter().resolveConfig(found ? found.text : null, { pgVersion });
  } catch (e) {
    const message = String((e && e.message) || e);
    if (e && e.option === 'pgVersion') throw new ActionError(`input pg-version: ${message}`);
    throw new ActionError(found ? `${found.display}: ${message}` : message);
  }
}

/** Whether the entry `e` of directory `d` is a directory, following symlinks. */
function isDirFollowing(d, e) {
  return e.isDirectory() || (e.isSymbolicLink() && isDir(path.join(d, e.name)));
}

/**
 * Every .sql file under `dir`, walked and ordered as the CLI does
 * (`migralint check DIR`): the core's walkEntries for each directory's
 * entries (hidden directories, node_modules, target and vendor skipped;
 * files with a .sql extension in any case, and those golang-migrate reads as
 * migrations whatever their extension; by name, bytewise, directories
 * visited in place), symlinked directories followed, each real directory
 * walked once (a loop, or a second link to it, adds nothing).
 */
function collectSqlFiles(dir) {
  const mlw = linter();
  const out = [];
  const visited = new Set();
  const walk = (d) => {
    const key = real(d);
    if (visited.has(key)) return;
    visited.add(key);
    let entries;
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch (e) {
      throw new ActionError(`cannot read directory ${d}: ${e.message}`);
    }
    const listed = entries.map((e) => ({ name: e.name, dir: isDirFollowing(d, e) }));
    for (const e of mlw.walkEntries(listed)) {
      const p = path.join(d, e.name);
      if (e.dir) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
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
    // The directories the CLI's walk would enter (symlinks not followed here).
    const dirs = linter().walkEntries(entries.filter((e) => e.isDirectory()).map((e) => ({ name: e.name, dir: true })));
    for (const e of dirs) walk(path.join(d, e.name), depth + 1);
  };
  walk(root, 0);
  return found;
}

/**
 * The migrations directory: the `path` input, else `migrations` from the
 * config file (resolveConfig's `migrations`, relative to the file's
 * directory), else the first of CANDIDATES that holds migrations, else
 * the one directory of the workspace that holds `NNN_*.up.sql` files.
 * @param {{workspace: string, input: string,
 *   config: {file: string, display: string} | null, migrations: string | null}} o
 * @returns {{dir: string, how: string}}
 */
function findMigrationsDir({ workspace, input, config, migrations = null }) {
  if (input) {
    const dir = path.resolve(workspace, input);
    if (!isDir(dir)) throw new ActionError(`input path: ${input} is not a directory`);
    return { dir, how: 'input path' };
  }
  if (config && migrations != null) {
    const dir = path.resolve(path.dirname(config.file), migrations);
    if (!isDir(dir)) {
      throw new ActionError(`${config.display}: migrations = ${JSON.stringify(migrations)} is not a directory`);
    }
    return { dir, how: `migrations in ${config.display}` };
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
  resolveConfig,
  collectSqlFiles,
  findMigrationsDir,
  relPath,
  real,
};
