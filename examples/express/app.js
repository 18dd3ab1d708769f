'use strict';
// An Express 5 app whose CPU-bound endpoints run on corepool.
//
//   POST /signup        {username, password} → bcrypt hash, stored in memory; 201
//   POST /login         {username, password} → verify; rehash when the cost changed
//   POST /thumbnail     image body → JPEG or WebP (by Accept), ?w= width (default 320)
//   GET  /card.png      ?title=&subtitle= → 1200×630 social card PNG
//   GET  /invoice.pdf   ?id= → two-page PDF
//   POST /report        CSV body (region, units, price columns) → JSON summary per region;
//                       the app's own JS (report-worker.js) on the pool's JS lane
//   GET  /metrics       Prometheus text: corepool's pool + prom-client's process metrics
//   GET  /healthz       "ok"
//   GET  /debug/stats   event-loop delay and CPU (only with `debugStats: true`; used by npm run demo)
//
// Each request gets an AbortSignal that fires when the client disconnects
// before the answer is sent, and the work is submitted with it: a request that
// is abandoned while its work waits in the pool's queue costs nothing. When
// the pool's queue is full the answer is 503 with Retry-After.
//
// `mode: 'inline'` swaps the work for the same work done on the JS thread
// (inline.js), to show what corepool changes; the routes are identical.
const { monitorEventLoopDelay, performance } = require('node:perf_hooks');
const { randomUUID } = require('node:crypto');
const express = require('express');
const promClient = require('prom-client');
const corepool = require('corepool');
const { HttpError, errorHandler } = require('./errors');
const { createPoolWork } = require('./pool-work');
const { createInlineWork } = require('./inline');
const { socialCardSvg, sampleInvoice, invoiceSvgs } = require('./svg');

const MODES = ['corepool', 'inline'];
const USERNAME = /^[A-Za-z0-9_.@-]{1,64}$/;

