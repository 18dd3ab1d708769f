'use strict';
// Decompression and expansion bombs, one per way a small input can claim a
// huge amount of memory or work (issue #15's list). Each entry says which
// call it goes to and which codes are acceptable. Used by
// __test__/bombs.test.js (codes, peak RSS) and bench/bombs.js (timings).
//
// Run as a script, it settles every bomb on the default pool, one at a time,
// and prints one JSON line: { results: [{ name, code, message, ms }], maxRssMB }.
// The inputs are built with streaming zlib so that building them does not
// raise the process's peak RSS (the thing measured).
const zlib = require('node:zlib');

const MB = 1 << 20;

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([len, body, crc]);
}

function png(width, height, bitDepth, colorType, idat) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([bitDepth, colorType, 0, 0, 0], 8);
  const sig = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * `head`, then `total` bytes of `fill`, then `tail`, compressed by one zlib
 * stream (`gzip` or deflate) without ever holding the inflated bytes.
 */
function compressRepeated(total, fill, gzip, head = Buffer.alloc(0), tail = Buffer.alloc(0)) {
  const piece = Buffer.alloc(16 * MB, fill);
  const z = gzip ? zlib.createGzip({ level: 9, memLevel: 9 }) : zlib.createDeflate({ level: 9, memLevel: 9 });
  const out = [];
  z.on('data', (d) => out.push(d));
  return new Promise((resolve, reject) => {
    z.on('error', reject);
    z.on('end', () => resolve(Buffer.concat(out)));
    let left = total;
    z.write(head);
    const write = () => {
      while (left > 0) {
        const n = Math.min(left, piece.length);
        left -= n;
        if (!z.write(n === piece.length ? piece : piece.subarray(0, n))) return z.once('drain', write);
      }
      z.end(tail);
    };
    write();
  });
}

function tiff(width, height) {
  const b = Buffer.alloc(8 + 2 + 12 * 6 + 4);
  b.write('II', 0, 'latin1');
  b.writeUInt16LE(42, 2);
  b.writeUInt32LE(8, 4);
  b.writeUInt16LE(6, 8);
  const entry = (i, tag, type, value) => {
    const o = 10 + i * 12;
    b.writeUInt16LE(tag, o);
    b.writeUInt16LE(type, o + 2);
    b.writeUInt32LE(1, o + 4);
    b.writeUInt32LE(value, o + 8);
  };
  entry(0, 256, 4, width); // ImageWidth
  entry(1, 257, 4, height); // ImageLength
  entry(2, 258, 3, 8); // BitsPerSample
  entry(3, 259, 3, 1); // Compression: none
  entry(4, 262, 3, 1); // Photometric: black is zero
  entry(5, 273, 4, 0); // StripOffsets
  return b;
}

/** A baseline JPEG whose SOF0 claims `width`×`height` (65535² at most: 16-bit fields). */
function jpeg(width, height) {
  const sof = Buffer.from([0xff, 0xc0, 0, 11, 8, height >> 8, height & 255, width >> 8, width & 255, 1, 1, 0x11, 0]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), sof, Buffer.from([0xff, 0xd9])]);
}

const svg = (w, h, body) =>
  `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${w}" height="${h}">${body}</svg>`;

function billionLaughs() {
  let dtd = '<!ENTITY a "aaaaaaaaaa">';
  const names = 'abcdefghij';
  for (let i = 1; i < names.length; i++) dtd += `<!ENTITY ${names[i]} "${`&${names[i - 1]};`.repeat(10)}">`;
  return `<?xml version="1.0"?><!DOCTYPE svg [${dtd}]>${svg(10, 10, '<text>&j;</text>')}`;
}

function useFanOut() {
  let defs = '<rect id="l0" width="1" height="1"/>';
  for (let i = 1; i <= 9; i++) defs += `<g id="l${i}">${`<use xlink:href="#l${i - 1}"/>`.repeat(10)}</g>`;
  return svg(10, 10, `<defs>${defs}</defs><use xlink:href="#l9"/>`);
}

/**
 * The bombs: `{ name, call, make: async () => input, options, codes }`.
 * GIF and JPEG store sizes in 16 bits, so 65535² (4.3·10^9 px) is the most
 * they can claim; the other formats claim ≥ 10^10.
 */
