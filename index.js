'use strict';
/**
 * corepool — CPU-bound work off the Node.js event loop, on a Rust rayon pool.
 * See index.d.ts for the documented API.
 */
const native = require('./lib/native');
const { CorepoolError, AbortError } = require('./lib/errors');
const { checkOptions, checkInteger, checkOneOf, toBytes, typeError, valueError } = require('./lib/validate');
const { run, checkSignal, checkTimeout } = require('./lib/run');
const { parseColor } = require('./lib/color');
const workers = require('./lib/workers');

const codes = require('./lib/codes');

// Allowed values of the string options: the native string enums (src/js/).
const DIGEST_ALGORITHMS = Object.values(native.DigestAlgorithm);
const ENCODINGS = ['hex', 'base64', 'base64url'];
const MAX_THREADS = 1024;

/** Validates the `{ signal, timeout }` part of an options object. */
function taskOptions(options, name) {
  checkSignal(options.signal, `${name}.signal`);
  checkTimeout(options.timeout, `${name}.timeout`);
  return options;
}

function digestOn(handle, data, algorithm, options) {
  try {
    if (typeof algorithm === 'object' && algorithm !== null && options === undefined) {
      options = algorithm;
      algorithm = options.algorithm;
    }
    const opts = taskOptions(checkOptions(options, 'options', ['algorithm', 'encoding', 'signal', 'timeout']), 'options');
    const algo = algorithm === undefined ? 'sha256' : checkOneOf(algorithm, 'algorithm', DIGEST_ALGORITHMS);
    const bytes = toBytes(data, 'data');
    const encoding = opts.encoding === undefined ? undefined : checkOneOf(opts.encoding, 'options.encoding', ENCODINGS);
    const p = run(opts, (token) => native.digest(handle, bytes, algo, token));
    return encoding === undefined ? p : p.then((buf) => buf.toString(encoding));
  } catch (err) {
    return Promise.reject(err);
  }
}

const HASH_ALGORITHMS = Object.values(native.HashAlgorithm);
const BCRYPT_VERSIONS = Object.values(native.BcryptVersion);
const HASH_OPTION_KEYS = ['algorithm', 'cost', 'version', 'truncate', 'memoryCost', 'timeCost', 'parallelism'];

/** Validates hash options and fills in the defaults (bcrypt, cost 12, 2b; argon2id m=19456 t=2 p=1). */
function hashOptions(options, name, extraKeys = []) {
  const o = checkOptions(options, name, [...HASH_OPTION_KEYS, ...extraKeys]);
  const algorithm = o.algorithm === undefined ? 'bcrypt' : checkOneOf(o.algorithm, `${name}.algorithm`, HASH_ALGORITHMS);
  const version = o.version === undefined ? '2b' : checkOneOf(o.version, `${name}.version`, BCRYPT_VERSIONS);
  if (o.truncate !== undefined && typeof o.truncate !== 'boolean') throw typeError(`${name}.truncate`, 'of type boolean', o.truncate);
  const parallelism = o.parallelism === undefined ? 1 : checkInteger(o.parallelism, `${name}.parallelism`, 1, 0xffffff);
  return {
    algorithm,
    cost: o.cost === undefined ? 12 : checkInteger(o.cost, `${name}.cost`, 4, 31),
    version,
    truncate: o.truncate === true,
    memoryCost: o.memoryCost === undefined ? 19456 : checkInteger(o.memoryCost, `${name}.memoryCost`, 8 * parallelism, 4194304),
    timeCost: o.timeCost === undefined ? 2 : checkInteger(o.timeCost, `${name}.timeCost`, 1, 4096),
    parallelism,
  };
}

function checkPassword(password, name = 'password') {
  if (typeof password === 'string' || password instanceof Uint8Array) return password;
  throw typeError(name, 'of type string or an instance of Buffer or Uint8Array', password);
}

function checkHashString(hash, name = 'hash') {
  if (typeof hash !== 'string') throw typeError(name, 'of type string', hash);
  return hash;
}

function hashOn(handle, password, options) {
  try {
    const o = hashOptions(options, 'options', ['signal', 'timeout']);
    taskOptions(options || {}, 'options');
    const pw = checkPassword(password);
    return run(options || {}, (token) => native.hash(handle, pw, o, token));
  } catch (err) {
    return Promise.reject(err);
  }
}

function verifyOn(handle, password, hash, options) {
  try {
    const opts = taskOptions(checkOptions(options, 'options', ['signal', 'timeout']), 'options');
    const pw = checkPassword(password);
    const h = checkHashString(hash);
    return run(opts, (token) => native.verify(handle, pw, h, token));
  } catch (err) {
    return Promise.reject(err);
  }
}

