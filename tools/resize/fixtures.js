// Generates tests/fixtures/* with sharp 0.35.5 (libvips 8.18.7). Run: node fixtures.js
// All outputs are synthetic (solid colour blocks), so no third-party image licence applies.
const sharp = require('sharp'); const fs = require('fs');
const out = '../tests/fixtures';
const blocks = async (w, h) => {
  // 3 columns: red, green, blue over a 2-row split (top bright, bottom dark).
  const cols = [[230, 40, 40], [40, 200, 60], [40, 60, 220], [250, 250, 250], [120, 120, 120], [20, 20, 20]];
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const c = cols[Math.floor(y / (h / 2)) * 3 + Math.floor(x / (w / 3))];
    raw.set(c, (y * w + x) * 3);
  }
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } });
};
(async () => {
  // CMYK JPEG (Adobe, inverted) embedding libvips' built-in CMYK ICC profile.
  await (await blocks(48, 32)).toColourspace('cmyk').jpeg({ quality: 95 }).toFile(`${out}/cmyk_noicc.jpg`);
  await (await blocks(48, 32)).toColourspace('cmyk').withIccProfile('cmyk').jpeg({ quality: 95 }).toFile('/tmp/cmyk_icc.jpg'); // 960 KB: not committed
  await sharp('/tmp/cmyk_icc.jpg').png().toFile('/tmp/cmyk_icc.jpg.sharp.png');
  // Display P3 tagged JPEG (wide gamut): sharp converts to sRGB by default.
  await (await blocks(48, 32)).withIccProfile('p3').jpeg({ quality: 95 }).toFile(`${out}/p3.jpg`);
  // Adam7-interlaced PNG.
  await (await blocks(48, 32)).png({ progressive: true }).toFile(`${out}/interlaced.png`);
  // Ground truth: sharp's sRGB decode of each, as raw RGB PNG.
  for (const f of ['cmyk_noicc.jpg', 'p3.jpg', 'interlaced.png'])
    await sharp(`${out}/${f}`).png().toFile(`${out}/${f}.sharp.png`);
  for (const f of fs.readdirSync(out)) console.log(f, fs.statSync(`${out}/${f}`).size, JSON.stringify(await sharp(`${out}/${f}`).metadata().then(m => [m.format, m.space, m.channels, m.isProgressive, !!m.icc])));
})();
