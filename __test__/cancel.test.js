'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { getEventListeners } = require('node:events');
const corepool = require('..');
const { until } = require('./helpers/until');

const { native, kHandle, run, taskOptions } = require('../lib/internal');

// A cancellable sleep task on `pool` (test-only kernel: sleeps in 1 ms steps,
// checking its cancel flag at each step).
function sleep(pool, ms, options = {}) {
  taskOptions(options, 'options');
  return run(options, (token) => native.__testSleep(pool[kHandle], ms, token));
}


test('an already-aborted signal rejects without submitting', async () => {
  const pool = new corepool.Pool({ threads: 1 });
  const ac = new AbortController();
  ac.abort(new Error('why'));
  const err = await pool.digest('x', 'sha256', { signal: ac.signal }).catch((e) => e);
  assert.equal(err.name, 'AbortError');
  assert.equal(err.code, 'ABORT_ERR');
  assert.equal(err.cause.message, 'why');
  assert.ok(err instanceof corepool.AbortError && err instanceof corepool.CorepoolError);
  assert.equal(pool.stats().completed + pool.stats().inFlight + pool.stats().cancelled, 0);
  await pool.close();
});

test('abort while queued: rejects at once and the task never runs', async () => {
  const pool = new corepool.Pool({ threads: 1 });
  const blocker = sleep(pool, 200);
  const ac = new AbortController();
  const queued = sleep(pool, 10000, { signal: ac.signal });
  await until(() => pool.stats().running === 1);
  ac.abort();
  await assert.rejects(queued, { name: 'AbortError', code: 'ABORT_ERR' });
  assert.equal(pool.stats().cancelled, 1);
  assert.equal(getEventListeners(ac.signal, 'abort').length, 0, 'listener removed on settle');
  assert.equal(await blocker, '200');
  await pool.close();
  const s = pool.stats();
  assert.equal(s.runTime.count, 1, 'only the blocker ran a kernel');
  assert.equal(s.completed, 1);
});

test('abort during run: rejects at once and the kernel stops at its next checkpoint', async () => {
  const pool = new corepool.Pool({ threads: 1 });
  const ac = new AbortController();
  const p = sleep(pool, 60000, { signal: ac.signal });
  await until(() => pool.stats().running === 1);
  ac.abort();
  await assert.rejects(p, { name: 'AbortError' });
  await pool.close(); // resolves only once the kernel has returned
  const s = pool.stats();
  assert.equal(s.cancelled, 1);
  assert.equal(s.runTime.count, 1);
  assert.ok(s.runTime.max < 30000, `kernel stopped early (ran ${s.runTime.max} ms of 60000)`);
});

test('timeout rejects with ERR_TIMEOUT and stops the kernel', async () => {
  const pool = new corepool.Pool({ threads: 1 });
  const err = await sleep(pool, 60000, { timeout: 20 }).catch((e) => e);
  assert.equal(err.code, 'ERR_TIMEOUT');
  assert.equal(err.name, 'CorepoolError');
  await pool.close();
  assert.ok(pool.stats().runTime.max < 30000);
});

test('a task that finishes first is not affected by its signal or timeout later', async () => {
  const ac = new AbortController();
  const d = await corepool.digest('abc', 'sha256', { signal: ac.signal, timeout: 60000 });
  ac.abort();
  assert.equal(d.length, 32);
  assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
});

test('close with tasks in flight waits for them, including cancelled ones', async () => {
  const pool = new corepool.Pool({ threads: 2 });
  const ac = new AbortController();
  const a = sleep(pool, 30);
  const b = sleep(pool, 60000, { signal: ac.signal });
  const c = pool.digest('x');
  const closing = pool.close();
  ac.abort();
  await assert.rejects(b, { name: 'AbortError' });
  assert.equal(await a, '30');
  assert.equal((await c).length, 32);
  await closing;
  assert.equal(pool.stats().inFlight, 0);
});
