'use strict';
// Which files a pull request (or push) changed: the base commit comes from
// the event payload (GITHUB_EVENT_PATH), the list from `git diff
// --name-only` between the merge base and the checked-out HEAD.

const fs = require('node:fs');
const { git, resolveCommit, parentsOf } = require('./git');

/** Reads the event payload; an unreadable one is treated as empty. */
function readEvent(env) {
  const file = env.GITHUB_EVENT_PATH;
  if (!file) return {};
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) || {};
  } catch {
    return {};
  }
}

/** Events on which `only-changed: auto` means true. */
function isChangeEvent(eventName, event) {
  return Boolean(
    (event && event.pull_request) ||
      (event && event.merge_group) ||
      ['pull_request', 'pull_request_target', 'merge_group'].includes(eventName),
  );
}

const ZERO = /^0+$/;

/** The base (and head) SHAs of the event, or {reason} when it has none. */
function baseFromEvent(eventName, event) {
  const pr = event && event.pull_request;
  if (pr) {
    const base = pr.base && pr.base.sha;
    if (base) return { base, head: pr.head && pr.head.sha, what: 'the pull request base' };
    return { reason: 'the event payload has no pull_request.base.sha' };
  }
  const mg = event && event.merge_group;
  if (mg) {
    if (mg.base_sha) return { base: mg.base_sha, head: mg.head_sha, what: 'the merge group base' };
    return { reason: 'the event payload has no merge_group.base_sha' };
  }
  if (eventName === 'push' && event && event.before && !ZERO.test(event.before)) {
    return { base: event.before, head: event.after, what: 'the commit before the push' };
  }
  return { reason: `a ${eventName || 'local'} event names no base commit` };
}

/**
 * @returns {{paths: Set<string>, base: string, from: string, what: string, note?: string}
 *   | {paths: null, reason: string}}
 * `paths` are relative to the repository root, with forward slashes.
 */
function changedFiles({ root, eventName, event, log = () => {} }) {
  const b = baseFromEvent(eventName, event);
  if (!b.base) return { paths: null, reason: b.reason };
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(b.base)) {
    return { paths: null, reason: `the base ${JSON.stringify(b.base)} in the event payload is not a commit SHA` };
  }
  if (!root) return { paths: null, reason: 'the migrations are not in a git checkout' };
  const head = resolveCommit(root, 'HEAD');
  if (!head) return { paths: null, reason: 'the checkout has no HEAD commit' };

  let base = resolveCommit(root, b.base);
  if (!base) {
    // actions/checkout fetches one commit by default: fetch the base too.
    const remote = git(root, ['remote', 'get-url', 'origin']);
    if (remote.ok) {
      log(`Fetching the base commit ${b.base.slice(0, 12)} (not in the checkout)`);
      const f = git(
        root,
        ['fetch', '--quiet', '--no-tags', '--no-recurse-submodules', '--depth=1', 'origin', b.base],
        { timeoutMs: 120000 },
      );
      base = resolveCommit(root, b.base);
      if (!base) {
        return {
          paths: null,
          reason: `the base commit ${b.base.slice(0, 12)} is not in the checkout and could not be fetched${f.stderr ? ` (${firstLine(f.stderr)})` : ''}`,
        };
      }
    } else {
      return { paths: null, reason: `the base commit ${b.base.slice(0, 12)} is not in the checkout (and there is no origin remote to fetch it from)` };
    }
  }

  let from;
  let note;
  const mb = git(root, ['merge-base', base, head]);
  if (mb.ok && mb.stdout.trim()) {
    from = mb.stdout.trim();
  } else if (parentsOf(root, head)[0] === base) {
    // The pull request's merge commit (refs/pull/N/merge): its first parent is the base.
    from = base;
  } else {
    from = base;
    note =
      'the merge base of the base commit and HEAD is not in the (shallow) checkout, so files changed on the base branch since the branch point count as changed too; check out with fetch-depth: 0 for an exact list';
  }
  const d = git(root, ['-c', 'core.quotePath=false', 'diff', '--name-only', '--no-renames', '-z', from, head, '--']);
  if (!d.ok) return { paths: null, reason: `git diff failed: ${firstLine(d.stderr)}` };
  const paths = new Set(d.stdout.split('\0').filter(Boolean));
  return { paths, base, from, head, what: b.what, note };
}

function firstLine(s) {
  return String(s).split('\n')[0].trim();
}

module.exports = { readEvent, isChangeEvent, baseFromEvent, changedFiles };
