'use strict';
// SVG rendering: corepool render() vs @resvg/resvg-js (sync render() on the
// main thread, and its renderAsync() on libuv's pool) vs sharp's SVG input
// (librsvg), on a 1200x630 social card (the peers' anchor card: gradients,
// drop shadow, text, embedded PNG) and a chart with thousands of elements;
// 1 and 8 renders in flight; renders/s and event-loop delay; plus corepool's
// PDF pages/s. Each variant runs in its own process, RUNS times (medians).
// Usage: node bench/render.js   Env: RUNS (3), DUR_MS (5000)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { median, child, machine, table, writeResult, loopDelay, otherCpuMeter, saturate } = require('./lib');

const RUNS = +(process.env.RUNS || 3);
const DUR_MS = +(process.env.DUR_MS || 5000);
const CARD = fs.readFileSync(path.join(__dirname, '..', '__test__', 'fixtures', 'render', 'social_card.svg'), 'utf8');

function chartSvg() {
  // A line + bar chart: 2000 bars, a 2000-point polyline, axes and 100 labels.
  const parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="900"><rect width="1600" height="900" fill="#fff"/>'];
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const pts = [];
  for (let i = 0; i < 2000; i++) {
    const x = 50 + i * 0.75;
    const h = 50 + rand() * 600;
    parts.push(`<rect x="${x.toFixed(2)}" y="${(800 - h).toFixed(1)}" width="0.6" height="${h.toFixed(1)}" fill="hsl(${(i * 0.18) | 0},70%,55%)"/>`);
    pts.push(`${x.toFixed(2)},${(800 - h * 0.8).toFixed(1)}`);
  }
  parts.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="#222" stroke-width="1.5"/>`);
  for (let i = 0; i <= 100; i++) {
    parts.push(`<line x1="${50 + i * 15}" y1="800" x2="${50 + i * 15}" y2="808" stroke="#444"/>`);
    parts.push(`<text x="${50 + i * 15}" y="830" font-size="9" font-family="sans-serif" text-anchor="middle">${i}</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

const INPUTS = { card: CARD, chart: chartSvg() };

const VARIANTS = {
  corepool: (svg) => {
    const corepool = require('..');
    return (f = 'png') => corepool.render(svg, { format: f });
  },
  'resvg-js render() sync': (svg) => {
    const { Resvg } = require('@resvg/resvg-js');
    // one render per macrotask, as a server does per request (a chain of
    // resolved promises would starve the timers)
    return () => new Promise((resolve) => setImmediate(() => resolve(new Resvg(svg).render().asPng())));
  },
  'resvg-js renderAsync()': (svg) => {
    const { renderAsync } = require('@resvg/resvg-js');
    return () => renderAsync(svg).then((r) => r.asPng());
  },
  'sharp (librsvg)': (svg) => {
    const sharp = require('sharp');
    const buf = Buffer.from(svg);
    return () => sharp(buf).png().toBuffer();
  },
};

async function measure(variant, input, inflight, format) {
  const run = VARIANTS[variant](INPUTS[input]);
  await run(format);
  await run(format);
  const eld = loopDelay();
  const cpu = otherCpuMeter();
  const { done, secs } = await saturate(() => run(format), inflight, DUR_MS);
  return { perSec: done / secs, loop: eld(), ...cpu() };
}

function main() {
  const plan = [];
  for (const input of Object.keys(INPUTS)) {
    for (const inflight of [1, 8]) for (const v of Object.keys(VARIANTS)) plan.push([v, input, inflight, 'png']);
  }
  plan.push(['corepool', 'card', 8, 'pdf'], ['corepool', 'chart', 8, 'pdf']);
  const runs = {};
  for (let r = 0; r < RUNS; r++) {
    for (const p of plan) {
      (runs[p.join('|')] ??= []).push(child(__filename, p.map(String)));
      process.stderr.write('.');
    }
  }
  process.stderr.write('\n');
  const med = (key, f) => median(runs[key].map(f));
  const m = machine();
  const out = [`${m.cpu}, ${m.cores} cores, Node ${m.node}; ${DUR_MS / 1000} s per run, medians of ${RUNS} runs; corepool uses its default pool (${os.availableParallelism()} threads)`];
  for (const input of Object.keys(INPUTS)) {
    const rows = [];
    for (const inflight of [1, 8]) {
      const ref = med(`corepool|${input}|${inflight}|png`, (x) => x.perSec);
      for (const v of Object.keys(VARIANTS)) {
        const key = `${v}|${input}|${inflight}|png`;
        const perSec = med(key, (x) => x.perSec);
        rows.push([v, inflight, perSec.toFixed(1), v === 'corepool' ? '—' : `${(ref / perSec).toFixed(2)}×`, med(key, (x) => x.loop.p99).toFixed(1), med(key, (x) => x.loop.max).toFixed(0)]);
      }
    }
    out.push(`\n${input === 'card' ? '1200×630 social card' : '1600×900 chart, ~4200 elements'} → PNG\n${table(['variant', 'in flight', 'renders/s', 'corepool ÷ variant', 'loop p99 ms', 'loop max ms'], rows)}`);
  }
  out.push(
    `\ncorepool PDF (8 in flight): card ${med('corepool|card|8|pdf', (x) => x.perSec).toFixed(1)} pages/s, chart ${med('corepool|chart|8|pdf', (x) => x.perSec).toFixed(1)} pages/s (the peers have no PDF output)`,
  );
  console.log(out.join('\n'));
  const file = writeResult('render', { machine: m, params: { RUNS, DUR_MS }, runs });
  console.log(`raw results: ${path.relative(process.cwd(), file)}`);
}

if (process.argv.length > 2) {
  const [v, input, inflight, format] = process.argv.slice(2);
  measure(v, input, Number(inflight), format).then((r) => console.log(JSON.stringify(r)));
} else main();
