'use strict';
// corepool/bcryptjs against the real `bcryptjs@3` package as the expected
// value: same hashes, errors, callback arguments, helpers and progress.
const test = require('node:test');
const assert = require('node:assert/strict');
const bcryptjs = require('bcryptjs');
const shim = require('../lib/bcryptjs');

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
// The exact arguments a callback receives (errors by message), or the
// synchronous throw.
function callbackArgs(fn) {
  return new Promise((resolve) => {
    try {
      fn((...args) => resolve({ args: args.map((a) => (a instanceof Error ? `Error: ${a.message}` : a)) }));
    } catch (e) {
      resolve({ thrown: e.message });
    }
  });
}

const SALT4 = '$2b$04$abcdefghijklmnopqrstuu';

test('exports every function bcryptjs exports', () => {
  for (const name of Object.keys(bcryptjs)) assert.equal(typeof shim[name], 'function', name);
});

test('hashSync/hash give bcryptjs\'s hash for every kind of password and salt it accepts', async () => {
  const passwords = ['', 'a', 'pässwörd', 'x'.repeat(72), 'x'.repeat(73), 'y'.repeat(300), 'a\0b', '\0', '😀'.repeat(30), 'lone \ud800 surrogate', '\udc00x', 'end\ud83d'];
  const salts = [
    SALT4,
    '$2a$04$abcdefghijklmnopqrstuu',
    '$2y$04$abcdefghijklmnopqrstuu',
    '$2b$04$abcdefghijklmnopqrstuv', // unused low bits of the 22nd char
    '$2b$04$abcdefghijklmnopqrstuuTHE-REST-IS-IGNORED',
    bcryptjs.hashSync('other', 4), // a whole hash used as the salt
    '$2b$04$abc!efghijklmnopqrstuu', // bcryptjs decodes a bad 4th char to 0xff
  ];
  for (const salt of salts) {
    for (const pw of passwords) {
      const want = bcryptjs.hashSync(pw, salt);
      assert.equal(shim.hashSync(pw, salt), want, `${JSON.stringify(pw)} ${salt}`);
    }
    const want = bcryptjs.hashSync(passwords[2], salt);
    assert.equal(await shim.hash(passwords[2], salt), want);
    assert.deepEqual(await callbackArgs((cb) => shim.hash(passwords[2], salt, cb)), { args: [null, want] });
  }
});

test('hash/hashSync with a number of rounds make a fresh $2b$ salt of that cost that bcryptjs verifies', async () => {
  for (const [rounds, prefix] of [[4, '$2b$04$'], [1, '$2b$04$'], [0, '$2b$10$']]) {
    const h = shim.hashSync('pw', rounds);
    assert.ok(h.startsWith(prefix), h);
    assert.equal(bcryptjs.compareSync('pw', h), true);
  }
  const h = await shim.hash('pw', 5);
  assert.ok(h.startsWith('$2b$05$'));
  assert.equal(bcryptjs.compareSync('pw', h), true);
});

test('genSaltSync/genSalt: formats, clamping and errors match bcryptjs', async () => {
  for (const r of [undefined, 0, 3, 4, 9, 10, 31, 32, -1, NaN, 4.5, '10', null, {}]) {
    const want = outcome(() => bcryptjs.genSaltSync(r));
    const got = outcome(() => shim.genSaltSync(r));
    if (want.error) assert.deepEqual(got, want, String(r));
    else {
      const cut = want.value.length - 22;
      assert.equal(got.value.slice(0, cut), want.value.slice(0, cut), String(r));
      assert.match(got.value.slice(cut), /^[./A-Za-z0-9]{22}$/);
    }
  }
  for (const args of [[], [5], ['x'], [null], [5, 'notfn']]) {
    const want = outcome(() => bcryptjs.genSalt(...args));
    const got = outcome(() => shim.genSalt(...args));
    assert.equal(got.error, want.error, JSON.stringify(args));
    if (!got.error) assert.equal((await got.value).slice(0, 7), (await want.value).slice(0, 7));
  }
  const cb = await callbackArgs((done) => shim.genSalt(6, done));
  assert.equal(cb.args.length, 2);
  assert.equal(cb.args[0], null);
  assert.ok(cb.args[1].startsWith('$2b$06$'));
  assert.ok((await callbackArgs((done) => shim.genSalt(done))).args[1].startsWith('$2b$10$'));
});

