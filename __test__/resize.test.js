'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const sharp = require('sharp');
const { PNG } = require('pngjs');
const corepool = require('..');

// A real photo (CC0, see fixtures/README.md): 1600×900 progressive JPEG.
const PHOTO = path.join(__dirname, 'fixtures', 'resize', 'seeding_1600.jpg');

// A 60x40 test card: four coloured quadrants, as raw RGB, made into any format by sharp.
function card(w = 60, h = 40) {
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const q = (y < h / 2 ? 0 : 2) + (x < w / 2 ? 0 : 1);
      raw.set([[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]][q], (y * w + x) * 3);
    }
  }
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } });
}

test('metadata() agrees with sharp on JPEG, PNG, WebP, GIF and a photo, reading headers only', async () => {
  const inputs = {
    jpeg: await card().jpeg().toBuffer(),
    png: await card().png().toBuffer(),
    webp: await card().webp().toBuffer(),
    gif: await card().gif().toBuffer(),
    alpha: await card().ensureAlpha(0.5).png().toBuffer(),
  };
  inputs.photo = fs.readFileSync(PHOTO);
  for (const [name, buf] of Object.entries(inputs)) {
    const mine = await corepool.metadata(buf);
    const theirs = await sharp(buf).metadata();
    assert.equal(mine.format, theirs.format, name);
    assert.deepEqual([mine.width, mine.height], [theirs.width, theirs.height], name);
    assert.equal(mine.hasAlpha, theirs.hasAlpha, name);
    assert.equal(mine.channels, theirs.channels, name);
  }
});

test('fit modes give the output dimensions sharp gives', async () => {
  const src = await card(300, 200).jpeg().toBuffer();
  for (const fit of ['cover', 'contain', 'fill', 'inside', 'outside']) {
    for (const [w, h] of [[100, 100], [150, undefined], [undefined, 50], [400, 100], [90, 260]]) {
      for (const withoutEnlargement of [false, true]) {
        const { info } = await corepool.resize(src, { width: w, height: h, fit, withoutEnlargement, info: true });
        const theirs = await sharp(src).resize({ width: w, height: h, fit, withoutEnlargement }).toBuffer({ resolveWithObject: true });
        assert.deepEqual([info.width, info.height], [theirs.info.width, theirs.info.height], `${fit} ${w}x${h} woe=${withoutEnlargement}`);
      }
    }
  }
});

test('EXIF orientation is applied (pixels prove the rotation) and the output has no orientation tag', async () => {
  const tagged = await card().jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer(); // 90° clockwise on display
  assert.equal((await corepool.metadata(tagged)).orientation, 6);
  const out = await corepool.resize(tagged, { format: 'png', info: true });
  assert.deepEqual([out.info.width, out.info.height], [40, 60]);
  const png = PNG.sync.read(out.data);
  const at = (x, y) => [...png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3)];
  const near = (a, b) => a.every((v, i) => Math.abs(v - b[i]) < 40);
  // stored top-left (red) is displayed top-right after a 90° clockwise turn
  assert.ok(near(at(35, 5), [255, 0, 0]), `top-right is red: ${at(35, 5)}`);
  assert.ok(near(at(5, 5), [0, 0, 255]), `top-left is blue: ${at(5, 5)}`);
  const again = await corepool.metadata(await corepool.resize(tagged, { width: 20 }));
  assert.ok(again.orientation === undefined || again.orientation === 1);
});

test('a real photo resized to 800 px matches sharp (lanczos3, no fast shrink-on-load) at >= 38 dB PSNR', async () => {
  const input = fs.readFileSync(PHOTO);
  const mine = PNG.sync.read(await corepool.resize(input, { width: 800, format: 'png', fastShrinkOnLoad: false }));
  const theirs = PNG.sync.read(await sharp(input).resize({ width: 800, kernel: 'lanczos3', fastShrinkOnLoad: false }).png().toBuffer());
  assert.deepEqual([mine.width, mine.height], [theirs.width, theirs.height]);
  let se = 0;
  let n = 0;
  for (let i = 0; i < mine.data.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const d = mine.data[i + c] - theirs.data[i + c];
      se += d * d;
      n++;
    }
  }
  const psnr = 10 * Math.log10((255 * 255) / (se / n));
  assert.ok(psnr >= 38, `PSNR ${psnr.toFixed(1)} dB`);
});

