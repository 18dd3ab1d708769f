'use strict';
// Per-task overhead: corepool digest of 16 bytes vs piscina, tinypool and
// workerpool running node:crypto sha256 of 16 bytes, 2 threads each.
//  (a) tasks/s with 1000 in flight   (b) sequential round trip p50/p99
//  (c) idle RSS added by a pool of 2 threads (after one task)
// Each variant runs in its own process, RUNS times; the table shows medians.
// Usage: node bench/overhead.js   Env: RUNS (3), DUR_MS (3000), SEQ_N (5000)
const path = require('node:path');
const { median, child, machine, table, writeResult, otherCpuMeter, loopDelay, percentile, saturate } = require('./lib');

const RUNS = +(process.env.RUNS || 3);
const DUR_MS = +(process.env.DUR_MS || 3000);
const SEQ_N = +(process.env.SEQ_N || 5000);
const THREADS = 2;
const LIBS = ['corepool', 'piscina', 'tinypool', 'workerpool'];

function makePool(lib) {
  const worker = path.join(__dirname, 'workers', 'sha256.js');
  if (lib === 'corepool') {
    const { Pool } = require('..');
    const pool = new Pool({ threads: THREADS });
    return { run: (x) => pool.digest(x), close: () => pool.close() };
  }
  if (lib === 'piscina') {
    const { Piscina } = require('piscina');
    const pool = new Piscina({ filename: worker, minThreads: THREADS, maxThreads: THREADS });
    return { run: (x) => pool.run(x), close: () => pool.destroy() };
  }
  if (lib === 'tinypool') {
    const { Tinypool } = require('tinypool');
    const pool = new Tinypool({ filename: require('node:url').pathToFileURL(worker).href, minThreads: THREADS, maxThreads: THREADS });
    return { run: (x) => pool.run(x), close: () => pool.destroy() };
  }
  if (lib === 'workerpool') {
    const workerpool = require('workerpool');
    const pool = workerpool.pool(path.join(__dirname, 'workers', 'sha256-workerpool.js'), {
      minWorkers: THREADS,
      maxWorkers: THREADS,
      workerType: 'thread',
    });
    return { run: (x) => pool.exec('sha256', [x]), close: () => pool.terminate() };
  }
  throw new Error(lib);
}

async function measureThroughput(lib) {
  const pool = makePool(lib);
  const input = Buffer.alloc(16, 1);
  for (let i = 0; i < 2000; i++) await pool.run(input); // warm up
  const eld = loopDelay();
  const cpu = otherCpuMeter();
  const { done, secs } = await saturate(() => pool.run(input), 1000, DUR_MS);
  const loop = eld();
  const usage = cpu();
  await pool.close();
  return { tasksPerSec: done / secs, loop, ...usage };
}

async function measureSequential(lib) {
  const pool = makePool(lib);
  const input = Buffer.alloc(16, 1);
  for (let i = 0; i < 1000; i++) await pool.run(input);
  const lat = [];
  for (let i = 0; i < SEQ_N; i++) {
    const t = process.hrtime.bigint();
    await pool.run(input);
    lat.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  await pool.close();
  return { p50Us: percentile(lat, 50), p99Us: percentile(lat, 99) };
}

async function measureRss(lib) {
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      global.gc();
      await new Promise((r) => setTimeout(r, 100));
    }
    return process.memoryUsage().rss / 1048576;
  };
  if (lib === 'node') return { rssMB: await settle() };
  const pool = makePool(lib);
  await pool.run(Buffer.alloc(16));
  const rssMB = await settle();
  await pool.close();
  return { rssMB };
}

async function childMain([lib, what]) {
  const fn = { throughput: measureThroughput, sequential: measureSequential, rss: measureRss }[what];
  console.log(JSON.stringify(await fn(lib)));
}

function main() {
  const runs = {};
  for (let r = 0; r < RUNS; r++) {
    for (const lib of ['node', ...LIBS]) {
      runs[lib] ??= { throughput: [], sequential: [], rss: [] };
      runs[lib].rss.push(child(__filename, [lib, 'rss']));
      if (lib === 'node') continue;
      runs[lib].throughput.push(child(__filename, [lib, 'throughput']));
      runs[lib].sequential.push(child(__filename, [lib, 'sequential']));
      process.stderr.write('.');
    }
  }
  process.stderr.write('\n');
  const baseRss = median(runs.node.rss.map((x) => x.rssMB));
  const summary = {};
  for (const lib of LIBS) {
    const t = runs[lib].throughput;
    summary[lib] = {
      tasksPerSec: median(t.map((x) => x.tasksPerSec)),
      loopP99Ms: median(t.map((x) => x.loop.p99)),
      otherCores: median(t.map((x) => x.otherCores)),
      seqP50Us: median(runs[lib].sequential.map((x) => x.p50Us)),
      seqP99Us: median(runs[lib].sequential.map((x) => x.p99Us)),
      idleRssAddedMB: median(runs[lib].rss.map((x) => x.rssMB)) - baseRss,
    };
  }
  const c = summary.corepool;
  const rows = LIBS.map((lib) => {
    const s = summary[lib];
    return [
      lib,
      Math.round(s.tasksPerSec).toLocaleString('en-US'),
      lib === 'corepool' ? '—' : `${(c.tasksPerSec / s.tasksPerSec).toFixed(1)}×`,
      s.seqP50Us.toFixed(1),
      s.seqP99Us.toFixed(1),
      lib === 'corepool' ? '—' : `${(s.seqP50Us / c.seqP50Us).toFixed(1)}×`,
      s.idleRssAddedMB.toFixed(1),
      s.loopP99Ms.toFixed(2),
    ];
  });
  const out = table(
    ['pool (2 threads)', 'tasks/s, 1000 in flight', 'corepool ÷ peer', 'seq p50 µs', 'seq p99 µs', 'peer p50 ÷ corepool', 'idle RSS added MB', 'loop delay p99 ms'],
    rows,
  );
  const m = machine();
  console.log(`\nOverhead (sha256 of 16 bytes), medians of ${RUNS} runs; window ${DUR_MS} ms, ${SEQ_N} sequential; ${m.cpu}, ${m.cores} cores, Node ${m.node}`);
  console.log(out);
  console.log(`(idle RSS is over a plain node process: ${baseRss.toFixed(1)} MB)`);
  const file = writeResult('overhead', { machine: m, params: { RUNS, DUR_MS, SEQ_N, THREADS }, summary, runs });
  console.log(`raw results: ${path.relative(process.cwd(), file)}`);
}

if (process.argv.length > 2) childMain(process.argv.slice(2));
else main();
