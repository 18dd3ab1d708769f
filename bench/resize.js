'use strict';
// Image resizing on real photographs (../shared/images): corepool resize() vs
// sharp (libvips; its default concurrency) and @napi-rs/image (its SIMD
// fastResize(), on libuv's pool) on the same machine:
// JPEG -> 800 px wide JPEG q80, JPEG -> 400 px WebP q80, PNG -> 800 px WebP q80;
// 1 and 8 in flight; images/s, output bytes, peak RSS, event-loop delay.
// Each variant runs in its own process, RUNS times (medians).
// Usage: node bench/resize.js   Env: RUNS (3), DUR_MS (5000), IMAGES_DIR
const fs = require('node:fs');
const path = require('node:path');
const { median, child, machine, table, writeResult, loopDelay, saturate } = require('./lib');

const RUNS = +(process.env.RUNS || 3);
const DUR_MS = +(process.env.DUR_MS || 5000);
const IMAGES_DIR = process.env.IMAGES_DIR || path.join(__dirname, '..', '..', 'shared', 'images');

function images(ext) {
  if (!fs.existsSync(IMAGES_DIR)) return [];
  return fs
    .readdirSync(IMAGES_DIR)
    .filter((f) => f.toLowerCase().endsWith(ext))
    .sort()
    .map((f) => path.join(IMAGES_DIR, f));
}

const CASES = {
  'JPEG → 800w JPEG q80': { files: () => images('.jpg'), opts: { width: 800, format: 'jpeg', quality: 80 } },
  'JPEG → 400w WebP q80': { files: () => images('.jpg'), opts: { width: 400, format: 'webp', quality: 80 } },
  'PNG → 800w WebP q80': { files: () => images('.png'), opts: { width: 800, format: 'webp', quality: 80 } },
};

const VARIANTS = {
  corepool: (opts) => {
    const corepool = require('..');
    return (buf) => corepool.resize(buf, opts);
  },
  sharp: (opts) => {
    const sharp = require('sharp');
    return (buf) => {
      const s = sharp(buf).resize({ width: opts.width });
      return (opts.format === 'jpeg' ? s.jpeg({ quality: opts.quality }) : s.webp({ quality: opts.quality })).toBuffer();
    };
  },
  '@napi-rs/image': (opts) => {
    const { Transformer } = require('@napi-rs/image');
    return (buf) => {
      const t = new Transformer(buf).fastResize({ width: opts.width });
      return opts.format === 'jpeg' ? t.jpeg(opts.quality) : t.webp(opts.quality);
    };
  },
};

async function measure(variant, caseName, inflight) {
  const c = CASES[caseName];
  const bufs = c.files().map((f) => fs.readFileSync(f));
  const run = VARIANTS[variant](c.opts);
  let bytes = 0;
  for (const b of bufs) bytes += (await run(b)).length; // warm-up + output size
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const eld = loopDelay();
  const { done, secs } = await saturate((i) => run(bufs[i % bufs.length]), inflight, DUR_MS);
  clearInterval(sampler);
  return { perSec: done / secs, avgBytes: bytes / bufs.length, peakRssMB: peakRss / 1048576, loop: eld() };
}

function main() {
  if (images('.jpg').length === 0) {
    console.log(`no images in ${IMAGES_DIR}: resize benchmark skipped`);
    return;
  }
  const plan = [];
  for (const caseName of Object.keys(CASES)) {
    if (CASES[caseName].files().length === 0) continue;
    for (const inflight of [1, 8]) for (const v of Object.keys(VARIANTS)) plan.push([v, caseName, inflight]);
  }
  const runs = {};
  for (let r = 0; r < RUNS; r++) {
    for (const p of plan) {
      (runs[p.join('|')] ??= []).push(child(__filename, p.map(String)));
      process.stderr.write('.');
    }
  }
  process.stderr.write('\n');
  const med = (key, f) => median(runs[key].map(f));
  const rows = [];
  for (const [v, caseName, inflight] of plan) {
    const key = `${v}|${caseName}|${inflight}`;
    const sharpKey = `sharp|${caseName}|${inflight}`;
    const perSec = med(key, (x) => x.perSec);
    rows.push([
      caseName,
      inflight,
      v,
      perSec.toFixed(2),
      v === 'corepool' ? `${(perSec / med(sharpKey, (x) => x.perSec)).toFixed(2)}×` : '—',
      v === 'corepool' ? `${(perSec / med(`@napi-rs/image|${caseName}|${inflight}`, (x) => x.perSec)).toFixed(2)}×` : '—',
      Math.round(med(key, (x) => x.avgBytes)).toLocaleString('en-US'),
      med(key, (x) => x.peakRssMB).toFixed(0),
      med(key, (x) => x.loop.p99).toFixed(1),
    ]);
  }
  const m = machine();
  const names = images('.jpg').concat(images('.png')).map((f) => path.basename(f));
  console.log(`${m.cpu}, ${m.cores} cores, Node ${m.node}; ${DUR_MS / 1000} s per run, medians of ${RUNS} runs; sharp ${require('sharp').versions.sharp} / libvips ${require('sharp').versions.vips}, @napi-rs/image ${require('@napi-rs/image/package.json').version}`);
  console.log(`images: ${names.join(', ')} (12-20 MP photos, a 3640x2400 PNG)\n`);
  console.log(table(['case', 'in flight', 'library', 'images/s', 'corepool ÷ sharp', 'corepool ÷ @napi-rs/image', 'avg output bytes', 'peak RSS MB', 'loop p99 ms'], rows));
  const file = writeResult('resize', { machine: m, params: { RUNS, DUR_MS }, runs });
  console.log(`raw results: ${path.relative(process.cwd(), file)}`);
}

if (process.argv.length > 2) {
  const [v, c, inflight] = process.argv.slice(2);
  measure(v, c, Number(inflight)).then((r) => console.log(JSON.stringify(r)));
} else main();
