#!/usr/bin/env node
// Writes the seed corpora under fuzz/corpus/<target>/ from the committed
// fixtures plus small generated images, SVGs, hash strings and digest inputs.
// The output is committed; rerun only to change the seeds:
//   node fuzz/make_seeds.js        (needs the devDependencies: sharp, @node-rs/argon2)
// Every seed is small (the whole corpus stays well under a few MB).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const ROOT = path.join(__dirname, '..');
const OUT = path.join(__dirname, 'corpus');
const sharp = require('sharp');
const argon2 = require('@node-rs/argon2');

function put(target, bytes) {
  const dir = path.join(OUT, target);
  fs.mkdirSync(dir, { recursive: true });
  const name = crypto.createHash('sha1').update(bytes).digest('hex');
  fs.writeFileSync(path.join(dir, name), bytes);
}

// Options trailers for the resize target (see fuzz/src/harness.rs
// resize_options): [w, h, fit|position, kernel|format, quality, flags,
// effort|compression, bg r, g, b, a, _].
const TRAILERS = [
  [32, 0, 0, 4, 79, 0, 4 + 7 * 6, 0, 0, 0, 255, 0], // width 33, defaults
  [16, 24, 1 + 5 * 2, 2 + 5 * 1, 89, 1, 0, 255, 255, 255, 255, 0], // contain, jpeg progressive
  [40, 40, 0 + 5 * 9, 3 + 5 * 3, 50, 2 | 16, 6, 0, 0, 0, 0, 0], // cover entropy, webp lossless, keep icc
  [0, 20, 4, 0 + 5 * 2, 10, 4 | 8 | 32, 3 + 7 * 9, 10, 20, 30, 40, 0], // outside, nearest, png level 9
];

function bmp24(w, h) {
  const row = Math.ceil((w * 3) / 4) * 4;
  const buf = Buffer.alloc(54 + row * h);
  buf.write('BM', 0, 'latin1');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(54, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(w, 18);
  buf.writeInt32LE(h, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(24, 28);
  buf.writeUInt32LE(row * h, 34);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = 54 + y * row + x * 3;
      buf[o] = x * 20;
      buf[o + 1] = y * 30;
      buf[o + 2] = 128;
    }
  }
  return buf;
}

async function images() {
  const fixtures = [
    '__test__/fixtures/resize/cmyk_noicc.jpg',
    '__test__/fixtures/resize/interlaced.png',
    '__test__/fixtures/resize/p3.jpg',
    '__test__/fixtures/resize/p3.jpg.sharp.png',
    '__test__/fixtures/render/golden/image.png',
  ].map((f) => fs.readFileSync(path.join(ROOT, f)));
  const photo = fs.readFileSync(path.join(ROOT, 'examples/express/fixtures/photo.jpg'));
  const small = sharp(photo).resize(48);
  const w = 12;
  const h = 9;
  const rgba = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) rgba.set([(i * 37) & 255, (i * 11) & 255, 200, i % 3 ? 255 : 90], i * 4);
  const raw = () => sharp(rgba, { raw: { width: w, height: h, channels: 4 } });
  const generated = [
    await small.clone().jpeg({ quality: 70 }).toBuffer(),
    await small.clone().jpeg({ progressive: true, quality: 60 }).toBuffer(),
    await small.clone().jpeg().withMetadata({ orientation: 6 }).toBuffer(),
    await small.clone().jpeg({ chromaSubsampling: '4:4:4' }).toBuffer(),
    await raw().png().toBuffer(),
    await raw().png({ palette: true, colours: 8 }).toBuffer(),
    await raw().greyscale().png().toBuffer(),
    await raw().png({ progressive: true }).toBuffer(),
    await raw().toColourspace('rgb16').png().toBuffer(),
    await raw().webp({ quality: 50 }).toBuffer(),
    await raw().webp({ lossless: true }).toBuffer(),
    await raw().gif().toBuffer(),
    await raw().tiff().toBuffer(),
    await raw().tiff({ compression: 'lzw' }).toBuffer(),
    bmp24(5, 3),
  ];
  try {
    const frame = await raw().png().toBuffer();
    generated.push(await sharp([frame, frame], { join: { animated: true } }).gif().toBuffer());
    generated.push(await sharp([frame, frame], { join: { animated: true } }).webp().toBuffer());
  } catch (e) {
    console.warn('no animated seeds:', e.message);
  }
  for (const img of [...fixtures, ...generated]) {
    put('metadata', img);
    for (const t of TRAILERS) put('resize', Buffer.concat([img, Buffer.from(t)]));
  }
}

