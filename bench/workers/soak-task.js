'use strict';
// The JS-lane task of bench/soak.js: a little arithmetic on the worker
// thread; a non-number payload throws (the soak's bad input).
module.exports = (n) => {
  if (typeof n !== 'number') {
    const err = new TypeError(`soak-task: expected a number, got ${typeof n}`);
    err.code = 'ERR_SOAK_BAD_INPUT';
    throw err;
  }
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + i * i) % 1000003;
  return s;
};
