'use strict';
// POST /report's work, as a worker module for corepool's JS lane
// (pool.run(csv, { filename: this file })). In `inline` mode app.js calls the
// same function on the event loop. Input: CSV text with a header row holding
// at least `region`, `units` and `price`; output: a summary per region.
const REQUIRED = ['region', 'units', 'price'];

/** Splits one CSV line (RFC 4180 quoting: "a, b" and "" for a quote). */
function splitLine(line) {
  const cells = [];
  let i = 0;
  for (;;) {
    let cell = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw badCsv('unterminated quoted field');
        cell += line.slice(i, q);
        if (line[q + 1] === '"') {
          cell += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else {
      const c = line.indexOf(',', i);
      const end = c < 0 ? line.length : c;
      cell = line.slice(i, end);
      i = end;
    }
    cells.push(cell);
    if (i >= line.length) return cells;
    if (line[i] !== ',') throw badCsv('text after a closing quote');
    i++;
  }
}

function badCsv(message) {
  const err = new Error(`Invalid CSV: ${message}`);
  err.code = 'ERR_INVALID_CSV';
  return err;
}

/** CSV text → { rows, regions: { [region]: { orders, units, revenue } }, revenue }. */
function report(csv, { signal } = {}) {
  if (typeof csv !== 'string') throw badCsv('expected text');
  const lines = csv.split(/\r?\n/);
  const header = splitLine(lines[0] || '');
  const col = Object.fromEntries(header.map((h, i) => [h.trim().toLowerCase(), i]));
  const missing = REQUIRED.filter((k) => col[k] === undefined);
  if (missing.length > 0) throw badCsv(`missing column(s) ${missing.join(', ')}`);
  const regions = {};
  let rows = 0;
  let revenue = 0;
  for (let n = 1; n < lines.length; n++) {
    if (lines[n] === '') continue;
    if (n % 10000 === 0 && signal && signal.aborted) throw signal.reason;
    const cells = splitLine(lines[n]);
    const units = Number(cells[col.units]);
    const price = Number(cells[col.price]);
    if (!Number.isFinite(units) || !Number.isFinite(price)) throw badCsv(`line ${n + 1}: units and price must be numbers`);
    const r = (regions[cells[col.region]] ??= { orders: 0, units: 0, revenue: 0 });
    r.orders++;
    r.units += units;
    r.revenue += units * price;
    revenue += units * price;
    rows++;
  }
  for (const r of Object.values(regions)) r.revenue = Math.round(r.revenue * 100) / 100;
  return { rows, regions, revenue: Math.round(revenue * 100) / 100 };
}

module.exports = report;
