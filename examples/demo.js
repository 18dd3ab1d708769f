'use strict';
// npm run demo — the Express example app under load, inline vs corepool.
//
// Starts examples/express/server.js as a child process twice (MODE=inline,
// then MODE=corepool) and drives each with the same bounded load: a fixed
// number of keep-alive connections per endpoint (signup + login, a thumbnail
// of a 1600×900 photo, a social-card PNG, a 200 KB CSV report — the app's own
// JS, on the pool's JS lane in corepool mode), each sending its next request as
// soon as the previous answer arrives. Meanwhile a probe sends GET /healthz
// every 10 ms on one of 4 connections (skipped when all 4 still wait) — the
// cheap request every server also serves — and records how long each answer
// took. The server reports its own event-loop delay and CPU time
// (GET /debug/stats, served with DEBUG_STATS=1).
//
// Durations: DEMO_WARMUP_SECONDS (3) + DEMO_SECONDS (14) per mode, about 40 s
// in all. DEMO_CONNECTIONS (2) per endpoint, DEMO_BCRYPT_COST (10).
const http = require('node:http');
const os = require('node:os');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { performance } = require('node:perf_hooks');

function envNumber(name, fallback, min, max) {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!(n >= min && n <= max)) throw new Error(`${name} must be a number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return n;
}

const SERVER = path.join(__dirname, 'express', 'server.js');
const PHOTO = fs.readFileSync(path.join(__dirname, 'express', 'fixtures', 'photo.jpg'));
const SECONDS = envNumber('DEMO_SECONDS', 14, 1, 600);
const WARMUP = envNumber('DEMO_WARMUP_SECONDS', 3, 0, 600);
const CONNECTIONS = envNumber('DEMO_CONNECTIONS', 2, 1, 64);
const COST = envNumber('DEMO_BCRYPT_COST', 10, 4, 16);
const PROBE_MS = 10;
const PROBE_CONNECTIONS = 4;
const REQUEST_TIMEOUT_MS = 15000;
const MODES = ['inline', 'corepool'];
const ENDPOINTS = ['POST /signup', 'POST /login', 'POST /thumbnail', 'GET /card.png', 'POST /report'];

/** A ~200 KB sales CSV for POST /report (the app's own JS: on the JS lane in corepool mode). */
const SALES_CSV = (() => {
  const regions = ['north', 'south', 'east', 'west'];
  const lines = ['id,region,units,price'];
  for (let i = 0; lines.length < 8000; i++) lines.push(`${i},${regions[i % 4]},${(i % 7) + 1},${(i % 50) + 0.99}`);
  return lines.join('\n');
})();

// ---- child processes: never leave one behind ------------------------------

const children = new Set();
function killChildren() {
  for (const child of children) child.kill('SIGKILL');
}
process.on('exit', killChildren);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killChildren();
    process.exit(128 + os.constants.signals[sig]);
  });
}

/** Spawns server.js with `env`; resolves `{ child, url, exited }` once it prints its URL. */
async function startServer(env) {
  // With an IPC channel the server also shuts down if this process dies.
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DEBUG_STATS: '1', ...env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  children.add(child);
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server.js did not start within 10 s:\n${out}`)), 10000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server.js exited (${code ?? signal}) before listening:\n${out}`));
    });
  });
  return { child, url, exited };
}

/** SIGTERM (graceful: the server closes its pool and exits 0), SIGKILL after 5 s. */
async function stopServer({ child, exited }) {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  const result = await exited;
  clearTimeout(timer);
  return result;
}

// ---- a bounded HTTP client ------------------------------------------------

/** One request → `{ status, body }`; rejects on network errors and after REQUEST_TIMEOUT_MS. */
function send(agent, url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

const json = (value) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

async function getJson(url) {
  const res = await send(false, url);
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${res.body}`);
  return JSON.parse(res.body.toString());
}

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Drives the server at `url` for WARMUP + SECONDS; returns what was measured in the last SECONDS. */
async function drive(url, mode) {
  const window = { start: Infinity, end: Infinity };
  const inWindow = (t) => t >= window.start && t <= window.end;
  const answered = Object.fromEntries(ENDPOINTS.map((e) => [e, { ok: 0, failed: 0 }]));
  const record = (endpoint, ok) => {
    if (inWindow(performance.now())) answered[endpoint][ok ? 'ok' : 'failed']++;
  };
  const agents = [];
  const keepAlive = () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    return agent;
  };

  // The probe: PROBE_CONNECTIONS keep-alive connections, opened before the
  // load starts (a blocked event loop accepts about one new connection per
  // turn). Every PROBE_MS a GET /healthz goes out on an idle one; when none is
  // idle, that probe is missed. Latency counts from sending to the answer.
  const idle = Array.from({ length: PROBE_CONNECTIONS }, keepAlive);
  await Promise.all(idle.map((agent) => send(agent, `${url}/healthz`)));
  const latencies = [];
  let due = 0;
  const probes = new Set();
  const probe = setInterval(() => {
    const sent = performance.now();
    if (inWindow(sent)) due++;
    const agent = idle.pop();
    if (agent === undefined) return;
    const p = send(agent, `${url}/healthz`)
      .then(
        (res) => res.status === 200 && inWindow(sent) && latencies.push(performance.now() - sent),
        () => {},
      )
      .finally(() => {
        idle.push(agent);
        probes.delete(p);
      });
    probes.add(p);
  }, PROBE_MS);

  // The load: each connection sends its next request when the answer to the
  // previous one has arrived.
  let stopped = false;
  async function call(agent, endpoint, pathAndQuery, options) {
    try {
      const res = await send(agent, url + pathAndQuery, options);
      record(endpoint, res.status < 300);
      return res.status;
    } catch (err) {
      record(endpoint, false);
      await pause(50); // a network error: do not spin
      throw err;
    }
  }
  function connection(step) {
    const agent = keepAlive();
    return (async () => {
      for (let n = 0; !stopped; n++) await step(agent, n).catch(() => {});
    })();
  }
  const thumbnail = { method: 'POST', headers: { 'content-type': 'image/jpeg', accept: 'image/jpeg' }, body: PHOTO };
  const loops = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    loops.push(
      connection(async (agent, n) => {
        const user = { username: `${mode}-${i}-${n}`, password: `correct horse battery staple ${n}` };
        if ((await call(agent, 'POST /signup', '/signup', json(user))) === 201) await call(agent, 'POST /login', '/login', json(user));
      }),
      connection((agent) => call(agent, 'POST /thumbnail', '/thumbnail?w=320', thumbnail)),
      connection((agent, n) => call(agent, 'GET /card.png', `/card.png?title=${encodeURIComponent(`Demo card number ${n}`)}`)),
      connection((agent) => call(agent, 'POST /report', '/report', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: SALES_CSV })),
    );
  }

  try {
    await pause(WARMUP * 1000);
    await getJson(`${url}/debug/stats?reset`);
    window.start = performance.now();
    await pause(SECONDS * 1000);
    window.end = performance.now();
    const server = await getJson(`${url}/debug/stats`);
    return { answered, seconds: (window.end - window.start) / 1000, latencies, due, server };
  } finally {
    stopped = true;
    clearInterval(probe);
    await Promise.all([...loops, ...probes]);
    for (const agent of agents) agent.destroy();
  }
}

