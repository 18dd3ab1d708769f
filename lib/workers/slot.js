'use strict';
// One worker of the JS lane (lane.js): its thread, its message channel and
// the batch it was sent, and the errors its tasks get when it dies.
const { Worker, MessageChannel, receiveMessageOnPort } = require('node:worker_threads');
const path = require('node:path');
const { CorepoolError } = require('../errors');
const { workerExecArgv } = require('./options');

const BOOT = path.join(__dirname, 'worker.js');

function exitedError(code, cause, what) {
  const why = cause ? `: ${cause.message}` : '';
  return new CorepoolError(`The worker running this task ${what} (exit code ${code})${why}`, 'ERR_WORKER_EXITED', cause ? { cause } : undefined);
}

function initFailure(err) {
  if (err && err.code === 'ERR_WORKER_INIT') {
    const e = new CorepoolError(err.message, 'ERR_WORKER_INIT', err.cause !== undefined ? { cause: err.cause } : undefined);
    e.stack = `${e.name}: ${e.message}\n    at worker start-up`;
    return e;
  }
  return new CorepoolError(`The worker could not start: ${err && err.message}`, 'ERR_WORKER_INIT', { cause: err });
}

class WorkerSlot {
  constructor(lane) {
    this.lane = lane;
    this.progress = new Int32Array(new SharedArrayBuffer(8));
    const o = lane.options;
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    /** Function key → number in this worker's table. */
    this.fns = new Map();
    this.exited = false;
    /** Order of start (set by the lane). */
    this.seq = 0;
    this.worker = new Worker(BOOT, {
      workerData: { corepool: true, data: o.workerData, progress: this.progress.buffer, port: port2, spinUs: o.spinUs, nice: o.nice, perWorker: lane.perWorker },
      transferList: [port2],
      env: o.env,
      argv: o.argv,
      execArgv: workerExecArgv(o.execArgv),
      resourceLimits: o.resourceLimits,
    });
    /** Kept: the worker's own reads -1 once it has exited. */
    this.threadId = this.worker.threadId;
    /** The worker handle keeps the process alive (while it has a batch, or a held lease). */
    this.refed = false;
    this.online = false;
    this.error = null;
    this.retiring = false; // idle timeout or close: do not replace
    this.killed = null; // why the lane terminated it
    this.batch = null;
    this.batchId = 0;
    this.cursor = 0;
    this.lease = 0;
    this.startedAt = 0;
    this.idleTimer = null;
    this.worker.once('online', () => {
      this.online = true;
      lane.initFailures = 0;
      lane.onOnline(this);
    });
    // The lane's own channel; never keeps the process alive (the worker
    // handle is ref'd while a batch runs).
    this.port.on('message', (m) => lane.onMessage(this, m));
    this.port.unref();
    // Whatever the user's code posts with parentPort.postMessage().
    this.worker.on('message', (m) => {
      if (lane.hooks !== null && lane.hooks.message) lane.hooks.message(m);
    });
    this.worker.on('error', (err) => {
      this.error = err;
      // The answers it posted before it failed come first (they travel on
      // another port and may not have been read yet): a batch that had
      // finished does not make this error a task's.
      for (let e = receiveMessageOnPort(this.port); e !== undefined; e = receiveMessageOnPort(this.port)) lane.onMessage(this, e.message);
      if (this.batch === null && lane.hooks !== null && lane.hooks.error) lane.hooks.error(err);
    });
    this.worker.once('exit', (code) => lane.onExit(this, code));
    // Unref'd once its listeners are on (listening for 'message' refs the
    // worker's public port).
    this.worker.unref();
  }
}

module.exports = { WorkerSlot, exitedError, initFailure };
