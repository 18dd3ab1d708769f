'use strict';
// The worker side of the JS lane: the script every corepool worker thread
// runs. It loads user modules on demand (CommonJS or ESM, by file: URL),
// runs a batch of tasks one after another, and answers with their results in
// one message (partial answers go out when a batch runs long).
//
// Protocol (lane.js is the other half), as flat arrays on a MessageChannel
// of the lane's own (`workerData.port`; parentPort is left to the user's
// code):
//   main → worker  [RUN, b, defs, id, fnIndex, payload, id, fnIndex, payload, …]
//                  (a second RUN with the same b extends batch b: its tasks
//                  run after the ones sent before, numbered on from them)
//                  [ABORT, id, timeout]
//   worker → main  [PART | DONE, b, id, status, value, id, status, value, …]
//   defs: 0, or [first, url, name, url, name, …]: functions numbered from
//   `first` on (first = 0 starts the table afresh); a batch names its
//   functions by number, so a module's URL crosses once per worker.
//   status: 0 resolved, 1 rejected (value = serialized error), 2 skipped
//   (aborted before it started), 3 module load failure (ERR_WORKER_INIT).
// Before task i of a batch starts, progress[0] = i + 1, so if the worker dies
// the main thread knows which tasks never started. progress[1] is 1 while the
// lane holds this worker's lease (its run slot) and lets it spin, 0 once the
// lease is given back (or when spinning would not pay, see lane.js
// spinAllowed: no core left free for the main thread).
//
// Spinning. After posting a batch's results, the worker polls its port for
// the next batch for up to workerSpin µs (default 100), but only while
// progress[1] = 1: the run slot is this worker's anyway, so the spin burns
// no CPU the budget has not already granted. A sequential `await
// pool.run()` loop then finds the worker awake: on a VM whose idle vCPUs
// halt at once, waking a thread costs tens of µs, and a round trip would pay
// it twice (once per direction) without the spin.
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const { fileURLToPath } = require('node:url');
// transfer.js is loaded on the first result marked with move() (most
// workers never need it): one module less in every idle worker.
const { isMoved } = require('./moved');
let transferModule = null;
function transferables(value, out) {
  if (transferModule === null) transferModule = require('./transfer');
  return transferModule.transferables(value, out);
}

// niceIncrement: on Linux a nice value belongs to a thread, so this lowers
// the priority of this worker thread only (the main thread keeps its own).
if (workerData.nice > 0 && process.platform === 'linux') {
  const os = require('node:os');
  try {
    os.setPriority(0, Math.min(19, os.getPriority(0) + workerData.nice));
  } catch {
    // Not permitted here: run at the inherited priority.
  }
}

const progress = new Int32Array(workerData.progress);
const port = workerData.port;
const RUN = 1;
const ABORT = 2;
const PART = 0;
const DONE = 1;
/** The functions the main thread numbered for this worker: [url, name, url, name, …]. */
let fnTable = [];
/** url + '\0' + name → the function, or a load failure (an Error). */
const handlers = new Map();
/** Task id → { controller, reason } of the task running now (or aborted early). */
const live = new Map();
const aborted = new Map();

/** Flush partial results after this long inside one batch (ms). */
const FLUSH_MS = 2;

function initError(message, cause) {
  const err = new Error(message, cause === undefined ? undefined : { cause });
  err.code = 'ERR_WORKER_INIT';
  return err;
}

async function pick(ns, name, url) {
  let fn;
  // A module may export a promise of its handler (async initialisation).
  if (ns.default !== null && typeof ns.default === 'object' && typeof ns.default.then === 'function') ns = { ...ns, default: await ns.default };
  if (name !== undefined && name !== 'default') {
    fn = ns[name];
    if (typeof fn !== 'function' && ns.default != null && (typeof ns.default === 'object' || typeof ns.default === 'function')) fn = ns.default[name];
    if (typeof fn !== 'function') throw initError(`The worker module ${url} has no function export named '${name}'`);
    return fn;
  }
  fn = ns.default;
  if (typeof fn !== 'function' && fn != null && typeof fn.default === 'function') fn = fn.default;
  if (typeof fn !== 'function') throw initError(`The worker module ${url} has no default export function (or module.exports function); pass { name } to pick a named export`);
  return fn;
}

const TS = /\.(c|m)?ts$/;

const ESM_ONLY = /\.m(j|t)s$/;

/**
 * CommonJS first (require(), which also honours require hooks such as
 * ts-node/tsx), then ESM import() for ES modules and `.mjs`.
 */