// ---- report ---------------------------------------------------------------

function summarize(r) {
  r.latencies.sort((x, y) => x - y); // complete now: drive() waited for every probe
  const rate = (e) => r.answered[e].ok / r.seconds;
  return {
    rates: Object.fromEntries(ENDPOINTS.map((e) => [e, rate(e)])),
    total: ENDPOINTS.reduce((s, e) => s + rate(e), 0),
    failed: ENDPOINTS.reduce((s, e) => s + r.answered[e].failed, 0),
    healthP50: percentile(r.latencies, 50),
    healthP99: percentile(r.latencies, 99),
    probes: r.latencies.length,
    probesDue: r.due,
    loopP99: r.server.loopDelayMs.p99,
    cpu: (r.server.cpuMs / r.server.elapsedMs) * 100,
    pool: r.server.pool,
  };
}

function printTable(results) {
  const cols = MODES.map((m) => results[m]);
  const line = (label, unit, values) => console.log(`  ${label.padEnd(22)}${unit.padEnd(18)}${values.map((v) => v.padStart(11)).join('')}`);
  const fmt = (digits) => (v) => (Number.isFinite(v) ? v.toFixed(digits) : '-');
  console.log('');
  line('', '', MODES);
  for (const e of ENDPOINTS) line(e, 'req/s', cols.map((c) => fmt(1)(c.rates[e])));
  line('all of the above', 'req/s', cols.map((c) => fmt(1)(c.total)));
  line('GET /healthz', 'answered/due', cols.map((c) => `${c.probes}/${c.probesDue}`));
  line('GET /healthz', 'p50 ms', cols.map((c) => fmt(1)(c.healthP50)));
  line('GET /healthz', 'p99 ms', cols.map((c) => fmt(1)(c.healthP99)));
  line('event-loop delay', 'p99 ms', cols.map((c) => fmt(1)(c.loopP99)));
  line('server CPU', '% of one core', cols.map((c) => fmt(0)(c.cpu)));
  for (const m of MODES) {
    if (results[m].failed > 0) console.log(`  (${m}: ${results[m].failed} requests failed or were refused)`);
  }
}

async function main() {
  console.log(`corepool demo — examples/express under load; ${os.availableParallelism()} cores, Node ${process.version}`);
  console.log(
    `Each mode: server.js in a child process, ${WARMUP} s warm-up + ${SECONDS} s measured. ${CONNECTIONS} keep-alive ` +
      `connection(s) each for signup+login (bcrypt cost ${COST}), thumbnail (1600×900 JPEG → 320 px), card.png ` +
      `(1200×630) and report (200 KB CSV → summary, the app's own JS), one request after another; GET /healthz every ${PROBE_MS} ms on ${PROBE_CONNECTIONS} more.`,
  );
  console.log(
    "inline: bcryptjs, jpeg-js, resvg-js and the report function on the event loop. corepool: the same endpoints on corepool's pool (the report on its JS lane).",
  );
  const results = {};
  for (const mode of MODES) {
    process.stdout.write(`  ${mode}: running… `);
    const server = await startServer({ MODE: mode, BCRYPT_COST: String(COST) });
    try {
      results[mode] = summarize(await drive(server.url, mode));
    } finally {
      const { code, signal } = await stopServer(server);
      if (code !== 0) console.log(`(server.js did not shut down cleanly: ${code ?? signal})`);
    }
    const r = results[mode];
    console.log(`done${r.pool ? ` (pool of ${r.pool.threads} threads, task wait p99 ${r.pool.waitTime.p99.toFixed(0)} ms)` : ''}`);
  }
  printTable(results);
  const a = results.inline;
  const b = results.corepool;
  console.log(
    `\n→ corepool served ${(b.total / a.total).toFixed(1)}× the requests/s, and /healthz p99 went from ` +
      `${a.healthP99.toFixed(0)} ms to ${b.healthP99.toFixed(1)} ms: the event loop only routes requests while ` +
      `${b.pool.threads} pool threads do the work (server CPU ${a.cpu.toFixed(0)}% → ${b.cpu.toFixed(0)}% of one core).`,
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    killChildren();
    process.exit(1);
  },
);
