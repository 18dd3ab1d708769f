'use strict';
// The JS lane: the user's own functions, run on worker_threads, under the
// SAME CPU budget and admission as the native kernels.
//
// One budget. A pool of N threads never runs more than N tasks at once,
// native and JS together. The JS lane does not own CPU slots: every batch of
// JS tasks first takes a *lease* on one of the pool's rayon threads
// (src/pool/lease.rs). The lease job parks that thread while the batch runs
// on a worker, and the lane gives the thread back (`unlease`) when the
// worker answers. Native tasks queued behind a lease wait exactly as they
// would behind another native task. Admission is shared too: each JS task
// counts in the pool's `in_flight` (`admitJs`/`releaseJs`), so
// `threads + maxQueue` bounds both lanes together and ERR_QUEUE_FULL means
// the same thing for both.
//
// Batches. A lease carries a batch of queued tasks to one worker in one
// message, and the answers come back in one message (or a few, for a long
// batch). Its size is ceil(queued / threads), at most 64, and at most what
// the lane's measured task time fits in ~2 ms, so a lease never holds a
// thread for long when native work waits. When a batch ends with JS tasks
// still queued and no native task waiting, the lane keeps the lease for the
// next batch (no round trip through the pool).
//
// Granted at once. When nothing waits for one of the pool's threads, a run
// slot is free and no lease of this lane is waiting, the lease is granted
// inside the call (`leaseNow`): it holds that run slot and no pool thread
// (src/pool/slots.rs), and `run()` sends the task to a worker before it
// returns. A task that arrives at an idle pool — one request's task in a
// server, say — then costs no event-loop turn and wakes only its worker.
// A native task that starts meanwhile waits for the slot.
//
// Holding a lease for a moment. When a batch ends with nothing queued, the
// lane does not give its lease back at once: it *holds* it (its run slot
// stays taken, so the budget is unchanged) until the check phase of the
// current event-loop turn (one setImmediate). A task queued before then —
// typically by the code awaiting the result that just came back, i.e. a
// sequential `for (…) await pool.run(x)` — goes straight to the held worker,
// with no lease round trip through the pool. A held lease is never used
// when a native task is queued: it is given back instead, so native work
// queued behind it waits at most until the end of the current turn.
//
// Turns. Node delivers a port's messages in one callback for as long as
// more keep arriving (up to 1000), so a worker that answers a tiny batch
// faster than the main thread settles it could keep the main thread in one
// callback for many milliseconds, starving its timers and I/O. So the lane
// hands at most TURN_BATCHES batches to workers without a round trip per
// event-loop turn; past that, a worker whose batch ends holds its lease and
// gets its next batch in the check phase.
//
// Workers are started on demand (at most `threads`), reused, retired after
// `idleTimeout` idle, and unref'd while idle, so an idle pool never keeps
// the process alive.
const { receiveMessageOnPort } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const { availableParallelism } = require('node:os');
const native = require('../native');
const { CorepoolError, AbortError } = require('../errors');
const { checkClonable, warnCloneCost, isMoved, transferables } = require('./transfer');
const { rebuildError } = require('./remote-error');
const { WorkerSlot, exitedError, initFailure } = require('./slot');

const MAX_BATCH = 64;
/** The cores the process may run on (sched affinity; the pool's default size when it is lower, e.g. a cgroup CPU quota). */
const CORES = Math.max(1, Math.min(availableParallelism(), native.defaultThreads()));
const BATCH_BUDGET_MS = 2;
/** Messages of the lane's protocol (see worker.js). */
const RUN = 1;
const ABORT = 2;
const DONE = 1;
/** A worker's function table is started afresh past this many entries. */
const MAX_FNS = 1024;
/** Batches handed on per event-loop turn without giving the loop a turn (see "Turns"); at least `threads`. */
const TURN_BATCHES = 4;
const QUEUED = 0;
const RUNNING = 1;
const SETTLED = 2;

const QUEUE_FULL_MESSAGE = "the pool's queue is full (threads + maxQueue tasks in flight); retry later or raise maxQueue";

let leaseSeq = 0;
const threadTag = (require('node:worker_threads').threadId & 0xfff) << 20;
/** Lease ids are per pool and pools may be shared by several threads. */
function nextLeaseId() {
  leaseSeq = (leaseSeq + 1) & 0xfffff;
  return (threadTag | leaseSeq) >>> 0;
}

class Task {
  constructor(id, url, name, payload, transfer) {
    this.id = id;
    this.url = url;
    this.name = name;
    this.payload = payload;
    this.transfer = transfer;
    this.key = name === undefined ? url : `${url}\0${name}`;
    this.state = QUEUED;
    /** The promise was settled early (abort/timeout/close) while queued or running. */
    this.settled = false;
    this.resolve = null;
    this.reject = null;
    this.cleanup = null;
    this.grace = null;
    /** In the lane's custom order (see JsLane#order). */
    this.inOrder = false;
    this.t0 = 0;
    this.t1 = 0;
  }
}

