'use strict';
/**
 * corepool/bcryptjs — a drop-in for the `bcryptjs` npm package (v3 API):
 * `require('bcryptjs')` / `import bcrypt from 'bcryptjs'` →
 * `require('corepool/bcryptjs')` / `import bcrypt from 'corepool/bcryptjs'`.
 *
 * Same functions, argument checks, error messages, callback conventions
 * (`(null, value)` on success; errors alone or as `(err, null)` exactly
 * where bcryptjs does), promise forms and progress callbacks as
 * `bcryptjs@3`. The async forms run on corepool's pool (through the
 * drop-ins' queue, lib/dropin.js) instead of in 100 ms slices on the JS
 * thread; the sync forms run on the calling thread, as bcryptjs's do.
 * Salts are parsed here with bcryptjs's rules and handed to the kernel in
 * canonical form, so every salt bcryptjs accepts hashes to its result.
 */
const crypto = require('node:crypto');
require('..'); // loads the addon and the default pool's completion drain
const native = require('./native');
const dropin = require('./dropin');

const { encodeBase64, decodeBase64, safeEqual } = dropin;

function illegal(message) {
  const err = new Error(message);
  err.code = 'ERR_INVALID_ARG_VALUE';
  return err;
}

// bcryptjs continues with setImmediate.
function soon(fn, ...args) {
  setImmediate(() => fn(...args));
}

/** Accepted for compatibility: corepool always has node:crypto's CSPRNG. */
function setRandomFallback(random) {
  void random;
}

function genSaltSync(rounds, seedLength) {
  rounds = rounds || 10;
  if (typeof rounds !== 'number') throw illegal(`Illegal arguments: ${typeof rounds}, ${typeof seedLength}`);
  if (rounds < 4) rounds = 4;
  else if (rounds > 31) rounds = 31;
  return `$2b$${rounds < 10 ? '0' : ''}${rounds}$${encodeBase64(crypto.randomBytes(16), 16)}`;
}

function genSalt(rounds, seedLength, callback) {
  if (typeof seedLength === 'function') callback = seedLength;
  if (typeof rounds === 'function') {
    callback = rounds;
    rounds = undefined;
  }
  if (rounds === undefined) rounds = 10;
  else if (typeof rounds !== 'number') throw illegal(`illegal arguments: ${typeof rounds}`);
  const run = (cb) =>
    soon(() => {
      let salt;
      try {
        salt = genSaltSync(rounds);
      } catch (err) {
        cb(err);
        return;
      }
      cb(null, salt);
    });
  return withCallback(callback, run);
}

// bcryptjs's convention: with a callback, no return value and an illegal
// callback throws; without one, a promise.
function withCallback(callback, run) {
  if (callback) {
    if (typeof callback !== 'function') throw illegal(`Illegal callback: ${typeof callback}`);
    run(callback);
    return undefined;
  }
  return new Promise((resolve, reject) => {
    run((err, value) => (err ? reject(err) : resolve(value)));
  });
}

/**
 * Parses a salt (or hash) with bcryptjs's rules. Returns `{ salt }` (the
 * canonical 29-character salt for the kernel) or `{ error, late }`: `late`
 * errors are the ones bcryptjs reports from its inner loop, as `(err, null)`.
 */
function parseSalt(salt) {
  if (salt[0] !== '$' || salt[1] !== '2') return { error: illegal(`Invalid salt version: ${salt.substring(0, 2)}`) };
  const minor = salt[2];
  if (minor === '$') {
    // bcryptjs's pre-1999 "$2$" (no NUL after the key): not in the kernel.
    return { error: illegal('Invalid salt revision: 2$ (the pre-1999 "$2$" bcrypt is not supported by corepool/bcryptjs)') };
  }
  if ((minor !== 'a' && minor !== 'b' && minor !== 'y') || salt[3] !== '$') {
    return { error: illegal(`Invalid salt revision: ${salt.substring(2, 4)}`) };
  }
  if (salt.charAt(6) > '$') return { error: illegal('Missing salt rounds') };
  const rounds = Number.parseInt(salt.substring(4, 5), 10) * 10 + Number.parseInt(salt.substring(5, 6), 10);
  if (!(rounds >= 4 && rounds <= 31)) return { error: illegal(`Illegal number of rounds (4-31): ${rounds}`), late: true };
  const raw = decodeBase64(salt.substring(7, 29), 16);
  if (raw.length !== 16) return { error: illegal(`Illegal salt length: ${raw.length} != 16`), late: true };
  return { salt: `$2${minor}$${rounds < 10 ? '0' : ''}${rounds}$${encodeBase64(raw, 16)}` };
}

