'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { PNG } = require('pngjs');
const corepool = require('..');

const svg = (w, h, body) => `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${body}</svg>`;
const pixel = (png, x, y) => {
  const i = (png.width * y + x) * 4;
  return [...png.data.subarray(i, i + 4)];
};
const near = (a, b, tol = 3) => a.every((v, i) => Math.abs(v - b[i]) <= tol);

// A tiny solid-colour PNG.
function solidPng(w, h, [r, g, b]) {
  const png = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) png.data.set([r, g, b, 255], i * 4);
  return PNG.sync.write(png);
}

test('PNG output: size, colours and text pixels', async () => {
  const out = await corepool.render(
    svg(120, 60, '<rect width="60" height="60" fill="#ff0000"/><rect x="60" width="60" height="60" fill="rgb(0,0,255)"/>'),
  );
  const png = PNG.sync.read(out);
  assert.deepEqual([png.width, png.height], [120, 60]);
  assert.ok(near(pixel(png, 30, 30), [255, 0, 0, 255]));
  assert.ok(near(pixel(png, 90, 30), [0, 0, 255, 255]));

  // text in the bundled font leaves dark pixels on a white card, even with system fonts off
  const card = PNG.sync.read(
    await corepool.render(svg(300, 80, '<rect width="300" height="80" fill="white"/><text x="10" y="55" font-size="48" font-family="sans-serif">Hello</text>'), {
      systemFonts: false,
    }),
  );
  let dark = 0;
  for (let i = 0; i < card.data.length; i += 4) if (card.data[i] < 100) dark++;
  assert.ok(dark > 500, `text drew ${dark} dark pixels`);
});

test('width/height/scale keep the aspect ratio; background fills; JPEG and WebP outputs', async () => {
  const s = svg(200, 100, '<circle cx="100" cy="50" r="10" fill="black"/>');
  for (const [opts, w, h] of [[{ width: 400 }, 400, 200], [{ height: 50 }, 100, 50], [{ scale: 1.5 }, 300, 150]]) {
    const { info } = await corepool.render(s, { ...opts, info: true });
    assert.deepEqual([info.width, info.height, info.format, info.pages], [w, h, 'png', 1]);
  }
  const bg = PNG.sync.read(await corepool.render(s, { background: '#00ff0080' }));
  assert.ok(near(pixel(bg, 0, 0), [0, 255, 0, 128]));
  const transparent = PNG.sync.read(await corepool.render(s));
  assert.equal(pixel(transparent, 0, 0)[3], 0);
  const jpeg = await corepool.render(s, { format: 'jpeg' });
  assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  const webp = await corepool.render(s, { format: 'webp', quality: 90 });
  assert.equal(webp.subarray(8, 12).toString(), 'WEBP');
  // compressionLevel trades size for speed; the pixels are the same.
  const gradient = svg(300, 200, '<defs><linearGradient id="g"><stop offset="0" stop-color="#f00"/><stop offset="1" stop-color="#00f"/></linearGradient></defs><rect width="300" height="200" fill="url(#g)"/>');
  const [l0, l9] = await Promise.all([0, 9].map((compressionLevel) => corepool.render(gradient, { compressionLevel })));
  assert.ok(l0.length > 2 * l9.length, `level 0 (${l0.length} B) is much larger than level 9 (${l9.length} B)`);
  assert.deepEqual(PNG.sync.read(l0).data, PNG.sync.read(l9).data);
  await assert.rejects(corepool.render(s, { compressionLevel: 10 }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.compressionLevel/ });
  await assert.rejects(corepool.render(s, { width: 10, scale: 2 }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.scale/ });
  await assert.rejects(corepool.render(s, { background: 'nope' }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.background/ });
});

test('untrusted SVG: file paths, file: and http: images are not loaded; data: URIs are; baseDir opts in', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corepool-render-'));
  const red = path.join(dir, 'red.png');
  fs.writeFileSync(red, solidPng(4, 4, [255, 0, 0]));
  const img = (href) => svg(40, 40, `<image href="${href}" width="40" height="40"/>`);
  for (const href of [red, `file://${red}`, 'http://127.0.0.1:9/x.png', 'red.png', '../red.png']) {
    const { data, info } = await corepool.render(img(href), { info: true });
    assert.deepEqual(pixel(PNG.sync.read(data), 20, 20), [0, 0, 0, 0], `${href} was not drawn`);
    assert.ok(info.warnings.length >= 1, `${href} is reported in info.warnings`);
  }
  const dataUri = `data:image/png;base64,${fs.readFileSync(red).toString('base64')}`;
  assert.ok(near(pixel(PNG.sync.read(await corepool.render(img(dataUri))), 20, 20), [255, 0, 0, 255]));
  const allowed = await corepool.render(img('red.png'), { resources: { baseDir: dir } });
  assert.ok(near(pixel(PNG.sync.read(allowed), 20, 20), [255, 0, 0, 255]), 'relative path under baseDir is drawn');
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'corepool-outside-'));
  fs.writeFileSync(path.join(outside, 'secret.png'), solidPng(4, 4, [0, 255, 0]));
  fs.symlinkSync(path.join(outside, 'secret.png'), path.join(dir, 'link.png'));
  for (const href of [`../${path.basename(outside)}/secret.png`, 'link.png', path.join(outside, 'secret.png')]) {
    const out = await corepool.render(img(href), { resources: { baseDir: dir } });
    assert.deepEqual(pixel(PNG.sync.read(out), 20, 20), [0, 0, 0, 0], `${href} escapes baseDir and is not drawn`);
  }
});