class JsLane {
  /**
   * @param handle native pool handle (null = the default pool)
   * @param threads the pool's thread count
   * @param options validated worker options (see options.js)
   */
  constructor(handle, threads, options) {
    this.handle = handle;
    this.threads = threads;
    this.options = options;
    this.queue = [];
    this.qHead = 0;
    this.leasesOut = 0;
    this.leasesPending = 0;
    this.workers = new Set();
    this.idle = [];
    this.nextTask = 1;
    /** Measured milliseconds per task, by module + export (unknown = a whole batch budget). */
    this.taskMs = new Map();
    this.initFailures = 0;
    this.spawnBlockedUntil = 0;
    this.lastInitError = null;
    this.closing = false;
    this.destroyed = false;
    this.idleWaiters = [];
    /** Workers whose lease is held after their batch (see "Holding a lease"). */
    this.held = [];
    this.flushScheduled = false;
    this.flushHeld = this.flushHeld.bind(this);
    /** Batches handed on in this event-loop turn, and whether its end (a setImmediate) is scheduled. */
    this.turnBatches = 0;
    this.turnLimit = Math.max(TURN_BATCHES, threads);
    this.turnScheduled = false;
    this.endTurn = this.endTurn.bind(this);
    this.c = { queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
    this.w = { started: 0, exited: 0 };
    this.onGrant = this.onGrant.bind(this);
    /**
     * When a worker dies, the first `handedOver` tasks of its batch fail
     * with it even if they had not started (corepool/piscina: piscina
     * rejects the tasks it had handed to that worker). 0: only started ones
     * fail; the others run on the replacement.
     */
    this.handedOver = 0;
    /** Unanswered tasks a busy worker may be given (corepool/piscina's concurrentTasksPerWorker; see shareBusy). */
    this.perWorker = 1;
    /**
     * A custom order of the queued tasks (corepool/piscina's taskQueue):
     * { push(task), shift() → task | null, remove(task), size }. Tasks then
     * leave the queue one at a time, in the order's choice; `queue` still
     * lists them for close() and the counts.
     */
    this.order = null;
    /**
     * The worker for a task (corepool/piscina's loadBalancer): pick(task,
     * workers) → one of `workers` (live WorkerSlots) or null to decline.
     * Tasks then go out one at a time; see `choose`.
     */
    this.pick = null;
    this.pickRefused = false;
    /** Workers kept alive when idle (corepool/piscina's minThreads). */
    this.minWorkers = 0;
    /**
     * Observers (corepool/piscina): workerCreate(slot), workerDestroy(slot),
     * message(value) for messages a worker posts itself, error(err) for a
     * worker error outside any task, taskDone(waitMs, runMs), queueChange().
     */
    this.hooks = null;
  }

  /** Queues one task; `o` is normalized ({ url, name, transferList, signal, timeout }). */
  run(payload, o) {
    if (this.closing) {
      // Counted in stats().rejected like a native task's refusal: the pool's
      // admission is closed by now (Pool#close closes it before the lane).
      if (native.admitJs(this.handle, 1) === 0) native.releaseJs(this.handle, 1);
      return Promise.reject(new CorepoolError('the pool is closed', 'ERR_POOL_CLOSED'));
    }
    const signal = o.signal;
    if (signal !== undefined && signal.aborted) return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
    let transfer = o.transferList;
    if (isMoved(payload)) {
      const moved = payload.transfer !== undefined ? payload.transfer : transferables(payload.value);
      transfer = transfer === undefined ? moved : [...transfer, ...moved];
      payload = payload.value;
    }
    const bytes = checkClonable(payload, transfer);
    if (bytes > 0) warnCloneCost(bytes);
    const admitted = native.admitJs(this.handle, 1);
    if (admitted !== 0) {
      return Promise.reject(
        admitted === 1 ? new CorepoolError(QUEUE_FULL_MESSAGE, 'ERR_QUEUE_FULL') : new CorepoolError('the pool is closed', 'ERR_POOL_CLOSED'),
      );
    }
    const task = new Task(this.nextTask++, o.url, o.name, payload, transfer);
    const promise = new Promise((resolve, reject) => {
      task.resolve = resolve;
      task.reject = reject;
    });
    if (signal !== undefined || o.timeout !== undefined) this.watch(task, signal, o.timeout);
    this.queue.push(task);
    if (this.order !== null) this.orderPush(task);
    this.c.queued++;
    task.t0 = performance.now();
    if (this.hooks !== null && this.hooks.queueChange) this.hooks.queueChange();
    this.pump();
    return promise;
  }

  watch(task, signal, timeout) {
    let timer;
    let onAbort;
    if (signal !== undefined) {
      onAbort = () => this.cancel(task, new AbortError(undefined, { cause: signal.reason }), false);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    if (timeout !== undefined) {
      timer = setTimeout(() => {
        this.cancel(task, new CorepoolError(`The task did not finish within ${timeout} ms`, 'ERR_TIMEOUT'), true);
      }, timeout);
      timer.unref();
    }
    task.cleanup = () => {
      if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
      if (timer !== undefined) clearTimeout(timer);
    };
  }

  /** Settles a task's promise once. */
  settle(task, ok, value) {
    if (task.settled) return;
    task.settled = true;
    if (task.cleanup !== null) task.cleanup();
    task.payload = undefined;
    if (ok) task.resolve(value);
    else task.reject(value);
  }

  /** Abort or timeout: reject now; a queued task never starts, a running one is told and, past the grace period, its worker is replaced. */
  cancel(task, err, timeout) {
    if (task.settled || task.state === SETTLED) return;
    this.c.cancelled++;
    this.settle(task, false, err);
    if (task.state === QUEUED) {
      this.orderRemove(task);
      task.state = SETTLED;
      this.c.queued--;
      native.releaseJs(this.handle, 1);
      this.checkIdle();
      return;
    }
    const slot = task.slot;
    slot.port.postMessage([ABORT, task.id, timeout]);
    task.grace = setTimeout(() => {
      if (task.state === RUNNING && slot.batch !== null) {
        slot.killed = `was terminated ${this.options.abortGrace} ms after its task was ${timeout ? 'timed out' : 'aborted'}`;
        slot.worker.terminate();
      }
    }, this.options.abortGrace);
    task.grace.unref();
  }

  /** Asks the pool for run slots while tasks wait and slots are free. */
  pump() {
    if (this.destroyed) return;
    if (this.held.length > 0 && this.c.queued > 0 && this.turnBatches < this.turnLimit && !this.flushScheduled) {
      // Held leases take queued tasks first, in a microtask, so that tasks
      // queued together (a loop of run() calls) still go out as one batch.
      // (Past this turn's limit, the check phase hands them on.)
      this.flushScheduled = true;
      queueMicrotask(this.flushHeld);
    }
    while (this.leasesOut < this.threads && this.leasesPending + this.held.length < this.c.queued && !this.pickRefused) {
      this.leasesOut++;
      const id = nextLeaseId();
      if (this.leasesPending === 0 && native.leaseNow(this.handle, id)) {
        // A run slot was free: the batch goes out now (see "Granted at once").
        this.granted(id);
        continue;
      }
      this.leasesPending++;
      // The lease queues in the pool where its oldest task was admitted.
      const oldest = this.queue[this.qHead];
      const waited = oldest !== undefined ? performance.now() - oldest.t0 : 0;
      native.lease(this.handle, id, waited).then(() => this.onGrant(id));
    }
    this.shareBusy();
    // Start the workers those leases will need now, so a worker boots while
    // its lease waits for a thread.
    while (this.workers.size < this.leasesOut && Date.now() >= this.spawnBlockedUntil) {
      let slot;
      try {
        slot = this.spawn();
      } catch (err) {
        this.noteInitFailure(err);
        break;
      }
      this.makeIdle(slot, true);
    }
  }

  /**
   * The next batch: ceil(queued / threads) tasks at most (so idle threads
   * get work too), at most MAX_BATCH, and no more than BATCH_BUDGET_MS of
   * measured work (a task of a function not yet measured fills a batch alone,
   * so long or blocking tasks are never serialized behind each other).
   */
  takeBatch() {
    if (this.order !== null) {
      const t = this.orderShift(false);
      return t === null ? [] : [t];
    }
    const want = this.pick !== null ? 1 : Math.min(MAX_BATCH, Math.ceil(this.c.queued / this.threads));
    const batch = [];
    const q = this.queue;
    let budget = BATCH_BUDGET_MS;
    while (batch.length < want && this.qHead < q.length) {
      const t = q[this.qHead];
      if (t.state !== QUEUED) {
        q[this.qHead++] = undefined;
        continue;
      }
      const est = this.taskMs.get(t.key);
      const cost = est === undefined ? BATCH_BUDGET_MS : est;
      if (batch.length > 0 && cost > budget) break;
      budget -= cost;
      q[this.qHead++] = undefined;
      batch.push(t);
    }
    this.compactQueue();
    return batch;
  }

  /** Drops the queue's taken head once it is most of the array. */
  compactQueue() {
    if (this.qHead > 1024 && this.qHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.qHead);
      this.qHead = 0;
    }
  }

  /** Tasks sent to `slot`'s worker and not answered yet (answers may come out of order, see onMessage). */
  usage(slot) {
    return slot.batch === null ? 0 : slot.batch.length - slot.cursor;
  }

  /** Whether a task with a signal or timeout is among them. */
  runsAbortable(slot) {
    const b = slot.batch;
    if (b === null) return false;
    for (let j = 0; j < b.length; j++) if (b[j].cleanup !== null && b[j].state === RUNNING) return true;
    return false;
  }

  /** Whether `slot`'s worker is neither ended nor being ended by the lane. */
  isLive(slot) {
    return slot.killed === null && !slot.retiring && !slot.exited;
  }

  /** Live workers, in the order they started. */
  liveWorkers() {
    const live = [];
    for (const s of this.workers) if (this.isLive(s)) live.push(s);
    return live;
  }

  /**
   * The balancer's worker for `task` (lane.pick set): undefined when there
   * is no live worker (the caller starts one), null when it declines — then
   * no task is offered again until a worker comes online, finishes a batch
   * or exits, and a worker is started if there is room (as piscina does).
   * A balancer that throws fails the task with its error (null).
   */
  choose(task) {
    const live = this.liveWorkers();
    if (live.length === 0) return undefined;
    let s;
    try {
      s = this.pick(task, live);
    } catch (err) {
      this.finishQueued(task, false, err);
      return null;
    }
    if (s !== null && s !== undefined && live.includes(s)) return s;
    this.pickRefused = true;
    if (this.workers.size < this.threads && Date.now() >= this.spawnBlockedUntil) {
      try {
        this.makeIdle(this.spawn(), true);
      } catch (err) {
        this.noteInitFailure(err);
      }
    }
    return null;
  }

  /** A task taken for placement goes back to the front of the queue (unless it has settled meanwhile). */
  unqueue(task) {
    if (task.state !== QUEUED) return;
    if (this.order !== null) {
      this.orderUnshift(task);
      return;
    }
    if (this.qHead > 0 && this.queue[this.qHead - 1] === undefined) this.queue[--this.qHead] = task;
    else this.queue.splice(this.qHead, 0, task);
  }

  /** `task` joins the batch of busy `slot` (it runs after the worker's other tasks, under the run slot that batch holds). */
  join(slot, task) {
    slot.batch.push(task);
    if (!this.send(slot, [task])) slot.batch.pop();
  }

  /** With a balancer and every run slot taken: offer queued tasks to busy workers, as piscina does. */
  offerBusy() {
    while (!this.pickRefused && !this.closing && this.leasesOut >= this.threads && this.c.queued > this.leasesPending) {
      const batch = this.takeBatch();
      if (batch.length === 0) return;
      const slot = this.choose(batch[0]);
      if (slot === null || slot === undefined || slot.batch === null) {
        // Declined; or an idle worker, which needs a run slot: a lease
        // on its way (or the next batch to end) offers the task again.
        this.unqueue(batch[0]);
        return;
      }
      this.join(slot, batch[0]);
    }
  }

  /** A worker came online: with a balancer, queued tasks are offered again. */
  onOnline() {
    if (this.pick === null || this.c.queued === 0) return;
    this.pickRefused = false;
    this.pump();
  }

  orderPush(task) {
    task.inOrder = true;
    this.order.push(task);
  }

  /** Back to the front of the custom order (its end, for an order without unshift). */
  orderUnshift(task) {
    task.inOrder = true;
    if (this.order.unshift) this.order.unshift(task);
    else this.order.push(task);
  }

  orderRemove(task) {
    if (!task.inOrder) return;
    task.inOrder = false;
    this.order.remove(task);
  }

  /**
   * The next queued task in the custom order, or null. `plain`: only one
   * without a signal or timeout (for a busy worker); an abortable one is
   * pushed back and null returned.
   */
  orderShift(plain) {
    const order = this.order;
    let t = null;
    while (order.size > 0) {
      const next = order.shift();
      if (next == null) break;
      next.inOrder = false;
      if (next.state !== QUEUED) continue;
      t = next;
      break;
    }
    // The FIFO keeps only what close() and the counts need: drop its settled head.
    const q = this.queue;
    while (this.qHead < q.length && q[this.qHead].state !== QUEUED) q[this.qHead++] = undefined;
    this.compactQueue();
    if (t !== null && plain && t.cleanup !== null) {
      this.orderUnshift(t);
      return null;
    }
    return t;
  }

  onGrant(lease) {
    this.leasesPending--;
    this.granted(lease);
  }

  /** A pool thread is held for the lane under `lease`: send a batch to a worker, or give it back. */
  granted(lease) {
    const batch = this.takeBatch();
    if (batch.length === 0) {
      this.giveBack(lease);
      return;
    }
    let slot;
    if (this.pick === null) slot = this.takeIdle();
    else {
      slot = this.choose(batch[0]);
      if (slot === null || (slot !== undefined && slot.batch !== null)) {
        // Declined (back to the queue's front), or a busy worker the task joins.
        if (slot === null) this.unqueue(batch[0]);
        else this.join(slot, batch[0]);
        this.giveBack(lease);
        if (!this.pickRefused) this.pump();
        this.checkIdle();
        return;
      }
      if (slot !== undefined) this.idle.splice(this.idle.indexOf(slot), 1);
    }
    if (slot === undefined) {
      let failure = null;
      if (this.destroyed) {
        failure = new CorepoolError('the pool was destroyed', 'ERR_POOL_CLOSED');
      } else if (Date.now() < this.spawnBlockedUntil) {
        // Workers failed to start moments ago: fail fast instead of a respawn loop.
        failure = initFailure(this.lastInitError);
      } else {
        try {
          slot = this.spawn();
        } catch (err) {
          this.noteInitFailure(err);
          failure = initFailure(err);
        }
      }
      if (failure !== null) {
        for (const t of batch) this.finishQueued(t, false, failure);
        this.giveBack(lease);
        this.pump();
        this.checkIdle();
        return;
      }
    }
    this.dispatch(slot, lease, batch);
  }

  /**
   * The idle worker started first: work goes to the same workers in the same
   * order from one burst to the next (as with piscina), and the newest ones
   * are the ones left idle to retire.
   */
  takeIdle() {
    const idle = this.idle;
    if (idle.length === 0) return undefined;
    let k = 0;
    for (let j = 1; j < idle.length; j++) if (idle[j].seq < idle[k].seq) k = j;
    const slot = idle[k];
    idle.splice(k, 1);
    return slot;
  }

  noteInitFailure(err) {
    this.initFailures++;
    this.lastInitError = err;
    this.spawnBlockedUntil = Date.now() + Math.min(10000, 100 * 2 ** (this.initFailures - 1));
  }

  giveBack(lease) {
    native.unlease(this.handle, lease);
    this.leasesOut--;
  }

  finishQueued(task, ok, value) {
    this.orderRemove(task);
    task.state = SETTLED;
    this.c.queued--;
    if (ok) this.c.completed++;
    else this.c.failed++;
    native.releaseJs(this.handle, 1);
    this.settle(task, ok, value);
  }

  spawn() {
    const slot = new WorkerSlot(this);
    this.workers.add(slot);
    this.w.started++;
    slot.seq = this.w.started;
    if (this.hooks !== null && this.hooks.workerCreate) this.hooks.workerCreate(slot);
    return slot;
  }

  dispatch(slot, lease, batch) {
    if (slot.idleTimer !== null) {
      clearTimeout(slot.idleTimer);
      slot.idleTimer = null;
    }
    slot.lease = lease;
    slot.batch = batch;
    slot.batchId++;
    slot.cursor = 0;
    Atomics.store(slot.progress, 0, 0);
    if (this.spinAllowed()) Atomics.store(slot.progress, 1, 1);
    else for (const w of this.workers) Atomics.store(w.progress, 1, 0); // this one, and any still allowed
    if (!slot.refed) {
      slot.refed = true;
      slot.worker.ref();
    }
    slot.startedAt = performance.now();
    if (!this.send(slot, batch)) this.endBatch(slot);
  }

  /**
   * Posts `tasks` to `slot`'s worker as its batch, or as more of it (see
   * `shareBusy`). False when the message could not be cloned: the tasks
   * have failed then, and the worker never saw them.
   */
  send(slot, tasks) {
    const msg = new Array(3 + tasks.length * 3);
    msg[0] = RUN;
    msg[1] = slot.batchId;
    msg[2] = 0;
    let defs = 0;
    let transfer;
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[i];
      let fi = slot.fns.get(t.key);
      if (fi === undefined) {
        if (defs === 0) {
          if (slot.fns.size >= MAX_FNS) slot.fns.clear();
          defs = [slot.fns.size];
        }
        fi = slot.fns.size;
        slot.fns.set(t.key, fi);
        defs.push(t.url, t.name);
      }
      msg[3 + i * 3] = t.id;
      msg[4 + i * 3] = fi;
      msg[5 + i * 3] = t.payload;
      if (t.transfer !== undefined && t.transfer.length > 0) transfer = transfer === undefined ? [...t.transfer] : transfer.concat(t.transfer);
      t.state = RUNNING;
      t.slot = slot;
    }
    this.c.queued -= tasks.length;
    this.c.running += tasks.length;
    if (this.hooks !== null) {
      const now = performance.now();
      for (const t of tasks) t.t1 = now;
      if (this.hooks.queueChange) this.hooks.queueChange();
    }
    msg[2] = defs;
    try {
      slot.port.postMessage(msg, transfer);
      return true;
    } catch (err) {
      // The worker never saw this message's function numbers.
      if (defs !== 0) {
        if (defs[0] === 0) slot.fns.clear();
        else for (const [k, fi] of slot.fns) if (fi >= defs[0]) slot.fns.delete(k);
      }
      // Something the pre-check let through (e.g. a host object deep in a
      // large graph): fail the tasks with the clone error.
      const te = new TypeError(`The task's payload cannot be cloned to a worker: ${err.message}`);
      te.code = 'ERR_INVALID_ARG_TYPE';
      te.cause = err;
      for (const t of tasks) this.finishRunning(t, false, te);
      native.releaseJs(this.handle, tasks.length);
      return false;
    }
  }

