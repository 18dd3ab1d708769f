'use strict';
// The JS lane: pool.run() on worker_threads under the pool's CPU budget.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { spawnSync } = require('node:child_process');
const { Worker } = require('node:worker_threads');
const corepool = require('..');

const { Pool, run, move, isWorkerThread, workerData } = corepool;
const { native, kHandle } = require('../lib/internal');
const FIX = path.join(__dirname, 'fixtures', 'workers');
const TASKS = path.join(FIX, 'tasks.mjs');
const ADD = path.join(FIX, 'add.js');

const { waitFor } = require('./helpers/until');

function shared(n = 8) {
  const sab = new SharedArrayBuffer(4 * n);
  return { sab, a: new Int32Array(sab) };
}

async function withPool(options, fn) {
  const pool = new Pool({ threads: 2, filename: TASKS, ...options });
  try {
    return await fn(pool);
  } finally {
    await pool.close();
  }
}

test('CommonJS default, ESM default and named exports, file: URLs, async results', async () => {
  await withPool({}, async (pool) => {
    assert.equal(await pool.run(21), 42);
    assert.equal(await pool.run(1, { filename: ADD }), 2);
    assert.equal(await pool.run(1, { filename: pathToFileURL(ADD).href }), 2);
    assert.equal(await pool.run(1, { filename: pathToFileURL(ADD) }), 2);
    assert.deepEqual(await pool.run(5, { name: 'later' }), { x: 5, async: true });
    assert.equal(await pool.run(3, { name: 'default' }), 6);
  });
});

test('module-level run() uses the default pool', async () => {
  assert.equal(await run(9, { filename: ADD }), 10);
  assert.ok(corepool.stats().lanes.js.completed >= 1);
  await assert.rejects(run(1), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.filename/ });
});

test('the function gets (payload, { signal }); isWorkerThread and workerData', async () => {
  await withPool({ workerData: { region: 'eu', n: [1, 2] } }, async (pool) => {
    const c = await pool.run(null, { name: 'context' });
    assert.deepEqual(
      { ...c, threadId: undefined },
      { isWorkerThread: true, workerData: { region: 'eu', n: [1, 2] }, signalIsAbortSignal: true, aborted: false, threadId: undefined },
    );
    assert.ok(c.threadId > 0);
  });
  assert.equal(isWorkerThread, false);
  assert.equal(workerData, undefined);
});

test('transferList moves ArrayBuffers; SharedArrayBuffers are shared; move() transfers results back', async () => {
  await withPool({ threads: 1 }, async (pool) => {
    const buf = new ArrayBuffer(4096);
    assert.equal(await pool.run(buf, { name: 'byteLength', transferList: [buf] }), 4096);
    assert.equal(buf.byteLength, 0, 'the transferred buffer is detached here');

    const u8 = new Uint8Array(100);
    assert.equal(await pool.run(move(u8), { name: 'byteLength' }), 100);
    assert.equal(u8.byteLength, 0, 'move() on a payload transfers it');

    const { sab, a } = shared(1);
    assert.equal(await pool.run(sab, { name: 'writeShared' }), 'ok');
    assert.equal(a[0], 1234);

    const first = await pool.run(null, { name: 'giveBuffer' });
    assert.ok(first.buf instanceof ArrayBuffer);
    assert.equal(first.buf.byteLength, 1024);
    assert.equal(new Uint8Array(first.buf)[1023], 7);
    assert.equal(await pool.run(null, { name: 'lastDetached' }), true, "the worker's moved buffer left the worker");
  });
});

test('a payload over 1 MiB that is cloned warns once; a transferred one does not count', async () => {
  const seen = [];
  const onWarning = (w) => {
    if (w.code === 'COREPOOL_CLONE_COST') seen.push(w);
  };
  process.on('warning', onWarning);
  try {
    await withPool({ threads: 1 }, async (pool) => {
      const big = new ArrayBuffer(2 * 1024 * 1024);
      await pool.run(big, { name: 'byteLength', transferList: [big] });
      await new Promise((r) => setImmediate(r));
      assert.equal(seen.length, 0);
      assert.equal(await pool.run('x'.repeat(1.5 * 1024 * 1024), { name: 'byteLength' }), undefined);
      assert.equal(await pool.run(new Uint8Array(3 * 1024 * 1024), { name: 'byteLength' }), 3 * 1024 * 1024);
      await new Promise((r) => setImmediate(r));
    });
  } finally {
    process.off('warning', onWarning);
  }
  assert.equal(seen.length, 1);
  assert.match(seen[0].message, /MiB is deep-copied to the worker thread.*transferList/);
});

