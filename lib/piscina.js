'use strict';
// corepool/piscina: piscina's API (v5) on corepool's JS lane. Written from
// piscina's documentation and test suite; no piscina code.
//
// Each Piscina is a corepool Pool with `threads = maxThreads`: its tasks run
// on worker_threads under that pool's run slots (see lib/workers/lane.js).
// Differences from piscina are listed in the README ("corepool/piscina").
const { EventEmitterAsyncResource, EventEmitter } = require('node:events');
const { AsyncResource } = require('node:async_hooks');
const { createHistogram, performance } = require('node:perf_hooks');
const { availableParallelism } = require('node:os');
const { MessagePort } = require('node:worker_threads');
const { types } = require('node:util');
const { fileURLToPath } = require('node:url');
const corepool = require('../index.js');
const workers = require('./workers');
const { move: coreMove, isMoved } = require('./workers/transfer');
const { FixedQueue, ArrayTaskQueue } = require('./task-queue');

const { Pool } = corepool;
const { kHandle } = require('./internal');

const transferableSymbol = Symbol.for('Piscina.transferable');
const valueSymbol = Symbol.for('Piscina.valueOf');
const queueOptionsSymbol = Symbol.for('Piscina.queueOptions');
const version = '5.3.2';

const ATOMICS = ['sync', 'async', 'disabled'];

class AbortError extends Error {
  constructor(reason) {
    super('The task has been aborted', { cause: reason });
  }

  get name() {
    return 'AbortError';
  }
}

