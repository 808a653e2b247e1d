'use strict';

/**
 * Where the rule pages live: `${RULES_BASE_URL}<rule>.md` is the page of a
 * rule (the files `rules/<rule>.md` of the migralint repository). The one
 * place to change when the pages get a public site of their own.
 */
const RULES_BASE_URL = 'https://github.com/migralint/migralint/blob/main/rules/';

function ruleUrl(rule) {
  return `${RULES_BASE_URL}${encodeURIComponent(rule)}.md`;
}

/** GitHub's limit on one step's job summary (1 MiB); we stay below it. */
const SUMMARY_BUDGET_BYTES = 900 * 1024;

module.exports = { RULES_BASE_URL, ruleUrl, SUMMARY_BUDGET_BYTES };