test('a payload that cannot be cloned rejects with a TypeError before anything is queued', async () => {
  await withPool({}, async (pool) => {
    const before = pool.stats();
    await assert.rejects(pool.run({ cb: function onDone() {} }), (err) => {
      assert.ok(err instanceof TypeError);
      assert.equal(err.code, 'ERR_INVALID_ARG_TYPE');
      assert.match(err.message, /payload\.cb.*function onDone/);
      return true;
    });
    const net = require('node:net');
    await assert.rejects(pool.run({ socket: new net.Socket() }), { name: 'TypeError', message: /payload\.socket.*Socket/ });
    await assert.rejects(pool.run(Symbol('s')), TypeError);
    const after = pool.stats();
    assert.equal(after.inFlight, before.inFlight);
    assert.equal(after.workers.started, 0, 'nothing was started for refused payloads');
  });
});

test('a payload the pre-check lets through but postMessage refuses: the task rejects and its admission is released', async () => {
  await withPool({ threads: 1 }, async (pool) => {
    // A function past the pre-check's walk limit: only postMessage finds it.
    const big = Array.from({ length: 20000 }, (_, i) => ({ i }));
    big.push({ f() {} });
    await assert.rejects(pool.run(big), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: /cannot be cloned to a worker/ });
    assert.equal(pool.stats().inFlight, 0);
    assert.equal(pool.stats().lanes.js.failed, 1);
    assert.equal(await pool.run(1), 2);
    assert.equal(pool.stats().inFlight, 0);
  });
});

test('workers start lazily, at most `threads`, and retire after idleTimeout', async () => {
  await withPool({ threads: 2, idleTimeout: 30 }, async (pool) => {
    assert.deepEqual(pool.stats().workers, { alive: 0, started: 0, exited: 0 });
    const rs = await Promise.all(Array.from({ length: 200 }, (_, i) => pool.run(i)));
    assert.deepEqual(rs, Array.from({ length: 200 }, (_, i) => i * 2));
    const s = pool.stats();
    assert.ok(s.workers.started >= 1 && s.workers.started <= 2, `started ${s.workers.started}`);
    await waitFor(() => pool.stats().workers.alive === 0, 'idle workers to retire');
    assert.equal(pool.stats().workers.exited, pool.stats().workers.started);
    assert.equal(await pool.run(4), 8, 'a retired pool starts workers again on demand');
  });
});

test('an idle pool does not keep the process alive, nor does a worker that replaced a crashed one', () => {
  const r = spawnSync(process.execPath, [path.join(FIX, 'exit-child.js')], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.error, undefined, 'the child exited on its own');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { a: 42, b: 2, crashed: 'ERR_WORKER_EXITED' });
});

