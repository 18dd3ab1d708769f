'use strict';
// Errors thrown in a worker arrive as plain data (worker.js serializeError);
// this rebuilds them on the main thread with their class, message, stack,
// `code` and other own properties, and their `cause`.
const CLASSES = { Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError };

function rebuildError(s) {
  if (s === null || typeof s !== 'object') return s;
  if ('thrown' in s) return s.thrown;
  const Ctor = Object.hasOwn(CLASSES, s.name) ? CLASSES[s.name] : Error;
  const err = Ctor === AggregateError ? new AggregateError([], s.message) : new Ctor(s.message);
  if (err.name !== s.name) Object.defineProperty(err, 'name', { value: s.name, writable: true, configurable: true, enumerable: false });
  if (typeof s.stack === 'string') err.stack = s.stack;
  Object.assign(err, s.props);
  if (s.cause !== undefined) err.cause = rebuildError(s.cause);
  return err;
}

module.exports = { rebuildError };
