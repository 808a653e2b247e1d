'use strict';
// GitHub Actions workflow commands (`::error file=…::message`), written by
// hand instead of pulling in @actions/core.
//
// The runner reads a line as a command when, after leading whitespace, it
// starts with `::` (or the legacy `##[`). Text that comes from a pull
// request (SQL, identifiers, file names) therefore must never start a line
// and must never carry a raw CR or LF into a command.

/** Escapes a command's message: `%`, CR, LF (as the runner unescapes them). */
function escapeData(value) {
  return String(value).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a command property value: also `:` and `,`. */
function escapeProperty(value) {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * One workflow command line (without the trailing newline).
 * `properties` is an object of name -> value; empty values are left out.
 */
function command(name, properties, message) {
  const props = Object.entries(properties || {})
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(v)}`)
    .join(',');
  return `::${name}${props ? ' ' + props : ''}::${escapeData(message)}`;
}

/**
 * A plain log line that the runner cannot take for a command: CR and LF are
 * shown as `\r` and `\n`, and a line that would start (after whitespace)
 * with `::` or `##[` is prefixed with `> `.
 */
function plainLine(text) {
  const line = String(text).replace(/\r/g, '\\r').replace(/\n/g, '\\n');
  return /^\s*(::|##\[)/.test(line) ? `> ${line}` : line;
}

module.exports = { escapeData, escapeProperty, command, plainLine };
