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

const { kMoved, move, isMoved } = require('./moved');

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
 *
 * This runs on the caller's thread for every task, so it is kept cheap: the
 * walk builds no path strings (when it meets something that cannot be
 * cloned, a second walk with paths names it), and it guards against cycles
 * with the stack of objects it is inside rather than a set of every object
 * seen (a value reachable twice is walked, and its bytes counted, twice; the
 * count only decides the one-time clone-cost warning).
 */
function checkClonable(payload, transfer) {
  switch (typeof payload) {
    case 'string':
      return payload.length;
    case 'number':
    case 'boolean':
    case 'undefined':
    case 'bigint':
      return 0;
    default:
      if (payload === null) return 0;
  }
  const t = transfer && transfer.length > 0 ? new Set(transfer) : null;
  const fast = fastBytes(payload, t);
  if (fast >= 0) return fast;
  const r = walkClonable(payload, t, false);
  if (typeof r === 'number') return r;
  // Something cannot be cloned: walk again, naming where it is.
  const named = walkClonable(payload, t, true);
  throw typeof named === 'number' ? r : named;
}

// The fast walk: plain objects, arrays, primitives and binary data only, as
// one closure-free recursion over module state. It answers for the common
// payload (JSON-like data, Buffers); anything else — a class instance, a
// Map, a function — makes it give up, and the full walk below decides.
let fastBudget = 0;
let fastCount = 0;
let fastTransfer = null;
const fastInside = [];

/** Bytes a clone copies, or -1 when the full walk must decide. */
function fastBytes(payload, t) {
  fastBudget = WALK_LIMIT;
  fastCount = 0;
  fastTransfer = t;
  fastInside.length = 0;
  const ok = fastWalk(payload);
  fastTransfer = null;
  fastInside.length = 0;
  return ok ? fastCount : -1;
}

function fastWalk(v) {
  if (v === null || --fastBudget <= 0) return true;
  const proto = Object.getPrototypeOf(v);
  const plain = proto === Object.prototype || proto === null;
  if (plain || Array.isArray(v)) {
    if (fastInside.includes(v)) return true;
    fastInside.push(v);
    let ok = true;
    if (plain) {
      for (const k in v) {
        // Inherited enumerable properties are not cloned.
        if (!fastValue(v[k]) && Object.prototype.hasOwnProperty.call(v, k)) {
          ok = false;
          break;
        }
      }
    } else {
      for (let i = 0; i < v.length && ok; i++) ok = fastValue(v[i]);
    }
    fastInside.pop();
    return ok;
  }
  if (ArrayBuffer.isView(v)) {
    if (!isSab(v.buffer) && (fastTransfer === null || !fastTransfer.has(v.buffer))) fastCount += v.byteLength;
    return true;
  }
  if (v instanceof ArrayBuffer) {
    if (fastTransfer === null || !fastTransfer.has(v)) fastCount += v.byteLength;
    return true;
  }
  return false;
}

/** One value inside plain data: false when the fast walk must give up. */
function fastValue(x) {
  switch (typeof x) {
    case 'string':
      fastCount += x.length;
      return true;
    case 'object':
      return fastWalk(x);
    case 'function':
    case 'symbol':
      return false;
    default:
      return true;
  }
}

/** The refusal for `v`, or null when structured clone takes it (objects: itself, not what it holds). */
function refusal(v, t, path) {
  if (v instanceof MessagePort) return !t || !t.has(v) ? cloneError('a MessagePort not listed in transferList', path) : null;
  if (v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet) return cloneError(`an instance of ${v.constructor.name}`, path);
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null && typeof v.on === 'function' && typeof v.emit === 'function') {
    // Class instances are cloned as plain objects by their own enumerable
    // properties; host objects (sockets, handles) fail on their internals.
    const name = (v.constructor && v.constructor.name) || 'object';
    return cloneError(`an instance of ${name} (an EventEmitter)`, path);
  }
  return null;
}

/** Bytes a clone copies, or the TypeError for the first value it refuses (`named`: with its path). */
function walkClonable(payload, t, named) {
  const inside = [];
  let budget = WALK_LIMIT;
  let bytes = 0;
  const walk = (v, path) => {
    switch (typeof v) {
      case 'string':
        bytes += v.length;
        return null;
      case 'function':
        return cloneError(`function ${v.name || '(anonymous)'}`, named ? path() : '');
      case 'symbol':
        return cloneError(String(v), named ? path() : '');
      case 'object':
        break;
      default:
        return null;
    }
    if (v === null || --budget <= 0 || inside.includes(v)) return null;
    inside.push(v);
    const e = walkObject(v, path);
    inside.pop();
    return e;
  };
  const walkObject = (v, path) => {
    const proto = Object.getPrototypeOf(v);
    const plain = proto === Object.prototype || proto === null;
    if (!plain) {
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const e = walk(v[i], named ? () => `${path()}[${i}]` : path);
          if (e !== null) return e;
        }
        return null;
      }
      if (v instanceof ArrayBuffer) {
        if (!t || !t.has(v)) bytes += v.byteLength;
        return null;
      }
      if (ArrayBuffer.isView(v)) {
        if (!isSab(v.buffer) && (!t || !t.has(v.buffer))) bytes += v.byteLength;
        return null;
      }
      if (isSab(v) || v instanceof Date || v instanceof RegExp || v instanceof Error) return null;
      if (typeof Blob === 'function' && v instanceof Blob) return null;
      if (v instanceof Map) {
        for (const [k, x] of v) {
          const e = walk(k, named ? () => `${path()}<key>` : path) || walk(x, named ? () => `${path()}.get(${typeof k === 'string' ? JSON.stringify(k) : '…'})` : path);
          if (e !== null) return e;
        }
        return null;
      }
      if (v instanceof Set) {
        for (const x of v) {
          const e = walk(x, named ? () => `${path()}<item>` : path);
          if (e !== null) return e;
        }
        return null;
      }
      if (v instanceof Number || v instanceof String || v instanceof Boolean || v instanceof BigInt) return null;
      const e = refusal(v, t, named ? path() : '');
      if (e !== null) return e;
    }
    for (const k in v) {
      if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
      const e = walk(v[k], named ? () => `${path()}.${k}` : path);
      if (e !== null) return e;
    }
    return null;
  };
  const e = walk(payload, () => '');
  return e === null ? bytes : e;
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