/** Parses a bcrypt or Argon2 hash string (sync). Throws ERR_INVALID_HASH if malformed. */
function parseHash(hash) {
  return native.parseHash(checkHashString(hash));
}

/** The bcrypt cost of a bcrypt hash (sync). */
function getRounds(hash) {
  const p = parseHash(hash);
  if (p.algorithm !== 'bcrypt') {
    throw new CorepoolError(`getRounds() reads bcrypt hashes; this is an ${p.algorithm} hash (use parseHash())`, codes.InvalidHash);
  }
  return p.cost;
}

/**
 * True when `hash` was made with another algorithm or other cost parameters
 * than `options` (or the defaults): rehash the password at the next login.
 */
function needsRehash(hash, options) {
  const o = hashOptions(options, 'options');
  return native.needsRehash(checkHashString(hash), o);
}

const RENDER_FORMATS = Object.values(native.RenderFormat);
const RENDER_KEYS = ['format', 'width', 'height', 'scale', 'background', 'quality', 'compressionLevel', 'maxPixels', 'maxInputBytes', 'resources', 'systemFonts', 'limits', 'info', 'signal', 'timeout'];
// options.limits: work budgets of one render.
const RENDER_LIMITS = ['elements', 'cssSteps', 'textElements', 'textChars', 'textCharsPerElement', 'paintPixels'];

/** `options.limits`, validated. */
function renderLimits(limits) {
  if (limits === undefined) return undefined;
  const l = checkOptions(limits, 'options.limits', RENDER_LIMITS);
  const out = {};
  for (const k of RENDER_LIMITS) {
    if (l[k] !== undefined) out[k] = checkInteger(l[k], `options.limits.${k}`, 1, Number.MAX_SAFE_INTEGER);
  }
  return out;
}

function checkSvg(svg, name) {
  if (typeof svg === 'string' || svg instanceof Uint8Array) return svg;
  if (ArrayBuffer.isView(svg) || svg instanceof ArrayBuffer) return toBytes(svg, name);
  throw typeError(name, 'of type string or an instance of Buffer or Uint8Array', svg);
}

function renderOn(handle, svg, options) {
  try {
    const o = taskOptions(checkOptions(options, 'options', RENDER_KEYS), 'options');
    const format = o.format === undefined ? 'png' : checkOneOf(o.format, 'options.format', RENDER_FORMATS);
    let svgs;
    if (Array.isArray(svg)) {
      if (svg.length === 0) throw valueError('svg', 'a non-empty array', svg);
      if (format !== 'pdf') throw valueError('svg', `a single SVG for format '${format}' (an array makes a multi-page PDF)`, svg);
      svgs = svg.map((s, i) => checkSvg(s, `svg[${i}]`));
    } else {
      svgs = [checkSvg(svg, 'svg')];
    }
    const sizing = ['width', 'height', 'scale'].filter((k) => o[k] !== undefined);
    if (sizing.length > 1) throw valueError(`options.${sizing[1]}`, `not combined with options.${sizing[0]} (give one of width, height, scale)`, o[sizing[1]]);
    const native_ = {
      format,
      width: o.width === undefined ? undefined : checkInteger(o.width, 'options.width', 1, 1e6),
      height: o.height === undefined ? undefined : checkInteger(o.height, 'options.height', 1, 1e6),
      scale: o.scale === undefined ? undefined : checkScale(o.scale),
      background: o.background === undefined ? undefined : parseColor(o.background, 'options.background'),
      quality: o.quality === undefined ? undefined : checkInteger(o.quality, 'options.quality', 1, 100),
      compressionLevel: o.compressionLevel === undefined ? undefined : checkInteger(o.compressionLevel, 'options.compressionLevel', 0, 9),
      maxPixels: o.maxPixels === undefined ? undefined : checkInteger(o.maxPixels, 'options.maxPixels', 1, Number.MAX_SAFE_INTEGER),
      maxInputBytes: o.maxInputBytes === undefined ? undefined : checkInteger(o.maxInputBytes, 'options.maxInputBytes', 1, Number.MAX_SAFE_INTEGER),
      baseDir: resourcesBaseDir(o.resources),
      systemFonts: o.systemFonts === undefined ? undefined : checkBoolean(o.systemFonts, 'options.systemFonts'),
      limits: renderLimits(o.limits),
      info: o.info === undefined ? false : checkBoolean(o.info, 'options.info'),
    };
    return run(o, (token) => native.render(handle, svgs, native_, token));
  } catch (err) {
    return Promise.reject(err);
  }
}

