'use strict';
// corepool/piscina against piscina's documented behaviour (piscina's own
// suite is run separately; see README "corepool/piscina").
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { EventEmitter } = require('node:events');
const Piscina = require('../lib/piscina.js');

const TASKS = path.join(__dirname, 'fixtures', 'workers', 'tasks.mjs');
const ADD = path.join(__dirname, 'fixtures', 'workers', 'add.js');

test('statics and exports match piscina', async () => {
  assert.equal(Piscina.Piscina, Piscina);
  assert.equal(Piscina.isWorkerThread, false);
  assert.equal(Piscina.workerData, undefined);
  assert.equal(typeof Piscina.version, 'string');
  assert.equal(Piscina.transferableSymbol, Symbol.for('Piscina.transferable'));
  assert.equal(Piscina.valueSymbol, Symbol.for('Piscina.valueOf'));
  assert.equal(Piscina.queueOptionsSymbol, Symbol.for('Piscina.queueOptions'));
  const esm = await import('../lib/piscina.mjs');
  assert.equal(esm.default, Piscina);
  assert.equal(esm.move, Piscina.move);
  assert.equal(require.resolve('corepool/piscina'), require.resolve('../lib/piscina.js'));
});

test('run, named exports, options and events', async () => {
  const pool = new Piscina({ filename: TASKS, minThreads: 1, maxThreads: 2, maxQueue: 'auto' });
  assert.equal(pool.options.maxQueue, 4);
  assert.equal(pool.threads.length, 1, 'minThreads start at once');
  const created = [];
  pool.on('workerCreate', (w) => created.push(w.id));
  assert.equal(await pool.run(21), 42);
  assert.equal(await pool.run(1, { filename: ADD }), 2);
  assert.deepEqual(await pool.run(3, { name: 'later' }), { x: 3, async: true });
  assert.equal(pool.completed, 3);
  assert.ok(pool.histogram.runTime.max > 0);
  assert.ok(pool.duration > 0);
  await pool.destroy();
});

test('validation and errors use piscina messages', async () => {
  assert.throws(() => new Piscina({ maxThreads: 0 }), /options.maxThreads must be a positive integer/);
  assert.throws(() => new Piscina({ minThreads: 4, maxThreads: 2 }), RangeError);
  assert.throws(() => new Piscina({ atomics: 'x' }), /options.atomics should be a value of sync, sync or disabled/);
  const pool = new Piscina({ minThreads: 0, maxThreads: 1 });
  await assert.rejects(pool.run(1), /filename must be provided to run\(\) or in options object/);
  const ee = new EventEmitter();
  const p = pool.run(null, { filename: TASKS, name: 'spin', signal: ee });
  setTimeout(() => ee.emit('abort'), 20);
  await assert.rejects(p, (err) => err.name === 'AbortError' && err.message === 'The task has been aborted');
  await assert.rejects(pool.run(3, { filename: TASKS, name: 'exit' }), /worker exited with code: 3/);
  await pool.close();
  await assert.rejects(pool.run(1, { filename: ADD }), /The task has been aborted/);
});

test('move() transfers and exposes piscina\'s view', async () => {
  const ab = new ArrayBuffer(8);
  const m = Piscina.move(ab);
  assert.equal(m[Piscina.valueSymbol], ab);
  assert.equal(m[Piscina.transferableSymbol], ab);
  const pool = new Piscina({ filename: TASKS, name: 'byteLength', minThreads: 0, maxThreads: 1 });
  assert.equal(await pool.run(m), 8);
  assert.equal(ab.byteLength, 0);
  await pool.destroy();
});

test("each run() is a 'Piscina.Task' async resource; its promise settles inside it", async () => {
  const { createHook, executionAsyncId, AsyncLocalStorage } = require('node:async_hooks');
  const ids = [];
  let settledInside = 0;
  const hook = createHook({
    init(id, type) {
      if (type === 'Piscina.Task') ids.push(id);
    },
    promiseResolve() {
      if (ids.includes(executionAsyncId())) settledInside++;
    },
  });
  const pool = new Piscina({ filename: ADD, maxThreads: 1 });
  const als = new AsyncLocalStorage();
  hook.enable();
  try {
    const [a, b] = await als.run('request-7', () => Promise.all([pool.run(1).then((v) => [v, als.getStore()]), pool.run(2).catch(() => 'x')]));
    assert.deepEqual(a, [2, 'request-7']);
    assert.equal(b, 3);
  } finally {
    hook.disable();
    await pool.destroy();
  }
  assert.equal(ids.length, 2);
  assert.equal(settledInside, 2);
});

