'use strict';
// Issue #15's bombs (__test__/helpers/bombs.js): how long each takes to be
// refused on the default pool, and the process's peak RSS. Each bomb is
// settled RUNS times in one process; the table shows medians.
// Usage: node bench/bombs.js   Env: RUNS (5)
const { BOMBS, runBombs } = require('../__test__/helpers/bombs');
const { median, machine } = require('./lib');

const RUNS = +(process.env.RUNS || 5);

(async () => {
  const corepool = require('..');
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await runBombs(corepool));
  const m = machine();
  console.log(`\nBombs, default limits, ${RUNS} runs each, medians; ${m.cpu}, ${m.cores} cores, Node ${process.version}, ${m.date}\n`);
  console.log('| bomb | input bytes | result | ms (median) | ms (max) |');
  console.log('|---|---:|---|---:|---:|');
  for (const [i, b] of BOMBS.entries()) {
    const ms = runs.map((r) => r[i].ms);
    const r = runs[0][i];
    console.log(`| ${b.name} | ${r.bytes.toLocaleString('en-US')} | \`${r.code}\` | ${median(ms).toFixed(1)} | ${Math.max(...ms).toFixed(1)} |`);
  }
  console.log(`\npeak RSS of the process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
})();