function checkScale(scale) {
  if (typeof scale !== 'number') throw typeError('options.scale', 'of type number', scale);
  if (!(scale > 0 && scale <= 1000)) throw valueError('options.scale', 'a number greater than 0 and at most 1000', scale);
  return scale;
}

function checkBoolean(v, name) {
  if (typeof v !== 'boolean') throw typeError(name, 'of type boolean', v);
  return v;
}

function resourcesBaseDir(resources) {
  if (resources === undefined) return undefined;
  const r = checkOptions(resources, 'options.resources', ['baseDir']);
  if (r.baseDir === undefined) return undefined;
  if (typeof r.baseDir !== 'string' || r.baseDir === '') throw typeError('options.resources.baseDir', 'a non-empty string', r.baseDir);
  return require('node:path').resolve(r.baseDir);
}

function registerFontOn(handle, data, options) {
  try {
    const o = taskOptions(checkOptions(options, 'options', ['signal', 'timeout']), 'options');
    if (!(data instanceof Uint8Array)) throw typeError('data', 'an instance of Buffer or Uint8Array', data);
    return run(o, (token) => native.registerFont(handle, data, token)).then(Number);
  } catch (err) {
    return Promise.reject(err);
  }
}

const FITS = Object.values(native.Fit);
const POSITIONS = Object.values(native.Position);
const KERNELS = Object.values(native.Kernel);
const IMAGE_FORMATS = Object.values(native.ImageFormat);
const RESIZE_KEYS = [
  'width', 'height', 'fit', 'position', 'background', 'withoutEnlargement', 'kernel', 'format', 'quality', 'progressive',
  'lossless', 'effort', 'compressionLevel', 'autoOrient', 'keepMetadata', 'maxInputPixels', 'maxDecodedBytes', 'fastShrinkOnLoad', 'info', 'signal', 'timeout',
];
const BOOLEAN_RESIZE_KEYS = ['withoutEnlargement', 'progressive', 'lossless', 'autoOrient', 'keepMetadata', 'fastShrinkOnLoad', 'info'];

function checkImage(input) {
  if (input instanceof Uint8Array) return input;
  if (ArrayBuffer.isView(input) || input instanceof ArrayBuffer) return toBytes(input, 'input');
  throw typeError('input', 'an instance of Buffer or Uint8Array', input);
}

function resizeOn(handle, input, options) {
  try {
    const o = taskOptions(checkOptions(options, 'options', RESIZE_KEYS), 'options');
    const bytes = checkImage(input);
    const n = {};
    for (const k of ['width', 'height']) if (o[k] !== undefined && o[k] !== null) n[k] = checkInteger(o[k], `options.${k}`, 1, 65535);
    if (o.fit !== undefined) n.fit = checkOneOf(o.fit, 'options.fit', FITS);
    if (o.position !== undefined) n.position = checkOneOf(o.position, 'options.position', POSITIONS);
    if (o.kernel !== undefined) n.kernel = checkOneOf(o.kernel, 'options.kernel', KERNELS);
    if (o.format !== undefined) n.format = checkOneOf(o.format, 'options.format', IMAGE_FORMATS);
    if (o.background !== undefined) n.background = parseColor(o.background, 'options.background');
    if (o.quality !== undefined) n.quality = checkInteger(o.quality, 'options.quality', 1, 100);
    if (o.effort !== undefined) n.effort = checkInteger(o.effort, 'options.effort', 0, 6);
    if (o.compressionLevel !== undefined) n.compressionLevel = checkInteger(o.compressionLevel, 'options.compressionLevel', 0, 9);
    // Limits: a positive integer, or false for none (0 to the kernel).
    for (const k of ['maxInputPixels', 'maxDecodedBytes']) {
      if (o[k] !== undefined) n[k] = o[k] === false ? 0 : checkInteger(o[k], `options.${k}`, 1, Number.MAX_SAFE_INTEGER);
    }
    for (const k of BOOLEAN_RESIZE_KEYS) if (o[k] !== undefined) n[k] = checkBoolean(o[k], `options.${k}`);
    return run(o, (token) => native.resize(handle, bytes, n, token));
  } catch (err) {
    return Promise.reject(err);
  }
}

function metadataOn(handle, input, options) {
  try {
    const o = taskOptions(checkOptions(options, 'options', ['signal', 'timeout']), 'options');
    const bytes = checkImage(input);
    return run(o, (token) => native.metadata(handle, bytes, token));
  } catch (err) {
    return Promise.reject(err);
  }
}

const kHandle = Symbol('corepool.handle');