  /**
   * corepool/piscina's `concurrentTasksPerWorker` (`perWorker` > 1): queued
   * tasks join the batches of busy workers, up to `perWorker` unanswered
   * tasks per worker, least busy first, as piscina hands them over. A worker
   * runs them after the ones it has, on its own thread, under the run slot
   * its batch already holds: the CPU budget is unchanged. As in piscina, a
   * task with a signal or timeout neither joins a busy worker nor gets one
   * joined (aborting it may end its worker).
   */
  shareBusy() {
    if (this.pick !== null) {
      this.offerBusy();
      return;
    }
    if (this.perWorker <= 1 || this.closing) return;
    let k = this.qHead;
    while (this.c.queued > this.leasesPending + this.held.length) {
      let best;
      let load = this.perWorker;
      for (const s of this.workers) {
        if (s.batch === null || !this.isLive(s)) continue;
        const n = this.usage(s);
        if (n < load && !this.runsAbortable(s)) {
          best = s;
          load = n;
        }
      }
      if (best === undefined) return;
      const q = this.queue;
      let t;
      if (this.order !== null) t = this.orderShift(true);
      else {
        while (k < q.length && (q[k] === undefined || q[k].state !== QUEUED || q[k].cleanup !== null)) k++;
        t = k < q.length ? q[k] : null;
      }
      if (t === null) return;
      if (!best.fns.has(t.key) && best.fns.size >= MAX_FNS) {
        // Renumbering the worker's functions would break the batch's other tasks.
        if (this.order !== null) this.orderUnshift(t);
        return;
      }
      if (this.order === null && k === this.qHead) {
        q[k] = undefined;
        this.qHead++;
      }
      this.join(best, t);
    }
  }