// A JS string's bytes as bcryptjs encodes them: UTF-8, but a lone surrogate
// becomes its own 3 bytes (TextEncoder and N-API would write U+FFFD).
function passwordBytes(s) {
  if (s.isWellFormed()) return s;
  const out = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out.push(c);
    } else if (c < 0x800) {
      out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    } else if ((c & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c & 0x3ff) << 10) + (s.charCodeAt(++i) & 0x3ff);
      out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    } else {
      out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
  }
  return Buffer.from(out);
}

function hashSync(password, salt) {
  if (salt === undefined) salt = 10;
  if (typeof salt === 'number') salt = genSaltSync(salt);
  if (typeof password !== 'string' || typeof salt !== 'string') {
    throw illegal(`Illegal arguments: ${typeof password}, ${typeof salt}`);
  }
  const parsed = parseSalt(salt);
  if (parsed.error) throw parsed.error;
  return native.bcryptHashSync(passwordBytes(password), parsed.salt, 'permissive');
}

// A progress callback is called now; an exception it throws is an uncaught
// exception (as in bcryptjs, where it runs from a timer).
function report(progress, fraction) {
  try {
    progress(fraction);
  } catch (err) {
    process.nextTick(() => {
      throw err;
    });
  }
}

// bcryptjs's _hash with a callback: validation errors on the next turn,
// progress 0 .. 1, then (null, hash).
function hashWithCallback(password, salt, callback, progress) {
  const parsed = parseSalt(salt);
  if (parsed.error) {
    if (parsed.late) soon(callback, parsed.error, null);
    else soon(callback, parsed.error);
    return;
  }
  const tracking = typeof progress === 'function';
  if (tracking) report(progress, 0);
  const onProgress = tracking ? (f) => report(progress, f) : undefined;
  dropin.bcryptHash(passwordBytes(password), parsed.salt, onProgress).then(
    (h) =>
      process.nextTick(() => {
        if (tracking) report(progress, 1);
        callback(null, h);
      }),
    (err) => process.nextTick(callback, err, null),
  );
}

function hash(password, salt, callback, progressCallback) {
  const run = (cb) => {
    if (typeof password === 'string' && typeof salt === 'number') {
      genSalt(salt, (err, s) => hashWithCallback(password, s, cb, progressCallback));
    } else if (typeof password === 'string' && typeof salt === 'string') {
      hashWithCallback(password, salt, cb, progressCallback);
    } else {
      soon(cb, illegal(`Illegal arguments: ${typeof password}, ${typeof salt}`));
    }
  };
  return withCallback(callback, run);
}

function compareSync(password, hashValue) {
  if (typeof password !== 'string' || typeof hashValue !== 'string') {
    throw illegal(`Illegal arguments: ${typeof password}, ${typeof hashValue}`);
  }
  if (hashValue.length !== 60) return false;
  return safeEqual(hashSync(password, hashValue.substring(0, 29)), hashValue);
}

function compare(password, hashValue, callback, progressCallback) {
  const run = (cb) => {
    if (typeof password !== 'string' || typeof hashValue !== 'string') {
      soon(cb, illegal(`Illegal arguments: ${typeof password}, ${typeof hashValue}`));
      return;
    }
    if (hashValue.length !== 60) {
      soon(cb, null, false);
      return;
    }
    hash(
      password,
      hashValue.substring(0, 29),
      (err, computed) => (err ? cb(err) : cb(null, safeEqual(computed, hashValue))),
      progressCallback,
    );
  };
  return withCallback(callback, run);
}

function getRounds(hashValue) {
  if (typeof hashValue !== 'string') throw illegal(`Illegal arguments: ${typeof hashValue}`);
  return Number.parseInt(hashValue.split('$')[2], 10);
}

function getSalt(hashValue) {
  if (typeof hashValue !== 'string') throw illegal(`Illegal arguments: ${typeof hashValue}`);
  if (hashValue.length !== 60) throw illegal(`Illegal hash length: ${hashValue.length} != 60`);
  return hashValue.substring(0, 29);
}

function truncates(password) {
  if (typeof password !== 'string') throw illegal(`Illegal arguments: ${typeof password}`);
  return Buffer.byteLength(password, 'utf8') > 72;
}

module.exports = {
  setRandomFallback,
  genSaltSync,
  genSalt,
  hashSync,
  hash,
  compareSync,
  compare,
  getRounds,
  getSalt,
  truncates,
  encodeBase64,
  decodeBase64,
  configure: dropin.configure,
};
