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
