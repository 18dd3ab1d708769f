'use strict';
// Waits for `cond()` to hold, polling once per event-loop turn, and fails
// (rather than hangs) when it still does not hold after `limitMs`.
async function until(cond, limitMs = 20000, what = cond.toString()) {
  const deadline = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${limitMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** `until` with the argument order of the workers tests: (cond, what, limitMs). */
function waitFor(cond, what, limitMs = 15000) {
  return until(cond, limitMs, what);
}

module.exports = { until, waitFor };