test("atomics: 'disabled' (or useAtomics: false) turns the workers' spin off", async () => {
  for (const [options, spin] of [[{}, 100], [{ atomics: 'sync' }, 100], [{ atomics: 'disabled' }, 0], [{ useAtomics: false }, 0]]) {
    const pool = new Piscina({ filename: TASKS, maxThreads: 1, ...options });
    try {
      assert.equal(await pool.run(null, { name: 'spinBudget' }), spin, JSON.stringify(options));
    } finally {
      await pool.destroy();
    }
  }
});

test('idleThreads drops as soon as run() queues a task, and comes back when it settles', async () => {
  const pool = new Piscina({ filename: TASKS, minThreads: 2, maxThreads: 2 });
  try {
    assert.equal(pool.idleThreads, 2);
    const first = pool.run(1);
    assert.equal(pool.idleThreads, 1);
    const second = pool.run(2);
    assert.equal(pool.idleThreads, 0);
    assert.deepEqual(await Promise.all([first, second]), [2, 4]);
    assert.equal(pool.idleThreads, 2);
  } finally {
    await pool.destroy();
  }
  assert.equal(pool.idleThreads, 0);
});

test('close({ force: true }) lets the tasks piscina would have handed to workers finish and aborts the rest', async () => {
  for (const [concurrentTasksPerWorker, finish] of [[1, 1], [2, 2]]) {
    const pool = new Piscina({ filename: ADD, maxThreads: 1, concurrentTasksPerWorker });
    const tasks = [1, 2, 3].map((x) => pool.run(x).then((v) => ['ok', v], (e) => ['rejected', e.name, e.message]));
    await pool.close({ force: true });
    const expected = [1, 2, 3].map((x, i) => (i < finish ? ['ok', x + 1] : ['rejected', 'AbortError', 'The task has been aborted']));
    assert.deepEqual(await Promise.all(tasks), expected, `concurrentTasksPerWorker: ${concurrentTasksPerWorker}`);
    await assert.rejects(pool.run(1), { name: 'AbortError' });
  }
});

test('close({ force: true }) with concurrentTasksPerWorker: a task with a signal does not share a worker, so it is the one aborted', async () => {
  const pool = new Piscina({ filename: ADD, maxThreads: 1, concurrentTasksPerWorker: 2 });
  const settled = (p) => p.then((v) => ['ok', v], (e) => ['rejected', e.name]);
  const first = settled(pool.run(1));
  const abortable = settled(pool.run(2, { signal: new AbortController().signal }));
  const third = settled(pool.run(3));
  // piscina: 1 and 3 share the worker; 2 waits in its queue.
  assert.equal(pool.queueSize, 1);
  await pool.close({ force: true });
  assert.deepEqual(await Promise.all([first, abortable, third]), [['ok', 2], ['rejected', 'AbortError'], ['ok', 4]]);
});

test('concurrentTasksPerWorker widens what counts as handed to a worker: queueSize and maxQueue', async () => {
  const pool = new Piscina({ filename: ADD, minThreads: 0, maxThreads: 1, maxQueue: 0, concurrentTasksPerWorker: 2 });
  try {
    const tasks = [pool.run(1), pool.run(2)];
    assert.equal(pool.queueSize, 0);
    // A third task is over maxThreads × concurrentTasksPerWorker + maxQueue.
    await assert.rejects(pool.run(3), /No task queue available and all Workers are busy/);
    assert.deepEqual(await Promise.all(tasks), [2, 3]);
  } finally {
    await pool.destroy();
  }
});

test('with concurrentTasksPerWorker, a task with a signal does not share a worker: it counts in queueSize', async () => {
  const pool = new Piscina({ filename: ADD, maxThreads: 1, concurrentTasksPerWorker: 2 });
  try {
    const plain = pool.run(1);
    const ac = new AbortController();
    const abortable = pool.run(2, { signal: ac.signal });
    assert.equal(pool.queueSize, 1);
    ac.abort();
    await assert.rejects(abortable, { name: 'AbortError' });
    assert.equal(pool.queueSize, 0);
    assert.equal(await plain, 2);
  } finally {
    await pool.destroy();
  }
});

/** Blocks the main thread until a[index] >= n; false after `ms` (so a test fails instead of hanging). */
function blockUntil(a, index, n, ms) {
  const end = Date.now() + ms;
  for (let v = Atomics.load(a, index); v < n; v = Atomics.load(a, index)) {
    if (Date.now() >= end) return false;
    Atomics.wait(a, index, v, 50);
  }
  return true;
}

