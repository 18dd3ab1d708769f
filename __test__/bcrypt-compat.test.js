'use strict';
// corepool/bcrypt against the real `bcrypt@6` package as the expected value.
const test = require('node:test');
const assert = require('node:assert/strict');
const bcrypt = require('bcrypt');
const shim = require('../lib/bcrypt');
const vectors = require('./fixtures/bcrypt_vectors.json');

// What a call does: { value } or { error: message }.
function outcome(fn) {
  try {
    return { value: fn() };
  } catch (e) {
    return { error: e.message };
  }
}
async function outcomeAsync(fn) {
  try {
    return { value: await fn() };
  } catch (e) {
    return { error: e.message };
  }
}
function callbackOutcome(fn) {
  return new Promise((resolve) => {
    fn((err, value) => resolve(err ? { error: err.message } : { value }));
  });
}

test('exports the same functions as bcrypt', () => {
  for (const name of ['genSaltSync', 'genSalt', 'hashSync', 'hash', 'compareSync', 'compare', 'getRounds']) {
    assert.equal(typeof shim[name], 'function', name);
    assert.equal(typeof bcrypt[name], 'function', name);
  }
});

test('genSaltSync: rounds/minor handling and errors match bcrypt', () => {
  const cases = [[], [undefined], [0], [10], [4], [1], [3], [31], [32], [100], [-1], [261], [4.9], [NaN], ['10'], [{}], [10, 'a'], [10, 'b'], [10, ''], [10, 'c'], [10, 'x']];
  for (const args of cases) {
    const want = outcome(() => bcrypt.genSaltSync(...args));
    const got = outcome(() => shim.genSaltSync(...args));
    if (want.error) assert.deepEqual(got, want, `genSaltSync(${args.map(String)})`);
    else assert.equal(got.value.slice(0, 7), want.value.slice(0, 7), `genSaltSync(${args.map(String)})`);
    if (got.value) assert.match(got.value, /^\$2[ab]\$\d\d\$[./A-Za-z0-9]{22}$/);
  }
});

test('genSalt: promise and callback forms match bcrypt', async () => {
  assert.equal((await shim.genSalt()).slice(0, 7), '$2b$10$');
  assert.equal((await shim.genSalt(5, 'a')).slice(0, 7), '$2a$05$');
  assert.deepEqual(await outcomeAsync(() => shim.genSalt('x')), await outcomeAsync(() => bcrypt.genSalt('x')));
  const cb = await callbackOutcome((done) => shim.genSalt(6, done));
  assert.equal(cb.value.slice(0, 7), '$2b$06$');
  const cb0 = await callbackOutcome((done) => shim.genSalt(done));
  assert.equal(cb0.value.slice(0, 7), '$2b$10$');
});

test('hashSync/hash with a salt string give exactly bcrypt\'s hash (incl. > 72 bytes, NUL, non-ASCII, Buffers)', async () => {
  const salt = bcrypt.genSaltSync(4);
  const datas = ['', 'a', 'pässwörd', 'x'.repeat(72), 'x'.repeat(100), 'a\0b', Buffer.from([0xff, 0x00, 0x80, 0x41]), '😀'.repeat(30)];
  for (const d of datas) {
    const want = bcrypt.hashSync(d, salt);
    assert.equal(shim.hashSync(d, salt), want, JSON.stringify(d));
    assert.equal(await shim.hash(d, salt), want);
    assert.deepEqual(await callbackOutcome((done) => shim.hash(d, salt, done)), { value: want });
  }
  const a = bcrypt.genSaltSync(4, 'a');
  assert.equal(shim.hashSync('abc', a), bcrypt.hashSync('abc', a));
});

test('hash with a number of rounds makes a fresh salt of that cost', async () => {
  for (const [rounds, prefix] of [[4, '$2b$04$'], [1, '$2b$04$'], [5.7, '$2b$05$']]) {
    const h = shim.hashSync('pw', rounds);
    assert.ok(h.startsWith(prefix), `${rounds} -> ${h}`);
    assert.equal(bcrypt.compareSync('pw', h), true);
    assert.ok((await shim.hash('pw', rounds)).startsWith(prefix));
  }
});