/**
 * A pool of threads with bounded admission. The module-level functions use a
 * process-wide default pool; `new Pool()` makes an isolated one.
 */
class Pool {
  constructor(options) {
    const opts = checkOptions(options, 'options', ['threads', 'maxQueue', 'name', 'maxMemory', 'wipeMemory', ...workers.WORKER_OPTION_KEYS]);
    const threads = opts.threads === undefined ? 0 : checkInteger(opts.threads, 'options.threads', 1, MAX_THREADS);
    let maxQueue;
    if (opts.maxQueue !== undefined && opts.maxQueue !== 'auto') {
      maxQueue = checkInteger(opts.maxQueue, 'options.maxQueue', 0, 2 ** 31 - 1);
    }
    if (opts.name !== undefined && typeof opts.name !== 'string') throw typeError('options.name', 'of type string', opts.name);
    const maxMemory = opts.maxMemory === undefined ? undefined : checkInteger(opts.maxMemory, 'options.maxMemory', 1, Number.MAX_SAFE_INTEGER);
    const wipeMemory = opts.wipeMemory === undefined ? undefined : checkBoolean(opts.wipeMemory, 'options.wipeMemory');
    workers.initWorkers(this, opts);
    this[kHandle] = native.createPool({ threads, maxQueue, name: opts.name, maxMemory, wipeMemory });
  }

  /**
   * Runs the worker module's function on `payload` in a worker thread, under
   * the pool's CPU budget; see index.d.ts.
   */
  run(payload, options) {
    return workers.runOn(this, this[kHandle], payload, options);
  }

  /** Checksum of `data`; see index.d.ts. */
  digest(data, algorithm, options) {
    return digestOn(this[kHandle], data, algorithm, options);
  }

  /** Password hash; see index.d.ts. */
  hash(password, options) {
    return hashOn(this[kHandle], password, options);
  }

  /** Checks a password against a hash; see index.d.ts. */
  verify(password, hash, options) {
    return verifyOn(this[kHandle], password, hash, options);
  }

  /** SVG → PNG/JPEG/WebP/PDF; see index.d.ts. */
  render(svg, options) {
    return renderOn(this[kHandle], svg, options);
  }

  /** Decode, orient, resize, encode; see index.d.ts. */
  resize(input, options) {
    return resizeOn(this[kHandle], input, options);
  }

  /** Image header facts; see index.d.ts. */
  metadata(input, options) {
    return metadataOn(this[kHandle], input, options);
  }

  /** Counters and latency percentiles. */
  stats() {
    return workers.statsOf(this, this[kHandle]);
  }

  /** Prometheus text exposition of `stats()`. */
  metrics() {
    return workers.metricsOf(this, this[kHandle]);
  }

  /**
   * Stops admission (both lanes), lets admitted tasks finish (JS tasks up to
   * `closeTimeout`), stops the workers, and resolves once nothing is in flight.
   */
  close() {
    const handle = this[kHandle];
    if (handle === null) {
      return Promise.reject(new CorepoolError('The default pool cannot be closed', codes.InvalidState));
    }
    // The first close() stops admission of both lanes at once; the second
    // re-checks "nothing in flight" after the JS lane has drained (JS tasks
    // give their admission back without passing through the native drain).
    const first = native.close(handle);
    return workers.closeWorkers(this).then(() => Promise.all([first, native.close(handle)])).then(() => undefined);
  }
}

const defaultPool = Object.create(Pool.prototype);
defaultPool[kHandle] = null;
workers.initWorkers(defaultPool, {});

module.exports = {
  Pool,
  CorepoolError,
  AbortError,
  defaultPool,
  digest: (data, algorithm, options) => digestOn(null, data, algorithm, options),
  hash: (password, options) => hashOn(null, password, options),
  verify: (password, hash, options) => verifyOn(null, password, hash, options),
  needsRehash,
  getRounds,
  parseHash,
  render: (svg, options) => renderOn(null, svg, options),
  resize: (input, options) => resizeOn(null, input, options),
  metadata: (input, options) => metadataOn(null, input, options),
  registerFont: (data, options) => registerFontOn(null, data, options),
  stats: () => defaultPool.stats(),
  metrics: () => defaultPool.metrics(),
  run: (payload, options) => defaultPool.run(payload, options),
  move: workers.move,
  isWorkerThread: workers.isWorkerThread,
  workerData: workers.workerData,
  defaultThreads: () => native.defaultThreads(),
};

// Shared with the other entry points (the drop-ins) and the tests, privately.
Object.assign(require('./lib/internal'), { native, kHandle, run, taskOptions, valueError, workers });
