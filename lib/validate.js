'use strict';
// Argument checks with Node's conventions: TypeError + ERR_INVALID_ARG_TYPE for
// a wrong type, RangeError + ERR_INVALID_ARG_VALUE for a bad value, naming the
// argument by its JS path (e.g. "options.timeout"). The same message style as
// TaskError::arg_value in src/tasks/mod.rs.
const codes = require('./codes');

function describe(value) {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'object') {
    const ctor = value.constructor && value.constructor.name;
    return ctor ? `an instance of ${ctor}` : 'an object';
  }
  let shown = String(value);
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  if (typeof value === 'string') shown = `'${shown}'`;
  return `type ${typeof value} (${shown})`;
}

function typeError(name, expected, value) {
  const err = new TypeError(`The "${name}" argument must be ${expected}. Received ${describe(value)}`);
  err.code = codes.InvalidArgType;
  return err;
}

function valueError(name, expected, value) {
  const err = new RangeError(`The "${name}" argument must be ${expected}. Received ${describe(value)}`);
  err.code = codes.InvalidArgValue;
  return err;
}

function isPlainObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `options` must be undefined or a plain object; unknown keys are refused. */
/** What checkOptions() gives for no options: empty, without a prototype, read-only. */
const NO_OPTIONS = Object.freeze(Object.create(null));

function checkOptions(options, name, allowed) {
  if (options === undefined || options === null) return NO_OPTIONS;
  if (!isPlainObject(options)) throw typeError(name, 'an object', options);
  // A copy of the own properties, without a prototype: an option nobody
  // passed reads as undefined even when Object.prototype is polluted.
  const out = Object.create(null);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw valueError(`${name}.${key}`, `one of the known options (${allowed.join(', ')})`, options[key]);
    }
    out[key] = options[key];
  }
  return out;
}

function checkInteger(value, name, min, max) {
  if (typeof value !== 'number') throw typeError(name, 'of type number', value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw valueError(name, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

function checkOneOf(value, name, choices) {
  if (typeof value !== 'string') throw typeError(name, 'of type string', value);
  if (!choices.includes(value)) throw valueError(name, `one of ${choices.map((c) => `'${c}'`).join(', ')}`, value);
  return value;
}

/**
 * Binary input: a string (UTF-8), Buffer, TypedArray, DataView or ArrayBuffer.
 * Returns a string or a Uint8Array over the SAME memory (never a copy).
 */
function toBytes(value, name) {
  if (typeof value === 'string' || value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer)) {
    return new Uint8Array(value);
  }
  throw typeError(name, 'of type string or an instance of Buffer, TypedArray, DataView or ArrayBuffer', value);
}

module.exports = { typeError, valueError, checkOptions, checkInteger, checkOneOf, toBytes, isPlainObject };