test('argument errors: same messages as bcrypt, sync, promise and callback', async () => {
  const salt = bcrypt.genSaltSync(4);
  const syncCases = [
    ['hashSync', []],
    ['hashSync', ['pw']],
    ['hashSync', [null, salt]],
    ['hashSync', [42, salt]],
    ['hashSync', ['pw', {}]],
    ['hashSync', ['pw', 'nope']],
    ['hashSync', ['pw', '$2b$03$' + 'a'.repeat(22)]],
    ['hashSync', ['pw', '$2b$32$' + 'a'.repeat(22)]],
    ['hashSync', ['pw', 32]],
    ['hashSync', ['pw', -1]],
    ['hashSync', ['pw', '$2x$05$' + 'a'.repeat(22)]],
    ['compareSync', []],
    ['compareSync', ['pw']],
    ['compareSync', [42, 'h']],
    ['compareSync', ['pw', 42]],
    ['getRounds', []],
    ['getRounds', [42]],
    ['getRounds', ['nope']],
  ];
  for (const [fn, args] of syncCases) {
    assert.deepEqual(outcome(() => shim[fn](...args)), outcome(() => bcrypt[fn](...args)), `${fn}(${args.map(String)})`);
  }
  const asyncCases = [
    ['hash', [null, salt]],
    ['hash', [42, salt]],
    ['hash', ['pw', 'nope']],
    ['compare', [null, 'h']],
    ['compare', [42, 'h']],
    ['compare', ['pw', 42]],
  ];
  for (const [fn, args] of asyncCases) {
    assert.deepEqual(await outcomeAsync(() => shim[fn](...args)), await outcomeAsync(() => bcrypt[fn](...args)), `${fn}(${args.map(String)}) promise`);
    assert.deepEqual(
      await callbackOutcome((done) => shim[fn](...args, done)),
      await callbackOutcome((done) => bcrypt[fn](...args, done)),
      `${fn}(${args.map(String)}) callback`,
    );
  }
  // bcrypt's async hash(pw, 32) (or -1) clamps to cost 31 and hashes for days,
  // while hashSync throws "Invalid salt": the shim refuses in both forms.
  for (const rounds of [32, -1]) {
    assert.deepEqual(await outcomeAsync(() => shim.hash('pw', rounds)), outcome(() => bcrypt.hashSync('pw', rounds)));
  }
  assert.deepEqual(await outcomeAsync(() => shim.hash('pw', salt, 'notfn')), await outcomeAsync(() => bcrypt.hash('pw', salt, 'notfn')));
  assert.deepEqual(await outcomeAsync(() => shim.compare('pw', 'h', 5)), await outcomeAsync(() => bcrypt.compare('pw', 'h', 5)));
});

test('compare/compareSync match bcrypt on the known-answer vectors, and never throw on malformed hashes', async () => {
  for (const v of vectors) {
    const data = v.password_hex !== undefined ? Buffer.from(v.password_hex, 'hex') : v.password;
    const prefix = v.hash.slice(0, 4);
    // Documented deviation, where corepool's answer (v.expect) wins:
    // bcrypt@6 answers false for $2y$/$2x$ (corepool/bcrypt checks them).
    // bcrypt's $2a$ length wrap for passwords of 255+ bytes is reproduced.
    const deviation = prefix === '$2y$' || prefix === '$2x$';
    const want = deviation ? v.expect : v.npm_bcrypt;
    assert.equal(shim.compareSync(data, v.hash), want, `${v.hash}`);
    assert.equal(await shim.compare(data, v.hash), want);
  }
  for (const h of ['', 'nope', '$2b$10$short', '$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA', '$2b$10$' + '!'.repeat(53)]) {
    assert.equal(shim.compareSync('pw', h), bcrypt.compareSync('pw', h), JSON.stringify(h));
    assert.equal(await shim.compare('pw', h), await bcrypt.compare('pw', h));
  }
});

test('$2y$ superset: bcryptjs/PHP-style $2y$ hashes verify, and $2y$ salts hash', () => {
  const h = require('bcryptjs').hashSync('php', require('bcryptjs').genSaltSync(4)).replace('$2b$', '$2y$');
  assert.equal(shim.compareSync('php', h), true);
  assert.equal(shim.compareSync('PHP', h), false);
  const y = shim.hashSync('abc', `$2y$04$${'a'.repeat(21)}e`);
  assert.ok(y.startsWith('$2y$04$'));
  assert.equal(shim.compareSync('abc', y), true);
  assert.equal(shim.getRounds(y), 4);
  assert.ok(shim.genSaltSync(5, 'y').startsWith('$2y$05$'));
});

test('getRounds matches bcrypt', () => {
  const h = bcrypt.hashSync('x', 5);
  assert.equal(shim.getRounds(h), bcrypt.getRounds(h));
});

test('ESM: import bcrypt from "corepool/bcrypt" works', async () => {
  const mod = await import('corepool/bcrypt');
  assert.equal(typeof mod.default.hash, 'function');
  assert.equal(typeof mod.compareSync, 'function');
});

// The exact arguments a callback receives (errors by message).
function callbackArgs(fn) {
  return new Promise((resolve) => {
    fn((...args) => resolve(args.map((a) => (a instanceof Error ? `Error: ${a.message}` : a))));
  });
}

test('callbacks get exactly what bcrypt passes: (undefined, value) on success, (err) alone on failure', async () => {
  const salt = bcrypt.genSaltSync(4);
  const h = bcrypt.hashSync('pw', salt);
  const cases = [
    ['hash', ['pw', salt]],
    ['hash', ['pw', 'nope']],
    ['hash', [null, salt]],
    ['compare', ['pw', h]],
    ['compare', ['nope', h]],
    ['compare', ['pw', 'garbage']],
    ['compare', [42, h]],
    ['genSalt', ['x']],
  ];
  for (const [fn, args] of cases) {
    const want = await callbackArgs((cb) => bcrypt[fn](...args, cb));
    const got = await callbackArgs((cb) => shim[fn](...args, cb));
    assert.deepEqual(got, want, `${fn}(${args.map(String)})`);
  }
  for (const args of [[5], []]) {
    const got = await callbackArgs((cb) => shim.genSalt(...args, cb));
    assert.equal(got.length, 2);
    assert.equal(got[0], undefined);
    assert.match(got[1], /^\$2b\$\d\d\$/);
  }
});