  /**
   * Whether the worker of the batch being dispatched may spin for its next
   * one (worker.js): only while a core stays free for the main thread —
   * pool threads running native tasks plus workers with a batch (this one
   * included) fewer than the cores. Under load a spinning worker would take
   * the CPU the main thread needs to send it that next batch.
   */
  spinAllowed() {
    if (this.options.spinUs === 0) return false;
    let busy = 0;
    for (const w of this.workers) if (w.batch !== null) busy++;
    // The native count only when the workers alone leave a core.
    return busy < CORES && busy + native.nativeRunning(this.handle) < CORES;
  }

  finishRunning(task, ok, value) {
    if (task.state !== RUNNING) return;
    task.state = SETTLED;
    this.c.running--;
    if (task.grace !== null) clearTimeout(task.grace);
    if (!task.settled) {
      if (ok) this.c.completed++;
      else this.c.failed++;
      if (this.hooks !== null && this.hooks.taskDone) {
        const now = performance.now();
        this.hooks.taskDone(task.t1 - task.t0, now - task.t1, task.slot);
      }
      this.settle(task, ok, value);
    }
    if (this.hooks !== null && this.hooks.queueChange) this.hooks.queueChange();
  }

  /** Results from a worker: [PART | DONE, b, id, status, value, …]. */
  onMessage(slot, m) {
    if (m[1] !== slot.batchId || slot.batch === null) return;
    const r = m;
    const batch = slot.batch;
    let n = 0;
    for (let i = 2; i < r.length; i += 3) {
      // In order, except where tasks of a batch await at once
      // (concurrentTasksPerWorker): `cursor` counts the answers.
      let task = batch[slot.cursor++];
      if (task === undefined || task.id !== r[i]) task = batch.find((t) => t.id === r[i]);
      if (task === undefined) continue;
      const status = r[i + 1];
      if (status === 0) this.finishRunning(task, true, r[i + 2]);
      else if (status === 3) this.finishRunning(task, false, initFailure(rebuildError(r[i + 2])));
      else if (status === 1) this.finishRunning(task, false, rebuildError(r[i + 2]));
      else this.finishRunning(task, false, new AbortError());
      n++;
    }
    if (n > 0) native.releaseJs(this.handle, n);
    if (m[0] === DONE) {
      // The batch grew after the worker finished it: its answers follow.
      if (slot.cursor < batch.length) return;
      // Per-task time of this batch (an over-estimate: it includes the
      // messages), smoothed per function.
      const ms = (performance.now() - slot.startedAt) / batch.length;
      for (let k = 0; k < batch.length; k++) {
        const key = batch[k].key;
        if (k > 0 && key === batch[k - 1].key) continue;
        const old = this.taskMs.get(key);
        this.taskMs.set(key, old === undefined ? ms : old * 0.7 + ms * 0.3);
      }
      if (this.taskMs.size > 1000) this.taskMs.clear();
      this.endBatch(slot);
    }
  }

