'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const corepool = require('..');

test('sha256 and sha512 equal node:crypto on random data up to 64 MiB and on empty input', async () => {
  const sizes = [0, 1, 55, 56, 64, 1000, 1 << 20, (1 << 20) + 1, 5 * 1024 * 1024 + 3, 64 * 1024 * 1024];
  for (const size of sizes) {
    const data = crypto.randomBytes(size);
    for (const algo of ['sha256', 'sha512']) {
      const got = await corepool.digest(data, algo);
      assert.ok(Buffer.isBuffer(got));
      assert.deepEqual(got, crypto.createHash(algo).update(data).digest(), `${algo} of ${size} bytes`);
    }
  }
});

test('blake3 and xxh3-64 known answers', async () => {
  // BLAKE3 test vector: empty input; XXH3-64 (seed 0) of the empty input is 0x2D06800538D394C2.
  assert.equal(await corepool.digest('', 'blake3', { encoding: 'hex' }), 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
  assert.equal(await corepool.digest(Buffer.alloc(0), 'xxh3-64', { encoding: 'hex' }), '2d06800538d394c2');
  // xxh3 canonical (big-endian) of "a": e6c632b61e964e1f (checked with the python-xxhash package).
  assert.equal(await corepool.digest('a', 'xxh3-64', { encoding: 'hex' }), 'e6c632b61e964e1f');
});

test('default algorithm is sha256; options form and encodings work', async () => {
  const want = crypto.createHash('sha256').update('abc').digest();
  assert.deepEqual(await corepool.digest('abc'), want);
  assert.equal(await corepool.digest('abc', { algorithm: 'sha256', encoding: 'base64' }), want.toString('base64'));
  assert.equal(await corepool.digest('abc', 'sha256', { encoding: 'hex' }), want.toString('hex'));
});

test('every binary view is read in place with the right bounds', async () => {
  const backing = crypto.randomBytes(4096);
  const slice = backing.subarray(100, 3000);
  const want = crypto.createHash('sha256').update(slice).digest('hex');
  const views = [
    slice,
    new Uint8Array(backing.buffer, backing.byteOffset + 100, 2900),
    new DataView(backing.buffer, backing.byteOffset + 100, 2900),
    new Uint16Array(backing.buffer, backing.byteOffset + 100, 1450),
  ];
  for (const v of views) assert.equal(await corepool.digest(v, 'sha256', { encoding: 'hex' }), want, v.constructor.name);
  const ab = new Uint8Array(slice).buffer;
  assert.equal(await corepool.digest(ab, 'sha256', { encoding: 'hex' }), want);
  const text = 'héllo wörld ✓';
  assert.equal(await corepool.digest(text, 'sha256', { encoding: 'hex' }), crypto.createHash('sha256').update(text, 'utf8').digest('hex'));
});

test('bad arguments reject with Node-style codes naming the argument', async () => {
  await assert.rejects(corepool.digest(42), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: /"data"/ });
  await assert.rejects(corepool.digest('x', 'md5'), { name: 'RangeError', code: 'ERR_INVALID_ARG_VALUE', message: /"algorithm"/ });
  await assert.rejects(corepool.digest('x', 'sha256', { encoding: 'utf9' }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.encoding/ });
  await assert.rejects(corepool.digest('x', 'sha256', { bogus: 1 }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.bogus/ });
  await assert.rejects(corepool.digest('x', 'sha256', { timeout: -1 }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.timeout/ });
  await assert.rejects(corepool.digest('x', 'sha256', { signal: {} }), { code: 'ERR_INVALID_ARG_TYPE', message: /options\.signal/ });
});

test('zero-copy: hashing a 256 MiB Buffer raises RSS by less than 16 MiB', async () => {
  const data = Buffer.alloc(256 * 1024 * 1024, 7); // touched, so resident
  await corepool.digest(Buffer.alloc(1)); // pool threads and completion state exist
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 1);
  const got = await corepool.digest(data, 'sha256');
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  assert.deepEqual(got, crypto.createHash('sha256').update(data).digest());
  assert.ok(peak - before < 16 * 1024 * 1024, `RSS grew by ${((peak - before) / 1048576).toFixed(1)} MiB`);
});
