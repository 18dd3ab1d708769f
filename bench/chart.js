'use strict';
// The headline chart: corepool's throughput ÷ the best peer's for each
// benchmark, as a bar chart SVG rendered to PNG by corepool's own render().
// Reads the newest bench/results/<name>-*.json of each benchmark.
// Usage: node bench/chart.js [out.png]   (npm run bench calls it)
const fs = require('node:fs');
const path = require('node:path');
const { median } = require('./lib');

const RESULTS = path.join(__dirname, 'results');

function latest(name) {
  if (!fs.existsSync(RESULTS)) return null;
  const files = fs
    .readdirSync(RESULTS)
    .filter((f) => f.startsWith(`${name}-`) && f.endsWith('.json'))
    .sort((a, b) => Number(a.slice(name.length + 1, -5)) - Number(b.slice(name.length + 1, -5)));
  return files.length ? JSON.parse(fs.readFileSync(path.join(RESULTS, files[files.length - 1]), 'utf8')) : null;
}

const rate = (runs, key) => median((runs[key] || []).map((r) => r.perSec));

/** One bar: corepool ÷ the best of `peers` (keys into `runs`). */
function bar(label, runs, mine, peers) {
  const best = peers
    .map((k) => ({ name: k.split('|')[0], v: rate(runs, k) }))
    .filter((p) => Number.isFinite(p.v))
    .sort((a, b) => b.v - a.v)[0];
  const own = rate(runs, mine);
  if (!best || !Number.isFinite(own)) return null;
  return { label, peer: best.name, ratio: own / best.v };
}

/** The bars, from whichever results exist. */
function bars() {
  const out = [];
  const o = latest('overhead');
  if (o && o.summary.corepool && o.summary.piscina) {
    out.push({ label: 'tiny tasks/s, 1000 in flight', peer: 'piscina', ratio: o.summary.corepool.tasksPerSec / o.summary.piscina.tasksPerSec });
  }
  const h = latest('hash');
  if (h) {
    for (const cost of h.params.COSTS) {
      const peers = ['bcrypt (libuv, 4 threads)', '@node-rs/bcrypt', 'bcryptjs in piscina'].map((p) => `${p}|${cost}`);
      out.push(bar(`bcrypt cost ${cost}, 64 in flight`, h.runs, `corepool|${cost}`, peers));
    }
    out.push(bar('argon2id (OWASP), 64 in flight', h.runs, 'corepool argon2id|0', ['@node-rs/argon2|0']));
  }
  const rs = latest('resize');
  if (rs) {
    const jobs = [...new Set(Object.keys(rs.runs).map((k) => k.split('|')[1]))];
    for (const job of jobs) {
      const peers = Object.keys(rs.runs).filter((k) => !k.startsWith('corepool|') && k.endsWith(`|${job}|8`));
      out.push(bar(`resize ${job}, 8 in flight`, rs.runs, `corepool|${job}|8`, peers));
    }
  }
  const rd = latest('render');
  if (rd) {
    for (const [input, label] of [['card', 'render social card'], ['chart', 'render chart']]) {
      const peers = Object.keys(rd.runs).filter((k) => !k.startsWith('corepool|') && k.endsWith(`|${input}|8|png`));
      out.push(bar(`${label} → PNG, 8 in flight`, rd.runs, `corepool|${input}|8|png`, peers));
    }
  }
  const w = latest('workers');
  if (w && w.summary.corepool && w.summary.piscina) {
    const [c, p] = [w.summary.corepool, w.summary.piscina];
    out.push({ label: 'your JS: tiny tasks/s, 1000 in flight', peer: 'piscina', ratio: c.tinyPerSec / p.tinyPerSec });
    out.push({ label: 'your JS: 1 MB CSV parse, 64 in flight', peer: 'piscina', ratio: c.csvPerSec / p.csvPerSec });
    out.push({ label: 'your JS: HTML template, 64 in flight', peer: 'piscina', ratio: c.tplPerSec / p.tplPerSec });
    if (c.mixHash && p.mixHash) {
      out.push({ label: 'bcrypt beside your JS, same 2 threads', peer: 'piscina + bcrypt', ratio: c.mixHash / p.mixHash });
    }
  }
  return out.filter(Boolean);
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A horizontal bar chart on a log scale, 1× marked. */
function svg(items, subtitle) {
  const W = 1200;
  const rowH = 54;
  const top = 110;
  const left = 480;
  const right = 150;
  const H = top + items.length * rowH + 60;
  const maxR = Math.max(2, ...items.map((i) => i.ratio));
  const minR = Math.min(0.5, ...items.map((i) => i.ratio));
  const span = Math.log(maxR) - Math.log(minR);
  const x = (r) => left + ((Math.log(r) - Math.log(minR)) / span) * (W - left - right);
  const rows = items
    .map((it, i) => {
      const y = top + i * rowH;
      const x0 = x(1);
      const x1 = x(it.ratio);
      const win = it.ratio >= 1;
      return `
  <text x="${left - 16}" y="${y + 22}" text-anchor="end" font-size="19" fill="#1f2937">${esc(it.label)}</text>
  <text x="${left - 16}" y="${y + 42}" text-anchor="end" font-size="15" fill="#6b7280">vs ${esc(it.peer)}</text>
  <rect x="${Math.min(x0, x1)}" y="${y + 8}" width="${Math.max(2, Math.abs(x1 - x0))}" height="34" rx="4" fill="${win ? '#16a34a' : '#dc2626'}"/>
  <text x="${win ? x1 + 10 : x0 + 10}" y="${y + 32}" font-size="20" font-weight="bold" fill="${win ? '#166534' : '#991b1b'}">${it.ratio.toFixed(2)}×</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, sans-serif">
  <rect width="100%" height="100%" fill="#ffffff"/>
  <text x="40" y="50" font-size="28" font-weight="bold" fill="#111827">corepool ÷ best peer, throughput (higher is better)</text>
  <text x="40" y="82" font-size="17" fill="#4b5563">${esc(subtitle)}</text>
  <line x1="${x(1)}" y1="${top - 6}" x2="${x(1)}" y2="${H - 50}" stroke="#111827" stroke-width="2" stroke-dasharray="6 4"/>
  <text x="${x(1)}" y="${H - 24}" text-anchor="middle" font-size="16" fill="#111827">1× (peer)</text>${rows}
</svg>
`;
}

async function main() {
  const out = process.argv[2] || path.join(__dirname, '..', 'docs', 'benchmarks.png');
  const items = bars();
  if (items.length === 0) {
    console.error('bench/chart.js: no results in bench/results/; run npm run bench first');
    process.exit(1);
  }
  const any = latest('hash') || latest('resize') || latest('render') || latest('overhead');
  const m = any.machine;
  const subtitle = `${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.date.slice(0, 10)}; medians of ${any.params.RUNS} runs; log scale`;
  const doc = svg(items, subtitle);
  const corepool = require('..');
  const png = await corepool.render(doc, { format: 'png' });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, png);
  fs.writeFileSync(out.replace(/\.png$/, '.svg'), doc);
  console.error(`wrote ${path.relative(process.cwd(), out)} (${items.length} bars)`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

module.exports = { bars, svg };
