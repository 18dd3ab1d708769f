'use strict';
// Cancellation around a native submission. AbortSignal is handled here, in
// JS (napi-rs's own AbortSignal support overwrites `onabort` and ignores an
// already-aborted signal): an aborted signal rejects without submitting; a
// later abort or the timeout rejects the promise at once through
// native.cancel(), which also flags the kernel to stop at its next checkpoint
// or skips it if it has not started.
const native = require('./native');
const { AbortError, CorepoolError } = require('./errors');
const { typeError, valueError } = require('./validate');
const codes = require('./codes');

let nextToken = 1;

function checkSignal(signal, name) {
  if (
    signal === undefined ||
    (signal !== null && typeof signal === 'object' && typeof signal.aborted === 'boolean' && typeof signal.addEventListener === 'function')
  ) {
    return signal;
  }
  throw typeError(name, 'an instance of AbortSignal', signal);
}

function checkTimeout(timeout, name) {
  if (timeout === undefined) return timeout;
  if (typeof timeout !== 'number') throw typeError(name, 'of type number', timeout);
  if (!(timeout > 0) || timeout > 2147483647) throw valueError(name, 'a number of milliseconds from 1 to 2147483647', timeout);
  return timeout;
}

/** A fresh task token (never 0) for native.cancel()/native.progress(). */
function takeToken() {
  const token = nextToken;
  nextToken = nextToken >= 0xffffffff ? 1 : nextToken + 1;
  return token;
}

function abortError(signal) {
  return new AbortError(undefined, { cause: signal.reason });
}

/**
 * Starts a task with `start(token)` (which returns the native promise),
 * honouring `options.signal` and `options.timeout`.
 */
function run(options, start) {
  const signal = options.signal;
  const timeout = options.timeout;
  if (signal === undefined && timeout === undefined) return start(0);
  if (signal !== undefined && signal.aborted) return Promise.reject(abortError(signal));

  const token = takeToken();
  const promise = start(token);

  let timer;
  let onAbort;
  if (signal !== undefined) {
    onAbort = () => native.cancel(token, abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
  }
  if (timeout !== undefined) {
    timer = setTimeout(() => {
      native.cancel(token, new CorepoolError(`The task did not finish within ${timeout} ms`, codes.Timeout));
    }, timeout);
    timer.unref();
  }
  const cleanup = () => {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    if (timer !== undefined) clearTimeout(timer);
  };
  promise.then(cleanup, cleanup);
  return promise;
}

module.exports = { run, checkSignal, checkTimeout, takeToken };
