'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const bcryptjs = require('bcryptjs');
const bcrypt = require('bcrypt');
const argon2 = require('@node-rs/argon2');
const corepool = require('..');
const vectors = require('./fixtures/bcrypt_vectors.json');
const { until } = require('./helpers/until');

const pw = (v) => (v.password_hex !== undefined ? Buffer.from(v.password_hex, 'hex') : v.password);

// Random passwords of 1..72 UTF-8 bytes, mixing ASCII and non-ASCII.
function randomPassword(i) {
  const alphabet = 'abcXYZ019 !~éüß中文😀\u00ff';
  const chars = [...alphabet];
  let s = '';
  const n = 1 + (i % 20);
  for (let k = 0; k < n; k++) s += chars[crypto.randomInt(chars.length)];
  while (Buffer.byteLength(s) > 72) s = s.slice(0, -1);
  return s;
}

test('known-answer vectors (Openwall crypt_blowfish, jBCrypt/OpenBSD, libxcrypt): verify', async () => {
  assert.ok(vectors.length >= 40);
  for (const v of vectors) {
    assert.equal(await corepool.verify(pw(v), v.hash), v.expect, `${JSON.stringify(v.password ?? v.password_hex)} vs ${v.hash}`);
  }
  const prefixes = new Set(vectors.map((v) => v.hash.slice(0, 4)));
  for (const p of ['$2a$', '$2b$', '$2y$']) assert.ok(prefixes.has(p), `vectors include ${p}`);
});

test('hash(): bcrypt defaults, versions, costs, and the result verifies', async () => {
  const h = await corepool.hash('correct horse', { cost: 4 });
  assert.match(h, /^\$2b\$04\$[./A-Za-z0-9]{53}$/);
  assert.equal(await corepool.verify('correct horse', h), true);
  assert.equal(await corepool.verify('correct horsf', h), false);
  for (const version of ['2a', '2y']) {
    const hv = await corepool.hash('pw', { cost: 4, version });
    assert.ok(hv.startsWith(`$${version}$04$`));
    assert.equal(await corepool.verify('pw', hv), true);
  }
  assert.deepEqual(corepool.parseHash(h), { algorithm: 'bcrypt', version: '2b', cost: 4 });
  assert.equal(corepool.getRounds(h), 4);
  assert.notEqual(await corepool.hash('same', { cost: 4 }), await corepool.hash('same', { cost: 4 }), 'fresh salts');
});

test('interop: corepool bcrypt hashes verify in bcryptjs and bcrypt, and theirs in corepool (random UTF-8 passwords)', async () => {
  const N = 200;
  const jobs = [];
  for (let i = 0; i < N; i++) {
    const p = randomPassword(i);
    jobs.push(
      (async () => {
        const mine = await corepool.hash(p, { cost: 4 });
        assert.equal(bcryptjs.compareSync(p, mine), true, `bcryptjs verifies ${p}`);
        assert.equal(bcrypt.compareSync(p, mine), true, `bcrypt verifies ${p}`);
        const theirs = i % 2 ? bcryptjs.hashSync(p, 4) : bcrypt.hashSync(p, 4);
        assert.equal(await corepool.verify(p, theirs), true, `corepool verifies ${theirs}`);
        assert.equal(await corepool.verify(`${p}x`, theirs), false);
      })(),
    );
  }
  await Promise.all(jobs);
});

