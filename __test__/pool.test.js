'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const corepool = require('..');
const { parse } = require('./helpers/prometheus');

const internal = require('../lib/internal');
const { native } = internal;
const b16 = Buffer.alloc(16);

// Thread ids of this process's live corepool-N threads.
function corepoolThreads() {
  return fs.readdirSync('/proc/self/task').filter((t) => {
    try {
      return fs.readFileSync(`/proc/self/task/${t}/comm`, 'utf8').startsWith('corepool-');
    } catch {
      return false; // exited meanwhile
    }
  });
}

test('default pool: threads = availableParallelism, maxQueue = 1024 x threads', () => {
  const s = corepool.stats();
  const want = process.env.COREPOOL_THREADS ? Number(process.env.COREPOOL_THREADS) : os.availableParallelism();
  assert.equal(s.threads, want);
  assert.equal(corepool.defaultThreads(), want);
  assert.equal(s.maxQueue, 1024 * want);
  assert.equal(s.name, 'default');
});

test('stats() exposes counters and latency percentiles', async () => {
  const pool = new corepool.Pool({ threads: 1, name: 'stats' });
  for (let i = 0; i < 20; i++) await pool.digest(b16);
  const s = pool.stats();
  assert.equal(s.threads, 1);
  assert.equal(s.completed, 20);
  assert.equal(s.failed, 0);
  assert.equal(s.inFlight, 0);
  assert.equal(s.queued, 0);
  assert.equal(s.running, 0);
  assert.equal(s.runTime.count, 20);
  assert.equal(s.waitTime.count, 20);
  for (const h of [s.runTime, s.waitTime]) {
    assert.ok(h.p50 <= h.p90 && h.p90 <= h.p99 && h.p99 <= h.max, JSON.stringify(h));
    assert.ok(h.max > 0);
  }
  await pool.close();
});

