'use strict';
// The SVG documents the example renders: a 1200×630 social card and a
// two-page A4 invoice. User text goes through xml() before it is placed in a
// document, so a title like `</text><image href="file:///etc/passwd"/>` is
// drawn as text, not parsed as markup.

const FONT = "'DejaVu Sans', sans-serif";

/** Escapes text for an XML text node or a double-quoted attribute. */
function xml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]);
}

/** Greedy word wrap to lines of at most `width` characters, at most `maxLines` lines (the last one ends with … if cut). */
function wrap(text, width, maxLines) {
  const lines = [];
  let line = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (word.length > width) {
      // a word longer than a line is split
      if (line) lines.push(line);
      lines.push(word.slice(0, width));
      word = word.slice(width);
      line = '';
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  if (lines.length > maxLines) {
    lines.length = maxLines;
    lines[maxLines - 1] = `${lines[maxLines - 1].slice(0, width - 1)}…`;
  }
  return lines;
}

/** A 1200×630 Open Graph card: gradient background, wrapped title, subtitle, footer. */
function socialCardSvg({ title, subtitle, footer = 'corepool · examples/express' }) {
  const titleLines = wrap(title, 26, 3);
  const titleSize = titleLines.length > 2 ? 64 : 76;
  const titleTop = 210 - (titleLines.length - 1) * 20;
  const tspans = titleLines
    .map((l, i) => `<tspan x="80" y="${titleTop + i * titleSize * 1.15}">${xml(l)}</tspan>`)
    .join('');
  const subtitleY = titleTop + titleLines.length * titleSize * 1.15 + 30;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630" viewBox="0 0 1200 630">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#0f172a"/>
      <stop offset="0.55" stop-color="#312e81"/>
      <stop offset="1" stop-color="#be185d"/>
    </linearGradient>
    <radialGradient id="glow" cx="0.85" cy="0.15" r="0.6">
      <stop offset="0" stop-color="#f472b6" stop-opacity="0.55"/>
      <stop offset="1" stop-color="#f472b6" stop-opacity="0"/>
    </radialGradient>
  </defs>
  <rect width="1200" height="630" fill="url(#bg)"/>
  <rect width="1200" height="630" fill="url(#glow)"/>
  <circle cx="1040" cy="470" r="120" fill="none" stroke="#ffffff" stroke-opacity="0.12" stroke-width="28"/>
  <rect x="80" y="96" width="96" height="8" rx="4" fill="#f472b6"/>
  <text font-family="${FONT}" font-size="${titleSize}" fill="#ffffff">${tspans}</text>
  <text x="80" y="${subtitleY}" font-family="${FONT}" font-size="32" fill="#cbd5e1">${xml(wrap(subtitle, 60, 1)[0] || '')}</text>
  <text x="80" y="566" font-family="${FONT}" font-size="24" fill="#94a3b8">${xml(footer)}</text>
</svg>`;
}

/** Sample invoice data; `id` is the only part taken from the request. */
function sampleInvoice(id) {
  return {
    id,
    date: '2025-11-25',
    customer: ['ACME Rockets Ltd', '1 Launch Pad Road', 'Mojave, CA 93501'],
    items: [
      ['Password hashing (bcrypt, cost 12)', 120000, 0.00002],
      ['Thumbnails (1600 px → 320 px)', 48000, 0.0001],
      ['Social cards (1200×630 PNG)', 9000, 0.0004],
      ['PDF invoices (2 pages)', 1200, 0.002],
      ['Support plan, November', 1, 49],
    ],
  };
}

const money = (n) => n.toFixed(2);

/** Two A4 pages (595×842 pt): the invoice with its line items, then the terms. */
function invoiceSvgs(inv) {
  const rows = inv.items
    .map(([what, qty, price], i) => {
      const y = 330 + i * 28;
      return `<text x="50" y="${y}">${xml(what)}</text>
    <text x="380" y="${y}" text-anchor="end">${qty}</text>
    <text x="460" y="${y}" text-anchor="end">${price}</text>
    <text x="545" y="${y}" text-anchor="end">${money(qty * price)}</text>`;
    })
    .join('\n    ');
  const total = inv.items.reduce((s, [, qty, price]) => s + qty * price, 0);
  const totalY = 330 + inv.items.length * 28 + 20;
  const page = (n, body) => `<svg xmlns="http://www.w3.org/2000/svg" width="595" height="842" viewBox="0 0 595 842">
  <rect width="595" height="842" fill="#ffffff"/>
  <rect width="595" height="90" fill="#312e81"/>
  <text x="50" y="56" font-family="${FONT}" font-size="28" fill="#ffffff">Invoice ${xml(inv.id)}</text>
  <text x="545" y="56" font-family="${FONT}" font-size="12" fill="#e0e7ff" text-anchor="end">page ${n} of 2</text>
  <g font-family="${FONT}" font-size="12" fill="#0f172a">
    ${body}
  </g>
</svg>`;
  const page1 = page(
    1,
    `<text x="50" y="140" font-size="11" fill="#64748b">BILL TO</text>
    ${inv.customer.map((l, i) => `<text x="50" y="${160 + i * 16}">${xml(l)}</text>`).join('\n    ')}
    <text x="545" y="140" font-size="11" fill="#64748b" text-anchor="end">DATE</text>
    <text x="545" y="160" text-anchor="end">${xml(inv.date)}</text>
    <rect x="40" y="282" width="515" height="26" fill="#eef2ff"/>
    <text x="50" y="300" font-size="11" fill="#475569">DESCRIPTION</text>
    <text x="380" y="300" font-size="11" fill="#475569" text-anchor="end">QTY</text>
    <text x="460" y="300" font-size="11" fill="#475569" text-anchor="end">UNIT</text>
    <text x="545" y="300" font-size="11" fill="#475569" text-anchor="end">AMOUNT</text>
    ${rows}
    <line x1="40" y1="${totalY - 14}" x2="555" y2="${totalY - 14}" stroke="#cbd5e1"/>
    <text x="460" y="${totalY + 6}" font-size="14" text-anchor="end">Total (USD)</text>
    <text x="545" y="${totalY + 6}" font-size="14" text-anchor="end">${money(total)}</text>`,
  );
  const terms = [
    'Payment is due within 30 days of the invoice date.',
    'Late payments accrue interest of 1% per month.',
    'Questions about this invoice: billing@example.com.',
    'This document was rendered from SVG to PDF on corepool’s thread pool;',
    'its text is real text (select it, search it), in the bundled DejaVu Sans.',
  ];
  const page2 = page(
    2,
    `<text x="50" y="140" font-size="16">Terms and notes</text>
    ${terms.map((t, i) => `<text x="50" y="${175 + i * 20}">${xml(t)}</text>`).join('\n    ')}
    <text x="50" y="790" font-size="10" fill="#64748b">Thank you for your business.</text>`,
  );
  return [page1, page2];
}

module.exports = { xml, wrap, socialCardSvg, sampleInvoice, invoiceSvgs };