  /** The worker is done with its batch: keep the lease for more JS work, hold it for a moment, or give it back. */
  endBatch(slot) {
    const lease = slot.lease;
    slot.batch = null;
    if (slot.exited) {
      // Its last results, read as it exited (onExit does the rest).
      this.giveBack(lease);
      return;
    }
    this.pickRefused = false;
    if (this.pick === null && !slot.retiring && slot.killed === null && !this.closing && native.nativeQueued(this.handle) === 0) {
      if (this.c.queued > 0 && this.turnBatches < this.turnLimit) {
        const batch = this.takeBatch();
        if (batch.length > 0) {
          this.handOn(slot, batch);
          return;
        }
      }
      this.hold(slot);
      return;
    }
    this.giveBack(lease);
    this.makeIdle(slot);
    this.pump();
    this.checkIdle();
  }

  /** Keeps `slot`'s lease until this event-loop turn's check phase (see "Holding a lease"). */
  hold(slot) {
    // Unref'd now, before the code awaiting its results runs (the pending
    // check phase keeps the loop alive until then): a worker.ref() of the
    // user's after that is not undone when the lease is given back.
    this.unrefWorker(slot);
    this.held.push(slot);
    this.markTurn();
    this.checkIdle();
  }

  markTurn() {
    if (!this.turnScheduled) {
      this.turnScheduled = true;
      setImmediate(this.endTurn);
    }
  }

