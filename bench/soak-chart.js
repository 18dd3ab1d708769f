'use strict';
// The soak's memory curve (RSS and V8 heap per second) as an SVG line chart,
// rendered to PNG by corepool's own render().
// Usage: node bench/soak.js --minutes 20 --samples s.json
//        node bench/soak-chart.js s.json docs/soak.png
const fs = require('node:fs');
const corepool = require('..');

const [input, output = 'soak.png'] = process.argv.slice(2);
if (!input) throw new Error('usage: node bench/soak-chart.js samples.json [out.png]');
const { minutes, warmupS, samples } = JSON.parse(fs.readFileSync(input, 'utf8'));

const W = 1200;
const H = 560;
const L = 90;
const R = 40;
const T = 90;
const B = 70;
const tMax = Math.max(...samples.map((s) => s.t));
const yMax = Math.ceil((Math.max(...samples.map((s) => s.rssMB)) * 1.25) / 20) * 20;
const x = (t) => L + (t / tMax) * (W - L - R);
const y = (mb) => H - B - (mb / yMax) * (H - T - B);

const after = samples.filter((s) => s.t >= warmupS);
const base = [...after.slice(0, 10)].map((s) => s.rssMB).sort((a, b) => a - b)[5] || after[0].rssMB;

const line = (key, color) =>
  `<polyline fill="none" stroke="${color}" stroke-width="2" points="${samples.map((s) => `${x(s.t).toFixed(1)},${y(s[key]).toFixed(1)}`).join(' ')}"/>`;

const grid = [];
for (let mb = 0; mb <= yMax; mb += yMax / 5) {
  grid.push(`<line x1="${L}" x2="${W - R}" y1="${y(mb)}" y2="${y(mb)}" stroke="#e5e5e5"/>`);
  grid.push(`<text x="${L - 10}" y="${y(mb) + 5}" text-anchor="end" font-size="15" fill="#555">${Math.round(mb)} MB</text>`);
}
const step = tMax > 1200 ? 600 : tMax > 300 ? 120 : 30;
for (let t = 0; t <= tMax; t += step) {
  grid.push(`<text x="${x(t)}" y="${H - B + 25}" text-anchor="middle" font-size="15" fill="#555">${Math.round(t / 60)} min</text>`);
}

const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">
  <rect width="${W}" height="${H}" fill="white"/>
  <text x="${L}" y="40" font-size="24" font-family="sans-serif" font-weight="bold">corepool soak, ${minutes} min: memory per second</text>
  <text x="${L}" y="68" font-size="16" font-family="sans-serif" fill="#555">hash, verify, resize, render, digest, JS lane; 10 % aborts, 5 % timeouts, 5 % bad inputs, ERR_QUEUE_FULL bursts</text>
  <rect x="${L}" y="${T}" width="${x(warmupS) - L}" height="${H - T - B}" fill="#f3f3f3"/>
  <text x="${L + 8}" y="${T + 20}" font-size="14" font-family="sans-serif" fill="#777">warm-up</text>
  <rect x="${x(warmupS)}" y="${y(base * 1.1)}" width="${W - R - x(warmupS)}" height="${y(base * 0.9) - y(base * 1.1)}" fill="#2a7ae2" opacity="0.10"/>
  <g font-family="sans-serif">${grid.join('')}</g>
  ${line('rssMB', '#2a7ae2')}
  ${line('heapMB', '#e2622a')}
  <g font-family="sans-serif" font-size="16">
    <rect x="${W - R - 360}" y="${T + 10}" width="14" height="14" fill="#2a7ae2"/><text x="${W - R - 340}" y="${T + 22}">RSS (band: ±10 % of the level after warm-up)</text>
    <rect x="${W - R - 360}" y="${T + 34}" width="14" height="14" fill="#e2622a"/><text x="${W - R - 340}" y="${T + 46}">V8 heap used</text>
  </g>
</svg>`;

corepool.render(svg, { width: W }).then((png) => {
  fs.writeFileSync(output, png);
  console.log(`${output}: ${png.length} bytes`);
});
