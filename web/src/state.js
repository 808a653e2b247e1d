// The playground's files and settings: defaults, migration file names, the
// state a page opens with.
import { DEFAULT_FILE } from './examples.js';
import { decodeState } from './share.js';

export const STORAGE_KEY = 'migralint-playground-state';

/** migralint's default target (crates/migralint-core/src/engine/options.rs,
 *  DEFAULT_PG_VERSION; a unit test keeps the two equal). */
export const DEFAULT_PG_VERSION = 15;
export const PG_VERSIONS = [10, 11, 12, 13, 14, 15, 16, 17, 18];

const UP = /^(.*)\.up\.([A-Za-z0-9]+)$/;

export function isUpName(name) {
  return UP.test(name);
}

/** `000001_x.up.sql` -> `000001_x.down.sql`. */
export function downNameFor(upName) {
  const m = UP.exec(upName);
  return m ? `${m[1]}.down.${m[2]}` : upName.replace(/(\.sql)?$/, '.down.sql');
}

/** A new up file named after the highest version among `names`, plus one,
 *  with the same number of digits (`000002_next.up.sql`). */
export function nextUpName(names) {
  let width = 6;
  let max = 0n;
  for (const n of names) {
    const m = /^(\d+)_/.exec(n);
    if (!m) continue;
    width = m[1].length;
    const v = BigInt(m[1]);
    if (v > max) max = v;
  }
  let version = max + 1n;
  let name;
  for (;;) {
    name = `${String(version).padStart(width, '0')}_next.up.sql`;
    if (!names.includes(name)) return name;
    version++;
  }
}

export const DEFAULT_UP = `-- Paste or write a migration: migralint lints it as you type.
CREATE TABLE IF NOT EXISTS accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL
);
-- accounts is new and empty: a plain CREATE INDEX is fine here.
CREATE INDEX IF NOT EXISTS accounts_email_idx ON accounts (email);

-- users was created by an earlier migration and holds data.
ALTER TABLE users ADD COLUMN IF NOT EXISTS nickname text;
CREATE INDEX IF NOT EXISTS users_nickname_idx ON users (nickname);
`;

export const DEFAULT_DOWN = `DROP INDEX IF EXISTS users_nickname_idx;
ALTER TABLE users DROP COLUMN IF EXISTS nickname;
DROP TABLE IF EXISTS accounts;
`;

export function defaultState() {
  return {
    files: [
      { name: DEFAULT_FILE, text: DEFAULT_UP },
      { name: downNameFor(DEFAULT_FILE), text: DEFAULT_DOWN },
    ],
    active: 0,
    pg: null,
    rules: {},
    multiStatement: false,
  };
}

/** The state the page opens with: the URL fragment's, else the one saved in
 *  this browser, else the default. */
export async function initialState() {
  if (location.hash.length > 1) {
    try {
      return await decodeState(location.hash);
    } catch (e) {
      console.warn('ignoring the URL fragment:', e);
    }
  }
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved) return await decodeState(saved);
  } catch (e) {
    console.warn('ignoring the saved state:', e);
  }
  return defaultState();
}

/** The files as the linter gets them: sorted by path, as the CLI reads a
 *  directory; line breaks as the editor keeps them (\n). */
export function filesForLint(files) {
  return files
    .map((f) => ({ path: f.name, text: f.text.replace(/\r\n?/g, '\n') }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** What the worker turns into a migralint config. */
export function settingsOf(state) {
  return { pg: state.pg ?? null, multiStatement: !!state.multiStatement, rules: { ...(state.rules || {}) } };
}
