'use strict';
// Exit safety: no crash or hang with tasks in flight, on process.exit(), on
// worker termination, and with several workers using the addon at once.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync, spawn } = require('node:child_process');
const { Worker } = require('node:worker_threads');
const crypto = require('node:crypto');

const ROOT = path.resolve(__dirname, '..');
const RUNS = Number(process.env.COREPOOL_LIFECYCLE_RUNS || 50);

test(`process.exit(0) with 1000 digests of 8 MiB buffers in flight exits 0, ${RUNS} times`, async () => {
  const script = `
    const corepool = require(${JSON.stringify(ROOT)});
    const bufs = Array.from({ length: 8 }, (_, i) => Buffer.alloc(8 << 20, i));
    for (let i = 0; i < 1000; i++) corepool.digest(bufs[i % 8], 'sha512').catch(() => {});
    setImmediate(() => process.exit(0));
  `;
  // two children at a time: 2 cores
  const one = () =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
    });
  for (let i = 0; i < RUNS; i += 2) {
    const results = await Promise.all([one(), one()]);
    for (const r of results) assert.deepEqual({ code: r.code, signal: r.signal }, { code: 0, signal: null }, r.stderr);
  }
});

test('a script with tasks in flight and nothing else exits by itself once they settle', () => {
  const script = `
    const corepool = require(${JSON.stringify(ROOT)});
    corepool.digest(Buffer.alloc(1 << 20), 'sha256', { encoding: 'hex' }).then((h) => console.log(h));
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), crypto.createHash('sha256').update(Buffer.alloc(1 << 20)).digest('hex'));
});

test('top-level await on a task keeps the process alive (ESM import works too)', () => {
  const script = `
    import { digest } from ${JSON.stringify(path.join(ROOT, 'index.mjs'))};
    const h = await digest('abc', 'sha256', { encoding: 'hex' });
    console.log(h);
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

const WORKER_SRC = `
  const { parentPort, workerData } = require('node:worker_threads');
  const corepool = require(${JSON.stringify(ROOT)});
  const bufs = Array.from({ length: 4 }, (_, i) => Buffer.alloc(4 << 20, i + workerData.seed));
  for (let i = 0; i < 1000; i++) corepool.digest(bufs[i % 4], 'sha256').catch(() => {});
  parentPort.postMessage('started');
`;

test(`terminate() of a worker with 1000 tasks in flight on buffers it owns never crashes the parent, ${RUNS} times`, async () => {
  for (let i = 0; i < RUNS; i++) {
    const w = new Worker(WORKER_SRC, { eval: true, workerData: { seed: i } });
    await new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await w.terminate();
  }
  // the default pool is still healthy and its admission slots were released
  assert.equal((await require('..').digest('ok')).length, 32);
  const s = require('..').stats();
  assert.equal(s.inFlight, 0);
});

test('four worker_threads using corepool at once get correct results', async () => {
  const src = `
    const { parentPort, workerData } = require('node:worker_threads');
    const crypto = require('node:crypto');
    const corepool = require(${JSON.stringify(ROOT)});
    (async () => {
      let bad = 0;
      const jobs = [];
      for (let i = 0; i < 300; i++) {
        const data = crypto.randomBytes(1 + ((i * 7919 + workerData.seed) % 100000));
        jobs.push(corepool.digest(data, 'sha256').then((d) => {
          if (!d.equals(crypto.createHash('sha256').update(data).digest())) bad++;
        }));
      }
      await Promise.all(jobs);
      parentPort.postMessage(bad);
    })();
  `;
  const results = await Promise.all(
    [1, 2, 3, 4].map(
      (seed) =>
        new Promise((resolve, reject) => {
          const w = new Worker(src, { eval: true, workerData: { seed } });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    ),
  );
  assert.deepEqual(results, [0, 0, 0, 0]);
});

test('a worker that owns a Pool and is terminated mid-flight: no crash, and the pool threads exit', async () => {
  const fs = require('node:fs');
  const threadIds = () =>
    fs.readdirSync('/proc/self/task').filter((t) => {
      try {
        return fs.readFileSync(`/proc/self/task/${t}/comm`, 'utf8').startsWith('corepool-');
      } catch {
        return false;
      }
    });
  const before = new Set(threadIds());
  const src = `
    const { parentPort } = require('node:worker_threads');
    const corepool = require(${JSON.stringify(ROOT)});
    const pool = new corepool.Pool({ threads: 2 });
    const buf = Buffer.alloc(8 << 20, 3);
    for (let i = 0; i < 300; i++) pool.digest(buf, 'sha512').catch(() => {});
    parentPort.postMessage('started');
  `;
  for (let i = 0; i < Math.min(RUNS, 20); i++) {
    const w = new Worker(src, { eval: true });
    await new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await w.terminate();
  }
  // The pools die with their environments; their threads exit once the jobs
  // that were running have returned.
  while (threadIds().some((t) => !before.has(t))) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(threadIds().filter((t) => !before.has(t)), []);
});
