'use strict';
// The JS lane (pool.run) against piscina, 2 threads each, same worker files:
//  (a) tiny task (x => x + 1), 1000 in flight: tasks/s
//  (b) tiny task, sequential round trip: p50/p99, CPU per task; and one task
//      at a time after 2 ms idle (a server's request): p50/p99
//  (c) real tasks, 64 in flight: parse a 1 MB CSV + aggregate; render a
//      ~55 KB HTML page: tasks/s, event-loop delay p99, peak RSS; again
//      with the young generation swapped (corepool 48 MB, piscina 64 MB)
//  (d) mixed load: bcrypt cost 10 + the CSV task, 32 in flight each.
//      corepool: one Pool of 2 threads runs both (native hash + JS lane).
//      peer: piscina (2 threads) for CSV + the `bcrypt` package for hashes
//      (libuv's 4 threads). CPU busy (cores used by the process), loop p99.
//  (e) idle RSS added per JS worker (4 workers started, then idle), over
//      the same library's pool with no JS worker started
// Each variant runs in its own process, RUNS times; tables show medians.
// Usage: node bench/workers.js   Env: RUNS (3), DUR_MS (3000), SEQ_N (3000)
const path = require('node:path');
const { median, child, machine, table, writeResult, loopDelay, percentile, saturate } = require('./lib');

const RUNS = +(process.env.RUNS || 3);
const DUR_MS = +(process.env.DUR_MS || 3000);
const SEQ_N = +(process.env.SEQ_N || 3000);
const THREADS = 2;
const W = path.join(__dirname, 'workers');
const LIBS = ['corepool', 'piscina'];

// The real tasks also run with the two young-generation sizes swapped:
// corepool's JS workers default to a 64 MB young generation, V8 (and so
// piscina) to 48 MB; these variants show how much of a difference is that.
const YOUNG = { 'corepool-young48': ['corepool', 48], 'piscina-young64': ['piscina', 64] };

function makePool(lib, filename, threads = THREADS) {
  if (YOUNG[lib]) {
    const [base, mb] = YOUNG[lib];
    const resourceLimits = { maxYoungGenerationSizeMb: mb };
    if (base === 'corepool') {
      const { Pool } = require('..');
      const pool = new Pool({ threads, filename, resourceLimits });
      return { pool, run: (x) => pool.run(x), close: () => pool.close() };
    }
    const { Piscina } = require('piscina');
    const pool = new Piscina({ filename, minThreads: threads, maxThreads: threads, resourceLimits });
    return { pool, run: (x) => pool.run(x), close: () => pool.destroy() };
  }
  if (lib === 'corepool') {
    const { Pool } = require('..');
    const spin = process.env.BENCH_WORKER_SPIN;
    const nice = process.env.BENCH_NICE;
    const pool = new Pool({
      threads,
      filename,
      ...(spin === undefined ? {} : { workerSpin: +spin }),
      ...(nice === undefined ? {} : { niceIncrement: +nice }),
    });
    return { pool, run: (x) => pool.run(x), close: () => pool.close() };
  }
  const { Piscina } = require('piscina');
  const pool = new Piscina({ filename, minThreads: threads, maxThreads: threads });
  return { pool, run: (x) => pool.run(x), close: () => pool.destroy() };
}

function piscinaVersion() {
  const fs = require('node:fs');
  let dir = path.dirname(require.resolve('piscina'));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
}

function cpuMeter() {
  const c0 = process.cpuUsage();
  const w0 = process.hrtime.bigint();
  return () => {
    const c = process.cpuUsage(c0);
    const wall = Number(process.hrtime.bigint() - w0) / 1e9;
    return (c.user + c.system) / 1e6 / wall;
  };
}

