'use strict';
// What crosses the thread boundary: a check that a payload can be cloned
// (done before a task is queued, so a function or a socket is refused with a
// TypeError at the call site), the cost of cloning it, and `move()`, which
// marks ArrayBuffers to be transferred instead of copied.
const { MessagePort } = require('node:worker_threads');

/** Past this many cloned bytes a one-time warning names the copy cost. */
const CLONE_WARN_BYTES = 1024 * 1024;
/** The walk gives up (and lets postMessage decide) after this many objects. */
const WALK_LIMIT = 10000;

const kMoved = Symbol.for('corepool.moved');

/**
 * Marks `value` (an ArrayBuffer, a TypedArray/DataView, a MessagePort, or an
 * object or array holding them) to be transferred, not cloned, when it is a
 * task's payload or a worker's result.
 */
function move(value, transfer) {
  if (value !== null && typeof value === 'object' && value[kMoved] === true) return value;
  return transfer === undefined ? { [kMoved]: true, value } : { [kMoved]: true, value, transfer };
}

function isMoved(v) {
  return v !== null && typeof v === 'object' && v[kMoved] === true;
}

function isSab(b) {
  return typeof SharedArrayBuffer === 'function' && b instanceof SharedArrayBuffer;
}

/** The ArrayBuffers and MessagePorts reachable from `value` (for move()). */
function transferables(value, out = [], seen = new Set(), budget = { n: WALK_LIMIT }) {
  if (value === null || typeof value !== 'object' || seen.has(value) || budget.n-- <= 0) return out;
  seen.add(value);
  if (value instanceof ArrayBuffer) {
    if (!out.includes(value) && value.byteLength > 0) out.push(value);
  } else if (ArrayBuffer.isView(value)) {
    const b = value.buffer;
    if (!isSab(b) && !out.includes(b) && b.byteLength > 0) out.push(b);
  } else if (value instanceof MessagePort) {
    out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) transferables(v, out, seen, budget);
  } else if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
    for (const k of Object.keys(value)) transferables(value[k], out, seen, budget);
  } else if (value instanceof Map) {
    for (const [k, v] of value) {
      transferables(k, out, seen, budget);
      transferables(v, out, seen, budget);
    }
  } else if (value instanceof Set) {
    for (const v of value) transferables(v, out, seen, budget);
  }
  return out;
}

function describePath(path) {
  return path === '' ? 'payload' : `payload${path}`;
}

function cloneError(what, path) {
  const err = new TypeError(`The task's ${describePath(path)} cannot be cloned to a worker: ${what} (pass data, or move it with transferList)`);
  err.code = 'ERR_INVALID_ARG_TYPE';
  return err;
}

/**
 * Throws a TypeError naming the first value of `payload` that structured
 * clone would refuse; returns the number of bytes a clone would copy
 * (strings and buffers not in `transfer`). Gives up quietly on very large
 * graphs (postMessage then has the last word).
 */
function checkClonable(payload, transfer) {
  const t = transfer && transfer.length > 0 ? new Set(transfer) : null;
  const seen = new Set();
  let budget = WALK_LIMIT;
  let bytes = 0;
  const walk = (v, path) => {
    switch (typeof v) {
      case 'string':
        bytes += v.length;
        return;
      case 'function':
        throw cloneError(`function ${v.name || '(anonymous)'}`, path);
      case 'symbol':
        throw cloneError(String(v), path);
      case 'object':
        break;
      default:
        return;
    }
    if (v === null || seen.has(v) || --budget <= 0) return;
    seen.add(v);
    if (v instanceof ArrayBuffer) {
      if (!t || !t.has(v)) bytes += v.byteLength;
      return;
    }
    if (ArrayBuffer.isView(v)) {
      if (!isSab(v.buffer) && (!t || !t.has(v.buffer))) bytes += v.byteLength;
      return;
    }
    if (isSab(v) || v instanceof Date || v instanceof RegExp || v instanceof Error) return;
    if (v instanceof MessagePort) {
      if (!t || !t.has(v)) throw cloneError('a MessagePort not listed in transferList', path);
      return;
    }
    if (typeof Blob === 'function' && v instanceof Blob) return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) walk(v[i], `${path}[${i}]`);
      return;
    }
    if (v instanceof Map) {
      for (const [k, x] of v) {
        walk(k, `${path}<key>`);
        walk(x, `${path}.get(${typeof k === 'string' ? JSON.stringify(k) : '…'})`);
      }
      return;
    }
    if (v instanceof Set) {
      for (const x of v) walk(x, `${path}<item>`);
      return;
    }
    if (v instanceof Number || v instanceof String || v instanceof Boolean || v instanceof BigInt) return;
    if (v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet) {
      throw cloneError(`an instance of ${v.constructor.name}`, path);
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      // Class instances are cloned as plain objects by their own enumerable
      // properties; host objects (sockets, handles) fail on their internals.
      const name = (v.constructor && v.constructor.name) || 'object';
      if (typeof v.on === 'function' && typeof v.emit === 'function') throw cloneError(`an instance of ${name} (an EventEmitter)`, path);
    }
    for (const k of Object.keys(v)) walk(v[k], `${path}.${k}`);
  };
  walk(payload, '');
  return bytes;
}

let warned = false;

/** One process-wide warning the first time a big payload is cloned. */
function warnCloneCost(bytes) {
  if (warned || bytes <= CLONE_WARN_BYTES) return;
  warned = true;
  process.emitWarning(
    `corepool: a task payload of ${(bytes / 1048576).toFixed(1)} MiB is deep-copied to the worker thread; ` +
      'move ArrayBuffers with { transferList } (or move()) or share a SharedArrayBuffer to avoid the copy.',
    { type: 'CorepoolWarning', code: 'COREPOOL_CLONE_COST' },
  );
}

module.exports = { move, isMoved, kMoved, transferables, checkClonable, warnCloneCost, CLONE_WARN_BYTES };