test('PDF: multi-page, valid for qpdf, text extractable, rasterises like the PNG', async (t) => {
  const page = (word, fill) => svg(300, 120, `<rect width="300" height="120" fill="${fill}"/><text x="20" y="70" font-size="40" font-family="sans-serif">${word}</text>`);
  const { data, info } = await corepool.render([page('Invoice', '#ffffff'), page('Total', '#eeeeff')], { format: 'pdf', info: true });
  assert.equal(data.subarray(0, 5).toString(), '%PDF-');
  assert.equal(info.pages, 2);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corepool-pdf-'));
  const file = path.join(dir, 'doc.pdf');
  fs.writeFileSync(file, data);
  const has = (tool) => spawnSync(tool, ['-v']).error === undefined;
  if (!has('qpdf') || !has('pdftotext') || !has('pdftoppm')) {
    // CI installs them (.ci/run): there, a missing tool is a failure, not a skip.
    assert.ok(!process.env.CI, 'qpdf / poppler-utils must be installed in CI');
    t.diagnostic('qpdf / poppler-utils not installed: PDF tool checks skipped (apt-get install qpdf poppler-utils)');
    return;
  }
  const q = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' });
  assert.equal(q.status, 0, q.stdout + q.stderr);
  const text = spawnSync('pdftotext', [file, '-'], { encoding: 'utf8' }).stdout;
  assert.match(text, /Invoice/);
  assert.match(text, /Total/);
  spawnSync('pdftoppm', ['-png', '-r', '72', '-f', '1', '-l', '1', file, path.join(dir, 'p')]);
  const raster = PNG.sync.read(fs.readFileSync(fs.readdirSync(dir).filter((f) => f.endsWith('.png')).map((f) => path.join(dir, f))[0]));
  const ours = PNG.sync.read(await corepool.render(page('Invoice', '#ffffff'), { background: 'white' }));
  assert.deepEqual([raster.width, raster.height], [ours.width, ours.height]);
  let bad = 0;
  for (let i = 0; i < ours.data.length; i += 4) {
    const d = Math.max(...[0, 1, 2].map((c) => Math.abs(ours.data[i + c] - raster.data[i + c])));
    if (d > 64) bad++;
  }
  assert.ok(bad / (ours.width * ours.height) < 0.03, `${bad} pixels differ between pdftoppm and the PNG render`);
});

test('malformed and hostile SVG reject with ERR_DECODE / ERR_LIMIT; truncated and mutated inputs always settle', async () => {
  await assert.rejects(corepool.render('<svg'), { code: 'ERR_DECODE' });
  await assert.rejects(corepool.render('not xml at all'), { code: 'ERR_DECODE' });
  await assert.rejects(corepool.render(svg(100000, 100000, '')), { code: 'ERR_LIMIT' });
  await assert.rejects(corepool.render(svg(1000, 1000, ''), { maxPixels: 999999 }), { code: 'ERR_LIMIT' });
  await assert.rejects(corepool.render(svg(10, 10, ''), { maxInputBytes: 20 }), { code: 'ERR_LIMIT' });
  const deep = svg(10, 10, '<g>'.repeat(5000) + '</g>'.repeat(5000));
  await assert.rejects(corepool.render(deep), { code: 'ERR_LIMIT' });
  const lol = `<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&f;&f;&f;&f;&f;&f;&f;&f;</text></svg>`;
  // roxmltree refuses this one (6 levels) itself; the 9-level one in bombs.test.js gets ERR_LIMIT from our entity scan.
  await assert.rejects(corepool.render(lol), { code: 'ERR_DECODE', message: /entity reference loop/ });
  await assert.rejects(corepool.render(svg(10, 10, ''), { format: 'gif' }), { code: 'ERR_INVALID_ARG_VALUE' });

  const card = fs.readFileSync(path.join(__dirname, 'fixtures', 'render', 'social_card.svg'));
  let seed = 12345;
  const rand = (n) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  const jobs = [];
  for (let i = 0; i < 60; i++) {
    let input;
    if (i % 2 === 0) input = card.subarray(0, rand(card.length));
    else {
      input = Buffer.from(card);
      for (let k = 0; k < 20; k++) input[rand(input.length)] = rand(256);
    }
    jobs.push(
      corepool.render(input, { width: 300 }).then(
        (out) => assert.equal(out.subarray(1, 4).toString(), 'PNG'),
        (e) => assert.ok(['ERR_DECODE', 'ERR_LIMIT'].includes(e.code), `${e.code}: ${e.message}`),
      ),
    );
  }
  await Promise.all(jobs);
});