test('TypeScript worker files: ERR_WORKER_INIT naming the fix where Node cannot strip types', async (t) => {
  const typed = path.join(FIX, 'typed.ts');
  await withPool({}, async (pool) => {
    if (process.features.typescript) {
      assert.equal(await pool.run(1, { filename: typed }), 2);
      return;
    }
    await assert.rejects(pool.run(1, { filename: typed }), (err) => {
      assert.equal(err.code, 'ERR_WORKER_INIT');
      assert.match(err.message, /TypeScript worker file .*typed\.ts.*execArgv.*--import', 'tsx'/);
      return true;
    });
  });
  t.diagnostic(`typescript support in this Node: ${process.features.typescript || 'none'}`);
});

test('one CPU budget: leased JS tasks hold pool threads; native tasks wait for them', async () => {
  await withPool({ threads: 2 }, async (pool) => {
    const h = pool[kHandle];
    const { sab, a } = shared(8);
    const js = [pool.run({ sab, i: 2 }, { name: 'gate' }), pool.run({ sab, i: 3 }, { name: 'gate' })];
    await waitFor(() => Atomics.load(a, 0) === 2, 'both JS tasks to start');
    assert.equal(native.leasesParked(h), 2, 'two pool threads are lent to the JS lane');
    let digested = false;
    const d = pool.digest('abc').then((b) => {
      digested = true;
      return b;
    });
    await waitFor(() => pool.stats().lanes.native.queued === 1, 'the digest to queue');
    assert.equal(digested, false);
    assert.equal(pool.stats().lanes.native.running, 0);
    assert.equal(pool.stats().lanes.js.running, 2);
    Atomics.store(a, 1, 1);
    assert.deepEqual(await Promise.all(js), [2, 3]);
    assert.equal((await d).toString('hex'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    await waitFor(() => native.leasesParked(h) === 0, 'leases to be given back');
  });
});

test('one CPU budget: JS tasks wait while native tasks hold every thread, and never run more than `threads` at once', async () => {
  await withPool({ threads: 2 }, async (pool) => {
    const h = pool[kHandle];
    const { sab, a } = shared(8);
    const natives = [native.__testSleep(h, 300, 0), native.__testSleep(h, 300, 0)];
    await waitFor(() => pool.stats().lanes.native.running === 2, 'both native tasks to run');
    const js = Array.from({ length: 8 }, () => pool.run({ sab, ms: 2 }, { name: 'busy' }));
    // Read "both natives running" before and after reading the JS start
    // count: no JS task can have started while both threads were native.
    const before = pool.stats().lanes.native.running;
    const jsStarted = Atomics.load(a, 3);
    const after = pool.stats().lanes.native.running;
    if (before === 2 && after === 2) assert.equal(jsStarted, 0, 'no JS task ran while both threads ran native kernels');
    assert.equal(pool.stats().lanes.js.queued, 8);
    await Promise.all(natives);
    await Promise.all(js);
    assert.ok(Atomics.load(a, 3) <= 2, `at most 2 JS tasks at once, saw ${Atomics.load(a, 3)}`);
    const s = pool.stats();
    assert.equal(s.lanes.js.completed, 8);
    assert.equal(s.lanes.native.completed, 2);
    assert.equal(s.completed, 10);
  });
});

test('shared admission: threads + maxQueue in flight across both lanes, then ERR_QUEUE_FULL', async () => {
  await withPool({ threads: 1, maxQueue: 1 }, async (pool) => {
    const { sab, a } = shared(8);
    const held = [pool.run({ sab, i: 2 }, { name: 'gate' }), pool.run({ sab, i: 3 }, { name: 'gate' })];
    await assert.rejects(pool.run({ sab, i: 4 }, { name: 'gate' }), { code: 'ERR_QUEUE_FULL' });
    await assert.rejects(pool.digest('x'), { code: 'ERR_QUEUE_FULL' });
    assert.equal(pool.stats().inFlight, 2);
    Atomics.store(a, 1, 1);
    assert.deepEqual(await Promise.all(held), [2, 3]);
    assert.equal(Atomics.load(a, 4), 0, 'the refused task never ran');
    assert.equal(pool.stats().inFlight, 0);
    assert.equal((await pool.digest('x')).length, 32);
  });
});

test('stats() and metrics() per lane, plus workers', async () => {
  await withPool({ threads: 2 }, async (pool) => {
    await pool.run(1);
    await assert.rejects(pool.run({ message: 'no', code: 'E_NO' }, { name: 'threw' }));
    await pool.digest('abc');
    const s = pool.stats();
    assert.deepEqual(s.lanes.js, { queued: 0, running: 0, completed: 1, failed: 1, cancelled: 0 });
    assert.deepEqual(s.lanes.native, { queued: 0, running: 0, completed: 1, failed: 0, cancelled: 0 });
    assert.equal(s.workers.alive, s.workers.started);
    assert.ok(s.workers.alive >= 1);
    const m = pool.metrics();
    assert.match(m, /^corepool_lane_tasks_completed_total\{pool="pool",lane="js"\} 1$/m);
    assert.match(m, /^corepool_lane_tasks_failed_total\{pool="pool",lane="js"\} 1$/m);
    assert.match(m, /^corepool_lane_tasks_completed_total\{pool="pool",lane="native"\} 1$/m);
    assert.match(m, /^# TYPE corepool_workers_alive gauge$/m);
    assert.match(m, new RegExp(`^corepool_workers_started_total\\{pool="pool"\\} ${s.workers.started}$`, 'm'));
  });
});

test('close() stops admission, lets JS tasks finish, terminates the workers', async () => {
  const pool = new Pool({ threads: 2, filename: TASKS });
  const { sab, a } = shared(8);
  const running = [pool.run({ sab, i: 2 }, { name: 'gate' }), pool.run({ sab, i: 3 }, { name: 'gate' })];
  const queued = pool.run(5);
  await waitFor(() => Atomics.load(a, 0) === 2, 'the gates to start');
  const closed = pool.close();
  await assert.rejects(pool.run(1), { code: 'ERR_POOL_CLOSED' });
  await assert.rejects(pool.digest('x'), { code: 'ERR_POOL_CLOSED' });
  Atomics.store(a, 1, 1);
  assert.deepEqual(await Promise.all(running), [2, 3]);
  assert.equal(await queued, 10);
  await closed;
  assert.equal(pool.stats().workers.alive, 0);
  assert.equal(pool.stats().inFlight, 0);
});

test('close() rejects tasks that outlive closeTimeout, and still resolves', async () => {
  const pool = new Pool({ threads: 1, filename: TASKS, closeTimeout: 50 });
  const { sab, a } = shared(4);
  const stuck = assert.rejects(pool.run(sab, { name: 'spin' }), { code: 'ERR_POOL_CLOSED', message: /closeTimeout \(50 ms\)/ });
  const queued = assert.rejects(pool.run(1), { code: 'ERR_POOL_CLOSED' });
  await waitFor(() => Atomics.load(a, 0) === 1, 'the spinner to start');
  await pool.close();
  await stuck;
  await queued;
  assert.equal(pool.stats().workers.alive, 0);
});

test("a task that throws rejects with the worker's error; the worker stays", async () => {
  await withPool({ threads: 1 }, async (pool) => {
    const tid = await pool.run(null, { name: 'threadIdOf' });
    await assert.rejects(pool.run({ message: 'bad input', code: 'E_BAD', type: 'TypeError' }, { name: 'threw' }), (err) => {
      assert.ok(err instanceof TypeError);
      assert.equal(err.message, 'bad input');
      assert.equal(err.code, 'E_BAD');
      assert.equal(err.extra, 42);
      assert.match(err.stack, /tasks\.mjs/);
      return true;
    });
    await assert.rejects(pool.run(null, { name: 'throwString' }), (err) => err === 'plain string');
    assert.equal(await pool.run(null, { name: 'threadIdOf' }), tid, 'same worker');
    assert.equal(pool.stats().workers.exited, 0);
    await assert.rejects(pool.run(null, { name: 'returnsFunction' }), { code: 'ERR_WORKER_RESULT' });
    assert.equal(await pool.run(2), 4);
  });
});

test('a worker that exits rejects only its task with ERR_WORKER_EXITED and is replaced', async () => {
  await withPool({ threads: 2 }, async (pool) => {
    const others = Array.from({ length: 20 }, (_, i) => pool.run(i, { name: 'later' }));
    await assert.rejects(pool.run(3, { name: 'exit' }), (err) => {
      assert.equal(err.code, 'ERR_WORKER_EXITED');
      assert.match(err.message, /exit code 3/);
      return true;
    });
    const rs = await Promise.all(others);
    assert.deepEqual(rs.map((r) => r.x), Array.from({ length: 20 }, (_, i) => i));
    assert.equal(await pool.run(5), 10);
    assert.ok(pool.stats().workers.exited >= 1);
  });
});

test('JS workers get a 64 MB young generation unless resourceLimits sets one', async () => {
  await withPool({}, async (pool) => {
    const r = await pool.run(null, { name: 'limits' });
    assert.equal(r.maxYoungGenerationSizeMb, 64);
  });
  await withPool({ resourceLimits: { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 256 } }, async (pool) => {
    const r = await pool.run(null, { name: 'limits' });
    assert.equal(r.maxYoungGenerationSizeMb, 16);
    assert.equal(r.maxOldGenerationSizeMb, 256);
  });
});

test('a worker out of heap (resourceLimits) rejects with ERR_WORKER_EXITED and is replaced', async () => {
  await withPool({ threads: 1, resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } }, async (pool) => {
    await assert.rejects(pool.run(null, { name: 'hog' }), (err) => {
      assert.equal(err.code, 'ERR_WORKER_EXITED');
      assert.match(err.message, /memory/i);
      return true;
    });
    assert.equal(await pool.run(21), 42);
  });
});

test('a module that fails to load rejects with ERR_WORKER_INIT carrying the cause; no respawn loop', async () => {
  await withPool({ threads: 2 }, async (pool) => {
    await assert.rejects(pool.run(1, { filename: path.join(FIX, 'syntax-error.js') }), (err) => {
      assert.equal(err.code, 'ERR_WORKER_INIT');
      assert.equal(err.cause.name, 'SyntaxError');
      return true;
    });
    await assert.rejects(pool.run(1, { filename: path.join(FIX, 'missing.js') }), (err) => {
      assert.equal(err.code, 'ERR_WORKER_INIT');
      assert.match(err.cause.code, /MODULE_NOT_FOUND/);
      return true;
    });
    await assert.rejects(pool.run(1, { name: 'nope' }), { code: 'ERR_WORKER_INIT', message: /no function export named 'nope'/ });
    await assert.rejects(pool.run(1, { name: 'notAFunction' }), { code: 'ERR_WORKER_INIT' });
    const many = await Promise.allSettled(Array.from({ length: 30 }, () => pool.run(1, { filename: path.join(FIX, 'syntax-error.js') })));
    assert.ok(many.every((r) => r.status === 'rejected' && r.reason.code === 'ERR_WORKER_INIT'));
    assert.equal(pool.stats().workers.exited, 0, 'load failures do not kill or respawn workers');
    assert.equal(await pool.run(2), 4);
  });
  await withPool({ threads: 1, execArgv: ['--no-such-flag-for-corepool'] }, async (pool) => {
    const rs = await Promise.allSettled(Array.from({ length: 5 }, () => pool.run(1)));
    assert.ok(rs.every((r) => r.status === 'rejected' && r.reason.code === 'ERR_WORKER_INIT'), JSON.stringify(rs.map((r) => r.reason && r.reason.message)));
    assert.ok(pool.stats().workers.started <= 2, `backed off (started ${pool.stats().workers.started})`);
  });
});

test('abort: pre-aborted and queued tasks never start; a running task sees its signal', async () => {
  await withPool({ threads: 1 }, async (pool) => {
    const { sab, a } = shared(8);
    await assert.rejects(pool.run({ sab, i: 5 }, { name: 'gate', signal: AbortSignal.abort('why') }), (err) => {
      assert.equal(err.name, 'AbortError');
      assert.equal(err.code, 'ABORT_ERR');
      assert.equal(err.cause, 'why');
      return true;
    });
    const blocker = pool.run({ sab, i: 2 }, { name: 'gate' });
    await waitFor(() => Atomics.load(a, 2) === 1, 'the blocker to start');
    const ac = new AbortController();
    const queued = pool.run({ sab, i: 6 }, { name: 'gate', signal: ac.signal });
    ac.abort();
    await assert.rejects(queued, { code: 'ABORT_ERR' });
    Atomics.store(a, 1, 1);
    await blocker;
    assert.equal(Atomics.load(a, 5), 0);
    assert.equal(Atomics.load(a, 6), 0, 'the aborted queued task never started');

    const seen = shared(1);
    const ac2 = new AbortController();
    const running = pool.run(seen.sab, { name: 'waitForAbort', signal: ac2.signal });
    await waitFor(() => pool.stats().lanes.js.running === 1, 'the waiter to run');
    ac2.abort();
    await assert.rejects(running, { code: 'ABORT_ERR' });
    await waitFor(() => Atomics.load(seen.a, 0) === 1, "the worker's signal to abort");
    assert.equal(pool.stats().lanes.js.cancelled, 2, 'the queued and the running one (the pre-aborted one was never admitted)');
    assert.equal(pool.stats().workers.exited, 0, 'a task that returns after abort keeps its worker');
  });
});

test('an infinite loop is aborted: the promise rejects at once, the worker is replaced after the grace period', async () => {
  await withPool({ threads: 1, abortGrace: 20 }, async (pool) => {
    const { sab, a } = shared(1);
    const ac = new AbortController();
    const looping = pool.run(sab, { name: 'spin', signal: ac.signal });
    await waitFor(() => Atomics.load(a, 0) === 1, 'the loop to start');
    ac.abort();
    await assert.rejects(looping, { name: 'AbortError' });
    await waitFor(() => pool.stats().workers.exited === 1, 'the looping worker to be terminated');
    assert.equal(await pool.run(4), 8, 'the pool still runs tasks on a replacement');
    await waitFor(() => native.leasesParked(pool[kHandle]) === 0, 'the slot to come back');
  });
});

test('timeout rejects with ERR_TIMEOUT and frees the slot', async () => {
  await withPool({ threads: 1, abortGrace: 20 }, async (pool) => {
    await assert.rejects(pool.run(null, { name: 'spin', timeout: 30 }), { code: 'ERR_TIMEOUT', message: /within 30 ms/ });
    assert.equal(await pool.run(1), 2);
  });
});

test('a task that awaits does not hold back the answers of the tasks before it in its batch', async () => {
  const pool = new Pool({ threads: 1, filename: TASKS });
  try {
    const sab = new SharedArrayBuffer(4);
    // Measured as fast first, so that a burst goes out as one batch.
    await Promise.all(Array.from({ length: 200 }, (_, i) => pool.run({ sab, i }, { name: 'hold' })));
    const burst = Array.from({ length: 8 }, (_, i) => pool.run({ sab, i, wait: i === 1 }, { name: 'hold' }));
    let firstSettled = false;
    burst[0].then(() => {
      firstSettled = true;
    });
    await waitFor(() => firstSettled, 'the first task settles while the second awaits');
    Atomics.store(new Int32Array(sab), 0, 1);
    assert.deepEqual(await Promise.all(burst), [0, 1, 2, 3, 4, 5, 6, 7]);
  } finally {
    await pool.close();
  }
});

test('1000 tasks across a worker killed 20 times: each settles exactly once; threads healthy workers remain', async () => {
  const threads = 2;
  await withPool({ threads }, async (pool) => {
    const n = 1000;
    const { sab, a } = shared(n);
    const dies = new Set(Array.from({ length: 20 }, (_, k) => 25 + k * 48));
    const settled = new Array(n).fill(0);
    const outcomes = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        pool.run({ sab, i, die: dies.has(i) }, { name: 'chaos' }).then(
          (v) => {
            settled[i]++;
            return { ok: true, v };
          },
          (err) => {
            settled[i]++;
            return { ok: false, code: err.code, message: err.message };
          },
        ),
      ),
    );
    assert.ok(settled.every((c) => c === 1));
    for (let i = 0; i < n; i++) {
      const o = outcomes[i];
      if (dies.has(i)) {
        assert.equal(o.code, 'ERR_WORKER_EXITED', `task ${i}`);
      } else if (o.ok) {
        assert.equal(o.v, i * 3);
        assert.equal(Atomics.load(a, i), 1, `task ${i} ran once`);
      } else {
        assert.equal(o.code, 'ERR_WORKER_EXITED', `task ${i}: ${JSON.stringify(o)}`);
      }
      assert.ok(Atomics.load(a, i) <= 1, `task ${i} ran at most once`);
    }
    const ok = outcomes.filter((o) => o.ok).length;
    assert.ok(ok >= n - 20 * 64, `most tasks succeed (${ok})`);
    assert.equal(pool.stats().workers.exited, 20);
    await waitFor(() => pool.stats().workers.alive === threads, `${threads} workers alive`);
    const ids = new Set(await Promise.all(Array.from({ length: 50 }, () => pool.run(null, { name: 'threadIdOf' }))));
    assert.ok(ids.size >= 1 && ids.size <= threads);
    assert.equal(pool.stats().inFlight, 0);
  });
});

test('worker.terminate() of a thread using the JS lane: no crash or hang; its leases come back', async () => {
  const code = `
    const { parentPort } = require('node:worker_threads');
    const { run } = require(${JSON.stringify(path.join(__dirname, '..', 'index.js'))});
    for (let i = 0; i < 50; i++) run(null, { filename: ${JSON.stringify(TASKS)}, name: 'spin' }).catch(() => {});
    parentPort.postMessage('started');
  `;
  const w = new Worker(code, { eval: true });
  await new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  await waitFor(() => native.leasesParked(null) > 0, 'leases in the worker');
  await w.terminate();
  await waitFor(() => native.leasesParked(null) === 0, "the terminated thread's leases to come back");
  assert.equal(await run(1, { filename: ADD }), 2);
});

test('niceIncrement lowers the priority of the worker threads only (Linux)', { skip: process.platform !== 'linux' && 'nice values are per thread on Linux only' }, async () => {
  const os = require('node:os');
  const base = os.getPriority(0);
  await withPool({ niceIncrement: 3 }, async (pool) => {
    assert.equal(await pool.run(null, { name: 'priority' }), Math.min(19, base + 3));
  });
  // Default: 5; 0 keeps the inherited priority.
  await withPool({}, async (pool) => {
    assert.equal(await pool.run(null, { name: 'priority' }), Math.min(19, base + 5));
  });
  await withPool({ niceIncrement: 0 }, async (pool) => {
    assert.equal(await pool.run(null, { name: 'priority' }), base);
  });
  // The main thread keeps its own.
  assert.equal(os.getPriority(0), base);
  assert.throws(() => new Pool({ niceIncrement: 20 }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.niceIncrement/ });
});

test('a polluted Object.prototype configures nothing: options are read from own properties only', async () => {
  // (Not `signal`: Node's own streams read options.signal.)
  const keys = { execArgv: ['--not-a-real-flag'], env: { NODE_OPTIONS: '--title=polluted' }, timeout: 1, filename: '/nonexistent.js', name: 'nope', algorithm: 'md5', maxQueue: 0, workerSpin: -5 };
  Object.assign(Object.prototype, keys);
  try {
    await withPool({}, async (pool) => {
      assert.equal(await pool.run(21), 42);
      assert.equal((await pool.digest('abc', 'sha256', {})).length, 32);
      assert.equal((await pool.digest('abc')).length, 32);
    });
  } finally {
    for (const k of Object.keys(keys)) delete Object.prototype[k];
  }
});

test('options are validated in Node style', () => {
  assert.throws(() => new Pool({ idleTimeout: -1 }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.idleTimeout/ });
  assert.throws(() => new Pool({ execArgv: '--x' }), { code: 'ERR_INVALID_ARG_TYPE', message: /options\.execArgv/ });
  assert.throws(() => new Pool({ resourceLimits: { maxHeap: 1 } }), { code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => new Pool({ workerData: () => 1 }), { code: 'ERR_INVALID_ARG_TYPE', message: /options\.workerData/ });
  assert.throws(() => new Pool({ filename: 'https://example.com/x.js' }), { code: 'ERR_INVALID_ARG_VALUE' });
  const pool = new Pool({ filename: TASKS });
  return Promise.all([
    assert.rejects(pool.run(1, { nme: 'x' }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.nme/ }),
    assert.rejects(pool.run(1, { transferList: 'x' }), { code: 'ERR_INVALID_ARG_TYPE' }),
    assert.rejects(pool.run(1, { signal: {} }), { code: 'ERR_INVALID_ARG_TYPE' }),
    assert.rejects(pool.run(1, { timeout: 0 }), { code: 'ERR_INVALID_ARG_VALUE' }),
  ]).then(() => pool.close());
});
