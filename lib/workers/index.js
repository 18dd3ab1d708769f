'use strict';
// The JS lane's face for index.js: run() on a pool, per-lane stats and
// metrics, close(), and what worker code imports (isWorkerThread,
// workerData, move).
const worker_threads = require('node:worker_threads');
const native = require('../native');
const { JsLane } = require('./lane');
const { move } = require('./transfer');
const { workerOptions, runOptions, canRunTypeScript, typeScriptError, WORKER_OPTION_KEYS } = require('./options');

const kLane = Symbol('corepool.jsLane');
const kWorkerOptions = Symbol('corepool.workerOptions');

const boot = worker_threads.workerData;
/** True inside a corepool worker thread. */
const isWorkerThread = !worker_threads.isMainThread && boot !== null && typeof boot === 'object' && boot.corepool === true;
/** The pool's `workerData`, inside a corepool worker thread. */
const workerData = isWorkerThread ? boot.data : undefined;

/** Sets up a pool object's worker options (validated; nothing started). */
function initWorkers(pool, options) {
  pool[kWorkerOptions] = workerOptions(options || {});
  pool[kLane] = null;
}

function laneOf(pool, handle) {
  let lane = pool[kLane];
  if (lane === null || lane === undefined) {
    const threads = native.stats(handle).threads;
    if (pool[kWorkerOptions] === undefined) pool[kWorkerOptions] = workerOptions({});
    lane = new JsLane(handle, threads, pool[kWorkerOptions]);
    pool[kLane] = lane;
  }
  return lane;
}

/** `pool.run(payload, options)`. */
function runOn(pool, handle, payload, options) {
  try {
    if (pool[kWorkerOptions] === undefined) pool[kWorkerOptions] = workerOptions({});
    const o = runOptions(options, pool[kWorkerOptions]);
    if (o.typescript && !canRunTypeScript(pool[kWorkerOptions].execArgv)) return Promise.reject(typeScriptError(o.url));
    return laneOf(pool, handle).run(payload, o);
  } catch (err) {
    return Promise.reject(err);
  }
}

const ZERO_LANE = { queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
const ZERO_WORKERS = { alive: 0, started: 0, exited: 0 };

/** native stats() plus the lanes (`lanes.native`, `lanes.js`) and `workers`; the top-level counters are both lanes together. */
function statsOf(pool, handle) {
  const s = native.stats(handle);
  const lane = pool[kLane];
  const js = lane ? lane.stats() : { lane: { ...ZERO_LANE }, workers: { ...ZERO_WORKERS } };
  const nat = { queued: s.queued, running: s.running, completed: s.completed, failed: s.failed, cancelled: s.cancelled };
  for (const k of Object.keys(nat)) s[k] = nat[k] + js.lane[k];
  s.lanes = { native: nat, js: js.lane };
  s.workers = js.workers;
  return s;
}

function label(v) {
  return String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** native metrics() plus per-lane task gauges/counters and worker counts. */
function metricsOf(pool, handle) {
  const s = statsOf(pool, handle);
  const p = `pool="${label(s.name)}"`;
  let text = native.metrics(handle);
  const fam = (name, kind, help, rows) => {
    text += `# HELP corepool_${name} ${help}\n# TYPE corepool_${name} ${kind}\n`;
    for (const [labels, v] of rows) text += `corepool_${name}{${p}${labels}} ${v}\n`;
  };
  const lanes = (key) => [
    [',lane="native"', s.lanes.native[key]],
    [',lane="js"', s.lanes.js[key]],
  ];
  fam('lane_tasks_queued', 'gauge', 'Admitted tasks waiting for a run slot, by lane.', lanes('queued'));
  fam('lane_tasks_running', 'gauge', 'Tasks holding a run slot, by lane.', lanes('running'));
  fam('lane_tasks_completed_total', 'counter', 'Tasks that resolved, by lane.', lanes('completed'));
  fam('lane_tasks_failed_total', 'counter', 'Tasks that rejected with an error of their own, by lane.', lanes('failed'));
  fam('lane_tasks_cancelled_total', 'counter', 'Tasks rejected by abort or timeout, by lane.', lanes('cancelled'));
  fam('workers_alive', 'gauge', 'JS worker threads alive.', [['', s.workers.alive]]);
  fam('workers_started_total', 'counter', 'JS worker threads started.', [['', s.workers.started]]);
  fam('workers_exited_total', 'counter', 'JS worker threads that exited (idle, crash, abort, close).', [['', s.workers.exited]]);
  return text;
}

/** Lets JS tasks finish (up to closeTimeout), stops the workers. */
function closeWorkers(pool) {
  const lane = pool[kLane];
  return lane ? lane.close() : Promise.resolve();
}

function destroyWorkers(pool) {
  const lane = pool[kLane];
  return lane ? lane.destroy() : Promise.resolve();
}

module.exports = {
  WORKER_OPTION_KEYS,
  initWorkers,
  runOn,
  statsOf,
  metricsOf,
  closeWorkers,
  destroyWorkers,
  laneOf,
  isWorkerThread,
  workerData,
  move,
  kLane,
};
