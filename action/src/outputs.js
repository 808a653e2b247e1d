'use strict';
// Step outputs (GITHUB_OUTPUT) and the job summary (GITHUB_STEP_SUMMARY):
// both are files the runner reads after the step.

const fs = require('node:fs');
const crypto = require('node:crypto');

/**
 * Appends outputs to the GITHUB_OUTPUT file in the multi-line form
 * `name<<DELIM\nvalue\nDELIM`, with a random delimiter that occurs in no
 * value (so no value can end early and set another output).
 * @returns {boolean} whether a file was written
 */
function setOutputs(env, outputs) {
  const file = env.GITHUB_OUTPUT;
  if (!file) return false;
  let text = '';
  for (const [name, raw] of Object.entries(outputs)) {
    const value = String(raw);
    let delim;
    do {
      delim = `ghadelimiter_${crypto.randomUUID()}`;
    } while (value.includes(delim) || name.includes(delim));
    text += `${name}<<${delim}\n${value}\n${delim}\n`;
  }
  fs.appendFileSync(file, text, 'utf8');
  return true;
}

/** Appends Markdown to the job summary. @returns {boolean} whether a file was written */
function appendSummary(env, markdown) {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return false;
  fs.appendFileSync(file, markdown.endsWith('\n') ? markdown : `${markdown}\n`, 'utf8');
  return true;
}

module.exports = { setOutputs, appendSummary };
