'use strict';

/**
 * Every error corepool rejects with (other than argument errors, which are
 * Node-style TypeError/RangeError) is a CorepoolError with a stable `code`.
 */
class CorepoolError extends Error {
  constructor(message, code, options) {
    super(message, options);
    this.code = code;
  }
}
Object.defineProperty(CorepoolError.prototype, 'name', { value: 'CorepoolError', writable: true, configurable: true });

/** Rejection of an aborted task: name 'AbortError', code 'ABORT_ERR', like Node's own APIs. */
class AbortError extends CorepoolError {
  constructor(message = 'The operation was aborted', options) {
    super(message, 'ABORT_ERR', options);
  }
}
Object.defineProperty(AbortError.prototype, 'name', { value: 'AbortError', writable: true, configurable: true });

module.exports = { CorepoolError, AbortError };
