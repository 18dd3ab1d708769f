'use strict';
// The JS lane's fast paths (lib/workers/lane.js): a lease held for a moment
// after a batch, the lane's own message channel, per-worker function tables.
// They must keep the one-budget rule and settle every task exactly once.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { Pool } = require('..');
const Piscina = require('../lib/piscina.js');
const { native, kHandle } = require('../lib/internal');

const FIX = path.join(__dirname, 'fixtures', 'workers');
const TASKS = path.join(FIX, 'tasks.mjs');

const { waitFor } = require('./helpers/until');

async function withPool(options, fn) {
  const pool = new Pool({ threads: 2, filename: TASKS, ...options });
  try {
    return await fn(pool);
  } finally {
    await pool.close();
  }
}

/** Counts native[name]() calls while `fn` runs (with `only`, the calls whose result passes it). */
async function count(name, fn, only = () => true) {
  const f = native[name];
  let n = 0;
  native[name] = (...args) => {
    const r = f(...args);
    if (only(r)) n++;
    return r;
  };
  try {
    await fn();
  } finally {
    native[name] = f;
  }
  return n;
}

/** Leases taken while `fn` runs: through the pool's queue, or granted at once. */
async function countLeases(fn) {
  let now = 0;
  const queued = await count('lease', async () => {
    now = await count('leaseNow', fn, (granted) => granted === true);
  });
  return queued + now;
}

