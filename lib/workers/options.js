'use strict';
// Options of the JS lane: the worker options of `new Pool()` and the
// per-task options of `run()`, validated with Node's message format.
const path = require('node:path');
const { pathToFileURL, URL } = require('node:url');
const { SHARE_ENV } = require('node:worker_threads');
const { typeError, valueError, checkInteger, checkOptions, isPlainObject } = require('../validate');
const { checkSignal, checkTimeout } = require('../run');
const { CorepoolError } = require('../errors');

const WORKER_OPTION_KEYS = ['filename', 'idleTimeout', 'resourceLimits', 'workerData', 'env', 'argv', 'execArgv', 'closeTimeout', 'abortGrace', 'workerSpin', 'niceIncrement'];
const RUN_OPTION_KEYS = ['filename', 'name', 'transferList', 'signal', 'timeout'];
const RESOURCE_KEYS = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'];
const MAX_MS = 2147483647;

/** A worker module as a file: URL string (path, `file:` string or URL). */
function toModuleUrl(filename, name) {
  if (filename instanceof URL) {
    if (filename.protocol !== 'file:') throw valueError(name, "a file: URL", filename.href);
    return filename.href;
  }
  if (typeof filename !== 'string' || filename === '') throw typeError(name, 'a non-empty string or a file: URL', filename);
  if (filename.startsWith('file:')) return new URL(filename).href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(filename) && !/^[a-z]:[\\/]/i.test(filename)) {
    throw valueError(name, 'a file path or a file: URL', filename);
  }
  return pathToFileURL(path.resolve(filename)).href;
}

function checkStringArray(v, name) {
  if (!Array.isArray(v)) throw typeError(name, 'an instance of Array', v);
  v.forEach((s, i) => {
    if (typeof s !== 'string') throw typeError(`${name}[${i}]`, 'of type string', s);
  });
  return v;
}

function checkMs(v, name, min, dflt) {
  if (v === undefined) return dflt;
  return checkInteger(v, name, min, MAX_MS);
}

/**
 * Added to the worker threads' nice value unless options.niceIncrement says
 * otherwise: under load the kernel then gives a core to the main thread as
 * soon as its event loop wakes. CPU shares between the workers and the main
 * thread change only while they compete for a core (BENCHMARKS.md, "Worker
 * priority").
 */
const DEFAULT_NICE = 5;

/**
 * A worker's young generation (MB) unless options.resourceLimits sets
 * maxYoungGenerationSizeMb: V8 gives a worker 48 (16 MB semi-spaces); 64
 * rounds up to 32 MB semi-spaces. CPU-bound JS tends to allocate hard and keep
 * its objects for a whole task (parsed rows, a render tree); with twice the
 * semi-space fewer of them survive two scavenges into the old generation.
 * Memory grows only with allocation: an idle worker's new space stays small.
 * Measured in BENCHMARKS.md ("The workers' young generation").
 */
const DEFAULT_YOUNG_MB = 64;

/** Validates the worker options of `new Pool(options)` (the other keys are index.js's). */
function workerOptions(o) {
  const out = {
    url: o.filename === undefined || o.filename === null ? undefined : toModuleUrl(o.filename, 'options.filename'),
    idleTimeout: checkMs(o.idleTimeout, 'options.idleTimeout', 0, 30000),
    closeTimeout: checkMs(o.closeTimeout, 'options.closeTimeout', 0, 30000),
    abortGrace: checkMs(o.abortGrace, 'options.abortGrace', 0, 1000),
    spinUs: o.workerSpin === undefined ? 100 : checkInteger(o.workerSpin, 'options.workerSpin', 0, 10000),
    nice: o.niceIncrement === undefined ? DEFAULT_NICE : checkInteger(o.niceIncrement, 'options.niceIncrement', 0, 19),
    workerData: o.workerData,
    env: undefined,
    argv: o.argv === undefined ? undefined : checkStringArray(o.argv, 'options.argv'),
    execArgv: o.execArgv === undefined ? undefined : checkStringArray(o.execArgv, 'options.execArgv'),
    resourceLimits: { maxYoungGenerationSizeMb: DEFAULT_YOUNG_MB },
  };
  if (o.env !== undefined) {
    if (o.env !== SHARE_ENV && !isPlainObject(o.env)) throw typeError('options.env', 'an object or worker_threads.SHARE_ENV', o.env);
    out.env = o.env;
  }
  if (o.resourceLimits !== undefined) {
    if (!isPlainObject(o.resourceLimits)) throw typeError('options.resourceLimits', 'an object', o.resourceLimits);
    const r = {};
    for (const [k, v] of Object.entries(o.resourceLimits)) {
      if (!RESOURCE_KEYS.includes(k)) throw valueError(`options.resourceLimits.${k}`, `one of the known options (${RESOURCE_KEYS.join(', ')})`, v);
      if (typeof v !== 'number' || !(v > 0)) throw valueError(`options.resourceLimits.${k}`, 'a positive number', v);
      r[k] = v;
    }
    out.resourceLimits = { maxYoungGenerationSizeMb: DEFAULT_YOUNG_MB, ...r };
  }
  if (o.workerData !== undefined) {
    try {
      structuredClone(o.workerData);
    } catch (err) {
      throw typeError('options.workerData', `a value that can be cloned to a worker (${err.message})`, o.workerData);
    }
  }
  return out;
}

