'use strict';
// Validates SARIF against the official SARIF 2.1.0 JSON schema (rtm.5, as
// shipped in @microsoft/jest-sarif) with ajv, plus what GitHub code
// scanning needs on top of the schema.

const assert = require('node:assert/strict');
const Ajv = require('ajv');

let validate = null;
function schemaValidator() {
  if (!validate) {
    const ajv = new Ajv({ schemaId: 'id', allErrors: true, meta: false });
    ajv.addMetaSchema(require('ajv/lib/refs/json-schema-draft-04.json'));
    validate = ajv.compile(require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'));
  }
  return validate;
}

function assertValidSarif(doc) {
  const v = schemaValidator();
  assert.ok(v(doc), `SARIF does not match the 2.1.0 schema: ${JSON.stringify(v.errors, null, 1)}`);
  // The schema's required fields, spelled out (and what upload-sarif reads).
  assert.equal(doc.version, '2.1.0');
  assert.ok(Array.isArray(doc.runs) && doc.runs.length === 1);
  const run = doc.runs[0];
  assert.equal(typeof run.tool.driver.name, 'string');
  const ruleIds = run.tool.driver.rules.map((r) => r.id);
  for (const res of run.results) {
    assert.equal(typeof res.message.text, 'string');
    assert.ok(ruleIds.includes(res.ruleId), res.ruleId);
    assert.equal(run.tool.driver.rules[res.ruleIndex].id, res.ruleId);
    assert.ok(['error', 'warning', 'note', 'none'].includes(res.level));
    const loc = res.locations[0].physicalLocation;
    assert.ok(!/^[a-z]+:|^\//i.test(loc.artifactLocation.uri), `relative URI: ${loc.artifactLocation.uri}`);
    assert.ok(loc.region.startLine >= 1 && loc.region.startColumn >= 1);
  }
}

module.exports = { assertValidSarif, schemaValidator };