test('sequential tasks reuse the lease held after each batch; it is given back by the end of the turn', async () => {
  await withPool({ threads: 1 }, async (pool) => {
    const h = pool[kHandle];
    const unleased = await count('unlease', async () => {
      assert.equal(await pool.run(1), 2);
      await new Promise((r) => setImmediate(r));
    });
    assert.equal(unleased, 1, 'the held lease was given back in the check phase');
    const leases = await countLeases(async () => {
      for (let i = 0; i < 100; i++) assert.equal(await pool.run(i), i * 2);
    });
    assert.ok(leases >= 1 && leases <= 2, `100 sequential tasks took ${leases} leases`);
    await waitFor(() => native.leasesParked(h) === 0, 'the lease to come back');
    const s = pool.stats();
    assert.equal(s.lanes.js.completed, 101);
    assert.equal(s.inFlight, 0);
    assert.equal((await pool.digest('abc')).toString('hex'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

test('a task that finds a pool thread free reaches its worker inside run(), with no event-loop turn', async () => {
  await withPool({ threads: 1 }, async (pool) => {
    const h = pool[kHandle];
    assert.equal(await pool.run(1), 2); // the worker is up
    await new Promise((r) => setImmediate(r));
    await waitFor(() => native.leasesParked(h) === 0, 'the held lease to come back');
    const sab = new SharedArrayBuffer(32);
    const a = new Int32Array(sab);
    const granted = await count('leaseNow', async () => {
      const js = pool.run({ sab, i: 2 }, { name: 'gate' });
      // Block this thread (10 s at most): only a batch sent inside run() can
      // start now. (gate does not notify: poll.)
      for (let k = 0; k < 1000 && Atomics.load(a, 0) === 0; k++) Atomics.wait(a, 0, 0, 10);
      assert.equal(Atomics.load(a, 0), 1, 'the task started while the main thread was blocked');
      assert.equal(native.leasesParked(h) <= 1, true);
      Atomics.store(a, 1, 1);
      assert.equal(await js, 2);
    }, (r) => r === true);
    assert.equal(granted, 1);
    // It still holds one of the pool's threads: a native task waits for it.
    await new Promise((r) => setImmediate(r));
    await waitFor(() => native.leasesParked(h) === 0, 'the lease to come back');
    assert.equal(pool.stats().inFlight, 0);
  });
});

test('no lease is granted at once while the native tasks fill the pool', async () => {
  await withPool({ threads: 1 }, async (pool) => {
    const h = pool[kHandle];
    assert.equal(await pool.run(1), 2);
    await new Promise((r) => setImmediate(r));
    await waitFor(() => native.leasesParked(h) === 0, 'the held lease to come back');
    const sab = new SharedArrayBuffer(32);
    const a = new Int32Array(sab);
    const nat = native.__testSleep(h, 300, 0);
    const granted = await count('leaseNow', async () => {
      const js = pool.run({ sab, i: 2 }, { name: 'gate' });
      assert.equal(Atomics.load(a, 0), 0);
      await nat;
      await waitFor(() => Atomics.load(a, 0) === 1, 'the JS task to start after the native one');
      Atomics.store(a, 1, 1);
      assert.equal(await js, 2);
    }, (r) => r === true);
    assert.equal(granted, 0, 'the one thread was busy: the lease went through the queue');
  });
});

test('threads: 1 — a native task queued while a lease is held gets the thread first; the two never run at once', async () => {
  await withPool({ threads: 1 }, async (pool) => {
    const h = pool[kHandle];
    const sab = new SharedArrayBuffer(32);
    const a = new Int32Array(sab);
    for (let round = 0; round < 3; round++) {
      Atomics.store(a, 0, 0);
      Atomics.store(a, 1, 0);
      assert.equal(await pool.run(round), round * 2);
      // The lease of that task is held now (until the check phase). Queue a
      // native task, then a JS task, in the same turn.
      const nat = native.__testSleep(h, 150, 0);
      const js = pool.run({ sab, i: 2 }, { name: 'gate' });
      await waitFor(() => pool.stats().lanes.native.running === 1, 'the native task to run');
      assert.equal(Atomics.load(a, 0), 0, 'the JS task did not start while the native task runs');
      assert.equal(pool.stats().lanes.js.queued, 1);
      await nat;
      await waitFor(() => Atomics.load(a, 0) === 1, 'the JS task to start after the native one');
      assert.equal(pool.stats().lanes.native.running, 0, 'the native task is done when the JS task runs');
      Atomics.store(a, 1, 1);
      assert.equal(await js, 2);
    }
    await waitFor(() => native.leasesParked(h) === 0, 'the lease to come back');
    assert.equal(pool.stats().inFlight, 0);
  });
});

test('threads: 2 — sequential JS tasks beside saturating native work never exceed the budget', async () => {
  await withPool({ threads: 2 }, async (pool) => {
    const h = pool[kHandle];
    const sab = new SharedArrayBuffer(32);
    const a = new Int32Array(sab);
    const natives = [];
    let maxTogether = 0;
    for (let i = 0; i < 40; i++) {
      if (i % 4 === 0) natives.push(native.__testSleep(h, 5, 0));
      assert.equal(await pool.run({ sab, ms: 1 }, { name: 'busy' }), 1);
      const s = pool.stats();
      maxTogether = Math.max(maxTogether, s.lanes.native.running + native.leasesParked(h));
    }
    await Promise.all(natives);
    assert.ok(maxTogether <= 2, `native running + leases parked reached ${maxTogether}`);
    assert.ok(Atomics.load(a, 3) <= 1, 'one sequential JS task at a time');
    const s = pool.stats();
    assert.equal(s.lanes.js.completed, 40);
    assert.equal(s.lanes.native.completed, 10);
  });
});

test('close() right after a task: the held lease comes back and close resolves', async () => {
  const pool = new Pool({ threads: 1, filename: TASKS });
  const h = pool[kHandle];
  assert.equal(await pool.run(5), 10);
  await pool.close();
  await waitFor(() => native.leasesParked(h) === 0, 'the held lease to come back');
  await assert.rejects(pool.run(1), { code: 'ERR_POOL_CLOSED' });
});

test("a worker's function table: more distinct functions than it holds, each task settles once with its own function", async () => {
  await withPool({ threads: 1, maxQueue: 2000, filename: path.join(FIX, 'any-name.js') }, async (pool) => {
    const names = Array.from({ length: 1100 }, (_, i) => `f${i}`);
    const rs = await Promise.all(names.map((name, i) => pool.run(i, { name })));
    assert.deepEqual(
      rs,
      names.map((n, i) => `${n}:${i}`),
    );
    // Names from before the table was started afresh still resolve.
    assert.deepEqual(await Promise.all([pool.run(1, { name: 'f0' }), pool.run(2, { name: 'f1099' }), pool.run(3)]), ['f0:1', 'f1099:2', 'default:3']);
    assert.equal(pool.stats().workers.started, 1);
  });
});

test("the user's parentPort messages stay the user's: never taken for results (corepool/piscina 'message')", async () => {
  const pool = new Piscina({ filename: path.join(FIX, 'chatty.js'), maxThreads: 2 });
  const seen = [];
  pool.on('message', (m) => seen.push(m));
  try {
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.run(i)));
    assert.deepEqual(
      rs,
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    await waitFor(() => seen.length === 40, 'the 40 user messages');
    // Two workers: their messages interleave, each worker's in order.
    assert.equal(seen.filter((m) => Array.isArray(m)).length, 20);
    for (const m of seen) assert.deepEqual(m, Array.isArray(m) ? [1, 1, 1, 0, 'not a result'] : { cp: 1, t: 'done', b: 1, r: [] });
  } finally {
    await pool.destroy();
  }
});

test('a saturated lane gives the event loop a turn every few batches (no starvation inside one message callback)', async () => {
  await withPool({ threads: 2, maxQueue: 20000, filename: path.join(FIX, 'add.js') }, async (pool) => {
    const N = 20000;
    let done = 0;
    let sinceTurn = 0;
    let most = 0;
    let turns = 0;
    let running = true;
    const tick = () => {
      most = Math.max(most, sinceTurn);
      sinceTurn = 0;
      turns++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const all = Array.from({ length: N }, (_, i) =>
      pool.run(i).then((r) => {
        assert.equal(r, i + 1);
        done++;
        sinceTurn++;
      }),
    );
    await Promise.all(all);
    running = false;
    assert.equal(done, N);
    // Per turn: the batches already out (one per thread) plus at most
    // max(4, threads) handed on, of at most 64 tasks each.
    assert.ok(most <= (2 + 4) * 64, `${most} tasks settled in one event-loop turn`);
    assert.ok(turns > N / ((2 + 4) * 64), `${turns} turns`);
  });
});

/** The cores the lane counts when it lets a worker spin (lane.js). */
const CORES = Math.max(1, Math.min(require('node:os').availableParallelism(), require('..').defaultThreads()));

/** The pool's JS lane (lib/workers/index.js keeps it under a symbol). */
function laneOf(pool) {
  const k = Object.getOwnPropertySymbols(pool).find((s) => s.description === 'corepool.jsLane');
  return pool[k];
}

test('workerSpin: a worker polls for its next batch only while its lease is held; results, async tasks and aborts are unchanged', async () => {
  for (const workerSpin of [0, 10000]) {
    await withPool({ threads: 1, workerSpin }, async (pool) => {
      // Sync and async tasks alternate: an async batch needs the worker's
      // event loop, so the spin must give way to it.
      for (let i = 0; i < 50; i++) {
        assert.equal(await pool.run(i), i * 2);
        assert.deepEqual(await pool.run(i, { name: 'later' }), { x: i, async: true });
      }
      const lane = laneOf(pool);
      const [slot] = lane.workers;
      // The batch has ended; its lease is held until this turn's check phase
      // (and the worker may spin meanwhile, when spinning is on and a core
      // is left for the main thread).
      assert.equal(lane.held.length, 1);
      assert.equal(Atomics.load(slot.progress, 1), workerSpin > 0 && 1 < CORES ? 1 : 0);
      await new Promise((r) => setImmediate(r));
      // Given back: the worker has stopped spinning (or never started).
      assert.equal(lane.held.length, 0);
      assert.equal(Atomics.load(slot.progress, 1), 0);
      // An abort reaches a task that waits for it.
      const sab = new SharedArrayBuffer(4);
      const ac = new AbortController();
      const p = pool.run(sab, { name: 'waitForAbort', signal: ac.signal });
      await waitFor(() => lane.c.running === 1 && Atomics.load(slot.progress, 0) === 1, 'the task started');
      ac.abort();
      await assert.rejects(p, { name: 'AbortError' });
      await waitFor(() => Atomics.load(new Int32Array(sab), 0) === 1, 'the worker saw the abort');
      assert.equal(await pool.run(4), 8);
      assert.equal(pool.stats().workers.started, 1);
    });
  }
  assert.throws(() => new Pool({ workerSpin: -1 }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.workerSpin/ });
  assert.throws(() => new Pool({ workerSpin: 1.5 }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.workerSpin/ });
  assert.throws(() => new Pool({ workerSpin: '5' }), { code: 'ERR_INVALID_ARG_TYPE', message: /options\.workerSpin/ });
});

test('workerSpin: no spin while native tasks and busy workers leave no core for the main thread', async () => {
  await withPool({ threads: 2, workerSpin: 10000 }, async (pool) => {
    const h = pool[kHandle];
    const nat = native.__testSleep(h, 400, 0);
    await waitFor(() => native.nativeRunning(h) === 1, 'the native task to run');
    assert.equal(await pool.run(1), 2);
    const lane = laneOf(pool);
    const [slot] = lane.workers;
    // Dispatched beside a running native task: 1 + 1 threads busy.
    assert.equal(Atomics.load(slot.progress, 1), 2 < CORES ? 1 : 0);
    await nat;
    await new Promise((r) => setImmediate(r));
    assert.equal(await pool.run(2), 4);
    // Alone now: 1 thread busy.
    assert.equal(Atomics.load(slot.progress, 1), 1 < CORES ? 1 : 0);
  });
});