const TS = /\.(c|m)?ts$/;
const LOADER_FLAG = /^(--import|--loader|--experimental-loader|--require|-r|--experimental-strip-types|--experimental-transform-types)(=|$)/;

/**
 * Node 22.6 to 23.5 can strip types, but only with --experimental-strip-types
 * (on by default from 23.6): corepool adds that flag to its workers there.
 */
function stripTypesFlag() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  const needed = (major === 22 && minor >= 6) || (major === 23 && minor < 6);
  return needed && !(process.features && process.features.typescript) ? '--experimental-strip-types' : undefined;
}

/** The workers' execArgv: the pool's (default: the parent's), plus the type-stripping flag where Node needs it. */
function workerExecArgv(execArgv) {
  const flag = stripTypesFlag();
  if (flag === undefined) return execArgv;
  const base = execArgv === undefined ? process.execArgv : execArgv;
  return base.includes(flag) ? base : [...base, flag];
}

/** Can a worker with these execArgv load a TypeScript file? */
function canRunTypeScript(execArgv) {
  if (process.features && process.features.typescript) return true;
  if (stripTypesFlag() !== undefined) return true;
  const flags = [...(execArgv || process.execArgv)];
  return flags.some((f) => LOADER_FLAG.test(f)) || /--(experimental-strip-types|import|require|loader)/.test(process.env.NODE_OPTIONS || '');
}

function typeScriptError(url) {
  return new CorepoolError(
    `Cannot run the TypeScript worker file ${url} on Node ${process.version}: this Node cannot strip types. ` +
      "Give the pool a TypeScript loader in execArgv (e.g. new Pool({ execArgv: ['--import', 'tsx'] })), " +
      'compile the file to JavaScript, or use Node >= 22.6 (--experimental-strip-types; on by default from 23.6).',
    'ERR_WORKER_INIT',
  );
}

/**
 * Validates `run()` options against the pool's defaults; returns
 * { url, name, transferList, signal, timeout }.
 */
function runOptions(options, defaults) {
  const o = checkOptions(options, 'options', RUN_OPTION_KEYS);
  const url = o.filename === undefined || o.filename === null ? defaults.url : toModuleUrl(o.filename, 'options.filename');
  if (url === undefined) {
    throw valueError('options.filename', 'a worker module (give filename to run() or to new Pool())', o.filename);
  }
  if (o.name !== undefined && o.name !== null && typeof o.name !== 'string') throw typeError('options.name', 'of type string', o.name);
  let transferList;
  if (o.transferList !== undefined && o.transferList !== null) {
    if (!Array.isArray(o.transferList)) throw typeError('options.transferList', 'an instance of Array', o.transferList);
    transferList = o.transferList;
  }
  return {
    url,
    name: o.name === null || o.name === undefined ? undefined : o.name,
    transferList,
    signal: checkSignal(o.signal, 'options.signal'),
    timeout: checkTimeout(o.timeout, 'options.timeout'),
    typescript: TS.test(new URL(url).pathname),
  };
}

module.exports = { WORKER_OPTION_KEYS, workerOptions, runOptions, toModuleUrl, canRunTypeScript, typeScriptError, workerExecArgv };
