'use strict';
/**
 * corepool — CPU-bound work off the Node.js event loop, on a Rust rayon pool.
 * See index.d.ts for the documented API.
 */
const native = require('./lib/native');
const { CorepoolError, AbortError } = require('./lib/errors');
const { checkOptions, checkInteger, checkOneOf, toBytes, typeError, valueError } = require('./lib/validate');
const { run, checkSignal, checkTimeout } = require('./lib/run');

const DIGEST_ALGORITHMS = ['sha256', 'sha512', 'blake3', 'xxh3-64'];
const ENCODINGS = ['hex', 'base64', 'base64url'];
const MAX_THREADS = 1024;

/** Validates the `{ signal, timeout }` part of an options object. */
function taskOptions(options, name) {
  checkSignal(options.signal, `${name}.signal`);
  checkTimeout(options.timeout, `${name}.timeout`);
  return options;
}

function digestOn(handle, data, algorithm, options) {
  try {
    if (typeof algorithm === 'object' && algorithm !== null && options === undefined) {
      options = algorithm;
      algorithm = options.algorithm;
    }
    const opts = taskOptions(checkOptions(options, 'options', ['algorithm', 'encoding', 'signal', 'timeout']), 'options');
    const algo = algorithm === undefined ? 'sha256' : checkOneOf(algorithm, 'algorithm', DIGEST_ALGORITHMS);
    const bytes = toBytes(data, 'data');
    const encoding = opts.encoding === undefined ? undefined : checkOneOf(opts.encoding, 'options.encoding', ENCODINGS);
    const p = run(opts, (token) => native.digest(handle, bytes, algo, token));
    return encoding === undefined ? p : p.then((buf) => buf.toString(encoding));
  } catch (err) {
    return Promise.reject(err);
  }
}

const kHandle = Symbol('corepool.handle');

/**
 * A pool of threads with bounded admission. The module-level functions use a
 * process-wide default pool; `new Pool()` makes an isolated one.
 */
class Pool {
  constructor(options) {
    const opts = checkOptions(options, 'options', ['threads', 'maxQueue', 'name']);
    const threads = opts.threads === undefined ? 0 : checkInteger(opts.threads, 'options.threads', 1, MAX_THREADS);
    let maxQueue;
    if (opts.maxQueue !== undefined && opts.maxQueue !== 'auto') {
      maxQueue = checkInteger(opts.maxQueue, 'options.maxQueue', 0, 2 ** 31 - 1);
    }
    if (opts.name !== undefined && typeof opts.name !== 'string') throw typeError('options.name', 'of type string', opts.name);
    this[kHandle] = native.createPool(threads, maxQueue, opts.name === undefined ? 'pool' : opts.name);
  }

  /** Checksum of `data`; see index.d.ts. */
  digest(data, algorithm, options) {
    return digestOn(this[kHandle], data, algorithm, options);
  }

  /** Counters and latency percentiles. */
  stats() {
    return native.stats(this[kHandle]);
  }

  /** Prometheus text exposition of `stats()`. */
  metrics() {
    return native.metrics(this[kHandle]);
  }

  /** Stops admission and resolves once every admitted task has settled. */
  close() {
    if (this[kHandle] === null) {
      return Promise.reject(new CorepoolError('The default pool cannot be closed', 'ERR_INVALID_STATE'));
    }
    return native.close(this[kHandle]);
  }
}

const defaultPool = Object.create(Pool.prototype);
defaultPool[kHandle] = null;

module.exports = {
  Pool,
  CorepoolError,
  AbortError,
  defaultPool,
  digest: (data, algorithm, options) => digestOn(null, data, algorithm, options),
  stats: () => native.stats(null),
  metrics: () => native.metrics(null),
  defaultThreads: () => native.defaultThreads(),
  // Internal: shared with the other entry points (corepool/bcrypt) and tests.
  _internal: { native, kHandle, run, taskOptions, valueError },
};
