// Builds tests/fixtures/bcrypt_vectors.json from the libxcrypt-checked lists,
// annotating what npm bcrypt 6 and bcryptjs 3 return for each vector.
const fs = require('fs');
const path = require('path');
const nb = require('bcrypt');
const bj = require('bcryptjs');
const cands = JSON.parse(fs.readFileSync(path.join(__dirname, 'cands.json')));
const extra = JSON.parse(fs.readFileSync(path.join(__dirname, 'extra.json')));
const NPM = 'computed with npm bcrypt 6.0.0 (OpenBSD bcrypt.c 1.31) and bcryptjs 3.0.3, which agree';
const varied255 = Buffer.from(Array.from({ length: 255 }, (_, i) => 33 + (i % 90)));
const npmOnly = [
  { pw: Buffer.from('a\0b').toString('hex'), hash: nb.hashSync(Buffer.from('a\0b'), '$2b$04$abcdefghijklmnopqrstuu'), src: NPM,
    note: 'NUL byte inside the password, hashed as a byte (OpenBSD length-aware); corepool hash() refuses NUL (ERR_INVALID_PASSWORD), verify() accepts', expect: true },
  { pw: varied255.toString('hex'), hash: nb.hashSync(varied255, '$2a$04$abcdefghijklmnopqrstuu'), src: 'computed with npm bcrypt 6.0.0 only',
    note: 'npm bcrypt $2a$ length wrap: 255-byte password hashed with key_len (uint8)(255+1) = 0; bcryptjs, crypt_blowfish and corepool do not wrap', expect: false },
];
function isUtf8Printable(buf) {
  const s = buf.toString('utf8');
  return Buffer.from(s, 'utf8').equals(buf) && !/[\u0000-\u001f\u007f\ufffd]/.test(s);
}
const out = [];
for (const v of [...cands, ...extra, ...npmOnly]) {
  const buf = Buffer.from(v.pw, 'hex');
  const minor = v.hash[2];
  let npm, js;
  try { npm = nb.compareSync(buf, v.hash); } catch (e) { npm = 'throws: ' + e.message; }
  try { js = bj.compareSync(buf.toString('binary') === buf.toString('utf8') ? buf.toString('utf8') : buf.toString('latin1'), v.hash); } catch (e) { js = 'throws: ' + e.message; }
  // corepool expectation: $2x$ and $2b$/$2y$ as crypt_blowfish (libxcrypt); $2a$ with OpenBSD semantics.
  let expect = v.expect;
  if (expect === undefined) expect = minor === 'a' ? nb.compareSync(buf, v.hash) : v.libxcrypt !== false;
  const e = {};
  if (isUtf8Printable(buf)) e.password = buf.toString('utf8'); else e.password_hex = v.pw;
  e.hash = v.hash;
  e.expect = expect;
  e.npm_bcrypt = npm;
  e.source = v.src;
  if (v.note) e.note = v.note;
  if (minor === 'a' && v.libxcrypt && !npm) e.note = 'crypt_blowfish $2a$ anti-collision tweak (0xFF bytes): libxcrypt/PHP verify it, OpenBSD/npm bcrypt/corepool do not';
  if (minor === 'x') e.note = '$2x$: crypt_blowfish sign-extension bug emulation (verify only)';
  out.push(e);
}
fs.writeFileSync(path.join(__dirname, '../../__test__/fixtures/bcrypt_vectors.json'), JSON.stringify(out, null, 1) + '\n');
console.log(out.length, 'vectors');
for (const e of out) console.log(e.expect, e.npm_bcrypt, e.hash, e.note || '');