test('a burst of 2,500 async hash() and compare() calls is accepted, as bcrypt accepts it', async () => {
  const SALT = '$2a$04$TnjywYklQbbZjdjBgBoA4e';
  const HASH = '$2a$04$TnjywYklQbbZjdjBgBoA4e9G7RJt9blgMgsCvUvus4Iv4TENB5nHy';
  const before = require('..').stats().rejected;
  const hashes = await Promise.all(Array.from({ length: 2500 }, () => shim.hash('test', SALT)));
  assert.ok(hashes.every((h) => h === HASH));
  const same = await Promise.all(Array.from({ length: 2500 }, (_, i) => shim.compare(i % 2 ? 'test' : 'bad', HASH)));
  assert.ok(same.every((ok, i) => ok === (i % 2 === 1)));
  // The drop-in's queue fed the pool within its bounds: nothing was refused.
  assert.equal(require('..').stats().rejected, before);
});

test('the queue waits for room when other callers fill the pool (ERR_QUEUE_FULL is retried, not returned)', async () => {
  const corepool = require('..');
  const { native } = require('../lib/internal');
  const { threads, maxQueue } = corepool.stats();
  const before = corepool.stats().rejected;
  // Fill every slot of the default pool with 1 ms tasks of another caller.
  const fillers = Array.from({ length: threads + maxQueue }, () => native.__testSleep(null, 1, 0));
  const salt = bcrypt.genSaltSync(4);
  const want = bcrypt.hashSync('pw', salt);
  const got = await Promise.all(Array.from({ length: 64 }, () => shim.hash('pw', salt)));
  assert.ok(got.every((h) => h === want));
  await Promise.all(fillers);
  assert.ok(corepool.stats().rejected > before, 'the pool did refuse the drop-in at first');
});

test('configure({ maxPending }) bounds the queue: calls past it reject with ERR_QUEUE_FULL', async () => {
  const { window } = shim.configure();
  try {
    shim.configure({ maxPending: 5 });
    const salt = bcrypt.genSaltSync(4);
    const results = await Promise.allSettled(Array.from({ length: window + 30 }, () => shim.hash('pw', salt)));
    const refused = results.filter((r) => r.status === 'rejected');
    assert.equal(results.length - refused.length, window + 5);
    assert.equal(refused.length, 25);
    for (const r of refused) assert.equal(r.reason.code, 'ERR_QUEUE_FULL');
    assert.throws(() => shim.configure({ maxPending: -1 }), { code: 'ERR_INVALID_ARG_VALUE' });
    assert.throws(() => shim.configure({ other: 1 }), { code: 'ERR_INVALID_ARG_VALUE' });
  } finally {
    shim.configure({ maxPending: Infinity });
  }
  assert.equal(shim.configure().maxPending, Infinity);
});

test('bcryptjs extras: getSalt, truncates, encodeBase64, decodeBase64 as bcryptjs; progress on hash and compare', async () => {
  const bcryptjs = require('bcryptjs');
  const h = bcryptjs.hashSync('x', 4);
  for (const v of [h, '', 'x'.repeat(61), 42]) assert.deepEqual(outcome(() => shim.getSalt(v)), outcome(() => bcryptjs.getSalt(v)));
  for (const v of ['', 'a'.repeat(72), 'a'.repeat(73), 'é'.repeat(37), 5]) {
    assert.deepEqual(outcome(() => shim.truncates(v)), outcome(() => bcryptjs.truncates(v)));
  }
  assert.equal(shim.truncates(Buffer.alloc(73)), true);
  const bytes = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
  assert.equal(shim.encodeBase64(bytes, 16), bcryptjs.encodeBase64(bytes, 16));
  assert.deepEqual(shim.decodeBase64('..CA.uOD/eaGAOmJB.yMBv.', 16), bcryptjs.decodeBase64('..CA.uOD/eaGAOmJB.yMBv.', 16));

  const salt = bcrypt.genSaltSync(12);
  const seen = [];
  const hashed = await new Promise((resolve, reject) => {
    shim.hash('pw', salt, (err, v) => (err ? reject(err) : resolve(v)), (f) => seen.push(f));
  });
  assert.equal(hashed, bcrypt.hashSync('pw', salt));
  assert.deepEqual([seen[0], seen[seen.length - 1]], [0, 1]);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1]);
  for (const [pw, want] of [['pw', true], ['PW', false]]) {
    const s = [];
    assert.equal(await shim.compare(pw, hashed, null, (f) => s.push(f)), want);
    assert.deepEqual([s[0], s[s.length - 1]], [0, 1]);
  }
  assert.equal(await shim.compare('pw', 'garbage', null, () => {}), false);
});