test('concurrentTasksPerWorker: a busy worker is handed its second task at once, and runs it after the first on its own thread', async () => {
  const pool = new Piscina({ filename: TASKS, minThreads: 1, maxThreads: 1, concurrentTasksPerWorker: 2 });
  try {
    const sab = new SharedArrayBuffer(32);
    const a = new Int32Array(sab);
    const first = pool.run({ sab, i: 4 }, { name: 'gate' });
    const second = pool.run({ sab, i: 5 }, { name: 'gate' });
    assert.equal(pool.queueSize, 0);
    // The main thread blocks from here on: the second task can only start
    // if it was already sent to the worker.
    assert.ok(blockUntil(a, 0, 1, 10000), 'the first task started');
    assert.equal(Atomics.load(a, 5), 0, 'one at a time on the one worker');
    Atomics.store(a, 1, 1);
    Atomics.notify(a, 1);
    assert.ok(blockUntil(a, 0, 2, 10000), 'the second task started without the main thread');
    assert.deepEqual(await Promise.all([first, second]), [4, 5]);
    assert.equal(pool.threads.length, 1);
  } finally {
    await pool.destroy();
  }
});

test('a worker that dies rejects the tasks piscina had handed to it, started or not; the rest run on its replacement', async () => {
  const pool = new Piscina({ filename: TASKS, maxThreads: 1, concurrentTasksPerWorker: 2 });
  try {
    const dies = pool.run(3, { name: 'exit' });
    const handed = pool.run(20);
    const queued = pool.run(21);
    assert.equal(pool.queueSize, 1, 'two were handed to the worker');
    await assert.rejects(dies, /worker exited with code: 3/);
    await assert.rejects(handed, /worker exited with code: 3/);
    assert.equal(await queued, 42);
  } finally {
    await pool.destroy();
  }
});

test('a custom taskQueue decides which queued task runs next, and sees what piscina shows it', async () => {
  class ByPriority {
    tasks = [];
    seen = [];
    get size() {
      return this.tasks.length;
    }
    push(task) {
      this.seen.push({ isAbortable: task.isAbortable, name: task.name, file: task.filename, options: task[Piscina.queueOptionsSymbol] });
      this.tasks.push(task);
      this.tasks.sort((x, y) => (y[Piscina.queueOptionsSymbol]?.priority ?? 0) - (x[Piscina.queueOptionsSymbol]?.priority ?? 0));
    }
    shift() {
      return this.tasks.shift() ?? null;
    }
    remove(task) {
      const i = this.tasks.indexOf(task);
      if (i >= 0) this.tasks.splice(i, 1);
    }
  }
  const queue = new ByPriority();
  const pool = new Piscina({ filename: TASKS, minThreads: 1, maxThreads: 1, taskQueue: queue });
  try {
    const sab = new SharedArrayBuffer(32);
    const a = new Int32Array(sab);
    const order = [];
    const first = pool.run({ sab, i: 4 }, { name: 'gate' });
    const prio = (priority) => ({ priority, [Piscina.queueOptionsSymbol]: { priority } });
    const ac = new AbortController();
    const runs = [1, 3, 2].map((p) => pool.run(prio(p), { name: 'context' }).then(() => order.push(p)));
    const dropped = pool.run(prio(5), { name: 'context', signal: ac.signal });
    ac.abort();
    await assert.rejects(dropped, { name: 'AbortError' });
    assert.ok(!queue.tasks.some((t) => t.task.priority === 5), 'an aborted task is removed from the queue');
    Atomics.store(a, 1, 1);
    Atomics.notify(a, 1);
    assert.equal(await first, 4);
    await Promise.all(runs);
    assert.deepEqual(order, [3, 2, 1]);
    const queued = queue.seen.filter((s) => s.options !== null);
    assert.deepEqual(queued.map((s) => [s.options.priority, s.isAbortable, s.name, s.file]), [
      [1, false, 'context', TASKS],
      [3, false, 'context', TASKS],
      [2, false, 'context', TASKS],
      [5, true, 'context', TASKS],
    ]);
  } finally {
    await pool.destroy();
  }
});

