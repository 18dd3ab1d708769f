'use strict';
// Password hashing throughput and event-loop delay, 64 hashes in flight:
// corepool vs bcrypt (libuv pool, 4 threads), @node-rs/bcrypt, bcryptjs in
// piscina (threads = cores), bcryptjs on the main thread; plus corepool's
// scaling (threads=1 vs cores) and argon2id vs @node-rs/argon2.
// Each variant runs in its own process, RUNS times; medians are reported.
// Usage: node bench/hash.js   Env: RUNS (3), DUR_MS (10000), COSTS (10,12)
const os = require('node:os');
const path = require('node:path');
const { median, child, machine, table, writeResult, otherCpuMeter, loopDelay, saturate } = require('./lib');

const RUNS = +(process.env.RUNS || 3);
const DUR_MS = +(process.env.HASH_DUR_MS || process.env.DUR_MS || 10000);
const COSTS = (process.env.COSTS || '10,12').split(',').map(Number);
const INFLIGHT = 64;
const CORES = os.availableParallelism();

const VARIANTS = {
  corepool: (cost) => {
    const { Pool } = require('..');
    const pool = new Pool({ threads: CORES });
    return { run: (pw) => pool.hash(pw, { cost }), close: () => pool.close() };
  },
  'corepool threads=1': (cost) => {
    const { Pool } = require('..');
    const pool = new Pool({ threads: 1 });
    return { run: (pw) => pool.hash(pw, { cost }), close: () => pool.close() };
  },
  'corepool/bcrypt drop-in': (cost) => {
    const bcrypt = require('../lib/bcrypt');
    return { run: (pw) => bcrypt.hash(pw, cost), close: async () => {} };
  },
  'bcrypt (libuv, 4 threads)': (cost) => {
    const bcrypt = require('bcrypt');
    return { run: (pw) => bcrypt.hash(pw, cost), close: async () => {} };
  },
  '@node-rs/bcrypt': (cost) => {
    const b = require('@node-rs/bcrypt');
    return { run: (pw) => b.hash(pw, { cost }), close: async () => {} };
  },
  'bcryptjs in piscina': (cost) => {
    const { Piscina } = require('piscina');
    const pool = new Piscina({ filename: path.join(__dirname, 'workers', 'bcryptjs.js'), minThreads: CORES, maxThreads: CORES });
    return { run: (password) => pool.run({ password, cost }), close: () => pool.destroy() };
  },
  'bcryptjs main thread': (cost) => {
    const bcryptjs = require('bcryptjs');
    return { run: (pw) => bcryptjs.hash(pw, cost), close: async () => {} };
  },
  'corepool argon2id': () => {
    const { Pool } = require('..');
    const pool = new Pool({ threads: CORES });
    return { run: (pw) => pool.hash(pw, { algorithm: 'argon2id' }), close: () => pool.close() };
  },
  'corepool argon2id wipeMemory:false': () => {
    const { Pool } = require('..');
    const pool = new Pool({ threads: CORES, wipeMemory: false });
    return { run: (pw) => pool.hash(pw, { algorithm: 'argon2id' }), close: () => pool.close() };
  },
  '@node-rs/argon2': () => {
    const a = require('@node-rs/argon2');
    return { run: (pw) => a.hash(pw, { memoryCost: 19456, timeCost: 2, parallelism: 1, algorithm: 2 }), close: async () => {} };
  },
};

async function measure(name, cost) {
  const v = VARIANTS[name](cost);
  await v.run('warm-up password');
  const eld = loopDelay();
  const cpu = otherCpuMeter();
  const { done, secs } = await saturate((i) => v.run(`password-${i}`), INFLIGHT, DUR_MS);
  const loop = eld();
  const usage = cpu();
  await v.close();
  return { perSec: done / secs, loop, ...usage };
}

function main() {
  const plan = [];
  for (const cost of COSTS) {
    for (const name of Object.keys(VARIANTS).filter((n) => !n.includes('argon2'))) plan.push([name, cost]);
  }
  plan.push(['corepool argon2id', 0], ['corepool argon2id wipeMemory:false', 0], ['@node-rs/argon2', 0]);
  const runs = {};
  for (let r = 0; r < RUNS; r++) {
    for (const [name, cost] of plan) {
      const key = `${name}|${cost}`;
      (runs[key] ??= []).push(child(__filename, [name, String(cost)]));
      process.stderr.write('.');
    }
  }
  process.stderr.write('\n');
  const m = machine();
  const med = (key, f) => median(runs[key].map(f));
  const sections = [];
  for (const cost of [...COSTS, 0]) {
    const names = plan.filter(([, c]) => c === cost).map(([n]) => n);
    const ref = cost ? `corepool|${cost}` : 'corepool argon2id|0';
    const rows = names.map((n) => {
      const key = `${n}|${cost}`;
      const perSec = med(key, (x) => x.perSec);
      return [
        n,
        perSec.toFixed(1),
        key === ref ? '—' : `${(med(ref, (x) => x.perSec) / perSec).toFixed(2)}×`,
        med(key, (x) => x.loop.p50).toFixed(2),
        med(key, (x) => x.loop.p99).toFixed(2),
        med(key, (x) => x.loop.max).toFixed(1),
        med(key, (x) => x.mineCores).toFixed(2),
      ];
    });
    const title = cost ? `bcrypt cost ${cost}` : 'argon2id m=19456 t=2 p=1';
    sections.push(`${title}, ${INFLIGHT} in flight, ${DUR_MS / 1000} s per run, medians of ${RUNS} runs\n` +
      table(['variant', 'hashes/s', 'corepool ÷ variant', 'loop p50 ms', 'loop p99 ms', 'loop max ms', 'CPU cores used'], rows));
    if (cost) {
      const scaling = med(`corepool|${cost}`, (x) => x.perSec) / med(`corepool threads=1|${cost}`, (x) => x.perSec);
      sections.push(`scaling cost ${cost}: threads=${CORES} / threads=1 = ${scaling.toFixed(2)}× (ideal ${CORES}×)`);
    }
  }
  console.log(`\n${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.rustc}\n`);
  console.log(sections.join('\n\n'));
  const file = writeResult('hash', { machine: m, params: { RUNS, DUR_MS, COSTS, INFLIGHT }, runs });
  console.log(`raw results: ${path.relative(process.cwd(), file)}`);
}

if (process.argv.length > 2) measure(process.argv[2], Number(process.argv[3])).then((r) => console.log(JSON.stringify(r)));
else main();
