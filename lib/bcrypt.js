'use strict';
/**
 * corepool/bcrypt — a drop-in for the `bcrypt` npm package (v6 API):
 * `require('bcrypt')` → `require('corepool/bcrypt')`.
 *
 * Same functions, argument checks, error messages, promise/callback forms and
 * long-password behaviour (silently uses the first 72 bytes) as `bcrypt@6`.
 * Async forms run on corepool's default pool (not libuv's 4 threads); sync
 * forms run on the calling thread, as a sync API promises.
 *
 * A superset where `bcrypt` is narrower than the ecosystem: `$2y$` salts and
 * hashes (PHP, crypt_blowfish, bcryptjs) are accepted; `genSalt` also takes
 * minor `'y'`. Malformed salts that `bcrypt` silently accepts and turns into
 * garbage (bad base64, `$2$`, `$1b$`) are refused with its "Invalid salt"
 * message instead.
 *
 * Async calls wait in the drop-ins' own queue (lib/dropin.js) rather than
 * failing with ERR_QUEUE_FULL, as `bcrypt`'s calls wait in libuv's queue.
 * bcryptjs's extras are here too: getSalt, truncates, encodeBase64,
 * decodeBase64, and a progress callback as hash()/compare()'s 4th argument.
 */
const corepool = require('..');
const dropin = require('./dropin');

const { native } = require('./internal');

const INVALID_SALT = 'Invalid salt. Salt must be in the form of: $Vers$log2(NumRounds)$saltvalue';
const DATA_SALT = 'data must be a string or Buffer and salt must either be a salt string or a number of rounds';

function argError(message) {
  const err = new Error(message);
  err.code = 'ERR_INVALID_ARG_VALUE';
  return err;
}

// bcrypt converts rounds to a uint8 and clamps to 4..31 when making a salt.
function clampRounds(rounds) {
  const r = Math.trunc(rounds) & 0xff;
  return Math.min(31, Math.max(4, r));
}

function checkMinor(minor) {
  if (!minor) return 'b';
  if (minor !== 'a' && minor !== 'b' && minor !== 'y') throw argError('minor must be either "a" or "b"');
  return minor;
}

function isData(data) {
  return typeof data === 'string' || Buffer.isBuffer(data);
}

// Calls `cb` outside the promise chain, so an exception thrown by the
// callback is an uncaught exception (as with bcrypt), not a lost rejection.
// Like bcrypt's native callbacks: `(undefined, value)` on success (not
// null), `(err)` alone on failure.
function toCallback(promise, cb) {
  promise.then(
    (value) => process.nextTick(cb, undefined, value),
    (err) => process.nextTick(cb, err),
  );
}

// Calls a progress callback now; an exception it throws becomes an uncaught
// exception (as in bcryptjs) instead of changing the task's outcome.
function report(progress, fraction) {
  try {
    progress(fraction);
  } catch (err) {
    process.nextTick(() => {
      throw err;
    });
  }
}

// Runs `task(onProgress)` reporting 0 first and 1 once it succeeded, when
// `progress` is a function.
function withProgress(progress, task) {
  if (typeof progress !== 'function') return task(undefined);
  report(progress, 0);
  return task((f) => report(progress, f)).then((value) => {
    report(progress, 1);
    return value;
  });
}

// bcrypt@6 keeps the key length of a $2a$ hash in a uint8 (OpenBSD's old
// length wrap): a password of 255 bytes or more uses only the first
// (length + 1) mod 256 bytes of itself as the key stream (its first byte
// alone when that is 0). The kernel uses the first 72 bytes of the key
// stream, so the drop-in hands it those 72 bytes.
function keyFor(data, saltOrHash) {
  if (!saltOrHash.startsWith('$2a$')) return data;
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (bytes.length < 255) return data;
  const k = (bytes.length + 1) & 0xff;
  const key = Buffer.alloc(72);
  for (let i = 0; i < 72; i++) key[i] = k === 0 ? bytes[0] : bytes[i % k];
  return key;
}

// A kernel error about the salt becomes bcrypt's plain message.
function saltError(err) {
  if (err && err.code === 'ERR_INVALID_ARG_VALUE') return argError(err.message === INVALID_SALT ? INVALID_SALT : err.message);
  return err;
}

function genSaltSync(rounds, minor) {
  if (!rounds) rounds = 10;
  else if (typeof rounds !== 'number') throw argError('rounds must be a number');
  return native.genSalt(clampRounds(rounds), checkMinor(minor));
}

function genSalt(rounds, minor, cb) {
  if (typeof arguments[0] === 'function') {
    cb = arguments[0];
    rounds = 10;
    minor = 'b';
  } else if (typeof arguments[1] === 'function') {
    cb = arguments[1];
    minor = 'b';
  }
  if (cb !== undefined && cb !== null && typeof cb !== 'function') {
    return Promise.reject(argError('cb must be a function or null to return a Promise'));
  }
  const p = new Promise((resolve) => resolve(genSaltSync(rounds, minor)));
  if (!cb) return p;
  toCallback(p, cb);
  return undefined;
}