test('loadBalancer chooses the worker of each task and sees piscina\'s view of the workers', async () => {
  const calls = [];
  const pool = new Piscina({
    filename: TASKS,
    minThreads: 2,
    maxThreads: 2,
    workerHistogram: true,
    // The idle worker that started last (piscina's default picks the first).
    loadBalancer(task, workers) {
      calls.push({ name: task.name, abortable: task.isAbortable, usage: workers.map((w) => w.currentUsage), ids: workers.map((w) => w.id) });
      const idle = workers.filter((w) => w.currentUsage === 0);
      return idle.length > 0 ? idle[idle.length - 1] : null;
    },
  });
  const created = [];
  const destroyed = [];
  pool.on('workerCreate', (w) => created.push(w.id));
  pool.on('workerDestroy', (w) => destroyed.push(w));
  try {
    const ids = pool.threads.map((w) => w.threadId);
    const ran = [];
    for (let i = 0; i < 4; i++) ran.push(await pool.run(null, { name: 'threadIdOf' }));
    assert.deepEqual(ran, [ids[1], ids[1], ids[1], ids[1]]);
    assert.deepEqual(created, ids, 'the minThreads workers, as views with piscina\'s id');
    assert.equal(calls.length, 4);
    assert.deepEqual(calls[0], { name: 'threadIdOf', abortable: false, usage: [0, 0], ids });
    // Two at once: both workers busy, so the third is declined until one is free.
    const sab = new SharedArrayBuffer(32);
    const gates = [pool.run({ sab, i: 4 }, { name: 'gate' }), pool.run({ sab, i: 5 }, { name: 'gate' })];
    const third = pool.run(null, { name: 'threadIdOf', signal: new AbortController().signal });
    assert.deepEqual(calls.at(-1), { name: 'threadIdOf', abortable: true, usage: [1, 1], ids });
    assert.equal(pool.queueSize, 1);
    Atomics.store(new Int32Array(sab), 1, 1);
    Atomics.notify(new Int32Array(sab), 1);
    assert.deepEqual(await Promise.all(gates), [4, 5]);
    assert.ok(ids.includes(await third));
    // Offered again once a worker was free.
    assert.deepEqual(calls.at(-1).usage.sort(), [0, 1]);
  } finally {
    await pool.destroy();
  }
  assert.equal(destroyed.length, 2);
  assert.ok(destroyed.every((w) => w.destroyed && !w.terminating && w.currentUsage === 0));
  const h = destroyed.find((w) => w.histogram.max > 0);
  assert.ok(h, 'a worker that ran tasks has a run-time histogram');
  assert.ok(h.histogram.mean > 0 && h.histogram.min <= h.histogram.max);
});

test('a loadBalancer that throws rejects that task with its error; workerHistogram off means no histogram', async () => {
  let seen = 0;
  const pool = new Piscina({
    filename: TASKS,
    minThreads: 1,
    maxThreads: 1,
    loadBalancer(task, workers) {
      seen++;
      assert.equal(workers[0].histogram, null);
      if (task.isAbortable) throw new Error('no abortable tasks here');
      return workers[0];
    },
  });
  try {
    await assert.rejects(pool.run(1, { signal: new AbortController().signal }), /no abortable tasks here/);
    assert.equal(await pool.run(21), 42);
    assert.equal(seen, 2);
  } finally {
    await pool.destroy();
  }
  assert.throws(() => new Piscina({ loadBalancer: 1 }), /options.loadBalancer must be a function with at least two args/);
});

test('FixedQueue and ArrayTaskQueue: FIFO with unshift and remove, past their first growth, and as a pool\'s taskQueue', async () => {
  for (const Queue of [Piscina.FixedQueue, Piscina.ArrayTaskQueue]) {
    const q = new Queue();
    assert.equal(q.shift(), null);
    assert.equal(q.size, 0);
    const items = Array.from({ length: 100 }, (_, i) => ({ i }));
    for (const it of items.slice(0, 50)) q.push(it);
    q.unshift(items[99]);
    q.remove(items[10]);
    q.remove({ i: -1 }); // not queued: nothing happens
    for (const it of items.slice(50, 99)) q.push(it);
    assert.equal(q.size, 99);
    const out = [];
    while (!q.isEmpty()) out.push(q.shift().i);
    const expected = [99, ...Array.from({ length: 99 }, (_, i) => i).filter((i) => i !== 10)];
    assert.deepEqual(out, expected, Queue.name);
  }
  const esm = await import('../lib/piscina.mjs');
  assert.equal(esm.FixedQueue, Piscina.FixedQueue);
  const pool = new Piscina({ filename: TASKS, maxThreads: 1, taskQueue: new Piscina.FixedQueue() });
  try {
    assert.deepEqual(await Promise.all([1, 2, 3, 4].map((x) => pool.run(x))), [2, 4, 6, 8]);
  } finally {
    await pool.destroy();
  }
});

test('concurrentTasksPerWorker: async tasks on one worker await at the same time, and their answers may come out of order', async () => {
  const pool = new Piscina({ filename: TASKS, minThreads: 1, maxThreads: 1, concurrentTasksPerWorker: 3 });
  try {
    const sab = new SharedArrayBuffer(4);
    // Each waits until all three have started: only possible if the worker
    // starts the next while the previous awaits.
    const ids = await Promise.all([1, 2, 3].map(() => pool.run({ sab, n: 3 }, { name: 'rendezvous' })));
    assert.equal(new Set(ids).size, 1, 'one worker');
    const out = await Promise.all([40, 5, 20, 1].map((ms, v) => pool.run({ ms, v }, { name: 'sleepy' })));
    assert.deepEqual(out, [0, 1, 2, 3]);
  } finally {
    await pool.destroy();
  }
});