test('formats: JPEG/PNG/WebP outputs, same family by default, quality changes size', async () => {
  const src = await card(200, 120).png().toBuffer();
  assert.equal((await corepool.resize(src, { width: 50, info: true })).info.format, 'png');
  const webp = await corepool.resize(src, { width: 50, format: 'webp' });
  assert.equal(webp.subarray(8, 12).toString(), 'WEBP');
  const photo = fs.existsSync(PHOTO) ? fs.readFileSync(PHOTO) : await card(800, 600).jpeg().toBuffer();
  const lo = await corepool.resize(photo, { width: 400, quality: 30 });
  const hi = await corepool.resize(photo, { width: 400, quality: 95 });
  assert.deepEqual([...lo.subarray(0, 2)], [0xff, 0xd8]);
  assert.ok(hi.length > lo.length);
});

test('malformed input rejects with ERR_DECODE / ERR_UNSUPPORTED_FORMAT / ERR_LIMIT, never crashes', async () => {
  await assert.rejects(corepool.resize(Buffer.from('GIF89a-not-really'), { width: 10 }), { code: 'ERR_DECODE' });
  await assert.rejects(corepool.resize(Buffer.from('%PDF-1.7 nope'), { width: 10 }), { code: 'ERR_UNSUPPORTED_FORMAT' });
  await assert.rejects(corepool.metadata(Buffer.alloc(0)), { code: 'ERR_UNSUPPORTED_FORMAT' });
  // PNG header claiming 100000 x 100000: refused from the header, nothing allocated
  const sig = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(100000, 0);
  ihdr.writeUInt32BE(100000, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32 ? zlib.crc32(Buffer.concat([Buffer.from(type), data])) : 0);
    return Buffer.concat([len, Buffer.from(type), data, crc]);
  };
  const bomb = Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.alloc(1000))), chunk('IEND', Buffer.alloc(0))]);
  const rss = process.memoryUsage().rss;
  await assert.rejects(corepool.resize(bomb, { width: 10 }), { code: 'ERR_LIMIT' });
  assert.ok(process.memoryUsage().rss - rss < 256 * 1048576);
  await assert.rejects(corepool.resize(await card().png().toBuffer(), { width: 10, maxInputPixels: 100 }), { code: 'ERR_LIMIT' });

  const good = [await card().jpeg().toBuffer(), await card().png().toBuffer(), await card().webp().toBuffer(), await card().gif().toBuffer()];
  let seed = 99;
  const rand = (n) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  const jobs = [];
  for (const g of good) {
    for (let i = 0; i < 25; i++) {
      let input;
      if (i % 3 === 0) input = g.subarray(0, rand(g.length));
      else if (i % 3 === 1) {
        input = Buffer.from(g);
        for (let k = 0; k < 8; k++) input[rand(input.length)] ^= 1 << rand(8);
      } else input = Buffer.from(Array.from({ length: 200 }, () => rand(256)));
      jobs.push(
        corepool.resize(input, { width: 17 }).then(
          (out) => assert.ok(out.length > 0),
          (e) => assert.ok(['ERR_DECODE', 'ERR_UNSUPPORTED_FORMAT', 'ERR_LIMIT'].includes(e.code), `${e.code}: ${e.message}`),
        ),
      );
    }
  }
  await Promise.all(jobs);
});

test('argument errors name the option', async () => {
  const src = await card().png().toBuffer();
  await assert.rejects(corepool.resize('x'), { code: 'ERR_INVALID_ARG_TYPE', message: /"input"/ });
  await assert.rejects(corepool.resize(src, { width: 0 }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.width/ });
  await assert.rejects(corepool.resize(src, { fit: 'stretch' }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.fit/ });
  await assert.rejects(corepool.resize(src, { format: 'avif' }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.format/ });
  await assert.rejects(corepool.resize(src, { quality: 101 }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.quality/ });
  await assert.rejects(corepool.resize(src, { bogus: 1 }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.bogus/ });
});