test('errors: same messages, same callback arguments, sync, promise and callback', async () => {
  const cases = [
    [42, SALT4],
    ['pw', {}],
    ['pw', ''],
    ['pw', 'nope'],
    ['pw', '$3b$04$abcdefghijklmnopqrstuu'],
    ['pw', '$2c$04$abcdefghijklmnopqrstuu'],
    ['pw', '$2b_04$abcdefghijklmnopqrstuu'],
    ['pw', '$2b$044abcdefghijklmnopqrstuu'],
    ['pw', '$2b$03$abcdefghijklmnopqrstuu'],
    ['pw', '$2b$32$abcdefghijklmnopqrstuu'],
    ['pw', '$2b$04$abc'],
    ['pw', '$2b$04$!bcdefghijklmnopqrstuu'],
  ];
  for (const args of cases) {
    const label = JSON.stringify(args);
    assert.deepEqual(outcome(() => shim.hashSync(...args)), outcome(() => bcryptjs.hashSync(...args)), `hashSync ${label}`);
    assert.deepEqual(await outcomeAsync(() => shim.hash(...args)), await outcomeAsync(() => bcryptjs.hash(...args)), `hash ${label}`);
    assert.deepEqual(
      await callbackArgs((cb) => shim.hash(...args, cb)),
      await callbackArgs((cb) => bcryptjs.hash(...args, cb)),
      `hash callback ${label}`,
    );
  }
  assert.deepEqual(outcome(() => shim.hash('pw', SALT4, 'notfn')), outcome(() => bcryptjs.hash('pw', SALT4, 'notfn')));
  assert.deepEqual(outcome(() => shim.compare('pw', SALT4, 5)), outcome(() => bcryptjs.compare('pw', SALT4, 5)));
});

test('compare/compareSync match bcryptjs, including wrong lengths and malformed 60-char hashes', async () => {
  const good = bcryptjs.hashSync('secret', 4);
  const hashes = [good, good.replace('$2b$', '$2a$'), good.replace('$2b$', '$2y$'), '', 'short', good + 'x', `$2c$${good.slice(4)}`, `$2b$03$${good.slice(7)}`, 'x'.repeat(60)];
  for (const h of hashes) {
    for (const pw of ['secret', 'Secret', '']) {
      const label = `${pw} ${h}`;
      assert.deepEqual(outcome(() => shim.compareSync(pw, h)), outcome(() => bcryptjs.compareSync(pw, h)), label);
      assert.deepEqual(await outcomeAsync(() => shim.compare(pw, h)), await outcomeAsync(() => bcryptjs.compare(pw, h)), label);
      assert.deepEqual(await callbackArgs((cb) => shim.compare(pw, h, cb)), await callbackArgs((cb) => bcryptjs.compare(pw, h, cb)), label);
    }
  }
  for (const args of [[1, good], ['pw', 1], [null, null]]) {
    assert.deepEqual(outcome(() => shim.compareSync(...args)), outcome(() => bcryptjs.compareSync(...args)));
    assert.deepEqual(await callbackArgs((cb) => shim.compare(...args, cb)), await callbackArgs((cb) => bcryptjs.compare(...args, cb)));
  }
});

test('getRounds, getSalt, truncates match bcryptjs', () => {
  const h = bcryptjs.hashSync('x', 5);
  for (const v of [h, '', 'a$b$c', '$2b$xx$', 42, null, 'x'.repeat(60)]) {
    for (const fn of ['getRounds', 'getSalt']) {
      assert.deepEqual(outcome(() => shim[fn](v)), outcome(() => bcryptjs[fn](v)), `${fn}(${JSON.stringify(v)})`);
    }
  }
  for (const v of ['', 'a'.repeat(72), 'a'.repeat(73), 'é'.repeat(36), 'é'.repeat(37), '😀'.repeat(18), '😀'.repeat(19), '\ud800'.repeat(24), '\ud800'.repeat(25), 5]) {
    assert.deepEqual(outcome(() => shim.truncates(v)), outcome(() => bcryptjs.truncates(v)), JSON.stringify(v));
  }
});

