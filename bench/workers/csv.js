'use strict';
// A real JS task for bench/workers.js: parse a CSV (header + rows, quoted
// fields allowed) into row objects, then aggregate revenue by region.
function parseLine(line) {
  const out = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          v += line.slice(i);
          i = line.length;
          break;
        }
        v += line.slice(i, q);
        if (line[q + 1] === '"') {
          v += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(v);
      i++; // comma
    } else {
      const c = line.indexOf(',', i);
      const end = c < 0 ? line.length : c;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

function summarize(csv) {
  const lines = csv.split('\n');
  const header = parseLine(lines[0]);
  const rows = [];
  for (let k = 1; k < lines.length; k++) {
    if (lines[k] === '') continue;
    const cells = parseLine(lines[k]);
    const row = {};
    for (let j = 0; j < header.length; j++) row[header[j]] = cells[j];
    rows.push(row);
  }
  const byRegion = {};
  let total = 0;
  for (const r of rows) {
    const revenue = Number(r.units) * Number(r.price);
    total += revenue;
    const g = (byRegion[r.region] ??= { orders: 0, revenue: 0 });
    g.orders++;
    g.revenue += revenue;
  }
  return { rows: rows.length, total: Math.round(total * 100) / 100, byRegion };
}

/** A deterministic CSV of about `bytes` bytes. */
function makeCsv(bytes) {
  const regions = ['north', 'south', 'east', 'west', 'central'];
  const parts = ['id,date,region,product,units,price,note'];
  let size = parts[0].length;
  for (let i = 0; size < bytes; i++) {
    const line = `${i},2026-11-${String((i % 28) + 1).padStart(2, '0')},${regions[i % 5]},"Widget ""${i % 97}""",${(i * 7) % 13 + 1},${((i * 37) % 1000) / 10 + 1},"note, ${i % 11}"`;
    parts.push(line);
    size += line.length + 1;
  }
  return parts.join('\n');
}

module.exports = summarize;
module.exports.summarize = summarize;
module.exports.makeCsv = makeCsv;
module.exports.parseLine = parseLine;