async function importModule(url) {
  if (!ESM_ONLY.test(url) && url.startsWith('file:')) {
    let exported;
    try {
      exported = require(fileURLToPath(url));
    } catch (err) {
      if (err.code !== 'ERR_REQUIRE_ESM' && err.code !== 'ERR_REQUIRE_ASYNC_MODULE' && err.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
      return import(url);
    }
    return { default: exported };
  }
  return import(url);
}

async function load(url, name) {
  let ns;
  try {
    ns = await importModule(url);
  } catch (err) {
    if (TS.test(url) && (err.code === 'ERR_UNKNOWN_FILE_EXTENSION' || err.code === 'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING' || err instanceof SyntaxError)) {
      throw initError(
        `Cannot run the TypeScript worker file ${url} on Node ${process.version}: this Node cannot strip types. ` +
          "Give the pool a TypeScript loader in execArgv (e.g. new Pool({ execArgv: ['--import', 'tsx'] })), " +
          'compile the file to JavaScript, or use Node >= 22.6.',
        err,
      );
    }
    throw initError(`The worker module ${url} failed to load: ${err && err.message}`, err);
  }
  return await pick(ns, name, url);
}

/** An error as plain data that keeps message, stack, name, code and own properties. */
function serializeError(e) {
  if (!(e instanceof Error)) return { thrown: e };
  const props = {};
  for (const k of Object.keys(e)) {
    const v = e[k];
    if (v === null || typeof v !== 'object' || typeof v === 'function') {
      if (typeof v !== 'function' && typeof v !== 'symbol') props[k] = v;
    }
  }
  const out = { name: e.name, message: e.message, stack: e.stack, props };
  if (e.cause !== undefined) out.cause = e.cause instanceof Error ? serializeError(e.cause) : { thrown: safeValue(e.cause) };
  return out;
}

function safeValue(v) {
  try {
    structuredClone(v);
    return v;
  } catch {
    return String(v);
  }
}

/** The `{ signal }` argument; the AbortSignal is made on first use. */
function taskContext(id) {
  const state = { controller: null, reason: undefined, aborted: false };
  live.set(id, state);
  return {
    state,
    ctx: {
      get signal() {
        if (state.controller === null) {
          state.controller = new AbortController();
          if (state.aborted) state.controller.abort(state.reason);
        }
        return state.controller.signal;
      },
    },
  };
}

function abortReason(timeout) {
  return new DOMException(timeout ? 'The task timed out' : 'The operation was aborted', timeout ? 'TimeoutError' : 'AbortError');
}

function onAbort(id, timeout) {
  const state = live.get(id);
  if (state === undefined) {
    aborted.set(id, abortReason(timeout));
    return;
  }
  if (state.aborted) return;
  state.aborted = true;
  state.reason = abortReason(timeout);
  if (state.controller !== null) state.controller.abort(state.reason);
}

/** Posts `msg` ([kind, b, id, status, value, …]). */
function post(msg, transfer) {
  try {
    port.postMessage(msg, transfer);
  } catch (err) {
    // A result that cannot be cloned: send the batch one result at a time,
    // failing only the ones that do not clone.
    const [kind, b] = msg;
    for (let i = 2; i < msg.length; i += 3) {
      try {
        port.postMessage([PART, b, msg[i], msg[i + 1], msg[i + 2]], transfer.filter((x) => transferables(msg[i + 2]).includes(x)));
      } catch (e) {
        const te = new TypeError(`The worker's result cannot be cloned back to the main thread: ${e.message}`);
        te.code = 'ERR_WORKER_RESULT';
        port.postMessage([PART, b, msg[i], 1, serializeError(te)]);
      }
    }
    port.postMessage([kind, b]);
  }
}

/** The functions numbered in a RUN message's defs. */
function addDefs(defs) {
  if (defs === 0) return;
  if (defs[0] === 0) fnTable = [];
  for (let k = 1; k < defs.length; k++) fnTable.push(defs[k]);
}

/**
 * The batch this worker was sent last: its number, its tasks as the RUN
 * message's flat array (id, fnIndex, payload from index 3 on; a message that
 * extends the batch appends to it) and the index of the next task to start.
 */
let cur = null;

/** Posts the batch's results gathered so far as a PART message. */
function flush(batch) {
  if (batch.results.length > 2) {
    post(batch.results, batch.transfer);
    batch.results = [PART, batch.b];
    batch.transfer = [];
  }
  batch.flushed = performance.now();
}

/**
 * Before the batch waits (a task's promise, a module load): results already
 * gathered go out once the worker is idle (the check phase), so a task that
 * awaits for long does not hold back the answers of the tasks before it. A
 * promise that settles at once settles before that, and nothing extra is sent.
 */
function flushWhenIdle(batch) {
  if (batch.results.length > 2 && batch.idleFlush === null) {
    batch.idleFlush = setImmediate(() => {
      batch.idleFlush = null;
      flush(batch);
    });
  }
}

/**
 * Tasks of one batch that may await at the same time (corepool/piscina's
 * concurrentTasksPerWorker): with more than 1, a task whose function returns
 * a promise does not hold back the next one; its answer goes out when it
 * settles, out of order. They still start in order, one at a time, on this
 * one thread.
 */
const PER_WORKER = workerData.perWorker > 1 ? workerData.perWorker : 1;

/** A task's outcome into its batch's answers. */
function answer(batch, id, state, ok, r) {
  if (ok) {
    if (isMoved(r)) {
      if (r.transfer !== undefined) batch.transfer.push(...r.transfer);
      else transferables(r.value, batch.transfer);
      r = r.value;
    }
    batch.results.push(id, 0, r);
  } else batch.results.push(id, 1, serializeError(r));
  live.delete(id);
  if (state.aborted) aborted.delete(id);
}

async function runBatch(batch) {
  const tasks = batch.tasks;
  /** Promises of the tasks awaiting now (PER_WORKER > 1). */
  const awaiting = new Set();
  batch.flushed = performance.now();
  for (;;) {
    while (batch.next < tasks.length) {
      const i = batch.next;
      batch.next += 3;
      const id = tasks[i];
      // A task that joined the batch after it was sent (corepool/piscina's
      // concurrentTasksPerWorker) may run long: what is done goes out first.
      if (i >= batch.sent) flush(batch);
      Atomics.store(progress, 0, (i - 3) / 3 + 1);
      if (aborted.has(id)) {
        aborted.delete(id);
        batch.results.push(id, 2, undefined);
        continue;
      }
      let fn = batch.fns[tasks[i + 1]];
      if (fn === undefined) {
        const url = fnTable[tasks[i + 1] * 2];
        const name = fnTable[tasks[i + 1] * 2 + 1];
        const key = `${url}\0${name}`;
        fn = handlers.get(key);
        if (fn === undefined) {
          flushWhenIdle(batch);
          try {
            fn = await load(url, name);
          } catch (err) {
            fn = err;
          }
          handlers.set(key, fn);
        }
        batch.fns[tasks[i + 1]] = fn;
      }
      if (typeof fn !== 'function') {
        batch.results.push(id, 3, serializeError(fn));
        continue;
      }
      const { state, ctx } = taskContext(id);
      const payload = tasks[i + 2];
      tasks[i + 2] = undefined;
      let r;
      try {
        r = fn(payload, ctx);
      } catch (err) {
        answer(batch, id, state, false, err);
        continue;
      }
      if (r === null || typeof r !== 'object' || typeof r.then !== 'function') {
        answer(batch, id, state, true, r);
      } else if (PER_WORKER > 1) {
        const p = Promise.resolve(r).then(
          (v) => answer(batch, id, state, true, v),
          (e) => answer(batch, id, state, false, e),
        );
        awaiting.add(p);
        p.then(() => awaiting.delete(p));
        if (awaiting.size >= PER_WORKER) {
          flushWhenIdle(batch);
          await Promise.race(awaiting);
        }
      } else {
        flushWhenIdle(batch);
        try {
          answer(batch, id, state, true, await r);
        } catch (err) {
          answer(batch, id, state, false, err);
        }
      }
      if (batch.next < tasks.length && performance.now() - batch.flushed > FLUSH_MS) flush(batch);
    }
    if (awaiting.size === 0) break;
    // Answers of the settled ones go out while the others await; tasks that
    // join the batch meanwhile start when one settles.
    flushWhenIdle(batch);
    await Promise.race([...awaiting, new Promise((wake) => (batch.wake = wake))]);
    batch.wake = null;
  }
  if (batch.idleFlush !== null) {
    clearImmediate(batch.idleFlush);
    batch.idleFlush = null;
  }
  // Aborts that arrived after their task finished are moot now.
  aborted.clear();
  const results = batch.results;
  results[0] = DONE;
  post(results, batch.transfer);
  batch.results = [PART, batch.b];
  batch.transfer = [];
  batchActive = false;
  if (!spinning) spin();
}

const SPIN_MS = workerData.spinUs / 1000;
/** A batch is running (or awaiting a task's promise). */
let batchActive = false;
let spinning = false;

/**
 * Polls for the next message while the lease is held, up to SPIN_MS (see
 * the top). Allocation-free; the clock is read every 32 polls.
 */
function spin() {
  if (SPIN_MS === 0) return;
  spinning = true;
  let until = performance.now() + SPIN_MS;
  for (let n = 1; Atomics.load(progress, 1) === 1; n++) {
    const e = receiveMessageOnPort(port);
    if (e === undefined) {
      if ((n & 31) === 0 && performance.now() >= until) break;
      continue;
    }
    onMessage(e.message);
    // A batch that awaits needs the event loop: stop spinning.
    if (batchActive) break;
    until = performance.now() + SPIN_MS;
  }
  spinning = false;
}

function onMessage(m) {
  if (m[0] === RUN) {
    addDefs(m[2]);
    if (cur !== null && cur.b === m[1]) {
      // More tasks for the batch (corepool/piscina's concurrentTasksPerWorker):
      // they run after the ones already sent, numbered on from them.
      for (let i = 3; i < m.length; i++) cur.tasks.push(m[i]);
      if (batchActive) {
        // Awaiting its tasks' promises with room for more: start these now.
        if (cur.wake !== null) cur.wake();
        return;
      }
    } else {
      cur = { b: m[1], tasks: m, next: 3, sent: m.length, fns: [], results: [PART, m[1]], transfer: [], flushed: 0, idleFlush: null, wake: null };
    }
    batchActive = true;
    runBatch(cur);
  } else if (m[0] === ABORT) onAbort(m[1], m[2]);
}

port.on('message', onMessage);