test('interop: argon2id hashes go both ways with @node-rs/argon2', async () => {
  for (let i = 0; i < 20; i++) {
    const p = randomPassword(i * 7) + 'x'.repeat(i * 10); // argon2 has no 72-byte limit
    const mine = await corepool.hash(p, { algorithm: 'argon2id', memoryCost: 1024, timeCost: 1 });
    assert.match(mine, /^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    assert.equal(await argon2.verify(mine, p), true);
    const theirs = await argon2.hash(p, { memoryCost: 1024, timeCost: 1, parallelism: 1 });
    assert.equal(await corepool.verify(p, theirs), true);
    assert.equal(await corepool.verify(`${p}!`, theirs), false);
  }
  const d = await corepool.hash('x', { algorithm: 'argon2id' });
  assert.deepEqual(corepool.parseHash(d), { algorithm: 'argon2id', version: '19', memoryCost: 19456, timeCost: 2, parallelism: 1 });
});

test('strict bcrypt by default: > 72 bytes and NUL are refused; truncate opts into the old behaviour', async () => {
  const p72 = 'a'.repeat(72);
  const p73 = `${p72}b`;
  await assert.rejects(corepool.hash(p73, { cost: 4 }), { code: 'ERR_PASSWORD_TOO_LONG', name: 'CorepoolError' });
  await assert.rejects(corepool.hash('é'.repeat(37), { cost: 4 }), { code: 'ERR_PASSWORD_TOO_LONG' }); // 74 UTF-8 bytes
  await assert.rejects(corepool.hash('a\0b', { cost: 4 }), { code: 'ERR_INVALID_PASSWORD' });
  const t = await corepool.hash(p73, { cost: 4, truncate: true });
  assert.equal(await corepool.verify(p72, t), true, 'only the first 72 bytes were used');
  assert.equal(bcrypt.compareSync(p73, t), true);
  assert.ok((await corepool.hash(p72, { cost: 4 })).startsWith('$2b$04$'), '72 bytes is allowed');
  // argon2id has no such limits
  const a = await corepool.hash(`${'z'.repeat(200)}\0z`, { algorithm: 'argon2id', memoryCost: 64, timeCost: 1 });
  assert.equal(await corepool.verify(`${'z'.repeat(200)}\0z`, a), true);
});

test('malformed hashes reject with ERR_INVALID_HASH, not false', async () => {
  for (const h of ['', 'nope', '$2b$10$short', '$2b$99$' + 'a'.repeat(53), '$argon2id$v=19$m=1,t=1$zz', '$5$rounds=1$abc$def']) {
    await assert.rejects(corepool.verify('pw', h), { code: 'ERR_INVALID_HASH', name: 'CorepoolError' }, JSON.stringify(h));
  }
  assert.throws(() => corepool.parseHash('nope'), { code: 'ERR_INVALID_HASH' });
  assert.throws(() => corepool.getRounds('$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA'), { code: 'ERR_INVALID_HASH' });
});

test('needsRehash(): algorithm and cost changes', async () => {
  const b10 = await corepool.hash('pw', { cost: 10 });
  assert.equal(corepool.needsRehash(b10, { cost: 10 }), false);
  assert.equal(corepool.needsRehash(b10), true, 'default cost is 12');
  assert.equal(corepool.needsRehash(b10, { algorithm: 'argon2id' }), true);
  const a = await corepool.hash('pw', { algorithm: 'argon2id', memoryCost: 1024, timeCost: 1 });
  assert.equal(corepool.needsRehash(a, { algorithm: 'argon2id', memoryCost: 1024, timeCost: 1 }), false);
  assert.equal(corepool.needsRehash(a, { algorithm: 'argon2id' }), true);
  assert.equal(corepool.needsRehash(a, { cost: 12 }), true);
  assert.throws(() => corepool.needsRehash('garbage'), { code: 'ERR_INVALID_HASH' });
});

test('option and argument errors name the option', async () => {
  await assert.rejects(corepool.hash('x', { cost: 3 }), { name: 'RangeError', code: 'ERR_INVALID_ARG_VALUE', message: /options\.cost/ });
  await assert.rejects(corepool.hash('x', { cost: 32 }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.cost/ });
  await assert.rejects(corepool.hash('x', { algorithm: 'md5' }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.algorithm/ });
  await assert.rejects(corepool.hash('x', { version: '2x' }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.version/ });
  await assert.rejects(corepool.hash('x', { algorithm: 'argon2id', memoryCost: 4 }), { code: 'ERR_INVALID_ARG_VALUE', message: /memoryCost/ });
  await assert.rejects(corepool.hash('x', { algorithm: 'argon2id', timeCost: 0 }), { code: 'ERR_INVALID_ARG_VALUE', message: /timeCost/ });
  await assert.rejects(corepool.hash(42), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: /"password"/ });
  await assert.rejects(corepool.verify('x', 42), { code: 'ERR_INVALID_ARG_TYPE', message: /"hash"/ });
  await assert.rejects(corepool.hash('x', { truncate: 'yes' }), { code: 'ERR_INVALID_ARG_TYPE', message: /options\.truncate/ });
});

test('hash/verify honour signal and timeout', async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(corepool.hash('x', { cost: 4, signal: ac.signal }), { name: 'AbortError' });
  const pool = new corepool.Pool({ threads: 1 });
  const slow = pool.hash('x', { cost: 20, timeout: 50 }); // ~1 min of work if not stopped
  await assert.rejects(slow, { code: 'ERR_TIMEOUT' });
  await pool.close(); // only resolves once the bcrypt kernel reached a checkpoint
  assert.ok(pool.stats().runTime.max < 30000);
});