  /** A batch to a worker whose lease the lane already has (no round trip through the pool). */
  handOn(slot, batch) {
    this.turnBatches++;
    this.markTurn();
    this.dispatch(slot, slot.lease, batch);
  }

  /** Queued tasks go to the workers whose leases are held, within this turn's limit (never while native work waits for a thread). */
  flushHeld() {
    this.flushScheduled = false;
    if (this.held.length === 0 || this.c.queued === 0) return;
    if (native.nativeQueued(this.handle) > 0) {
      this.releaseHeld();
      return;
    }
    while (this.held.length > 0 && this.c.queued > 0 && this.turnBatches < this.turnLimit) {
      const batch = this.takeBatch();
      if (batch.length === 0) break;
      this.handOn(this.held.pop(), batch);
    }
    this.pump();
  }

  /** The check phase: a new turn; held leases take queued work or are given back. */
  endTurn() {
    this.turnScheduled = false;
    this.turnBatches = 0;
    if (this.held.length === 0) return;
    if (!this.closing && !this.destroyed) this.flushHeld();
    this.releaseHeld();
  }

  /** Gives back every held lease; their workers go idle. */
  releaseHeld() {
    if (this.held.length === 0) return;
    const held = this.held;
    this.held = [];
    for (const slot of held) {
      this.giveBack(slot.lease);
      this.makeIdle(slot);
    }
    this.pump();
    this.checkIdle();
  }