/** A memory field of /proc/self/status (`VmHWM`, `RssAnon`), MB (Linux; NaN elsewhere). */
function statusMB(field) {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(require('node:fs').readFileSync('/proc/self/status', 'utf8'));
    return m ? +m[1] / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** The process's peak resident memory so far, MB. */
const peakRss = () => statusMB('VmHWM');

async function tiny(lib) {
  const p = makePool(lib, path.join(W, 'add.js'));
  for (let i = 0; i < 5000; i++) await p.run(i);
  await saturate(p.run, 1000, 500); // warm up the batch path too
  const eld = loopDelay();
  const { done, secs } = await saturate(p.run, 1000, DUR_MS);
  const loop = eld();
  await p.close();
  return { tasksPerSec: done / secs, loopP99: loop.p99 };
}

async function sequential(lib) {
  const p = makePool(lib, path.join(W, 'add.js'));
  for (let i = 0; i < 2000; i++) await p.run(i);
  const lat = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < SEQ_N; i++) {
    const t = process.hrtime.bigint();
    await p.run(i);
    lat.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  const c = process.cpuUsage(c0);
  await p.close();
  // CPU of every thread of the process, per task.
  return { p50Us: percentile(lat, 50), p99Us: percentile(lat, 99), cpuUs: (c.user + c.system) / SEQ_N };
}

/**
 * One task at a time with an idle gap before each (a timer of 2 ms), as a
 * server runs one request's task: the lane has no held lease left, so each
 * task goes through the pool's lease (granted at once when a thread is free).
 */
async function spaced(lib) {
  const p = makePool(lib, path.join(W, 'add.js'));
  for (let i = 0; i < 200; i++) await p.run(i);
  const lat = [];
  const n = Math.min(SEQ_N, 1000);
  for (let i = 0; i < n; i++) {
    await new Promise((r) => setTimeout(r, 2));
    const t = process.hrtime.bigint();
    await p.run(i);
    lat.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  await p.close();
  return { p50Us: percentile(lat, 50), p99Us: percentile(lat, 99) };
}

async function real(lib, kind) {
  const file = path.join(W, kind === 'csv' ? 'csv.js' : 'template.js');
  const payload = kind === 'csv' ? require(file).makeCsv(1e6) : require(file).makeData();
  const p = makePool(lib, file);
  for (let i = 0; i < 8; i++) await p.run(payload);
  const eld = loopDelay();
  const { done, secs } = await saturate(() => p.run(payload), 64, DUR_MS);
  const loop = eld();
  const peakMB = peakRss();
  await p.close();
  return { tasksPerSec: done / secs, loopP99: loop.p99, peakMB };
}

async function mixed(lib) {
  const csvFile = path.join(W, 'csv.js');
  const csv = require(csvFile).makeCsv(1e6);
  let hash;
  let p;
  if (lib === 'corepool') {
    p = makePool('corepool', csvFile);
    hash = () => p.pool.hash('correct horse battery staple', { cost: 10 });
  } else {
    p = makePool('piscina', csvFile);
    const bcrypt = require('bcrypt');
    hash = () => bcrypt.hash('correct horse battery staple', 10);
  }
  await Promise.all([p.run(csv), hash()]);
  const eld = loopDelay();
  const cpu = cpuMeter();
  const [h, c] = await Promise.all([saturate(hash, 32, DUR_MS), saturate(() => p.run(csv), 32, DUR_MS)]);
  const cores = cpu();
  const loop = eld();
  await p.close();
  return { hashPerSec: h.done / h.secs, csvPerSec: c.done / c.secs, cores, loopP99: loop.p99 };
}

async function rss(lib, base) {
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      global.gc();
      await new Promise((r) => setTimeout(r, 150));
    }
    return process.memoryUsage().rss / 1048576;
  };
  // Private (anonymous) resident memory, Linux: RSS also counts pages of the
  // node binary that running code touches (V8's optimizing compiler, say),
  // which are shared with every other node process and paged in once.
  const anon = () => statusMB('RssAnon');
  const N = 4;
  const file = path.join(W, 'add.js');
  if (base) {
    // The baseline: the library loaded and its pool created, no JS worker
    // started (corepool's native threads started by one digest), so the
    // addon's own memory is not counted per worker.
    if (lib === 'corepool') {
      const { Pool } = require('..');
      const pool = new Pool({ threads: N, filename: file });
      await pool.digest('x');
      const rssMB = await settle();
      const anonMB = anon();
      await pool.close();
      return { rssMB, anonMB };
    }
    const { Piscina } = require('piscina');
    const pool = new Piscina({ filename: file, minThreads: 0, maxThreads: N });
    const rssMB = await settle();
    const anonMB = anon();
    await pool.destroy();
    return { rssMB, anonMB };
  }
  const p = makePool(lib, file, N);
  // Start N workers: piscina starts minThreads at once; corepool on demand.
  const started = () => (lib === 'corepool' ? p.pool.stats().workers.alive : p.pool.threads.length);
  for (let k = 0; k < 50 && started() < N; k++) await Promise.all(Array.from({ length: 64 }, (_, i) => p.run(i)));
  await Promise.all(Array.from({ length: 64 }, (_, i) => p.run(i)));
  const workers = started();
  const rssMB = await settle();
  const anonMB = anon();
  await p.close();
  return { rssMB, anonMB, workers };
}

