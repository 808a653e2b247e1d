'use strict';

/** A problem the user can fix (bad input, missing directory, bad config): exit code 2. */
class ActionError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ActionError';
  }
}

module.exports = { ActionError };
