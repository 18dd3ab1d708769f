'use strict';
// Fault injection (npm run faults; a smaller count runs in npm test, see
// __test__/faults.test.js):
//
//   node bench/faults.js [--workers 100] [--exits 50]
//
// 1. `--workers` times: a worker_thread using corepool under load (hash,
//    verify, digest, resize, render, the bcrypt drop-ins, with aborts) is
//    terminated at a random point — sometimes before it has even loaded
//    corepool — while this (parent) thread has its own tasks on the same
//    default pool. The parent must not crash, and every one of its promises
//    must settle (bounded wait) with the right answer.
// 2. `--exits` times each: a child process with 10,000 tasks queued calls
//    process.exit(code) from inside a completion callback (promise and
//    corepool/bcrypt callback forms) and from a timer; its exit code must be
//    the requested one, with no signal.
// Prints one JSON line; exits non-zero on any failure.
const path = require('node:path');
const crypto = require('node:crypto');
const { spawn } = require('node:child_process');
const { Worker } = require('node:worker_threads');
const corepool = require('..');

const ROOT = path.resolve(__dirname, '..');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}
const WORKER_RUNS = arg('workers', 100);
const EXIT_RUNS = arg('exits', 50);

const problems = [];

const WORKER_SRC = `
  const { parentPort, workerData } = require('node:worker_threads');
  const fs = require('node:fs');
  const path = require('node:path');
  const root = ${JSON.stringify(ROOT)};
  const corepool = require(root);
  const bcrypt = require(path.join(root, 'lib', 'bcrypt.js'));
  const bcryptjs = require(path.join(root, 'lib', 'bcryptjs.js'));
  const fix = path.join(root, '__test__', 'fixtures');
  const img = fs.readFileSync(path.join(fix, 'resize', 'p3.jpg'));
  const svg = fs.readFileSync(path.join(fix, 'render', 'social_card.svg'));
  const buf = Buffer.alloc(1 << 20, workerData.seed & 0xff);
  const salt = '$2b$04$abcdefghijklmnopqrstuu';
  let i = 0;
  function more() {
    for (let k = 0; k < 50; k++, i++) {
      const ac = new AbortController();
      const o = i % 10 === 0 ? { signal: ac.signal } : {};
      const p = [
        () => corepool.hash('pw' + i, { cost: 4, ...o }),
        () => corepool.digest(buf, 'sha256', o),
        () => corepool.resize(img, { width: 32, ...o }),
        () => corepool.render(svg, { width: 100, ...o }),
        () => bcrypt.hash('pw', salt),
        () => bcryptjs.hash('pw', salt),
      ][i % 6]();
      p.catch(() => {});
      if (o.signal) setTimeout(() => ac.abort(), i % 7);
    }
    setTimeout(more, 5);
  }
  more();
  parentPort.postMessage('loaded');
`;

function withTimeout(p, ms, what) {
  let t;
  return Promise.race([
    p,
    new Promise((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

async function workerFaults() {
  const want = crypto.createHash('sha256').update('parent').digest();
  let terminatedBeforeLoad = 0;
  for (let run = 0; run < WORKER_RUNS; run++) {
    const w = new Worker(WORKER_SRC, { eval: true, workerData: { seed: run } });
    w.on('error', () => {}); // a terminate() during load may surface as an error event
    const loaded = new Promise((resolve) => w.once('message', resolve));
    // The parent's own tasks on the shared default pool, meanwhile.
    const mine = [];
    for (let k = 0; k < 20; k++) {
      mine.push(corepool.digest('parent').then((d) => d.equals(want) || Promise.reject(new Error('wrong digest'))));
      mine.push(corepool.hash('pw', { cost: 4 }).then((h) => corepool.verify('pw', h)).then((ok) => ok || Promise.reject(new Error('verify false'))));
    }
    // A random point: before the worker has loaded corepool, or 0-150 ms
    // into its load.
    if (Math.random() < 0.2) {
      await new Promise((r) => setTimeout(r, Math.random() * 20));
      terminatedBeforeLoad++;
    } else {
      await withTimeout(loaded, 30_000, 'worker start');
      await new Promise((r) => setTimeout(r, Math.random() * 150));
    }
    await withTimeout(w.terminate(), 30_000, 'terminate()');
    try {
      await withTimeout(Promise.all(mine), 60_000, `run ${run}: the parent's tasks`);
    } catch (e) {
      problems.push(e.message);
    }
  }
  const s = corepool.stats();
  return { runs: WORKER_RUNS, terminatedBeforeLoad, parentTasksPerRun: 40, defaultPoolInFlightAfter: s.inFlight };
}

const EXIT_SRC = (mode, code) => `
  const corepool = require(${JSON.stringify(ROOT)});
  const bcrypt = require(${JSON.stringify(path.join(ROOT, 'lib', 'bcrypt.js'))});
  const pool = new corepool.Pool({ maxQueue: 10000 });
  const tasks = [];
  for (let i = 0; i < 10000; i++) tasks.push(pool.hash('pw' + i, { cost: 4 }).catch(() => {}));
  const mode = ${JSON.stringify(mode)};
  if (mode === 'promise') tasks[Math.floor(Math.random() * 50)].then(() => process.exit(${code}));
  else if (mode === 'callback') bcrypt.hash('pw', '$2b$04$abcdefghijklmnopqrstuu', () => process.exit(${code}));
  else setTimeout(() => process.exit(${code}), Math.random() * 30);
`;

function runChild(src) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', src], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal, stderr });
    });
  });
}

async function exitFaults() {
  const out = {};
  for (const mode of ['promise', 'callback', 'timer']) {
    let ok = 0;
    for (let run = 0; run < EXIT_RUNS; run += 2) {
      const codes = [run, run + 1].filter((r) => r < EXIT_RUNS).map(() => 1 + Math.floor(Math.random() * 120));
      const results = await Promise.all(codes.map((c) => runChild(EXIT_SRC(mode, c))));
      results.forEach((r, k) => {
        if (r.code === codes[k] && r.signal === null) ok++;
        else problems.push(`exit from ${mode}: wanted ${codes[k]}, got code ${r.code} signal ${r.signal} ${r.stderr.slice(0, 300)}`);
      });
    }
    out[mode] = `${ok}/${EXIT_RUNS}`;
  }
  return out;
}

async function main() {
  const t0 = Date.now();
  const workers = await workerFaults();
  const exits = await exitFaults();
  const summary = { workers, exits, seconds: Math.round((Date.now() - t0) / 1000), pass: problems.length === 0, problems: problems.slice(0, 20) };
  console.log(JSON.stringify(summary));
  process.exitCode = problems.length === 0 ? 0 : 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
