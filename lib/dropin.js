'use strict';
/**
 * What the bcrypt drop-ins (corepool/bcrypt, corepool/bcryptjs) share:
 *
 * - their own admission queue. `bcrypt` hands every async call to libuv's
 *   unbounded queue and `bcryptjs` starts each one at once, so a burst of
 *   thousands of hash()/compare() calls is accepted; corepool's pool refuses
 *   work past `threads + maxQueue` (ERR_QUEUE_FULL). The drop-ins therefore
 *   keep the calls in a JS queue and feed the pool a window of
 *   `8 × threads` at a time (enough to keep every thread batching four
 *   hashes), starting the next one as each finishes. A call that meets a
 *   pool filled by other callers goes back to the front of the queue and is
 *   retried when one of ours finishes (or after 2 ms if none is running).
 *   The queue is unbounded by default, like the originals; `configure({
 *   maxPending })` bounds it, and calls past the bound then reject with
 *   ERR_QUEUE_FULL.
 * - the progress reports of hash()/compare(..., progressCallback): the bcrypt
 *   kernel updates a per-task counter at its checkpoints (every 256 rounds);
 *   one shared 100 ms interval reads the counters of the tasks that asked
 *   (native.progress(token)) — nothing calls into JS from the pool.
 * - bcrypt's base64 alphabet (encodeBase64/decodeBase64) and the small pure
 *   helpers built on it.
 */
const native = require('./native');
const { CorepoolError } = require('./errors');
const { takeToken } = require('./run');
const { checkOptions, checkInteger } = require('./validate');

// ---------------------------------------------------------------------------
// Admission queue
// ---------------------------------------------------------------------------

let maxPending = Infinity;
let windowSize = 0;
const waiting = [];
let head = 0;
let active = 0;
let blocked = false;
let retryTimer = null;

function queueWindow() {
  if (windowSize === 0) windowSize = Math.max(16, 8 * native.defaultThreads());
  return windowSize;
}

/** Calls waiting in the drop-ins' queue (not yet handed to the pool). */
function queued() {
  return waiting.length - head;
}

/**
 * Runs `start()` (which submits one task and returns its native promise)
 * when the window has room; returns a promise of its result.
 */
function submit(start) {
  return new Promise((resolve, reject) => {
    if (queued() >= maxPending) {
      reject(
        new CorepoolError(
          `the bcrypt drop-in's queue is full (${maxPending} calls waiting, see configure({ maxPending }))`,
          'ERR_QUEUE_FULL',
        ),
      );
      return;
    }
    waiting.push({ start, resolve, reject });
    pump();
  });
}

function take() {
  const job = waiting[head];
  waiting[head++] = undefined;
  if (head === waiting.length) {
    waiting.length = 0;
    head = 0;
  } else if (head >= 1024 && head * 2 >= waiting.length) {
    waiting.splice(0, head);
    head = 0;
  }
  return job;
}

function pump() {
  const limit = queueWindow();
  while (!blocked && active < limit && head < waiting.length) {
    const job = take();
    active++;
    let p;
    try {
      p = job.start();
    } catch (err) {
      active--;
      job.reject(err);
      continue;
    }
    p.then(
      (value) => {
        active--;
        blocked = false;
        job.resolve(value);
        pump();
      },
      (err) => {
        active--;
        if (err && err.code === 'ERR_QUEUE_FULL') {
          requeue(job);
        } else {
          blocked = false;
          job.reject(err);
        }
        pump();
      },
    );
  }
}

// The pool is full of other callers' tasks: retry this one first, when one of
// ours settles or after a short pause.
function requeue(job) {
  if (head > 0) waiting[--head] = job;
  else waiting.unshift(job);
  blocked = true;
  if (retryTimer === null) {
    retryTimer = setTimeout(() => {
      retryTimer = null;
      blocked = false;
      pump();
    }, 2);
  }
}

/**
 * `configure({ maxPending })`: the most calls the drop-ins keep waiting for
 * the pool (default Infinity, like the originals). Returns the settings.
 */
function configure(options) {
  const o = checkOptions(options, 'options', ['maxPending']);
  if (o.maxPending !== undefined) {
    maxPending = o.maxPending === Infinity ? Infinity : checkInteger(o.maxPending, 'options.maxPending', 0, Number.MAX_SAFE_INTEGER);
  }
  return { maxPending, window: queueWindow(), queued: queued(), active };
}

// ---------------------------------------------------------------------------
// Progress
// ---------------------------------------------------------------------------

const tracked = new Set();
let poller = null;

