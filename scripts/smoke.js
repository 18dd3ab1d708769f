'use strict';
// A smoke test of an installed corepool: one hash, resize, render and digest
// with known answers. Run from an app that installed corepool (require and
// import), or with COREPOOL_NATIVE_LIBRARY_PATH naming a binary to check.
const assert = require('node:assert/strict');
const zlib = require('node:zlib');

function redPng() {
  // An 8×8 red RGB PNG built with zlib (no image library needed; zlib.crc32 is in Node ≥ 20.15).
  const w = 8;
  const raw = Buffer.alloc((w * 3 + 1) * w);
  for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) raw.set([255, 0, 0], y * (w * 3 + 1) + 1 + x * 3);
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(w, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

async function smoke(corepool) {
  assert.equal(await corepool.digest('abc', 'sha256', { encoding: 'hex' }), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  const h = await corepool.hash('correct horse', { cost: 4 });
  assert.match(h, /^\$2b\$04\$/);
  assert.equal(await corepool.verify('correct horse', h), true);
  assert.equal(await corepool.verify('wrong', h), false);
  const meta = await corepool.metadata(await corepool.resize(redPng(), { width: 4, format: 'png' }));
  assert.deepEqual([meta.format, meta.width, meta.height], ['png', 4, 4]);
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="6" height="3"><rect width="6" height="3" fill="#00f"/></svg>';
  const rendered = await corepool.metadata(await corepool.render(svg));
  assert.deepEqual([rendered.format, rendered.width, rendered.height], ['png', 6, 3]);
  const pdf = await corepool.render(svg, { format: 'pdf' });
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  return 'digest, hash/verify, resize, metadata, render (PNG, PDF): ok';
}

module.exports = { smoke };

if (require.main === module) {
  // COREPOOL_SMOKE_MODULE=corepool: the package installed in the current directory.
  const id = process.env.COREPOOL_SMOKE_MODULE;
  smoke(require(id ? require.resolve(id, { paths: [process.cwd()] }) : '..')).then(
    (msg) => console.log(`smoke (${process.arch}, Node ${process.version}): ${msg}`),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
