'use strict';
// The Markdown job summary (GITHUB_STEP_SUMMARY): counts, a table per file,
// links to the rule pages. Every piece of text that comes from the linted
// files (messages quote identifiers, file names) is escaped so it shows as
// typed and cannot add links, HTML or table cells.

const { RULES_BASE_URL, ruleUrl, SUMMARY_BUDGET_BYTES } = require('./constants');
const { plural, describeOmitted } = require('./annotations');

/** Escapes text for a Markdown table cell or paragraph (one line). */
function md(text) {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/\r\n|\r|\n/g, '<br>');
}

/**
 * Like md(), but text between a pair of backticks (the core writes SQL
 * that way: `CREATE INDEX CONCURRENTLY`) becomes <code>, its content
 * escaped the same way (raw HTML is not a code span: Markdown inside it
 * would still be read, so it is escaped too).
 */
function mdText(text) {
  const parts = String(text).split(/`([^`\r\n]+)`/);
  return parts.map((p, i) => (i % 2 === 1 ? `<code>${md(p)}</code>` : md(p))).join('');
}

/** A URL to a file line on GitHub, or null when the repository is unknown. */
function fileUrl(links, file, line, endLine) {
  if (!links) return null;
  const p = file.split('/').map(encodeURIComponent).join('/');
  const anchor = endLine && endLine > line ? `#L${line}-L${endLine}` : `#L${line}`;
  return `${links.server}/${links.repository}/blob/${links.sha}/${p}${anchor}`;
}

function countLine(errors, warnings) {
  if (!errors && !warnings) return 'no problems';
  const parts = [];
  if (errors) parts.push(plural(errors, 'error'));
  if (warnings) parts.push(plural(warnings, 'warning'));
  return parts.join(', ');
}

/**
 * @param {object} o
 * @param {{diagnostics: object[], summary: {files: number, errors: number, warnings: number}}} o.report
 * @param {string} o.version         migralint's version
 * @param {string} o.dir             the migrations directory, relative to the repository
 * @param {{kind: 'all'|'changed', reason?: string, count?: number, base?: string, what?: string, note?: string}} o.scope
 * @param {{error: number, warning: number}} o.omitted   findings not annotated
 * @param {{error: number, warning: number}} o.limits
 * @param {string} o.failOn
 * @param {boolean} o.failed
 * @param {string} [o.sarifFile]
 * @param {{server: string, repository: string, sha: string}|null} [o.links]
 * @param {number} [o.budget] bytes
 */
function renderSummary(o) {
  const { report } = o;
  const { errors, warnings, files } = report.summary;
  const budget = o.budget || SUMMARY_BUDGET_BYTES;
  const icon = errors ? '❌' : warnings ? '⚠️' : '✅';
  const out = [];
  out.push(`## ${icon} migralint: ${countLine(errors, warnings)}`, '');

  let scope = `Linted ${plural(files, 'migration file')} in ${md(o.dir)}`;
  if (o.scope.kind === 'changed') {
    const base = o.scope.base ? ` (${md(o.scope.base.slice(0, 7))})` : '';
    scope +=
      o.scope.count === 0
        ? `; none of them changed against ${md(o.scope.what || 'the base')}${base}, so there is nothing to report on.`
        : `; reported on the ${plural(o.scope.count, 'file')} changed against ${md(o.scope.what || 'the base')}${base}, the others were read as context.`;
  } else if (o.scope.reason) {
    scope += `; reported on all of them, because the changed files are unknown: ${md(o.scope.reason)}.`;
  } else {
    scope += '.';
  }
  out.push(scope, '');
  if (o.scope.note) out.push(`> Note: ${md(o.scope.note)}.`, '');

  const omittedText = describeOmitted(o.omitted);
  if (omittedText) {
    out.push(
      `> GitHub shows at most ${o.limits.error} error and ${o.limits.warning} warning annotations per step: ${omittedText} ${o.omitted.error + o.omitted.warning === 1 ? 'is' : 'are'} not annotated on the files. Every finding is listed below.`,
      '',
    );
  }

  const byFile = new Map();
  for (const d of report.diagnostics) {
    if (!byFile.has(d.file)) byFile.set(d.file, []);
    byFile.get(d.file).push(d);
  }

  const tail = [];
  tail.push(
    `<sub>migralint ${md(o.version)} (WebAssembly build) · fail-on: ${md(o.failOn)}${o.failed ? ' (this step fails)' : ''}${o.sarifFile ? ` · SARIF: ${md(o.sarifFile)}` : ''} · [rules](${RULES_BASE_URL})</sub>`,
    '',
  );

  if (byFile.size > 0) {
    out.push('| File | Errors | Warnings |', '|---|---:|---:|');
    for (const [file, ds] of byFile) {
      const e = ds.filter((d) => d.severity === 'error').length;
      out.push(`| ${md(file)} | ${e} | ${ds.length - e} |`);
    }
    out.push('');

    let used = Buffer.byteLength(out.join('\n') + tail.join('\n'), 'utf8') + 400;
    let shown = 0;
    const total = report.diagnostics.length;
    outer: for (const [file, ds] of byFile) {
      const head = [`### ${md(file)}`, '', '| Line | Severity | Rule | Message |', '|---:|---|---|---|'];
      const headBytes = Buffer.byteLength(head.join('\n'), 'utf8') + 2;
      if (used + headBytes > budget) break;
      out.push(...head);
      used += headBytes;
      for (const d of ds) {
        const pos = `${d.line}:${d.column}`;
        const url = fileUrl(o.links, d.file, d.line, d.end_line);
        const sev = d.severity === 'error' ? '❌ error' : '⚠️ warning';
        let msg = mdText(d.message);
        if (d.help) msg += `<br>**help:** ${mdText(d.help)}`;
        const row = `| ${url ? `[${pos}](${url})` : pos} | ${sev} | [${md(d.rule)}](${ruleUrl(d.rule)}) | ${msg} |`;
        const rowBytes = Buffer.byteLength(row, 'utf8') + 1;
        if (used + rowBytes > budget) {
          out.push('');
          break outer;
        }
        out.push(row);
        used += rowBytes;
        shown++;
      }
      out.push('');
    }
    if (shown < total) {
      out.push(
        `> ${plural(total - shown, 'more finding')} did not fit in the job summary (GitHub keeps 1 MiB per step): the step log lists them all${o.sarifFile ? ', and so does the SARIF file' : ''}.`,
        '',
      );
    }
  }
  out.push(...tail);
  return out.join('\n');
}

module.exports = { renderSummary, md, mdText, fileUrl };
