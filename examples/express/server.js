'use strict';
// Starts the example app: `npm start`, or `node examples/express/server.js`.
//
// Environment:
//   PORT=3000          0 picks a free port; the URL is printed as `listening on http://HOST:PORT`
//   HOST=127.0.0.1
//   MODE=corepool      or `inline` (the same work on the JS thread, for comparison)
//   BCRYPT_COST=10
//   POOL_THREADS       default: corepool's default (the CPU quota)
//   POOL_MAX_QUEUE=64  tasks that may wait before requests get 503
//   DEBUG_STATS=1      serve GET /debug/stats (npm run demo reads it)
//
// SIGTERM/SIGINT: stop accepting, finish the requests in flight, close the
// pool, exit 0. Started with an IPC channel (as npm run demo does), it also
// shuts down when the parent goes away.
const { createApp } = require('./app');

function envInt(name, fallback) {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  if (!/^\d+$/.test(v)) {
    console.error(`${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
    process.exit(2);
  }
  return Number(v);
}

const host = process.env.HOST || '127.0.0.1';
const port = envInt('PORT', 3000);
let created;
try {
  created = createApp({
    mode: process.env.MODE || 'corepool',
    bcryptCost: envInt('BCRYPT_COST', 10),
    threads: envInt('POOL_THREADS', undefined),
    maxQueue: envInt('POOL_MAX_QUEUE', 64),
    debugStats: process.env.DEBUG_STATS === '1',
  });
} catch (err) {
  console.error(err.message);
  process.exit(2);
}
const { app, close, mode } = created;

const server = app.listen(port, host, (err) => {
  if (err) {
    console.error(`cannot listen on ${host}:${port}: ${err.message}`);
    process.exit(1);
  }
  const addr = server.address();
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  console.log(`listening on http://${shown}:${addr.port} (mode ${mode}, pid ${process.pid})`);
});

const GRACE_MS = 5000;
let stopping = false;
function shutdown(why) {
  if (stopping) return;
  stopping = true;
  console.log(`${why}: shutting down`);
  // Idle keep-alive connections are closed at once; busy ones after their
  // answer, or when the grace period ends.
  server.close(async () => {
    try {
      await close();
      process.exit(0);
    } catch (err) {
      console.error(err);
      process.exit(1);
    }
  });
  server.closeIdleConnections();
  setTimeout(() => server.closeAllConnections(), GRACE_MS).unref();
}

process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
if (process.send) process.on('disconnect', () => shutdown('parent went away'));
