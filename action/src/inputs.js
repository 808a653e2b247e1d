'use strict';
// The action's inputs, read from the INPUT_* variables the runner sets
// (name upper-cased, spaces as underscores, hyphens kept: `INPUT_FAIL-ON`).

const { ActionError } = require('./errors');

function getInput(env, name) {
  const value = env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`];
  return value === undefined ? '' : String(value).trim();
}

const FAIL_ON = ['error', 'warning', 'never'];

/** Booleans the way YAML 1.2 core schema spells them (as @actions/core). */
function parseBool(name, value) {
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new ActionError(`input ${name} must be true, false or auto, not ${JSON.stringify(value)}`);
}

/**
 * Reads and checks every input. Throws ActionError naming the input.
 * @returns {{path: string, config: string, pgVersion: number|null,
 *   onlyChanged: boolean|'auto', failOn: 'error'|'warning'|'never', sarifFile: string}}
 */
function readInputs(env) {
  const pg = getInput(env, 'pg-version');
  let pgVersion = null;
  if (pg !== '') {
    if (!/^[0-9]{1,3}$/.test(pg)) {
      throw new ActionError(
        `input pg-version must be a PostgreSQL major version such as 15, not ${JSON.stringify(pg)}`,
      );
    }
    pgVersion = Number(pg);
  }

  const oc = getInput(env, 'only-changed');
  const onlyChanged = oc === '' || oc.toLowerCase() === 'auto' ? 'auto' : parseBool('only-changed', oc);

  const fo = getInput(env, 'fail-on').toLowerCase() || 'error';
  if (!FAIL_ON.includes(fo)) {
    throw new ActionError(
      `input fail-on must be one of ${FAIL_ON.join(', ')}, not ${JSON.stringify(getInput(env, 'fail-on'))}`,
    );
  }

  return {
    path: getInput(env, 'path'),
    config: getInput(env, 'config'),
    pgVersion,
    onlyChanged,
    failOn: fo,
    sarifFile: getInput(env, 'sarif-file'),
  };
}

module.exports = { getInput, readInputs, FAIL_ON };