function checkInt(value, name, min, max) {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`options.${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/** An integer query parameter, `fallback` when absent; 400 when malformed. */
function intParam(value, name, fallback, min, max) {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw new HttpError(400, 'ERR_INVALID_ARG_VALUE', `?${name} must be an integer from ${min} to ${max}`);
  return n;
}

/** A text query parameter, `fallback` when absent or empty; 400 when repeated or too long. */
function textParam(value, name, fallback, maxLength) {
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string' || value.length > maxLength) {
    throw new HttpError(400, 'ERR_INVALID_ARG_VALUE', `?${name} must be one string of at most ${maxLength} characters`);
  }
  return value;
}

function credentials(body) {
  const { username, password } = body && typeof body === 'object' ? body : {};
  if (typeof username !== 'string' || !USERNAME.test(username)) {
    throw new HttpError(400, 'ERR_INVALID_ARG_VALUE', 'username must be 1-64 characters of A-Z a-z 0-9 _ . @ -');
  }
  if (typeof password !== 'string' || password.length === 0) {
    throw new HttpError(400, 'ERR_INVALID_ARG_VALUE', 'password must be a non-empty string');
  }
  return { username, password };
}

/**
 * @param {object} [options]
 * @param {'corepool'|'inline'} [options.mode='corepool']
 * @param {corepool.Pool} [options.pool]   use this pool (the caller closes it); default: a new Pool owned by the app
 * @param {number} [options.threads]       threads of the app's own pool (default: corepool's default)
 * @param {number} [options.maxQueue=64]   tasks that may wait for a thread before requests get 503
 * @param {number} [options.bcryptCost=10] cost of new hashes; logins rehash hashes of another cost
 * @param {Map<string,string>} [options.users] the user store (username → hash); default: a new Map
 * @param {number} [options.maxUploadBytes=10 MiB] /thumbnail body limit (413 above)
 * @param {number} [options.maxInputPixels=40e6]   /thumbnail decoded-size limit (413 above)
 * @param {number} [options.taskTimeout=10000]     ms a task may wait and run before the request gets 503
 * @param {boolean} [options.debugStats=false]     serve GET /debug/stats
 * @param {(err: Error, req) => void} [options.log] sees unexpected errors (default: console.error)
 * @returns {{ app: import('express').Express, pool: corepool.Pool | null, users: Map<string,string>, mode: string, close(): Promise<void> }}
 */
function createApp(options = {}) {
  const mode = options.mode === undefined ? 'corepool' : options.mode;
  if (!MODES.includes(mode)) throw new TypeError(`options.mode must be one of ${MODES.join(', ')}, got ${mode}`);
  const bcryptCost = checkInt(options.bcryptCost ?? 10, 'bcryptCost', 4, 31);
  const maxUploadBytes = checkInt(options.maxUploadBytes ?? 10 * 1024 * 1024, 'maxUploadBytes', 1, 2 ** 31 - 1);
  const maxInputPixels = checkInt(options.maxInputPixels ?? 40e6, 'maxInputPixels', 1, 2 ** 31 - 1);
  const taskTimeout = checkInt(options.taskTimeout ?? 10000, 'taskTimeout', 1, 2 ** 31 - 1);
  const users = options.users ?? new Map();
  const log = options.log ?? ((err, req) => console.error(`${req.method} ${req.originalUrl}:`, err));

  const ownsPool = mode === 'corepool' && options.pool === undefined;
  const pool = mode !== 'corepool' ? null : (options.pool ?? new corepool.Pool({ threads: options.threads, maxQueue: options.maxQueue ?? 64, name: 'express' }));
  const work =
    mode === 'corepool'
      ? createPoolWork({ pool, bcryptCost, taskTimeout, maxInputPixels })
      : createInlineWork({ bcryptCost, maxInputPixels });

  const registry = new promClient.Registry();
  promClient.collectDefaultMetrics({ register: registry });

  const app = express();
  app.disable('x-powered-by');

  // Cheap and first: answers without touching the pool or any body parser.
  app.get('/healthz', (req, res) => {
    res.type('text/plain').send('ok');
  });

  // The request's AbortSignal. `res` 'close' fires when the connection ends;
  // if the answer was not finished by then, the client is gone. (`req`
  // 'close' is no use here: it fires as soon as the request body is read.)
  app.use((req, res, next) => {
    const controller = new AbortController();
    res.locals.signal = controller.signal;
    res.once('close', () => {
      if (!res.writableFinished) controller.abort(new Error('client disconnected'));
    });
    next();
  });

  const json = express.json({ limit: '4kb' });

  // A hash of a random password at the current cost, verified against when
  // the username is unknown, so that "no such user" takes as long as "wrong
  // password". Made on first use; made again if that failed.
  let dummyHash;
  const dummy = () => {
    dummyHash ??= work.hash(randomUUID()).catch((err) => {
      dummyHash = undefined;
      throw err;
    });
    return dummyHash;
  };

  app.post('/signup', json, async (req, res) => {
    const { username, password } = credentials(req.body);
    if (users.has(username)) throw new HttpError(409, 'ERR_USER_EXISTS', 'username is taken');
    const hash = await work.hash(password, res.locals.signal);
    if (users.has(username)) throw new HttpError(409, 'ERR_USER_EXISTS', 'username is taken'); // lost a race
    users.set(username, hash);
    res.status(201).json({ username });
  });

  app.post('/login', json, async (req, res) => {
    const { username, password } = credentials(req.body);
    const { signal } = res.locals;
    const stored = users.get(username);
    const ok = await work.verify(password, stored ?? (await dummy()), signal);
    if (stored === undefined || !ok) throw new HttpError(401, 'ERR_BAD_CREDENTIALS', 'wrong username or password');
    let rehashed = false;
    if (work.needsRehash(stored)) {
      // The cost was raised since this hash was made: upgrade it now that we know the password.
      const upgraded = await work.hash(password, signal);
      if (users.get(username) === stored) users.set(username, upgraded);
      rehashed = true;
    }
    res.json({ username, rehashed });
  });

  const raw = express.raw({ type: () => true, limit: maxUploadBytes });
  app.post('/thumbnail', raw, async (req, res) => {
    const width = intParam(req.query.w, 'w', 320, 16, 2048);
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
      throw new HttpError(400, 'ERR_EMPTY_BODY', 'send the image as the request body');
    }
    const webp = work.thumbnailFormats.includes('webp') && req.accepts(['image/jpeg', 'image/webp']) === 'image/webp';
    const format = webp ? 'webp' : 'jpeg';
    const out = await work.thumbnail(req.body, { width, format }, res.locals.signal);
    res.vary('Accept').type(`image/${format}`).send(out);
  });

  app.get('/card.png', async (req, res) => {
    const title = textParam(req.query.title, 'title', 'Hello from corepool', 120);
    const subtitle = textParam(req.query.subtitle, 'subtitle', 'CPU-bound work off the Node.js event loop', 120);
    const png = await work.png(socialCardSvg({ title, subtitle }), res.locals.signal);
    res.type('image/png').set('Cache-Control', 'public, max-age=3600').send(png);
  });

  app.get('/invoice.pdf', async (req, res) => {
    const id = textParam(req.query.id, 'id', 'INV-2025-0042', 40);
    const pdf = await work.pdf(invoiceSvgs(sampleInvoice(id)), res.locals.signal);
    res.type('application/pdf').set('Content-Disposition', 'inline; filename="invoice.pdf"').send(pdf);
  });

  const csvBody = express.text({ type: ['text/csv', 'text/plain'], limit: maxUploadBytes });
  app.post('/report', csvBody, async (req, res) => {
    if (typeof req.body !== 'string' || req.body.length === 0) {
      throw new HttpError(400, 'ERR_EMPTY_BODY', 'send the CSV as a text/csv request body');
    }
    res.json(await work.report(req.body, res.locals.signal));
  });

  app.get('/metrics', async (req, res) => {
    const text = (await registry.metrics()) + (pool ? pool.metrics() : '');
    res.set('Content-Type', 'text/plain; version=0.0.4; charset=utf-8').send(text);
  });

  let loopDelay;
  if (options.debugStats) {
    // How late a 1 ms timer fires (its histogram holds the full interval, so
    // subtract the 1 ms) and the process's CPU time, since the last ?reset.
    loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    let since = { t: performance.now(), cpu: process.cpuUsage() };
    const late = (ns) => Math.max(0, ns / 1e6 - 1);
    app.get('/debug/stats', (req, res) => {
      const elapsedMs = performance.now() - since.t;
      const cpu = process.cpuUsage(since.cpu);
      const body = {
        mode,
        elapsedMs,
        cpuMs: (cpu.user + cpu.system) / 1000,
        loopDelayMs: { p50: late(loopDelay.percentile(50)), p99: late(loopDelay.percentile(99)), max: late(loopDelay.max) },
        pool: pool ? pool.stats() : null,
      };
      if (req.query.reset !== undefined) {
        loopDelay.reset();
        since = { t: performance.now(), cpu: process.cpuUsage() };
      }
      res.json(body);
    });
  }

  app.use((req, res) => {
    res.status(404).json({ error: { code: 'ERR_NOT_FOUND', message: `no route for ${req.method} ${req.path}` } });
  });
  app.use(errorHandler(log));

  let closed;
  async function close() {
    closed ??= (async () => {
      if (loopDelay) loopDelay.disable();
      if (ownsPool) await pool.close();
    })();
    return closed;
  }

  return { app, pool, users, mode, close };
}

module.exports = { createApp };