const SVGS = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect x="2" y="2" width="20" height="10" fill="red" stroke="#000" stroke-width="2" rx="3"/><circle cx="30" cy="20" r="8" fill-opacity=".5"/></svg>`,
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40" width="40"><defs><filter id="f" x="-10%" y="-10%" width="120%" height="120%"><feGaussianBlur stdDeviation="2"/><feOffset dx="1" dy="1"/><feMerge><feMergeNode/><feMergeNode in="SourceGraphic"/></feMerge></filter></defs><rect width="20" height="20" filter="url(#f)"/></svg>`,
  `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><filter id="t" filterUnits="userSpaceOnUse" x="0" y="0" width="40" height="40" primitiveUnits="objectBoundingBox"><feTurbulence baseFrequency="0.05" numOctaves="2"/><feColorMatrix type="hueRotate" values="90"/><feComposite in2="SourceGraphic" operator="in"/></filter><circle cx="20" cy="20" r="15" filter="url(#t)"/></svg>`,
  `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><defs><mask id="m" maskUnits="userSpaceOnUse"><rect width="40" height="20" fill="#fff"/></mask><pattern id="p" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(30)"><circle cx="4" cy="4" r="3" fill="blue"/></pattern><clipPath id="c" clipPathUnits="objectBoundingBox"><circle cx=".5" cy=".5" r=".5"/></clipPath></defs><rect width="40" height="40" fill="url(#p)" mask="url(#m)" clip-path="url(#c)"/></svg>`,
  `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="60" height="30"><defs><g id="a"><path d="M0 0 L10 10 Q 15 0 20 10 C 25 20 30 0 35 5 A 5 5 0 0 1 40 10 Z" fill="none" stroke="green" marker-end="url(#mk)"/></g><marker id="mk" markerWidth="4" markerHeight="4" refX="2" refY="2"><circle cx="2" cy="2" r="2"/></marker></defs><use xlink:href="#a" transform="translate(5,5) scale(1.2)"/><use href="#a" x="20"/></svg>`,
  `<svg xmlns="http://www.w3.org/2000/svg" width="80" height="30"><style>.a{fill:#f0f;font-weight:bold} text > tspan{fill:blue}</style><text x="2" y="20" class="a" font-family="sans-serif" font-size="12">Hi <tspan dy="2">there</tspan></text><text x="2" y="28" font-size="6" textLength="60" lengthAdjust="spacingAndGlyphs" writing-mode="lr" letter-spacing="1">stretch me</text></svg>`,
  `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><linearGradient id="g" gradientTransform="rotate(45)" spreadMethod="reflect"><stop offset="0" stop-color="red"/><stop offset=".5" stop-color="#0f08"/><stop offset="1" stop-color="blue"/></linearGradient><radialGradient id="r" fx=".2" fy=".2" href="#g"/><rect width="20" height="40" fill="url(#g)"/><rect x="20" width="20" height="40" fill="url(#r)"/></svg>`,
  `<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><image width="20" height="20" href="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVR4nGP4z8DwHwiZGBgYGBgYGABJ9gT+VhAT2wAAAABJRU5ErkJggg=="/><svg x="5" y="5" width="10" height="10" viewBox="0 0 1 1" preserveAspectRatio="xMidYMid slice"><rect width="1" height="1" fill="orange"/></svg></svg>`,
  `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "<rect width='5' height='5'/>"><!ENTITY b "&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">&b;</svg>`,
  `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><g opacity=".5" transform="matrix(1 .2 -.2 1 5 5)" style="mix-blend-mode:multiply;isolation:isolate"><rect width="10" height="10" fill="red"/><ellipse cx="20" cy="20" rx="10" ry="4"/><polyline points="0,0 10,30 20,5" stroke="black" stroke-dasharray="2 1" stroke-linejoin="round"/><polygon points="30,30 39,39 30,39"/><line x1="0" y1="39" x2="39" y2="0" stroke="red" vector-effect="non-scaling-stroke"/></g></svg>`,
  `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><filter id="l"><feFlood flood-color="gold"/><feComposite in2="SourceAlpha" operator="in"/><feMorphology radius="1" operator="dilate"/><feDropShadow dx="1" dy="1" stdDeviation="1"/><feConvolveMatrix order="3" kernelMatrix="0 1 0 1 -4 1 0 1 0"/><feComponentTransfer><feFuncR type="gamma" amplitude="2" exponent="3"/></feComponentTransfer><feDiffuseLighting surfaceScale="2"><feDistantLight azimuth="45" elevation="30"/></feDiffuseLighting><feTile/></filter><rect width="30" height="30" filter="url(#l)"/></svg>`,
  `<svg xmlns="http://www.w3.org/2000/svg" width="30" height="30"><filter id="i" x="0" y="0" width="1" height="1"><feImage href="#s"/><feSpecularLighting specularExponent="5"><fePointLight x="5" y="5" z="10"/></feSpecularLighting><feDisplacementMap in="SourceGraphic" scale="4"/><feBlend mode="screen"/></filter><rect id="s" width="10" height="10" fill="red"/><rect width="30" height="30" filter="url(#i) blur(1px) drop-shadow(1px 1px 1px red)"/></svg>`,
  // Hostile shapes from src/tasks/render/hostile_tests.rs (refused with ERR_LIMIT).
  `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><filter id="f" filterUnits="userSpaceOnUse" x="-100000" y="-100000" width="200000" height="200000"><feFlood flood-color="red"/></filter><rect width="10" height="10" filter="url(#f)"/></svg>`,
  `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><filter id="f" x="-5000" y="-5000" width="10000" height="10000"><feFlood flood-color="red"/></filter><rect width="20" height="20" filter="url(#f)"/></svg>`,
  `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><filter id="f" filterUnits="userSpaceOnUse" x="0" y="0" width="100" height="100"><feTurbulence baseFrequency="0.1"/></filter><g transform="scale(30)"><g transform="scale(10)"><rect width="1" height="1" filter="url(#f)"/></g></g></svg>`,
  `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><style>x g g g g g g g g g g g g rect{fill:red;}</style><g><g><g><rect width="5" height="5"/></g></g></g></svg>`,
  `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><defs><g id="t0"><text y="10">abcdefghij</text></g><g id="t1"><use href="#t0"/><use href="#t0"/></g><g id="t2"><use href="#t1"/><use href="#t1"/></g></defs><use href="#t2"/><use href="#t2" x="5"/></svg>`,
];

