'use strict';
// corepool/piscina against piscina itself, the same code with only the
// require() changed: a piscina user's view of the drop-in.
//  (a) tiny task (x => x + 1), 2 threads, 1000 in flight: tasks/s
//  (b) an awaiting task (a 5 ms timer, like I/O), 2 threads,
//      concurrentTasksPerWorker 8, 64 in flight: tasks/s. Bounded by the
//      timers: at most 2 × 8 tasks await at once, so ≈ 3,200 tasks/s.
// Each variant runs in its own process, RUNS times; the table shows medians.
// Usage: node bench/piscina-dropin.js   Env: RUNS (3), DUR_MS (3000)
const path = require('node:path');
const { median, child, machine, table, writeResult, saturate } = require('./lib');

const RUNS = +(process.env.RUNS || 3);
const DUR_MS = +(process.env.DUR_MS || 3000);
const LIBS = { 'corepool/piscina': '../lib/piscina.js', piscina: 'piscina' };
const CASES = {
  tiny: { file: 'add.js', options: {}, inflight: 1000 },
  awaiting: { file: 'sleep.js', options: { concurrentTasksPerWorker: 8 }, inflight: 64 },
};

async function childMain([lib, what]) {
  const Piscina = require(LIBS[lib]);
  const c = CASES[what];
  const pool = new Piscina({ filename: path.join(__dirname, 'workers', c.file), minThreads: 2, maxThreads: 2, ...c.options });
  await Promise.all([1, 2, 3, 4].map((x) => pool.run(x))); // workers up and modules loaded
  const { done, secs } = await saturate((x) => pool.run(x), c.inflight, DUR_MS);
  await pool.destroy();
  console.log(JSON.stringify({ tasksPerSec: done / secs }));
}

function main() {
  const runs = {};
  for (let r = 0; r < RUNS; r++) {
    for (const lib of Object.keys(LIBS)) {
      for (const what of Object.keys(CASES)) ((runs[lib] ??= {})[what] ??= []).push(child(__filename, [lib, what]).tasksPerSec);
    }
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  const m = machine();
  const med = (lib, what) => median(runs[lib][what]);
  const rows = Object.keys(CASES).map((what) => {
    const [a, b] = [med('corepool/piscina', what), med('piscina', what)];
    return [what, Math.round(a).toLocaleString('en-US'), Math.round(b).toLocaleString('en-US'), `${(a / b).toFixed(2)}×`];
  });
  console.log(`Command: \`node bench/piscina-dropin.js\`; ${m.cpu}, ${m.cores} cores, Node ${process.version}; medians of ${RUNS}, ${DUR_MS} ms each\n`);
  console.log(table(['2 threads', 'corepool/piscina tasks/s', 'piscina tasks/s', 'ratio'], rows));
  const file = writeResult('piscina-dropin', { machine: m, params: { RUNS, DUR_MS }, runs });
  console.log(`\nraw results: ${path.relative(process.cwd(), file)}`);
}

if (process.argv.length > 2) childMain(process.argv.slice(2));
else main();
