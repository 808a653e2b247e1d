'use strict';
// A few read-only git calls (plus one shallow fetch of the base commit).

const { spawnSync } = require('node:child_process');

/**
 * Runs git in `cwd`. Never throws: returns {ok, stdout, stderr}.
 */
function git(cwd, args, { timeoutMs = 60000 } = {}) {
  let res;
  try {
    res = spawnSync('git', args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
    });
  } catch (e) {
    return { ok: false, stdout: '', stderr: String(e && e.message) };
  }
  if (res.error) return { ok: false, stdout: '', stderr: String(res.error.message) };
  return { ok: res.status === 0, stdout: res.stdout || '', stderr: (res.stderr || '').trim() };
}

/** The top-level directory of the work tree that holds `dir`, or null. */
function topLevel(dir) {
  const r = git(dir, ['rev-parse', '--show-toplevel']);
  return r.ok ? r.stdout.replace(/\r?\n$/, '') : null;
}

/** The full SHA a revision names, or null when it is not there. */
function resolveCommit(root, rev) {
  const r = git(root, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  return r.ok ? r.stdout.trim() : null;
}

/** The parents written in a commit object (even in a shallow clone, whose parents are grafted away). */
function parentsOf(root, rev) {
  const r = git(root, ['cat-file', 'commit', rev]);
  if (!r.ok) return [];
  const header = r.stdout.split('\n\n')[0];
  return header
    .split('\n')
    .filter((l) => l.startsWith('parent '))
    .map((l) => l.slice('parent '.length).trim());
}

module.exports = { git, topLevel, resolveCommit, parentsOf };
