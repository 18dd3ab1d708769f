'use strict';
// A real JS task for bench/workers.js: render a ~50 KB HTML report page from
// data with a small escaping template (what a template engine does per request).
const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ESC[c]);

function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out += (Array.isArray(v) ? v.join('') : v && v.__raw ? v.__raw : esc(v)) + strings[i + 1];
  }
  return { __raw: out };
}

function render({ title, user, items }) {
  const rows = items.map(
    (it) => html`<tr class="${it.qty > 5 ? 'bulk' : 'single'}"><td>${it.sku}</td><td>${it.name}</td><td>${it.qty}</td><td>${(it.price * it.qty).toFixed(2)}</td><td>${it.note}</td></tr>`.__raw,
  );
  const total = items.reduce((a, it) => a + it.price * it.qty, 0);
  return html`<!doctype html><html><head><title>${title}</title></head><body>
<header><h1>${title}</h1><p>Prepared for ${user.name} &lt;${user.email}&gt;</p></header>
<table><thead><tr><th>SKU</th><th>Item</th><th>Qty</th><th>Amount</th><th>Note</th></tr></thead><tbody>${rows}</tbody></table>
<footer>Total: ${total.toFixed(2)}</footer></body></html>`.__raw;
}

/** Data that renders to about 50 KB. */
function makeData() {
  const items = [];
  for (let i = 0; i < 400; i++) {
    items.push({ sku: `SKU-${1000 + i}`, name: `Item <${i}> & "friends"`, qty: (i % 9) + 1, price: ((i * 13) % 100) + 0.99, note: i % 3 ? 'ok' : "fragile: 'handle with care'" });
  }
  return { title: 'Quarterly report', user: { name: 'Ada <admin>', email: 'ada@example.com' }, items };
}

module.exports = render;
module.exports.makeData = makeData;
