'use strict';
// Annotations: the core's `github` renderer writes one workflow command per
// diagnostic (file, line, col, endLine, endColumn, title; message and help
// escaped). GitHub keeps at most 10 error and 10 warning annotations per
// step (and 50 per job), so only the first ones by severity and position are
// emitted; the summary, the log and the SARIF file carry every finding.

const LIMITS = Object.freeze({ error: 10, warning: 10 });

/**
 * Pairs each diagnostic of the JSON report with its line of the core's
 * `github` output (same order, one line each).
 */
function pairCommands(diagnostics, githubText) {
  const lines = githubText.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length !== diagnostics.length) {
    throw new Error(
      `internal error: the github renderer wrote ${lines.length} lines for ${diagnostics.length} diagnostics`,
    );
  }
  return diagnostics.map((d, i) => {
    const line = lines[i];
    if (!line.startsWith(`::${d.severity} `)) {
      throw new Error(`internal error: github line ${i + 1} is not a ${d.severity} command`);
    }
    return { diagnostic: d, command: line };
  });
}

/**
 * Chooses what to annotate: errors first, then warnings, each in report
 * order (file, line, column), up to the per-step limits.
 * @returns {{emit: Array<{diagnostic, command}>, omitted: Array<{diagnostic, command}>,
 *   omittedCounts: {error: number, warning: number}}}
 */
function selectAnnotations(paired, limits = LIMITS) {
  const emit = [];
  const omitted = [];
  const omittedCounts = { error: 0, warning: 0 };
  for (const severity of ['error', 'warning']) {
    let n = 0;
    for (const p of paired) {
      if (p.diagnostic.severity !== severity) continue;
      if (n < limits[severity]) {
        emit.push(p);
        n++;
      } else {
        omitted.push(p);
        omittedCounts[severity]++;
      }
    }
  }
  return { emit, omitted, omittedCounts };
}

/** "1 error", "2 errors" (or the given plural form). */
function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/** "3 errors and 1 warning" for the counts left out ('' when none). */
function describeOmitted(counts) {
  const parts = [];
  if (counts.error) parts.push(plural(counts.error, 'error'));
  if (counts.warning) parts.push(plural(counts.warning, 'warning'));
  return parts.join(' and ');
}

module.exports = { LIMITS, pairCommands, selectAnnotations, describeOmitted, plural };