test('bcrypt tasks queued together are interleaved on one thread and each settles with its own answer', async () => {
  // One thread and 40 tasks at once: the pool batches up to 4 same-cost
  // bcrypt jobs per thread. Mixed costs, hash and verify, true and false
  // answers, one task aborted while queued.
  const pool = new corepool.Pool({ threads: 1 });
  const known = vectors.filter((v) => v.hash.startsWith('$2') && Number(v.hash.slice(4, 6)) <= 6).slice(0, 12);
  assert.ok(known.length >= 4);
  const ac = new AbortController();
  const tasks = [];
  for (let i = 0; i < 40; i++) {
    const password = randomPassword(i);
    if (i % 3 === 2) {
      const v = known[i % known.length];
      tasks.push(pool.verify(pw(v), v.hash).then((ok) => assert.equal(ok, v.expect, v.hash)));
    } else if (i === 19) {
      const p = pool.hash(password, { cost: 5, signal: ac.signal });
      tasks.push(assert.rejects(p, { name: 'AbortError' }));
    } else {
      const cost = 4 + (i % 2);
      tasks.push(
        pool.hash(password, { cost }).then((h) => {
          assert.equal(corepool.getRounds(h), cost);
          assert.ok(bcrypt.compareSync(password, h), `${password} ${h}`);
          assert.ok(!bcrypt.compareSync(`${password}x`, h));
        }),
      );
    }
  }
  ac.abort();
  await Promise.all(tasks);
  const s = pool.stats();
  assert.equal(s.cancelled, 1);
  assert.equal(s.completed, 39);
  assert.equal(s.failed, 0);
  assert.equal(s.inFlight, 0);
  await pool.close();
});

test('admission by memory: 64 argon2id hashes at 1 GiB each are refused before anything is allocated', async () => {
  const GiB = 2 ** 30;
  const pool = new corepool.Pool({ threads: 2, maxMemory: 2 * GiB });
  try {
    const ac = new AbortController();
    const opts = { algorithm: 'argon2id', memoryCost: 1024 * 1024, timeCost: 1, signal: ac.signal };
    const calls = Array.from({ length: 64 }, () => pool.hash('pw', opts));
    // Two fit in the 2 GiB budget; they are reserved (not yet necessarily running).
    assert.equal(pool.stats().memoryReserved, 2 * GiB);
    ac.abort();
    const results = await Promise.allSettled(calls);
    const codes = results.map((r) => r.reason && r.reason.code);
    assert.equal(codes.filter((c) => c === 'ERR_QUEUE_FULL').length, 62);
    assert.equal(codes.filter((c) => c === 'ABORT_ERR').length, 2);
    assert.match(results.find((r) => r.reason.code === 'ERR_QUEUE_FULL').reason.message, /memory budget/);
    // The aborted hashes give their memory back when their kernels stop.
    await until(() => pool.stats().memoryReserved === 0);
    // A hash needing more than the whole budget can never run: ERR_LIMIT.
    await assert.rejects(pool.hash('pw', { ...opts, signal: undefined, memoryCost: 3 * 1024 * 1024 }), { code: 'ERR_LIMIT', message: /maxMemory/ });
    // Verifying reserves the hash's own memory cost.
    const small = await pool.hash('pw', { algorithm: 'argon2id', memoryCost: 1024, timeCost: 1 });
    const big = small.replace('m=1024', 'm=3145728');
    await assert.rejects(pool.verify('pw', big), { code: 'ERR_LIMIT' });
    assert.equal(await pool.verify('pw', small), true);
  } finally {
    await pool.close();
  }
  const s = pool.stats();
  assert.equal(s.memoryReserved, 0);
  assert.equal(s.maxMemory, 2 * GiB);
  assert.ok(s.rejected >= 64);
  assert.match(pool.metrics(), /corepool_memory_reserved_bytes\{pool="pool"\} 0/);
});

test('maxMemory and wipeMemory are validated; wipeMemory: false hashes the same', async () => {
  assert.throws(() => new corepool.Pool({ maxMemory: 0 }), { code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => new corepool.Pool({ wipeMemory: 'no' }), { code: 'ERR_INVALID_ARG_TYPE' });
  const fast = new corepool.Pool({ threads: 1, wipeMemory: false });
  try {
    const h = await fast.hash('pw', { algorithm: 'argon2id', memoryCost: 1024, timeCost: 1 });
    assert.equal(await corepool.verify('pw', h), true);
    assert.equal(await argon2.verify(h, 'pw'), true);
  } finally {
    await fast.close();
  }
});
