// Ground-truth output dimensions from sharp for a grid of resize options.
const sharp = require('sharp');
(async () => {
  const inputs = [[40, 30], [30, 40], [7, 5], [100, 100], [1, 9]];
  const targets = [[20, undefined], [undefined, 20], [20, 20], [60, 10], [10, 60], [200, 150], [3, 3], [50, 20]];
  const fits = ['cover', 'contain', 'fill', 'inside', 'outside'];
  const rows = [];
  for (const [iw, ih] of inputs) {
    const img = await sharp({ create: { width: iw, height: ih, channels: 3, background: '#888' } }).png().toBuffer();
    for (const [w, h] of targets) for (const fit of fits) for (const we of [false, true]) {
      const { info } = await sharp(img).resize({ width: w, height: h, fit, withoutEnlargement: we }).raw().toBuffer({ resolveWithObject: true });
      rows.push(`(${iw}, ${ih}, ${w ?? 0}, ${h ?? 0}, ${fit[0] + fit.slice(1)}, ${we}, ${info.width}, ${info.height}),`);
    }
  }
  console.log(rows.join('\n'));
  console.log('// sharp', sharp.versions);
})();
