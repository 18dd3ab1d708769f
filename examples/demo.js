'use strict';
// npm run demo — what corepool is for, in one short run (< 30 s).
//
// The same CPU-bound work is done twice while a 1 ms timer measures how late
// the event loop is: once inline on the JS thread (the way many apps start:
// bcryptjs, node:crypto's sync hash), once on corepool's pool. A server's
// event loop is late by exactly that much for every request it is serving.
const { monitorEventLoopDelay } = require('node:perf_hooks');
const crypto = require('node:crypto');
const os = require('node:os');
const bcryptjs = require('bcryptjs');
const corepool = require('..');

const COST = 10;
const HASHES = Number(process.env.DEMO_HASHES || 16);
const DIGEST_MB = 256;

async function measure(label, work) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  // let the histogram take a first sample
  await new Promise((r) => setTimeout(r, 20));
  h.enable();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const count = await work();
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  // one more tick so a blocked loop records its last delay
  await new Promise((r) => setTimeout(r, 5));
  h.disable();
  return {
    label,
    perSec: (count / wall) * 1000,
    wall,
    p99: h.percentile(99) / 1e6,
    max: h.max / 1e6,
    cpu: (cpu.user + cpu.system) / 1000 / wall,
  };
}

function table(title, unit, rows) {
  console.log(`\n${title}`);
  console.log(`  ${'where the work runs'.padEnd(34)}${unit.padStart(12)}${'wall ms'.padStart(10)}${'loop delay p99'.padStart(16)}${'max'.padStart(10)}${'CPU cores'.padStart(11)}`);
  for (const r of rows) {
    console.log(
      `  ${r.label.padEnd(34)}${r.perSec.toFixed(1).padStart(12)}${r.wall.toFixed(0).padStart(10)}${`${r.p99.toFixed(1)} ms`.padStart(16)}${`${r.max.toFixed(1)} ms`.padStart(10)}${r.cpu.toFixed(2).padStart(11)}`,
    );
  }
}

async function main() {
  console.log(`corepool demo — ${os.cpus().length} cores, Node ${process.version}, pool of ${corepool.defaultThreads()} threads`);
  console.log('The event loop should answer every 1 ms; "loop delay" is how late it was while the work ran.');

  const passwords = Array.from({ length: HASHES }, (_, i) => `user-${i}-correct horse battery staple`);
  const inlineHash = await measure('inline: bcryptjs.hashSync', async () => {
    for (const p of passwords) {
      bcryptjs.hashSync(p, COST);
      await new Promise((r) => setImmediate(r)); // yield between requests, as a server would
    }
    return passwords.length;
  });
  const poolHash = await measure('corepool.hash (rayon pool)', async () => {
    const hashes = await Promise.all(passwords.map((p) => corepool.hash(p, { cost: COST })));
    if (!(await corepool.verify(passwords[0], hashes[0]))) throw new Error('verify failed');
    return passwords.length;
  });
  table(`bcrypt cost ${COST}, ${HASHES} passwords`, 'hashes/s', [inlineHash, poolHash]);

  const data = crypto.randomBytes(DIGEST_MB * 1024 * 1024);
  const want = crypto.createHash('sha256').update(data).digest('hex');
  const inlineDigest = await measure('inline: crypto.createHash', async () => {
    for (let i = 0; i < 4; i++) {
      crypto.createHash('sha256').update(data).digest('hex');
      await new Promise((r) => setImmediate(r));
    }
    return 4;
  });
  const poolDigest = await measure('corepool.digest (no copy)', async () => {
    const got = await Promise.all([0, 1, 2, 3].map(() => corepool.digest(data, 'sha256', { encoding: 'hex' })));
    if (got.some((g) => g !== want)) throw new Error('digest mismatch');
    return 4;
  });
  table(`sha256 of a ${DIGEST_MB} MiB Buffer, 4 times`, 'digests/s', [inlineDigest, poolDigest]);

  const s = corepool.stats();
  console.log(`\ndefault pool: ${s.completed} tasks completed, run time p50 ${s.runTime.p50.toFixed(1)} ms, wait p99 ${s.waitTime.p99.toFixed(1)} ms`);
  console.log('Prometheus metrics: corepool.metrics(); see README.md for the API.');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
