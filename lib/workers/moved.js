'use strict';
// The move() marker on its own (transfer.js re-exports it): the worker
// bootstrap needs only this to check its results, and loads transfer.js on
// the first marked one.
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

module.exports = { kMoved, move, isMoved };