  /** Lets the process exit while `slot`'s worker has nothing of the lane's to do (if the lane ref'd it). */
  unrefWorker(slot) {
    if (!slot.refed) return;
    slot.refed = false;
    slot.worker.unref();
  }

  /** `fresh`: started for a lease that is on its way (not retired before it gets work). */
  makeIdle(slot, fresh = false) {
    Atomics.store(slot.progress, 1, 0); // its lease is gone: stop spinning
    this.unrefWorker(slot);
    if (this.destroyed) return;
    this.idle.push(slot);
    if (this.closing || this.workers.size <= this.minWorkers) return;
    const ms = fresh ? Math.max(this.options.idleTimeout, 1000) : this.options.idleTimeout;
    slot.idleTimer = setTimeout(() => this.retire(slot), ms);
    slot.idleTimer.unref();
  }

  retire(slot) {
    let staying = 0;
    for (const w of this.workers) if (!w.retiring) staying++;
    if (staying <= this.minWorkers && !this.closing) {
      slot.idleTimer = null;
      return undefined;
    }
    slot.retiring = true;
    const i = this.idle.indexOf(slot);
    if (i >= 0) this.idle.splice(i, 1);
    return slot.worker.terminate();
  }

  onExit(slot, code) {
    slot.exited = true;
    this.pickRefused = false;
    this.workers.delete(slot);
    this.w.exited++;
    if (this.hooks !== null && this.hooks.workerDestroy) this.hooks.workerDestroy(slot);
    const i = this.idle.indexOf(slot);
    if (i >= 0) this.idle.splice(i, 1);
    if (slot.idleTimer !== null) clearTimeout(slot.idleTimer);
    const h = this.held.indexOf(slot);
    if (h >= 0) {
      this.held.splice(h, 1);
      this.giveBack(slot.lease);
    }
    // Results it posted before it exited (they may not have been delivered yet).
    for (let e = receiveMessageOnPort(slot.port); e !== undefined; e = receiveMessageOnPort(slot.port)) this.onMessage(slot, e.message);
    slot.port.close();
    const batch = slot.batch;
    if (batch !== null) {
      slot.batch = null;
      const started = Atomics.load(slot.progress, 0);
      const requeue = [];
      let released = 0;
      // Killed by the lane (abort grace, close) before it came online: not a
      // start-up failure.
      const failedStart = !slot.online && slot.killed === null && !slot.retiring;
      for (let k = 0; k < batch.length; k++) {
        const t = batch[k];
        if (t.state !== RUNNING) continue;
        if (failedStart) {
          this.finishRunning(t, false, initFailure(slot.error || new Error(`the worker exited with code ${code} before it started`)));
        } else if (k < started || k < this.handedOver || t.settled || (t.transfer !== undefined && t.transfer.length > 0)) {
          // Started (or its transferred payload is gone with the worker).
          const what = slot.killed || (slot.error ? 'crashed' : 'exited');
          this.finishRunning(t, false, exitedError(code, slot.error, what));
        } else {
          // Never started: back to the front of the queue.
          t.state = QUEUED;
          this.c.running--;
          this.c.queued++;
          requeue.push(t);
          continue;
        }
        released++;
      }
      if (released > 0) native.releaseJs(this.handle, released);
      if (requeue.length > 0) {
        this.queue.splice(this.qHead, 0, ...requeue);
        if (this.order !== null) for (let r = requeue.length - 1; r >= 0; r--) this.orderUnshift(requeue[r]);
      }
      this.giveBack(slot.lease);
    }
    if (!slot.online && slot.killed === null && !slot.retiring) {
      this.noteInitFailure(slot.error || new Error(`the worker exited with code ${code} before it started`));
    } else if (!slot.retiring && !this.closing) {
      // A crash, an OOM, or a worker terminated after an abort: replace it.
      const fresh = this.spawn();
      this.makeIdle(fresh);
    }
    this.pump();
    this.checkIdle();
  }