function poll() {
  for (const entry of tracked) {
    if (entry.token === 0) continue;
    const v = native.progress(entry.token);
    if (v !== undefined && v > entry.last && v < 1) {
      entry.last = v;
      entry.onProgress(v);
    }
  }
}

function track(entry) {
  tracked.add(entry);
  if (poller === null) {
    poller = setInterval(poll, 100);
    poller.unref();
  }
}

function untrack(entry) {
  tracked.delete(entry);
  if (tracked.size === 0 && poller !== null) {
    clearInterval(poller);
    poller = null;
  }
}

/**
 * bcrypt of `password` (string or bytes, used as is) with a canonical salt
 * string on the pool, through the queue. With `onProgress`, the fractions
 * between 0 and 1 (exclusive) are reported while it runs; the caller reports
 * 0 and 1 itself.
 */
function bcryptHash(password, salt, onProgress) {
  if (typeof onProgress !== 'function') {
    return submit(() => native.bcryptHash(null, password, { salt, policy: 'permissive' }, 0));
  }
  const entry = { token: 0, last: 0, onProgress };
  track(entry);
  const p = submit(() => {
    entry.token = takeToken();
    return native.bcryptHash(null, password, { salt, policy: 'permissive', progress: true }, entry.token);
  });
  p.then(
    () => untrack(entry),
    () => untrack(entry),
  );
  return p;
}

/** `native.verify` through the queue. */
function bcryptVerify(password, hash) {
  return submit(() => native.verify(null, password, hash, 0));
}

// ---------------------------------------------------------------------------
// bcrypt's base64 (alphabet ./A-Za-z0-9, no padding)
// ---------------------------------------------------------------------------

const ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const INDEX = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) INDEX[ALPHABET.charCodeAt(i)] = i;

function illegal(message) {
  const err = new Error(message);
  err.code = 'ERR_INVALID_ARG_VALUE';
  return err;
}

/** The first `length` bytes of `bytes` (array or Uint8Array) in bcrypt's base64. */
function encodeBase64(bytes, length) {
  if (length <= 0 || length > bytes.length) throw illegal(`Illegal len: ${length}`);
  let out = '';
  let i = 0;
  while (i < length) {
    const a = bytes[i++] & 0xff;
    out += ALPHABET[a >> 2];
    if (i >= length) {
      out += ALPHABET[(a & 3) << 4];
      break;
    }
    const b = bytes[i++] & 0xff;
    out += ALPHABET[((a & 3) << 4) | (b >> 4)];
    if (i >= length) {
      out += ALPHABET[(b & 15) << 2];
      break;
    }
    const c = bytes[i++] & 0xff;
    out += ALPHABET[((b & 15) << 2) | (c >> 6)];
    out += ALPHABET[c & 63];
  }
  return out;
}

function index(s, i) {
  const code = s.charCodeAt(i);
  return code < 128 ? INDEX[code] : -1;
}

/**
 * Up to `length` bytes decoded from bcrypt's base64, as an array of numbers;
 * decoding stops at the first character outside the alphabet (except in the
 * fourth place of a group, which bcryptjs decodes to 0xffff).
 */
function decodeBase64(s, length) {
  if (length <= 0) throw illegal(`Illegal len: ${length}`);
  const out = [];
  let i = 0;
  while (i < s.length - 1 && out.length < length) {
    const c1 = index(s, i++);
    const c2 = index(s, i++);
    if (c1 === -1 || c2 === -1) break;
    out.push((c1 << 2) | ((c2 & 0x30) >> 4));
    if (out.length >= length || i >= s.length) break;
    const c3 = index(s, i++);
    if (c3 === -1) break;
    out.push(((c2 & 0x0f) << 4) | ((c3 & 0x3c) >> 2));
    if (out.length >= length || i >= s.length) break;
    const c4 = index(s, i++);
    out.push(c4 === -1 ? 0xffff : ((c3 & 0x03) << 6) | c4);
  }
  return out;
}

/** Constant-time equality of two strings (time depends on `known`'s length only). */
function safeEqual(known, unknown) {
  let diff = known.length ^ unknown.length;
  for (let i = 0; i < known.length; i++) diff |= known.charCodeAt(i) ^ unknown.charCodeAt(i);
  return diff === 0;
}

/** Calls `cb(...args)` on the next tick, outside any promise chain. */
function later(cb, ...args) {
  process.nextTick(() => cb(...args));
}

module.exports = {
  submit,
  configure,
  queued,
  bcryptHash,
  bcryptVerify,
  encodeBase64,
  decodeBase64,
  safeEqual,
  later,
};
