'use strict';
// What wiping Argon2 memory costs: two pools in one process, one with
// `wipeMemory: true` (the default) and one with `false`, take turns running
// a batch of argon2id hashes (default parameters, 19 MiB), so that machine
// noise hits both alike. Reports the median batch time of each and the ratio.
// Usage: node bench/wipe.js   Env: ROUNDS (12), BATCH (32)
const os = require('node:os');
const { median, machine } = require('./lib');

const ROUNDS = +(process.env.ROUNDS || 12);
const BATCH = +(process.env.BATCH || 32);

(async () => {
  const { Pool } = require('..');
  const threads = os.availableParallelism();
  const pools = { wipe: new Pool({ threads }), 'no wipe': new Pool({ threads, wipeMemory: false }) };
  const times = { wipe: [], 'no wipe': [] };
  const batch = async (pool) => {
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: BATCH }, (_, i) => pool.hash(`password ${i}`, { algorithm: 'argon2id' })));
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  for (const p of Object.values(pools)) await batch(p); // warm up
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? ['wipe', 'no wipe'] : ['no wipe', 'wipe'];
    for (const k of order) times[k].push(await batch(pools[k]));
  }
  await Promise.all(Object.values(pools).map((p) => p.close()));
  const m = machine();
  const w = median(times.wipe);
  const n = median(times['no wipe']);
  console.log(`argon2id (m=19456 KiB, t=2, p=1), ${threads} threads, ${BATCH} hashes per batch, ${ROUNDS} alternating rounds; ${m.cpu}, ${m.cores} cores, load ${os.loadavg()[0].toFixed(1)}, ${m.date}`);
  console.log(`| pool | batch ms (median) | per hash ms |`);
  console.log(`|---|---:|---:|`);
  for (const [k, v] of [['wipeMemory: true (default)', w], ['wipeMemory: false', n]]) console.log(`| ${k} | ${v.toFixed(0)} | ${((v * threads) / BATCH).toFixed(1)} |`);
  console.log(`wipe costs ${(((w - n) / n) * 100).toFixed(1)} % of throughput (${(((w - n) * threads) / BATCH).toFixed(2)} ms of thread time per hash)`);
})();
