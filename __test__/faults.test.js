'use strict';
// Fault injection (bench/faults.js): workers terminated at random points
// under load while the parent has its own tasks, and process.exit(code) from
// completion callbacks and timers with 10,000 tasks queued. Full counts
// (100 workers, 50 exits per form) by default; COREPOOL_FAULT_WORKERS /
// COREPOOL_FAULT_EXITS lower them.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const WORKERS = Number(process.env.COREPOOL_FAULT_WORKERS || 100);
const EXITS = Number(process.env.COREPOOL_FAULT_EXITS || 50);

test(`${WORKERS} workers terminated under load, ${EXITS} process.exit(code) per form: no crash, no hang, the requested codes`, () => {
  const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'bench', 'faults.js'), '--workers', String(WORKERS), '--exits', String(EXITS)], {
    encoding: 'utf8',
    timeout: 10 * 60 * 1000,
  });
  assert.equal(r.signal, null, `faults.js was killed (${r.signal}): ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  const summary = JSON.parse(lines[lines.length - 1]);
  assert.deepEqual(summary.problems, []);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(summary.workers.runs, WORKERS);
  assert.equal(summary.workers.defaultPoolInFlightAfter, 0);
  for (const form of ['promise', 'callback', 'timer']) assert.equal(summary.exits[form], `${EXITS}/${EXITS}`);
});