async function svgs() {
  const files = ['docs/benchmarks.svg'];
  for (const f of fs.readdirSync(path.join(ROOT, '__test__/fixtures/render/golden'))) {
    if (f.endsWith('.svg')) files.push(path.join('__test__/fixtures/render/golden', f));
  }
  const all = files.map((f) => fs.readFileSync(path.join(ROOT, f)));
  all.push(...SVGS.map((s) => Buffer.from(s)));
  for (const s of all) {
    put('render_png', s);
    put('render_pdf', s);
  }
  // The social card is 60 KB: raster only, and one two-page PDF.
  put('render_png', fs.readFileSync(path.join(ROOT, '__test__/fixtures/render/social_card.svg')));
  put('render_pdf', Buffer.concat([all[1], Buffer.from([0]), all[2]]));
}

async function hashes() {
  const vectors = JSON.parse(fs.readFileSync(path.join(ROOT, '__test__/fixtures/bcrypt_vectors.json')));
  const seen = new Set();
  for (const v of vectors) {
    const pw = v.password_hex !== undefined ? Buffer.from(v.password_hex, 'hex') : Buffer.from(v.password);
    const key = v.hash.slice(0, 4) + (v.password_hex !== undefined);
    if (seen.has(key) && seen.size > 12) continue;
    seen.add(key);
    put('hash_verify', Buffer.concat([Buffer.from(v.hash + '\n'), pw]));
  }
  const salt = Buffer.from('saltsaltsaltsalt');
  for (const [algorithm, memoryCost, timeCost, parallelism, extra] of [
    [2, 64, 1, 1, ''], // Argon2id
    [2, 256, 2, 2, ''],
    [0, 32, 1, 1, ''], // Argon2d
    [1, 64, 3, 4, ''], // Argon2i
  ]) {
    const h = await argon2.hash('password', { algorithm, memoryCost, timeCost, parallelism, salt, outputLen: 16 + extra.length });
    put('hash_verify', Buffer.from(h + '\npassword'));
  }
  put('hash_verify', Buffer.from('$argon2id$v=19$m=64,t=1,p=1,keyid=AAAA,data=AAAA$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAA\npw'));
  put('hash_verify', Buffer.from('$argon2i$m=32,t=1,p=1$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAA\npw'));
  put('hash_verify', Buffer.from('\nhunter2'));
  put('hash_verify', Buffer.from('\n\u00e9t\u00e9 argon'));
  put('hash_verify', Buffer.from('\nx'.padEnd(80, 'y')));
}

function digests() {
  for (const [name, body] of [
    ['sha256', 'abc'],
    ['sha512', ''],
    ['blake3', 'The quick brown fox'],
    ['xxh3-64', '0123456789abcdef'],
    ['xxh3', 'x'],
    ['md5', 'nope'],
  ]) {
    put('digest', Buffer.from(`${name}\n${body}`));
  }
}

(async () => {
  fs.rmSync(OUT, { recursive: true, force: true });
  await images();
  await svgs();
  await hashes();
  digests();
  for (const t of fs.readdirSync(OUT)) {
    const files = fs.readdirSync(path.join(OUT, t));
    const bytes = files.reduce((n, f) => n + fs.statSync(path.join(OUT, t, f)).size, 0);
    console.log(`${t}: ${files.length} seeds, ${bytes} bytes`);
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