test('Pool options are validated', () => {
  assert.throws(() => new corepool.Pool({ threads: 0 }), { name: 'RangeError', code: 'ERR_INVALID_ARG_VALUE', message: /options\.threads/ });
  assert.throws(() => new corepool.Pool({ threads: 1.5 }), { code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => new corepool.Pool({ threads: '2' }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => new corepool.Pool({ maxQueue: -1 }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.maxQueue/ });
  assert.throws(() => new corepool.Pool({ thread: 2 }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.thread\b/ });
  assert.throws(() => new corepool.Pool('x'), { code: 'ERR_INVALID_ARG_TYPE' });
});

function gc() {
  require('node:v8').setFlagsFromString('--expose-gc');
  require('node:vm').runInNewContext('gc')();
}

async function overload(pool) {
  let ok = 0;
  let full = 0;
  const settled = new Uint8Array(100000);
  const all = [];
  for (let i = 0; i < 100000; i++) {
    all.push(
      pool.digest(b16).then(
        (d) => {
          assert.equal(d.length, 32);
          settled[i]++;
          ok++;
        },
        (e) => {
          assert.equal(e.code, 'ERR_QUEUE_FULL');
          assert.ok(e instanceof corepool.CorepoolError);
          settled[i]++;
          full++;
        },
      ),
    );
  }
  await Promise.all(all);
  assert.equal(ok + full, 100000);
  assert.ok(settled.every((n) => n === 1));
  assert.ok(ok >= 1002, `at least threads + maxQueue admitted, got ${ok}`);
  return { ok, full };
}

test('overload: 100 000 submissions = completed + ERR_QUEUE_FULL exactly, each settles once; RSS bounded', async () => {
  const pool = new corepool.Pool({ threads: 2, maxQueue: 1000 });
  let ok = 0;
  let full = 0;
  gc();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);
  const heapAfter = [];
  for (let round = 0; round < 3; round++) {
    const r = await overload(pool);
    ok += r.ok;
    full += r.full;
    gc();
    heapAfter.push(process.memoryUsage().heapUsed);
  }
  clearInterval(sampler);
  const s = pool.stats();
  assert.equal(s.completed, ok);
  assert.equal(s.rejected, full);
  assert.equal(s.inFlight, 0);
  // Nothing is retained per task: after GC the JS heap is back to its base,
  // and RSS while 100 000 promises are alive stays bounded.
  const mib = (x) => (x / 1048576).toFixed(1);
  for (const h of heapAfter) assert.ok(h - base.heapUsed < 16 * 1048576, `heap after GC grew ${mib(h - base.heapUsed)} MiB`);
  assert.ok(peakRss - base.rss < 400 * 1048576, `peak RSS grew ${mib(peakRss - base.rss)} MiB`);
  await pool.close();
});

test('close(): settles in-flight tasks, refuses new ones, is idempotent, releases threads', async () => {
  const others = new Set(corepoolThreads());
  const pool = new corepool.Pool({ threads: 2, name: 'closing' });
  let mine = [];
  // threads start (and name themselves) asynchronously
  while (mine.length < 2) {
    await new Promise((r) => setTimeout(r, 2));
    mine = corepoolThreads().filter((t) => !others.has(t));
  }
  assert.equal(mine.length, 2, 'the pool started two corepool-N threads');
  const inflight = [native.__testSleep(pool[internal.kHandle], 30, 0), pool.digest('a'), pool.digest('b')];
  const closed = pool.close();
  await assert.rejects(pool.digest('c'), { code: 'ERR_POOL_CLOSED', name: 'CorepoolError' });
  const results = await Promise.all(inflight);
  assert.equal(results[0], '30');
  await closed;
  await pool.close(); // idempotent
  assert.equal(pool.stats().inFlight, 0);
  assert.equal(pool.stats().completed, 3);
  assert.equal(pool.stats().rejected, 1);
  // rayon threads exit asynchronously once close() has resolved
  const alive = () => mine.filter((t) => fs.existsSync(`/proc/self/task/${t}`));
  while (alive().length > 0) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(alive(), []);
  await assert.rejects(corepool.defaultPool.close(), { code: 'ERR_INVALID_STATE' });
});

test('a panicking kernel rejects only its own task with ERR_TASK_PANICKED; the pool keeps its threads', async () => {
  const pool = new corepool.Pool({ threads: 2, name: 'panics' });
  const h = pool[internal.kHandle];
  const tasks = [];
  for (let i = 0; i < 10; i++) tasks.push(native.__testPanic(h, `boom ${i}`), pool.digest('x'));
  const results = await Promise.allSettled(tasks);
  for (let i = 0; i < results.length; i += 2) {
    assert.equal(results[i].status, 'rejected');
    assert.equal(results[i].reason.code, 'ERR_TASK_PANICKED');
    assert.match(results[i].reason.message, new RegExp(`boom ${i / 2}`));
    assert.equal(results[i + 1].status, 'fulfilled');
  }
  const s = pool.stats();
  assert.equal(s.panicked, 10);
  assert.equal(s.failed, 10);
  assert.equal(s.completed, 10);
  // both threads still alive and working: two 20 ms sleeps run at the same time
  const sleeps = [native.__testSleep(h, 20, 0), native.__testSleep(h, 20, 0)];
  let sawTwo = false;
  while (!sawTwo && pool.stats().inFlight > 0) {
    sawTwo = pool.stats().running === 2;
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(sleeps);
  assert.ok(sawTwo, 'two tasks ran concurrently after the panics');
  await pool.close();
});

test('metrics() is valid Prometheus text with the corepool_ prefix and pool label', async () => {
  const pool = new corepool.Pool({ threads: 1, name: 'm"x' });
  await pool.digest('x');
  await pool.digest(5).catch(() => {});
  const families = parse(pool.metrics());
  for (const name of families.keys()) assert.match(name, /^corepool_/);
  const completed = families.get('corepool_tasks_completed_total');
  assert.equal(completed.type, 'counter');
  assert.deepEqual(completed.samples, [{ name: 'corepool_tasks_completed_total', labels: { pool: 'm"x' }, value: 1 }]);
  const run = families.get('corepool_task_run_seconds');
  assert.equal(run.type, 'summary');
  assert.deepEqual(
    run.samples.filter((s) => s.labels.quantile).map((s) => s.labels.quantile),
    ['0.5', '0.9', '0.99', '1'],
  );
  assert.equal(run.samples.find((s) => s.name === 'corepool_task_run_seconds_count').value, 1);
  assert.equal(families.get('corepool_threads').samples[0].value, 1);
  parse(corepool.metrics());
  await pool.close();
});

test('the strict Prometheus parser rejects malformed text', () => {
  assert.throws(() => parse('corepool_x 1\n'), /no TYPE/);
  assert.throws(() => parse('# TYPE a counter\na{b="c} 1\n'), /unterminated|bad/);
  assert.throws(() => parse('# TYPE a counter\na 1'), /newline/);
  assert.throws(() => parse('# TYPE a summary\na 1\n'), /quantile/);
});

test('a saturated pipeline does not starve timers: settlements yield to the event loop between batches', async () => {
  const pool = new corepool.Pool({ threads: 2 });
  const TOTAL = 200000;
  let completed = 0;
  let started = 0;
  let timerSawCompleted = -1;
  setTimeout(() => (timerSawCompleted = completed), 1);
  await new Promise((resolve) => {
    const start = () => {
      started++;
      pool.digest(b16).then(() => {
        completed++;
        if (started < TOTAL) start();
        else if (completed === TOTAL) resolve();
      });
    };
    for (let i = 0; i < 1000; i++) start();
  });
  assert.ok(timerSawCompleted >= 0, 'the timer fired during the burst');
  assert.ok(timerSawCompleted < TOTAL / 2, `the timer waited for ${timerSawCompleted} of ${TOTAL} completions`);
  await pool.close();
});