const BOMBS = [
  { name: 'PNG header 100000×100000 (10^10 px)', call: 'resize', make: async () => png(100000, 100000, 8, 6, zlib.deflateSync(Buffer.alloc(1000))), codes: ['ERR_LIMIT'] },
  { name: 'WebP VP8X header 16777216² (2.8·10^14 px)', call: 'resize', make: async () => Buffer.concat([Buffer.from('RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0', 'latin1'), Buffer.alloc(6, 0xff)]), codes: ['ERR_LIMIT'] },
  { name: 'TIFF header 100000×100000 (10^10 px)', call: 'resize', make: async () => tiff(100000, 100000), codes: ['ERR_LIMIT'] },
  { name: 'GIF header 65535×65535 (4.3·10^9 px, the format max)', call: 'resize', make: async () => Buffer.from('GIF89a\xff\xff\xff\xff\x00\x00\x00\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b', 'latin1'), codes: ['ERR_LIMIT'] },
  { name: 'JPEG header 65535×65535 (4.3·10^9 px, the format max)', call: 'resize', make: async () => jpeg(65535, 65535), codes: ['ERR_LIMIT'] },
  {
    name: 'PNG zlib bomb: 11600² 16-bit RGBA, ~1 MB inflating to 1.08 GB',
    call: 'resize',
    make: async () => png(11600, 11600, 16, 6, await compressRepeated(11600 * (1 + 11600 * 8), 0, false)),
    codes: ['ERR_LIMIT'],
  },
  {
    name: 'PNG zlib bomb over maxInputPixels: 20000² gray, inflating to 400 MB',
    call: 'resize',
    make: async () => png(20000, 20000, 8, 0, await compressRepeated(20000 * 20001, 0, false)),
    codes: ['ERR_LIMIT'],
  },
  { name: 'SVG billion laughs (10^10 bytes of entities)', call: 'render', make: async () => billionLaughs(), codes: ['ERR_LIMIT'] },
  { name: 'SVG 10^5 nested groups', call: 'render', make: async () => svg(10, 10, '<g>'.repeat(100000) + '</g>'.repeat(100000)), codes: ['ERR_LIMIT'] },
  { name: 'SVG path of 10^6 segments', call: 'render', make: async () => svg(100, 100, `<path d="M0 0${' L1 1 L2 0'.repeat(500000)}"/>`), codes: ['ERR_LIMIT'] },
  { name: 'SVG <use> cycle a → b → a', call: 'render', make: async () => svg(10, 10, '<g id="a"><use xlink:href="#b"/></g><g id="b"><use xlink:href="#a"/></g><use xlink:href="#a"/>'), codes: ['ERR_DECODE'] },
  { name: 'SVG <use> referencing itself', call: 'render', make: async () => svg(10, 10, '<use id="a" xlink:href="#a"/>'), codes: ['ERR_DECODE'] },
  { name: 'SVG <use> fan-out 10^9 elements', call: 'render', make: async () => useFanOut(), codes: ['ERR_LIMIT'] },
  {
    name: 'SVG chain of 50 blurs over a 6000² canvas (under maxPixels)',
    call: 'render',
    make: async () => svg(6000, 6000, `<filter id="f">${'<feGaussianBlur stdDeviation="50"/>'.repeat(50)}</filter><rect width="6000" height="6000" filter="url(#f)"/>`),
    codes: ['ERR_LIMIT'],
  },
  {
    name: 'SVG filter region 2·10^5 px wide on a 100² canvas',
    call: 'render',
    make: async () => svg(100, 100, '<filter id="f" filterUnits="userSpaceOnUse" x="-100000" y="-100000" width="200000" height="200000"><feFlood flood-color="red"/></filter><rect width="10" height="10" filter="url(#f)"/>'),
    codes: ['ERR_LIMIT'],
  },
  {
    name: 'SVGZ gzip bomb: ~2 MB inflating to 2 GB',
    call: 'render',
    make: async () => compressRepeated(2 * 1024 * MB, 0x61, true, Buffer.from(svg(10, 10, '<!--').replace('</svg>', '')), Buffer.from('--></svg>')),
    codes: ['ERR_LIMIT'],
  },
];

/** Settles each bomb once on `corepool`; returns [{ name, code, message, ms, bytes }]. */
async function runBombs(corepool, bombs = BOMBS) {
  const out = [];
  for (const b of bombs) {
    const input = await b.make();
    const opts = b.call === 'resize' ? { width: 10 } : {};
    const t0 = process.hrtime.bigint();
    const res = await corepool[b.call](input, opts).then(
      (v) => ({ code: null, message: `resolved with ${v.length} bytes` }),
      (e) => ({ code: e.code, message: e.message }),
    );
    out.push({ name: b.name, bytes: input.length, ms: Number(process.hrtime.bigint() - t0) / 1e6, ...res });
  }
  return out;
}

module.exports = { BOMBS, runBombs };

if (require.main === module) {
  runBombs(require('../..')).then((results) => {
    process.stdout.write(`${JSON.stringify({ results, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
  });
}