function isNonNegInt(v) {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function isTransferable(v) {
  return v != null && typeof v === 'object' && transferableSymbol in v && valueSymbol in v;
}

/** Our move() marker, with piscina's [valueSymbol]/[transferableSymbol] view of it. */
function movable(value, transferable, list) {
  const m = coreMove(value, list);
  Object.defineProperty(m, valueSymbol, { value, enumerable: false });
  Object.defineProperty(m, transferableSymbol, { value: transferable, enumerable: false });
  return m;
}

/** Piscina.move(): ArrayBuffers, views, MessagePorts and Transferable objects are transferred, not cloned. */
function move(val) {
  if (val != null && typeof val === 'object' && typeof val !== 'function') {
    if (isMoved(val)) return val;
    if (isTransferable(val)) {
      const t = val[transferableSymbol];
      const list = Array.isArray(t) ? t : t != null && (types.isAnyArrayBuffer(t) || t instanceof MessagePort) ? [t] : [];
      return movable(val[valueSymbol], t, list);
    }
    if (types.isAnyArrayBuffer(val) && !types.isSharedArrayBuffer(val)) return movable(val, val, [val]);
    if (ArrayBuffer.isView(val) && !types.isSharedArrayBuffer(val.buffer)) return movable(val, val.buffer, [val.buffer]);
    if (val instanceof MessagePort) return movable(val, val, [val]);
  }
  return val;
}

function validate(o) {
  if (o.filename !== undefined && o.filename !== null && typeof o.filename !== 'string') throw new TypeError('options.filename must be a string or null');
  if (o.name !== undefined && o.name !== null && typeof o.name !== 'string') throw new TypeError('options.name must be a string or null');
  if (o.minThreads !== undefined && !isNonNegInt(o.minThreads)) throw new TypeError('options.minThreads must be a non-negative integer');
  if (o.maxThreads !== undefined && !(isNonNegInt(o.maxThreads) && o.maxThreads >= 1)) throw new TypeError('options.maxThreads must be a positive integer');
  if (o.minThreads !== undefined && o.maxThreads !== undefined && o.minThreads > o.maxThreads) {
    throw new RangeError('options.minThreads and options.maxThreads must not conflict');
  }
  if (o.idleTimeout !== undefined && !isNonNegInt(o.idleTimeout) && o.idleTimeout !== Infinity) throw new TypeError('options.idleTimeout must be a non-negative integer');
  if (o.maxQueue !== undefined && o.maxQueue !== 'auto' && !isNonNegInt(o.maxQueue) && o.maxQueue !== Infinity) throw new TypeError('options.maxQueue must be a non-negative integer');
  if (o.concurrentTasksPerWorker !== undefined && !(isNonNegInt(o.concurrentTasksPerWorker) && o.concurrentTasksPerWorker >= 1)) {
    throw new TypeError('options.concurrentTasksPerWorker must be a positive integer');
  }
  if (o.atomics !== undefined && !ATOMICS.includes(o.atomics)) throw new TypeError('options.atomics should be a value of sync, sync or disabled.');
  if (o.useAtomics !== undefined && typeof o.useAtomics !== 'boolean') throw new TypeError('options.useAtomics must be a boolean value');
  if (o.resourceLimits !== undefined && (typeof o.resourceLimits !== 'object' || o.resourceLimits === null)) throw new TypeError('options.resourceLimits must be an object');
  if (o.taskQueue !== undefined && !isTaskQueue(o.taskQueue)) throw new TypeError('options.taskQueue must be a TaskQueue object');
  if (o.niceIncrement !== undefined && !isNonNegInt(o.niceIncrement)) throw new TypeError('options.niceIncrement must be a non-negative integer');
  if (o.trackUnmanagedFds !== undefined && typeof o.trackUnmanagedFds !== 'boolean') throw new TypeError('options.trackUnmanagedFds must be a boolean value');
  if (o.closeTimeout !== undefined && !isNonNegInt(o.closeTimeout)) throw new TypeError('options.closeTimeout must be a non-negative integer');
  if (o.recordTiming !== undefined && typeof o.recordTiming !== 'boolean') throw new TypeError('options.recordTiming must be a boolean');
  if (o.stricterFIFO !== undefined && typeof o.stricterFIFO !== 'boolean') throw new TypeError('options.stricterFIFO must be a boolean');
  if (o.workerHistogram !== undefined && typeof o.workerHistogram !== 'boolean') throw new TypeError('options.workerHistogram must be a boolean');
  if (o.loadBalancer !== undefined && (typeof o.loadBalancer !== 'function' || o.loadBalancer.length < 1)) {
    throw new TypeError('options.loadBalancer must be a function with at least two args');
  }
  if (o.workerData !== undefined) {
    try {
      structuredClone(o.workerData);
    } catch (err) {
      throw new TypeError(`options.workerData could not be cloned. ${err.message}`);
    }
  }
}

function isTaskQueue(q) {
  return q !== null && typeof q === 'object' && typeof q.size === 'number' && typeof q.shift === 'function' && typeof q.remove === 'function' && typeof q.push === 'function';
}

/** A piscina histogram summary (milliseconds) of a perf_hooks histogram recorded in microseconds. */
function summary(h) {
  const ms = (v) => v / 1000;
  const out = {
    average: ms(h.mean),
    mean: ms(h.mean),
    stddev: ms(h.stddev),
    min: h.count === 0 ? 0 : ms(h.min),
    max: ms(h.max),
  };
  for (const p of [0.001, 0.01, 0.1, 1, 2.5, 10, 25, 50, 75, 90, 97.5, 99, 99.9, 99.99, 99.999]) {
    out[`p${String(p).replace('.', '_')}`] = ms(h.percentile(p));
  }
  return out;
}

const kTask = Symbol('corepool.laneTask');

/** What a custom taskQueue holds: piscina's view of a queued task. */
class QueuedTask {
  #t;

  constructor(t) {
    this.#t = t;
    this[kTask] = t;
  }

  get taskId() {
    return this.#t.id;
  }

  get filename() {
    const url = this.#t.url;
    return url.startsWith('file:') ? fileURLToPath(url) : url;
  }

  get name() {
    return this.#t.name === undefined ? 'default' : this.#t.name;
  }

  get created() {
    return this.#t.t0;
  }

  get isAbortable() {
    return this.#t.cleanup !== null;
  }

  /** The payload. */
  get task() {
    return this.#t.payload;
  }

  get [queueOptionsSymbol]() {
    const p = this.#t.payload;
    return (p !== null && typeof p === 'object' && p[queueOptionsSymbol]) || null;
  }
}

const taskViews = new WeakMap();

/** The one QueuedTask of a lane task. */
function viewOf(t) {
  let v = taskViews.get(t);
  if (v === undefined) {
    v = new QueuedTask(t);
    taskViews.set(t, v);
  }
  return v;
}

const kSlot = Symbol('corepool.workerSlot');
const kRecord = Symbol('corepool.record');

/** What a loadBalancer sees of a worker (piscina's PiscinaWorker). */
class WorkerView {
  #lane;
  #slot;
  #histogram;

  constructor(lane, slot, histogram) {
    this.#lane = lane;
    this.#slot = slot;
    this.#histogram = histogram;
    this[kSlot] = slot;
  }

  get id() {
    return this.#slot.threadId;
  }

  /** Tasks sent to this worker and not answered yet. */
  get currentUsage() {
    return this.#lane.usage(this.#slot);
  }

  get isRunningAbortableTask() {
    return this.#lane.runsAbortable(this.#slot);
  }

  get histogram() {
    return this.#histogram === null ? null : summary(this.#histogram);
  }

  [kRecord](us) {
    this.#histogram.record(us);
  }

  /** piscina's flag is true only inside its synchronous destroy(); a worker being ended shows as destroyed at once. */
  get terminating() {
    return false;
  }

  get destroyed() {
    return !this.#lane.isLive(this.#slot);
  }
}

/** The lane's order (lane.js JsLane#order) kept by a piscina TaskQueue. */
function customOrder(queue) {
  return {
    push: (t) => queue.push(viewOf(t)),
    unshift: typeof queue.unshift === 'function' ? (t) => queue.unshift(viewOf(t)) : null,
    shift: () => {
      const v = queue.shift();
      return v != null && v[kTask] !== undefined ? v[kTask] : null;
    },
    remove: (t) => queue.remove(viewOf(t)),
    get size() {
      return queue.size;
    },
  };
}

/**
 * An AbortSignal for `signal` (an AbortSignal, or an EventEmitter that emits
 * 'abort'), plus a function that removes what was added to the emitter.
 */
function signalOf(signal) {
  if (signal === undefined || signal === null) return { sig: undefined, done: null };
  if (typeof signal.addEventListener === 'function' && typeof signal.aborted === 'boolean') return { sig: signal, done: null };
  if (signal instanceof EventEmitter || typeof signal.once === 'function') {
    const ac = new AbortController();
    if (signal.aborted === true) {
      ac.abort(signal.reason);
      return { sig: ac.signal, done: null };
    }
    const onAbort = (reason) => ac.abort(reason);
    signal.once('abort', onAbort);
    const done = typeof signal.removeListener === 'function' ? () => signal.removeListener('abort', onAbort) : null;
    return { sig: ac.signal, done };
  }
  return { sig: null, done: null };
}

class Piscina extends EventEmitterAsyncResource {
  #pool;
  #lane;
  #options;
  #start = performance.now();
  #runTime = createHistogram();
  #waitTime = createHistogram();
  #runTotalMs = 0;
  #needsDrain = false;
  #closing = false;
  #destroyed = false;

  constructor(opts = {}) {
    super({ name: 'Piscina', requireManualDestroy: true });
    if (opts === null || typeof opts !== 'object') throw new TypeError('options must be an object');
    // Own properties only, kept without a prototype: a polluted
    // Object.prototype must not configure the pool (nor show in `options`).
    const options = Object.assign(Object.create(null), opts);
    validate(options);
    const cpus = availableParallelism();
    // piscina's defaults: minThreads = half the CPUs, maxThreads = 1.5x;
    // an explicit bound pulls the other along.
    let minThreads = options.minThreads === undefined ? Math.max(Math.floor(cpus / 2), 1) : options.minThreads;
    let maxThreads = options.maxThreads === undefined ? Math.max(Math.floor(cpus * 1.5), 1) : options.maxThreads;
    if (options.maxThreads !== undefined && minThreads >= maxThreads) minThreads = maxThreads;
    if (options.minThreads !== undefined && maxThreads <= minThreads) maxThreads = Math.max(minThreads, 1);
    let maxQueue = options.maxQueue === undefined ? Infinity : options.maxQueue;
    if (maxQueue === 'auto') maxQueue = maxThreads ** 2;
    const concurrentTasks = options.concurrentTasksPerWorker === undefined ? 1 : options.concurrentTasksPerWorker;
    const atomics = options.atomics !== undefined ? options.atomics : options.useAtomics === false ? 'disabled' : 'sync';
    this.#options = Object.assign(Object.create(null), {
      ...options,
      filename: options.filename === undefined ? null : options.filename,
      name: options.name == null ? 'default' : options.name,
      minThreads,
      maxThreads,
      idleTimeout: options.idleTimeout === undefined ? 0 : options.idleTimeout,
      maxQueue,
      concurrentTasksPerWorker: concurrentTasks,
      atomics,
      niceIncrement: options.niceIncrement === undefined ? 0 : options.niceIncrement,
      closeTimeout: options.closeTimeout === undefined ? 30000 : options.closeTimeout,
      recordTiming: options.recordTiming === undefined ? true : options.recordTiming,
      stricterFIFO: options.stricterFIFO === true,
      workerHistogram: options.workerHistogram === true,
    });
    const o = this.#options;
    this.#pool = new Pool({
      threads: maxThreads,
      // Piscina's maxQueue counts tasks waiting beyond what its workers
      // hold (maxThreads × concurrentTasksPerWorker); corepool's admission
      // counts threads + maxQueue in flight, so the difference is added.
      maxQueue: Number.isFinite(maxQueue) ? Math.min(maxQueue + maxThreads * (concurrentTasks - 1), 2 ** 31 - 1) : 2 ** 31 - 1,
      name: 'piscina',
      filename: o.filename === null ? undefined : o.filename,
      idleTimeout: Number.isFinite(o.idleTimeout) ? o.idleTimeout : 2147483647,
      closeTimeout: o.closeTimeout,
      resourceLimits: o.resourceLimits,
      workerData: o.workerData,
      env: o.env,
      argv: o.argv,
      execArgv: o.execArgv,
      abortGrace: 0, // piscina terminates the worker of an aborted task at once
      // Linux only (piscina's Windows thread priorities are not mapped).
      niceIncrement: process.platform === 'linux' ? Math.min(o.niceIncrement, 19) : 0,
      // atomics: 'disabled' asks piscina's workers not to block between
      // tasks; ours then do not spin for the next batch either.
      ...(atomics === 'disabled' ? { workerSpin: 0 } : {}),
    });
    const lane = workers.laneOf(this.#pool, this.#pool[kHandle]);
    this.#lane = lane;
    lane.minWorkers = minThreads;
    lane.perWorker = concurrentTasks;
    lane.handedOver = concurrentTasks;
    if (o.taskQueue !== undefined) lane.order = customOrder(o.taskQueue);
    if (o.loadBalancer !== undefined) {
      const balancer = o.loadBalancer;
      lane.pick = (task, slots) => {
        const chosen = balancer(viewOf(task), slots.map((s) => this.#workerView(s)));
        return chosen != null && chosen[kSlot] !== undefined ? chosen[kSlot] : null;
      };
    }
    lane.hooks = {
      // As piscina: the minThreads workers are announced in a microtask
      // (listeners added right after the constructor see them), later ones
      // once they are up. The argument is piscina's view of the worker.
      workerCreate: (slot) => {
        const announce = () => this.emit('workerCreate', this.#workerView(slot));
        if (this.#startingUp) queueMicrotask(announce);
        else slot.worker.once('online', announce);
      },
      workerDestroy: (slot) => this.emit('workerDestroy', this.#workerView(slot)),
      message: (m) => this.emit('message', m),
      error: (err) => this.emit('error', err),
      taskDone:
        o.recordTiming || o.workerHistogram
          ? (waitMs, runMs, slot) => {
              const us = Math.max(1, Math.round(runMs * 1000));
              if (o.recordTiming) {
                this.#waitTime.record(Math.max(1, Math.round(waitMs * 1000)));
                this.#runTime.record(us);
                this.#runTotalMs += runMs;
              }
              if (o.workerHistogram) this.#workerView(slot)[kRecord](us);
            }
          : null,
      queueChange: () => this.#checkDrain(),
    };
    this.#startingUp = true;
    for (let i = 0; i < minThreads; i++) lane.makeIdle(lane.spawn());
    this.#startingUp = false;
  }

  #checkDrain() {
    const max = this.#options.maxQueue;
    const q = this.queueSize;
    const full = q >= max;
    if (full && !this.#needsDrain) {
      this.#needsDrain = true;
      this.emit('needsDrain');
    } else if (!full && this.#needsDrain) {
      this.#needsDrain = false;
    }
    if (this.#lane.c.queued === 0 && this.#lane.c.running === 0 && this.#sawWork) {
      this.#sawWork = false;
      queueMicrotask(() => this.emit('drain'));
    }
  }

  #sawWork = false;
  #startingUp = false;
  /** WorkerSlot → its WorkerView (and histogram, with workerHistogram). */
  #workerViews = new WeakMap();

  #workerView(slot) {
    let v = this.#workerViews.get(slot);
    if (v === undefined) {
      v = new WorkerView(this.#lane, slot, this.#options.workerHistogram ? createHistogram() : null);
      this.#workerViews.set(slot, v);
    }
    return v;
  }

  run(task, options = {}) {
    if (options === null || typeof options !== 'object') return Promise.reject(new TypeError('options must be an object'));
    const { transferList, filename, name, signal } = options;
    if (transferList !== undefined && !Array.isArray(transferList)) return Promise.reject(new TypeError('transferList argument must be an Array'));
    if (filename != null && typeof filename !== 'string') return Promise.reject(new TypeError('filename argument must be a string'));
    if (name != null && typeof name !== 'string') return Promise.reject(new TypeError('name argument must be a string'));
    const { sig, done } = signalOf(signal);
    if (sig === null) return Promise.reject(new TypeError('signal argument must be an object'));
    const early = (err) => {
      if (done !== null) done();
      return Promise.reject(err);
    };
    if (this.#closing || this.#destroyed) return early(new AbortError('queue is being terminated'));
    const file = filename != null ? filename : this.#options.filename;
    if (file == null) return early(new Error('filename must be provided to run() or in options object'));
    if (sig !== undefined && sig.aborted) return early(new AbortError(sig.reason));
    const fnName = name != null ? name : this.#options.name;
    let payload = task;
    let transfer = transferList;
    if (isTransferable(task)) {
      // piscina moves Transferable payloads without move()
      payload = move(task);
    }
    if (isMoved(payload)) {
      const extra = payload.transfer !== undefined ? payload.transfer : [];
      transfer = transfer === undefined ? extra : [...transfer, ...extra];
      payload = payload.value;
    }
    this.#sawWork = true;
    const p = this.#pool.run(payload, {
      filename: file,
      name: fnName === 'default' ? undefined : fnName,
      transferList: transfer,
      signal: sig,
    });
    // piscina's task is an async resource ('Piscina.Task'): its promise
    // settles inside that resource's scope, so async_hooks-based tools see
    // the task from run() to its result.
    const resource = new AsyncResource('Piscina.Task', { requireManualDestroy: true });
    return new Promise((resolve, reject) => {
      p.then(
        (value) => {
          if (done !== null) done();
          resource.runInAsyncScope(resolve, null, value);
          resource.emitDestroy();
        },
        (err) => {
          if (done !== null) done();
          resource.runInAsyncScope(reject, null, this.#translate(err, sig));
          resource.emitDestroy();
        },
      );
    });
  }

  #translate(err, sig) {
    if (err === null || typeof err !== 'object') return err;
    switch (err.code) {
      case 'ABORT_ERR':
        return new AbortError(sig !== undefined ? sig.reason : err.cause);
      case 'ERR_QUEUE_FULL':
        return new Error(this.#options.maxQueue === 0 ? 'No task queue available and all Workers are busy' : 'Task queue is at limit');
      case 'ERR_POOL_CLOSED':
        if (/closeTimeout|destroyed/.test(err.message)) return new Error('Terminating worker thread');
        return new AbortError('queue is being terminated');
      case 'ERR_WORKER_EXITED': {
        if (/terminated by close/.test(err.message)) return new Error('Terminating worker thread');
        // piscina rejects with the worker's own error (uncaught exception, OOM).
        if (err.cause !== undefined) return err.cause;
        const code = /exit code (-?\d+)/.exec(err.message);
        return new Error(`worker exited with code: ${code ? code[1] : 'unknown'}`);
      }
      case 'ERR_WORKER_INIT':
        return err.cause !== undefined ? err.cause : err;
      default:
        return err;
    }
  }

  async close(options = {}) {
    if (this.#destroyed) return;
    this.#closing = true;
    if (options && options.force) {
      // piscina hands up to maxThreads × concurrentTasksPerWorker tasks to
      // its workers inside run() (a task with a signal holds one alone);
      // those count as started and finish. Only the ones beyond that
      // (piscina's queue) are aborted.
      const o = this.#options;
      const { placed } = this.#lane.placement(o.maxThreads, o.concurrentTasksPerWorker);
      this.#lane.abortQueued(() => new AbortError('queue is being terminated'), new Set(placed));
    }
    const timedOut = await this.#lane.close();
    if (timedOut) this.emit('error', new Error('Close operation timed out'));
    await this.#pool.close();
    this.#destroyed = true;
    this.emit('close');
  }

  async destroy() {
    this.#closing = true;
    await this.#lane.destroy();
    await this.#pool.close();
    this.#destroyed = true;
    this.emit('close');
  }

  [Symbol.dispose]() {
    this.close();
  }

  [Symbol.asyncDispose]() {
    return this.close();
  }

  get maxThreads() {
    return this.#options.maxThreads;
  }

  get minThreads() {
    return this.#options.minThreads;
  }

  get options() {
    return this.#options;
  }

  get threads() {
    return [...this.#lane.workers].map((s) => s.worker);
  }

  get idleThreads() {
    // Workers whose lease the lane holds for a moment after a batch are idle
    // too; a task queued by run() is on its way to one of them (piscina hands
    // it over inside run(), corepool once the lease is granted).
    const lane = this.#lane;
    return Math.max(0, lane.idle.length + lane.held.length - lane.c.queued);
  }

  /** Tasks that no worker can take now (piscina: up to concurrentTasksPerWorker per worker, an abortable task alone). */
  get queueSize() {
    const o = this.#options;
    return this.#lane.waitingBeyond(o.maxThreads, o.concurrentTasksPerWorker);
  }

  get completed() {
    return this.#lane.c.completed + this.#lane.c.failed;
  }

  get histogram() {
    const self = this;
    return {
      get runTime() {
        return self.#options.recordTiming ? summary(self.#runTime) : undefined;
      },
      get waitTime() {
        return self.#options.recordTiming ? summary(self.#waitTime) : undefined;
      },
      get runTimeCount() {
        return self.#runTime.count;
      },
      resetRunTime() {
        self.#runTime.reset();
      },
      resetWaitTime() {
        self.#waitTime.reset();
      },
    };
  }

  get duration() {
    return performance.now() - this.#start;
  }

  get utilization() {
    if (this.#runTime.count === 0) return 0;
    const capacity = this.duration * this.#options.maxThreads;
    return capacity === 0 ? 0 : Math.min(1, this.#runTotalMs / capacity);
  }

  get needsDrain() {
    return this.queueSize >= this.#options.maxQueue;
  }

  static get isWorkerThread() {
    return workers.isWorkerThread;
  }

  static get workerData() {
    return workers.workerData;
  }

  static get version() {
    return version;
  }

  static get Piscina() {
    return Piscina;
  }

  static move(val) {
    return move(val);
  }

  static get transferableSymbol() {
    return transferableSymbol;
  }

  static get valueSymbol() {
    return valueSymbol;
  }

  static get queueOptionsSymbol() {
    return queueOptionsSymbol;
  }

  static get FixedQueue() {
    return FixedQueue;
  }

  static get ArrayTaskQueue() {
    return ArrayTaskQueue;
  }
}

module.exports = Piscina;
// Piscina, version, move, the symbols: already static getters of the class.
for (const [k, v] of Object.entries({ isWorkerThread: workers.isWorkerThread, workerData: workers.workerData })) {
  Object.defineProperty(Piscina, k, { value: v, enumerable: false, configurable: true });
}