// The salt for hash()/hashSync(): a salt string as is, or a fresh salt for a
// number of rounds (bcrypt refuses rounds that wrap past 31 here).
function saltFor(salt) {
  if (typeof salt !== 'number') return salt;
  if (!salt) return genSaltSync(10);
  if ((Math.trunc(salt) & 0xff) > 31) throw argError(INVALID_SALT);
  return genSaltSync(salt);
}

function hashSync(data, salt) {
  if (data == null || salt == null) throw argError('data and salt arguments required');
  if (!isData(data) || (typeof salt !== 'string' && typeof salt !== 'number')) throw argError(DATA_SALT);
  try {
    const s = saltFor(salt);
    return native.bcryptHashSync(keyFor(data, s), s, 'permissive');
  } catch (err) {
    throw saltError(err);
  }
}

function hash(data, salt, cb, progress) {
  if (typeof data === 'function') {
    process.nextTick(data, argError(DATA_SALT));
    return undefined;
  }
  if (typeof salt === 'function') {
    process.nextTick(salt, argError(DATA_SALT));
    return undefined;
  }
  if (cb && typeof cb !== 'function') return Promise.reject(argError('cb must be a function or null to return a Promise'));
  const p = new Promise((resolve) => {
    if (data == null || salt == null) throw argError('data and salt arguments required');
    if (!isData(data) || (typeof salt !== 'string' && typeof salt !== 'number')) throw argError(DATA_SALT);
    const s = saltFor(salt);
    resolve(withProgress(progress, (onProgress) => dropin.bcryptHash(keyFor(data, s), s, onProgress)));
  }).catch((err) => {
    throw saltError(err);
  });
  if (!cb) return p;
  toCallback(p, cb);
  return undefined;
}

// bcrypt's compare answers false (never throws) for anything that is not a
// well-formed bcrypt hash.
function isBcryptHash(h) {
  return h.startsWith('$2');
}

function compareSync(data, encrypted) {
  if (data == null || encrypted == null) throw argError('data and hash arguments required');
  if (!isData(data) || typeof encrypted !== 'string') throw argError('data must be a string or Buffer and hash must be a string');
  if (!isBcryptHash(encrypted)) return false;
  try {
    return native.verifySync(keyFor(data, encrypted), encrypted);
  } catch (err) {
    if (err && err.code === 'ERR_INVALID_HASH') return false;
    throw err;
  }
}

// compare() with a progress callback recomputes the hash with the stored
// salt (so the kernel's progress can be read) when it is a plain 60-char
// $2a$/$2b$/$2y$ hash; anything else goes to verify, reporting 0 and 1 only.
const PLAIN_HASH = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

function verifyTask(data, encrypted, onProgress) {
  if (onProgress === undefined || !PLAIN_HASH.test(encrypted)) return dropin.bcryptVerify(data, encrypted);
  return dropin.bcryptHash(data, encrypted.slice(0, 29), onProgress).then(
    (h) => dropin.safeEqual(h, encrypted),
    (err) => {
      if (err && err.code === 'ERR_INVALID_ARG_VALUE') return false;
      throw err;
    },
  );
}

function compare(data, encrypted, cb, progress) {
  if (typeof data === 'function') {
    process.nextTick(data, argError('data and hash arguments required'));
    return undefined;
  }
  if (typeof encrypted === 'function') {
    process.nextTick(encrypted, argError('data and hash arguments required'));
    return undefined;
  }
  if (cb && typeof cb !== 'function') return Promise.reject(argError('cb must be a function or null to return a Promise'));
  const p = new Promise((resolve) => {
    if (data == null || encrypted == null) throw argError('data and hash arguments required');
    if (!isData(data) || typeof encrypted !== 'string') throw argError('data and hash must be strings');
    if (!isBcryptHash(encrypted)) return resolve(false);
    resolve(
      withProgress(progress, (onProgress) => verifyTask(keyFor(data, encrypted), encrypted, onProgress)).catch((err) => {
        if (err && err.code === 'ERR_INVALID_HASH') return false;
        throw err;
      }),
    );
  });
  if (!cb) return p;
  toCallback(p, cb);
  return undefined;
}

function getRounds(encrypted) {
  if (encrypted == null) throw argError('hash argument required');
  if (typeof encrypted !== 'string') throw argError('hash must be a string');
  let parsed;
  try {
    parsed = native.parseHash(encrypted);
  } catch {
    throw argError('invalid hash provided');
  }
  if (parsed.algorithm !== 'bcrypt') throw argError('invalid hash provided');
  return parsed.cost;
}

// bcryptjs's helpers, with its semantics (Buffers are accepted too).
function getSalt(encrypted) {
  if (typeof encrypted !== 'string') throw argError(`Illegal arguments: ${typeof encrypted}`);
  if (encrypted.length !== 60) throw argError(`Illegal hash length: ${encrypted.length} != 60`);
  return encrypted.slice(0, 29);
}

function truncates(data) {
  if (Buffer.isBuffer(data)) return data.length > 72;
  if (typeof data !== 'string') throw argError(`Illegal arguments: ${typeof data}`);
  return Buffer.byteLength(data, 'utf8') > 72;
}

module.exports = {
  genSaltSync,
  genSalt,
  hashSync,
  hash,
  compareSync,
  compare,
  getRounds,
  getSalt,
  truncates,
  encodeBase64: dropin.encodeBase64,
  decodeBase64: dropin.decodeBase64,
  configure: dropin.configure,
};