test('encodeBase64/decodeBase64 match bcryptjs, edge cases included', () => {
  const bytes = Array.from({ length: 40 }, (_, i) => (i * 37 + 11) & 0xff);
  for (let len = -1; len <= 41; len++) {
    assert.deepEqual(outcome(() => shim.encodeBase64(bytes, len)), outcome(() => bcryptjs.encodeBase64(bytes, len)), `encode ${len}`);
    assert.deepEqual(outcome(() => shim.encodeBase64(Buffer.from(bytes), len)), outcome(() => bcryptjs.encodeBase64(Buffer.from(bytes), len)));
  }
  const encoded = bcryptjs.encodeBase64(bytes, 40);
  const strings = [encoded, encoded.slice(0, 21), 'ab', 'a', '', 'ab!d', 'abc!efgh', 'ab€d', '..CA.uOD/eaGAOmJB.yMBv.'];
  for (const s of strings) {
    for (const len of [-1, 0, 1, 2, 3, 16, 30, 100]) {
      assert.deepEqual(outcome(() => shim.decodeBase64(s, len)), outcome(() => bcryptjs.decodeBase64(s, len)), `decode ${s} ${len}`);
    }
  }
});

test('progress: 0 first, then fractions read from the kernel while it runs, 1 just before the result', async () => {
  const salt = bcryptjs.genSaltSync(14);
  for (const api of ['callback', 'promise']) {
    const seen = [];
    let result;
    if (api === 'callback') {
      result = await new Promise((resolve, reject) => {
        shim.hash('pw', salt, (err, h) => (err ? reject(err) : resolve({ h, seenAtCallback: seen.length })), (f) => seen.push(f));
      });
      assert.equal(result.seenAtCallback, seen.length, 'no progress after the callback');
    } else {
      result = { h: await shim.hash('pw', salt, undefined, (f) => seen.push(f)) };
    }
    assert.equal(result.h, bcryptjs.hashSync('pw', salt));
    assert.equal(seen[0], 0);
    assert.equal(seen[seen.length - 1], 1);
    // A cost-14 hash is 16384 rounds: the kernel's counter, read every
    // 100 ms, reports fractions in between; they only grow.
    const middle = seen.slice(1, -1);
    assert.ok(middle.length >= 1, `no progress between 0 and 1: ${seen}`);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], `${seen}`);
  }
  // compare reports too; a wrong-length hash reports nothing (as bcryptjs).
  const h = bcryptjs.hashSync('pw', 4);
  const seen = [];
  assert.equal(await shim.compare('pw', h, null, (f) => seen.push(f)), true);
  assert.deepEqual([seen[0], seen[seen.length - 1]], [0, 1]);
  const none = [];
  assert.equal(await shim.compare('pw', 'short', null, (f) => none.push(f)), false);
  assert.deepEqual(none, []);
});

test('a burst of 2,500 async hash() and compare() calls is accepted and answered like bcryptjs', async () => {
  const salt = '$2a$04$TnjywYklQbbZjdjBgBoA4e';
  const want = bcryptjs.hashSync('test', salt);
  const hashes = await Promise.all(Array.from({ length: 2500 }, () => shim.hash('test', salt)));
  assert.ok(hashes.every((h) => h === want));
  const oks = await Promise.all(Array.from({ length: 2500 }, (_, i) => shim.compare(i % 2 ? 'test' : 'nope', want)));
  assert.deepEqual(new Set(oks.map((ok, i) => ok === (i % 2 === 1))), new Set([true]));
  assert.equal(shim.configure().queued, 0);
});

test('CJS and ESM: require and import of corepool/bcryptjs give the same functions', async () => {
  const esm = await import('corepool/bcryptjs');
  const cjs = require('corepool/bcryptjs');
  for (const name of Object.keys(bcryptjs)) {
    assert.equal(esm[name], cjs[name], name);
    assert.equal(esm.default[name], cjs[name], name);
  }
});

test('a script whose only work is queued drop-in calls stays alive until every callback ran', () => {
  const { spawnSync } = require('node:child_process');
  const root = require('node:path').resolve(__dirname, '..');
  const script = `
    const b = require(${JSON.stringify(`${root}/lib/bcrypt.js`)});
    const j = require(${JSON.stringify(`${root}/lib/bcryptjs.js`)});
    const salt = '$2b$04$abcdefghijklmnopqrstuu';
    let n = 0;
    for (let i = 0; i < 3000; i++) {
      b.hash('x', salt, () => n++);
      j.hash('x', salt, () => n++);
    }
    process.on('exit', () => console.log(n));
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 120000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '6000');
});