async function childMain([lib, what, arg]) {
  const fn = { tiny, sequential, spaced, real, mixed, rss }[what];
  console.log(JSON.stringify(await fn(lib, arg)));
}

function main() {
  const runs = {};
  const add = (lib, key, v) => ((runs[lib] ??= {})[key] ??= []).push(v);
  for (let r = 0; r < RUNS; r++) {
    for (const lib of LIBS) {
      add(lib, 'rssBase', child(__filename, [lib, 'rss', 'base']));
      add(lib, 'tiny', child(__filename, [lib, 'tiny']));
      add(lib, 'seq', child(__filename, [lib, 'sequential']));
      add(lib, 'spaced', child(__filename, [lib, 'spaced']));
      add(lib, 'csv', child(__filename, [lib, 'real', 'csv']));
      add(lib, 'tpl', child(__filename, [lib, 'real', 'template']));
      add(lib, 'mixed', child(__filename, [lib, 'mixed']));
      add(lib, 'rss', child(__filename, [lib, 'rss']));
      process.stderr.write('.');
    }
    for (const lib of Object.keys(YOUNG)) {
      add(lib, 'csv', child(__filename, [lib, 'real', 'csv']));
      add(lib, 'tpl', child(__filename, [lib, 'real', 'template']));
    }
  }
  process.stderr.write('\n');
  const med = (lib, key, f) => median(runs[lib][key].map(f));
  // The real tasks' medians: every variant runs them.
  const realTasks = (lib) => ({
    csvPerSec: med(lib, 'csv', (x) => x.tasksPerSec),
    csvLoopP99: med(lib, 'csv', (x) => x.loopP99),
    csvPeakMB: med(lib, 'csv', (x) => x.peakMB),
    tplPerSec: med(lib, 'tpl', (x) => x.tasksPerSec),
    tplLoopP99: med(lib, 'tpl', (x) => x.loopP99),
  });
  const s = {};
  for (const lib of LIBS) {
    s[lib] = {
      ...realTasks(lib),
      tinyPerSec: med(lib, 'tiny', (x) => x.tasksPerSec),
      tinyLoopP99: med(lib, 'tiny', (x) => x.loopP99),
      seqP50: med(lib, 'seq', (x) => x.p50Us),
      seqP99: med(lib, 'seq', (x) => x.p99Us),
      seqCpu: med(lib, 'seq', (x) => x.cpuUs),
      spacedP50: med(lib, 'spaced', (x) => x.p50Us),
      spacedP99: med(lib, 'spaced', (x) => x.p99Us),
      mixHash: med(lib, 'mixed', (x) => x.hashPerSec),
      mixCsv: med(lib, 'mixed', (x) => x.csvPerSec),
      mixCores: med(lib, 'mixed', (x) => x.cores),
      mixLoopP99: med(lib, 'mixed', (x) => x.loopP99),
      rssPerWorker: (med(lib, 'rss', (x) => x.rssMB) - med(lib, 'rssBase', (x) => x.rssMB)) / med(lib, 'rss', (x) => x.workers),
      anonPerWorker: (med(lib, 'rss', (x) => x.anonMB) - med(lib, 'rssBase', (x) => x.anonMB)) / med(lib, 'rss', (x) => x.workers),
    };
  }
  for (const lib of Object.keys(YOUNG)) s[lib] = realTasks(lib);
  const c = s.corepool;
  const p = s.piscina;
  const f0 = (x) => Math.round(x).toLocaleString('en-US');
  const f1 = (x) => x.toFixed(1);
  const f2 = (x) => x.toFixed(2);
  const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
  const m = machine();
  console.log(`\nJS lane vs piscina ${piscinaVersion()}, 2 threads, medians of ${RUNS} runs; window ${DUR_MS} ms; ${m.cpu}, ${m.cores} cores, Node ${m.node}\n`);
  console.log(
    table(
      ['measure', 'corepool', 'piscina', 'corepool ÷ piscina'],
      [
        ['tiny task, 1000 in flight, tasks/s', f0(c.tinyPerSec), f0(p.tinyPerSec), ratio(c.tinyPerSec, p.tinyPerSec)],
        ['  loop delay p99 ms', f2(c.tinyLoopP99), f2(p.tinyLoopP99), ''],
        ['tiny task, sequential round trip p50 µs', f1(c.seqP50), f1(p.seqP50), ratio(c.seqP50, p.seqP50)],
        ['  p99 µs', f1(c.seqP99), f1(p.seqP99), ratio(c.seqP99, p.seqP99)],
        ['  CPU per task µs (all threads)', f1(c.seqCpu), f1(p.seqCpu), ratio(c.seqCpu, p.seqCpu)],
        ['tiny task after 2 ms idle, round trip p50 µs', f1(c.spacedP50), f1(p.spacedP50), ratio(c.spacedP50, p.spacedP50)],
        ['  p99 µs', f1(c.spacedP99), f1(p.spacedP99), ratio(c.spacedP99, p.spacedP99)],
        ['CSV 1 MB parse + aggregate, 64 in flight, tasks/s', f1(c.csvPerSec), f1(p.csvPerSec), ratio(c.csvPerSec, p.csvPerSec)],
        ['  loop delay p99 ms', f2(c.csvLoopP99), f2(p.csvLoopP99), ''],
        ['  peak RSS MB (process)', f0(c.csvPeakMB), f0(p.csvPeakMB), ratio(c.csvPeakMB, p.csvPeakMB)],
        ['HTML template ~55 KB, 64 in flight, tasks/s', f0(c.tplPerSec), f0(p.tplPerSec), ratio(c.tplPerSec, p.tplPerSec)],
        ['  loop delay p99 ms', f2(c.tplLoopP99), f2(p.tplLoopP99), ''],
        ['idle RSS added per JS worker, MB', f1(c.rssPerWorker), f1(p.rssPerWorker), ratio(c.rssPerWorker, p.rssPerWorker)],
        ['  of it private (RssAnon), MB', f1(c.anonPerWorker), f1(p.anonPerWorker), ratio(c.anonPerWorker, p.anonPerWorker)],
      ],
    ),
  );
  console.log(
    `\nMixed load, 2 threads' worth of work: bcrypt cost 10 + the CSV task, 32 in flight each. corepool: one Pool({ threads: 2 }) runs both lanes; peer: piscina (2 threads) + the \`bcrypt\` package (libuv's ${process.env.UV_THREADPOOL_SIZE || 4} threads).\n`,
  );
  console.log(
    table(
      ['', 'bcrypt hashes/s', 'CSV tasks/s', 'CPU busy (cores)', 'loop delay p99 ms'],
      [
        ['corepool (one budget)', f1(c.mixHash), f1(c.mixCsv), f2(c.mixCores), f2(c.mixLoopP99)],
        ['piscina + bcrypt', f1(p.mixHash), f1(p.mixCsv), f2(p.mixCores), f2(p.mixLoopP99)],
      ],
    ),
  );
  const c48 = s['corepool-young48'];
  const p64 = s['piscina-young64'];
  console.log('\nThe same real tasks with the young generation swapped: corepool at V8\'s 48 MB, piscina at corepool\'s 64 MB (resourceLimits.maxYoungGenerationSizeMb).\n');
  console.log(
    table(
      ['young generation', 'corepool 48 MB', 'piscina 48 MB', 'ratio', 'corepool 64 MB', 'piscina 64 MB', 'ratio'],
      [
        ['CSV tasks/s', f1(c48.csvPerSec), f1(p.csvPerSec), ratio(c48.csvPerSec, p.csvPerSec), f1(c.csvPerSec), f1(p64.csvPerSec), ratio(c.csvPerSec, p64.csvPerSec)],
        ['  loop delay p99 ms', f2(c48.csvLoopP99), f2(p.csvLoopP99), '', f2(c.csvLoopP99), f2(p64.csvLoopP99), ''],
        ['  peak RSS MB', f0(c48.csvPeakMB), f0(p.csvPeakMB), '', f0(c.csvPeakMB), f0(p64.csvPeakMB), ''],
        ['template tasks/s', f0(c48.tplPerSec), f0(p.tplPerSec), ratio(c48.tplPerSec, p.tplPerSec), f0(c.tplPerSec), f0(p64.tplPerSec), ratio(c.tplPerSec, p64.tplPerSec)],
        ['  loop delay p99 ms', f2(c48.tplLoopP99), f2(p.tplLoopP99), '', f2(c.tplLoopP99), f2(p64.tplLoopP99), ''],
      ],
    ),
  );
  const file = writeResult('workers', { machine: m, params: { RUNS, DUR_MS, SEQ_N, THREADS }, summary: s, runs });
  console.log(`raw results: ${path.relative(process.cwd(), file)}`);
}

if (process.argv.length > 2) childMain(process.argv.slice(2));
else main();