test('registerFont adds faces (process-wide); bad font data rejects with ERR_DECODE', async () => {
  const font = fs.readFileSync(path.join(__dirname, '..', 'fonts', 'DejaVuSans.ttf'));
  assert.ok((await corepool.registerFont(font)) >= 1);
  await assert.rejects(corepool.registerFont(Buffer.from('not a font')), { code: 'ERR_DECODE' });
  await assert.rejects(corepool.registerFont('x'), { code: 'ERR_INVALID_ARG_TYPE' });
});

test('hostile SVG is refused, never kills the process: a 255-byte filter region bomb, CSS, text and paint budgets', async () => {
  // resvg would allocate a 160 GB pixmap for this filter region and abort.
  const bomb =
    '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><filter id="f" filterUnits="userSpaceOnUse" x="-100000" y="-100000" width="200000" height="200000"><feFlood flood-color="red"/></filter><rect width="10" height="10" filter="url(#f)"/></svg>';
  for (const format of ['png', 'jpeg', 'webp']) {
    await assert.rejects(corepool.render(bomb, { format }), { code: 'ERR_LIMIT', message: /filter region/ });
  }
  // The pool is still there and renders.
  assert.equal(PNG.sync.read(await corepool.render(svg(4, 4, '<rect width="4" height="4"/>'))).width, 4);

  const words = svg(100, 40, `<text y="20">${Array.from({ length: 16000 }, (_, i) => `w${i}`).join(' ')}</text>`);
  await assert.rejects(corepool.render(words, { systemFonts: false }), { code: 'ERR_LIMIT', message: /textCharsPerElement/ });
  const rules = Array.from({ length: 16000 }, (_, i) => `.c${i}{fill:#${(i % 4096).toString(16).padStart(3, '0')}}`).join('\n');
  await assert.rejects(corepool.render(svg(10, 10, `<style>${rules}</style><rect class="c1" width="5" height="5"/>`)), {
    code: 'ERR_LIMIT',
    message: /cssSteps/,
  });
  const fills = svg(1000, 1000, '<rect width="1000" height="1000"/>'.repeat(1500));
  await assert.rejects(corepool.render(fills), { code: 'ERR_LIMIT', message: /paintPixels/ });
  // Each budget can be raised for trusted input.
  const out = await corepool.render(fills, { limits: { paintPixels: 2e9 }, compressionLevel: 1 });
  assert.deepEqual(pixel(PNG.sync.read(out), 500, 500), [0, 0, 0, 255]);
});

test('options.limits is validated', async () => {
  const s = svg(4, 4, '');
  await assert.rejects(corepool.render(s, { limits: { paint: 1 } }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.limits/ });
  await assert.rejects(corepool.render(s, { limits: { textChars: 0 } }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.limits\.textChars/ });
  await assert.rejects(corepool.render(s, { limits: { cssSteps: '5' } }), { code: 'ERR_INVALID_ARG_TYPE' });
  await assert.rejects(corepool.render(s, { limits: 5 }), { code: 'ERR_INVALID_ARG_TYPE' });
  const tight = svg(10, 10, '<text y="8">abcdef</text>');
  await assert.rejects(corepool.render(tight, { limits: { textCharsPerElement: 5 } }), { code: 'ERR_LIMIT' });
  assert.ok((await corepool.render(tight, { limits: { textCharsPerElement: 6 } })).length > 0);
});

test('a timed-out render rejects with ERR_TIMEOUT and its 1-thread pool runs the next task', async () => {
  const pool = new corepool.Pool({ threads: 1 });
  try {
    // ~0.5 s of painting on an idle machine, allowed by raised limits.
    const heavy = svg(1000, 1000, '<circle cx="500" cy="500" r="450" fill="#0008"/>'.repeat(6000));
    const slow = pool.render(heavy, { timeout: 20, limits: { paintPixels: 1e10 } });
    const next = pool.digest('abc', 'sha256', { encoding: 'hex' });
    await assert.rejects(slow, { code: 'ERR_TIMEOUT' });
    assert.equal(await next, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const s = pool.stats();
    assert.equal(s.running, 0);
    assert.equal(s.queued, 0);
  } finally {
    await pool.close();
  }
});