  checkIdle() {
    if (this.idleWaiters.length > 0 && this.c.queued === 0 && this.c.running === 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of w) f();
    }
  }

  /** Stops taking tasks, lets queued and running ones finish (or rejects them after closeTimeout), then stops the workers. */
  async close() {
    this.closing = true;
    let late = false;
    if (this.c.queued > 0 || this.c.running > 0) {
      let timer;
      const drained = new Promise((resolve) => this.idleWaiters.push(resolve));
      const timedOut = new Promise((resolve) => {
        timer = setTimeout(() => resolve(true), this.options.closeTimeout);
      });
      late = (await Promise.race([drained, timedOut])) === true;
      clearTimeout(timer);
      if (late) {
        const err = () => new CorepoolError(`The pool was closed and the task did not finish within closeTimeout (${this.options.closeTimeout} ms)`, 'ERR_POOL_CLOSED');
        for (let k = this.qHead; k < this.queue.length; k++) {
          const t = this.queue[k];
          if (t !== undefined && t.state === QUEUED) this.finishQueued(t, false, err());
        }
        for (const slot of this.workers) slot.retiring = true;
        for (const slot of this.workers) {
          if (slot.batch !== null) {
            for (const t of slot.batch) if (t.state === RUNNING && !t.settled) this.settle(t, false, err());
          }
        }
      }
    }
    await this.destroy();
    return late;
  }

  /**
   * piscina's hand-over (corepool/piscina): `workers` workers each hold up to
   * `perWorker` tasks, except that a task with a signal or timeout
   * (abortable) holds a worker alone. Tasks are placed in order: running
   * ones first, then the queue. Returns the queued tasks that piscina would
   * have handed to a worker, and how many running ones it would not.
   */
  placement(workers, perWorker) {
    let free = workers; // workers with no task
    let spare = 0; // places left beside plain tasks
    const fits = (t) => {
      if (t.cleanup !== null && perWorker > 1) {
        if (free === 0) return false;
        free--;
      } else if (spare > 0) spare--;
      else if (free > 0) {
        free--;
        spare += perWorker - 1;
      } else return false;
      return true;
    };
    let over = 0;
    for (const slot of this.workers) {
      if (slot.batch !== null) for (const t of slot.batch) if (t.state === RUNNING && !fits(t)) over++;
    }
    const placed = [];
    for (let k = this.qHead; k < this.queue.length && (free > 0 || spare > 0); k++) {
      const t = this.queue[k];
      if (t !== undefined && t.state === QUEUED && fits(t)) placed.push(t);
    }
    return { placed, over };
  }

  /** piscina's queue size (corepool/piscina): the tasks in flight its workers would not hold (see `placement`). */
  waitingBeyond(workers, perWorker) {
    if (perWorker === 1) return Math.max(0, this.c.queued + this.c.running - workers);
    const { placed, over } = this.placement(workers, perWorker);
    return over + (this.c.queued - placed.length);
  }

  /** Rejects the queued (not started) tasks with `makeError()`, except those in `keep` (a Set). */
  abortQueued(makeError, keep = new Set()) {
    for (let k = this.qHead; k < this.queue.length; k++) {
      const t = this.queue[k];
      if (t === undefined || t.state !== QUEUED || keep.has(t)) continue;
      this.finishQueued(t, false, makeError());
    }
  }

  /** Terminates every worker now (running tasks reject with ERR_WORKER_EXITED). */
  async destroy() {
    this.closing = true;
    this.destroyed = true;
    const all = [...this.workers];
    for (const slot of all) {
      slot.retiring = true;
      if (slot.idleTimer !== null) clearTimeout(slot.idleTimer);
      if (slot.killed === null) slot.killed = 'was terminated by close()';
    }
    this.idle = [];
    const held = this.held;
    this.held = [];
    for (const slot of held) {
      Atomics.store(slot.progress, 1, 0);
      this.giveBack(slot.lease);
    }
    await Promise.all(all.map((s) => s.worker.terminate()));
    for (let k = this.qHead; k < this.queue.length; k++) {
      const t = this.queue[k];
      if (t !== undefined && t.state === QUEUED) this.finishQueued(t, false, new CorepoolError('the pool was destroyed', 'ERR_POOL_CLOSED'));
    }
  }

  stats() {
    return {
      lane: { queued: this.c.queued, running: this.c.running, completed: this.c.completed, failed: this.c.failed, cancelled: this.c.cancelled },
      workers: { alive: this.workers.size, started: this.w.started, exited: this.w.exited },
    };
  }
}

module.exports = { JsLane };
