'use strict';
// examples/express over real HTTP on localhost: each endpoint's answer and
// error answers, 503 under saturation, cancellation of queued work when the
// client disconnects, and SIGTERM shutdown of server.js.
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const path = require('node:path');
const fs = require('node:fs');
const { spawn, spawnSync } = require('node:child_process');
const corepool = require('..');
const { parse } = require('./helpers/prometheus');
const { createApp } = require('../examples/express/app');
const { until } = require('./helpers/until');

const { native, kHandle, run, taskOptions } = require('../lib/internal');
const SERVER = path.join(__dirname, '..', 'examples', 'express', 'server.js');
const PHOTO = fs.readFileSync(path.join(__dirname, '..', 'examples', 'express', 'fixtures', 'photo.jpg'));
const COST = 4;

/** Starts `createApp(options)` on a free port. */
async function start(options = {}) {
  const logged = [];
  const created = createApp({ bcryptCost: COST, log: (err) => logged.push(err), ...options });
  const server = http.createServer(created.app);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  const stop = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await created.close();
  };
  return { ...created, url, logged, stop };
}

/** One request on its own connection → `{ status, headers, body }` (body: Buffer, or parsed JSON). */
function request(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        let data = Buffer.concat(chunks);
        if (/^application\/json/.test(res.headers['content-type'] || '')) data = JSON.parse(data.toString());
        resolve({ status: res.statusCode, headers: res.headers, body: data });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const postJson = (url, value) =>
  request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof value === 'string' ? value : JSON.stringify(value) });

const postImage = (url, image, headers = {}) =>
  request(url, { method: 'POST', headers: { 'content-type': 'image/jpeg', ...headers }, body: image });

// A cancellable sleep task (test-only kernel) that occupies a pool thread.
function sleep(pool, ms, signal) {
  const options = { signal };
  taskOptions(options, 'options');
  return run(options, (token) => native.__testSleep(pool[kHandle], ms, token));
}


function assertErrorBody(res, status, code) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers['content-type'], /^application\/json/);
  assert.equal(res.body.error.code, code);
  assert.equal(typeof res.body.error.message, 'string');
}

test('corepool mode', async (t) => {
  const s = await start({ threads: 2 });
  t.after(s.stop);

  await t.test('GET /healthz', async () => {
    const res = await request(`${s.url}/healthz`);
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^text\/plain/);
    assert.equal(res.body.toString(), 'ok');
  });

  await t.test('POST /signup: 201, 409 for a taken name, 400 for a bad body', async () => {
    const res = await postJson(`${s.url}/signup`, { username: 'ada', password: 'correct horse' });
    assert.equal(res.status, 201);
    assert.deepEqual(res.body, { username: 'ada' });
    assert.equal(corepool.getRounds(s.users.get('ada')), COST);
    assert.equal(await corepool.verify('correct horse', s.users.get('ada')), true);

    assertErrorBody(await postJson(`${s.url}/signup`, { username: 'ada', password: 'other' }), 409, 'ERR_USER_EXISTS');
    assertErrorBody(await postJson(`${s.url}/signup`, { username: 'bob' }), 400, 'ERR_INVALID_ARG_VALUE');
    assertErrorBody(await postJson(`${s.url}/signup`, { username: 'no spaces', password: 'x' }), 400, 'ERR_INVALID_ARG_VALUE');
    assertErrorBody(await postJson(`${s.url}/signup`, '{"username":'), 400, 'ERR_INVALID_JSON');
    assertErrorBody(await postJson(`${s.url}/signup`, { username: 'long', password: 'x'.repeat(73) }), 400, 'ERR_PASSWORD_TOO_LONG');
    assertErrorBody(await postJson(`${s.url}/signup`, { username: 'huge', password: 'x'.repeat(5000) }), 413, 'ERR_BODY_TOO_LARGE');
    assert.equal(s.users.has('bob') || s.users.has('long'), false);
  });

  await t.test('POST /login: 200, 401 for a wrong password or an unknown user', async () => {
    const ok = await postJson(`${s.url}/login`, { username: 'ada', password: 'correct horse' });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, { username: 'ada', rehashed: false });
    assertErrorBody(await postJson(`${s.url}/login`, { username: 'ada', password: 'wrong' }), 401, 'ERR_BAD_CREDENTIALS');
    assertErrorBody(await postJson(`${s.url}/login`, { username: 'nobody', password: 'x' }), 401, 'ERR_BAD_CREDENTIALS');
    assertErrorBody(await postJson(`${s.url}/login`, []), 400, 'ERR_INVALID_ARG_VALUE');
  });

  await t.test('a stored hash the pool cannot read is a 500, logged', async () => {
    s.users.set('broken', '$2b$04$not-a-hash');
    assertErrorBody(await postJson(`${s.url}/login`, { username: 'broken', password: 'x' }), 500, 'ERR_INTERNAL');
    assert.equal(s.logged.length, 1);
    assert.equal(s.logged[0].code, 'ERR_INVALID_HASH');
    s.logged.length = 0;
  });

  await t.test('POST /thumbnail: JPEG by default, WebP when accepted, ?w=', async () => {
    const jpeg = await postImage(`${s.url}/thumbnail`, PHOTO);
    assert.equal(jpeg.status, 200);
    assert.equal(jpeg.headers['content-type'], 'image/jpeg');
    assert.match(jpeg.headers.vary, /Accept/);
    assert.deepEqual([...jpeg.body.subarray(0, 3)], [0xff, 0xd8, 0xff]);
    const m = await corepool.metadata(jpeg.body);
    assert.deepEqual([m.format, m.width, m.height], ['jpeg', 320, 180]);

    const webp = await postImage(`${s.url}/thumbnail?w=200`, PHOTO, { accept: 'image/avif,image/webp,*/*;q=0.8' });
    assert.equal(webp.status, 200);
    assert.equal(webp.headers['content-type'], 'image/webp');
    assert.equal(webp.body.toString('latin1', 0, 4), 'RIFF');
    assert.equal(webp.body.toString('latin1', 8, 12), 'WEBP');
    const w = await corepool.metadata(webp.body);
    assert.deepEqual([w.format, w.width], ['webp', 200]);

    // */* alone does not make WebP: older clients send it too.
    const any = await postImage(`${s.url}/thumbnail`, PHOTO, { accept: '*/*' });
    assert.equal(any.headers['content-type'], 'image/jpeg');
  });

  await t.test('POST /thumbnail: 400 for what does not decode, bad ?w or no body', async () => {
    assertErrorBody(await postImage(`${s.url}/thumbnail`, Buffer.from('not an image at all')), 400, 'ERR_UNSUPPORTED_FORMAT');
    assertErrorBody(await postImage(`${s.url}/thumbnail`, PHOTO.subarray(0, 600)), 400, 'ERR_DECODE');
    assertErrorBody(await postImage(`${s.url}/thumbnail?w=0`, PHOTO), 400, 'ERR_INVALID_ARG_VALUE');
    assertErrorBody(await postImage(`${s.url}/thumbnail?w=12px`, PHOTO), 400, 'ERR_INVALID_ARG_VALUE');
    assertErrorBody(await request(`${s.url}/thumbnail`, { method: 'POST' }), 400, 'ERR_EMPTY_BODY');
  });

  await t.test('GET /card.png: a 1200×630 PNG; the title is text, not markup', async () => {
    const title = encodeURIComponent('</text><image href="file:///etc/passwd"/> & "friends"');
    const res = await request(`${s.url}/card.png?title=${title}&subtitle=hi`);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'image/png');
    assert.deepEqual([...res.body.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(res.body.toString('latin1', 12, 16), 'IHDR');
    assert.equal(res.body.readUInt32BE(16), 1200);
    assert.equal(res.body.readUInt32BE(20), 630);
    assertErrorBody(await request(`${s.url}/card.png?title=${'x'.repeat(121)}`), 400, 'ERR_INVALID_ARG_VALUE');
    assertErrorBody(await request(`${s.url}/card.png?title=a&title=b`), 400, 'ERR_INVALID_ARG_VALUE');
  });

  await t.test('GET /invoice.pdf: a two-page PDF', async () => {
    const res = await request(`${s.url}/invoice.pdf?id=INV-7`);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/pdf');
    assert.equal(res.body.toString('latin1', 0, 5), '%PDF-');
    const pages = res.body.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g) || [];
    assert.equal(pages.length, 2);
    if (spawnSync('pdfinfo', ['-v']).error === undefined) {
      const info = spawnSync('pdfinfo', ['-'], { input: res.body, encoding: 'utf8' });
      assert.match(info.stdout, /^Pages:\s+2$/m);
    }
  });

  await t.test('GET /metrics: the pool and the process, valid exposition text', async () => {
    const res = await request(`${s.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
    const text = res.body.toString();
    const families = parse(text);
    for (const name of ['corepool_tasks_completed_total', 'corepool_tasks_queued', 'corepool_task_run_seconds', 'process_cpu_user_seconds_total', 'nodejs_eventloop_lag_p99_seconds']) {
      assert.ok(families.has(name), `${name} in /metrics`);
    }
    const completed = families.get('corepool_tasks_completed_total').samples[0];
    assert.equal(completed.labels.pool, 'express');
    assert.ok(completed.value > 0);
  });

  await t.test('unknown routes are a JSON 404; /debug/stats is off by default', async () => {
    assertErrorBody(await request(`${s.url}/nope`), 404, 'ERR_NOT_FOUND');
    assertErrorBody(await request(`${s.url}/debug/stats`), 404, 'ERR_NOT_FOUND');
  });

  assert.deepEqual(s.logged, []);
});

test('login rehashes a hash made at a lower cost', async (t) => {
  const users = new Map();
  const low = await start({ bcryptCost: 4, users, threads: 1 });
  t.after(low.stop);
  const high = await start({ bcryptCost: 5, users, threads: 1 });
  t.after(high.stop);

  assert.equal((await postJson(`${low.url}/signup`, { username: 'grace', password: 'pw-1' })).status, 201);
  assert.equal(corepool.getRounds(users.get('grace')), 4);

  const first = await postJson(`${high.url}/login`, { username: 'grace', password: 'pw-1' });
  assert.deepEqual([first.status, first.body.rehashed], [200, true]);
  assert.equal(corepool.getRounds(users.get('grace')), 5);
  assert.equal(await corepool.verify('pw-1', users.get('grace')), true);

  const second = await postJson(`${high.url}/login`, { username: 'grace', password: 'pw-1' });
  assert.deepEqual([second.status, second.body.rehashed], [200, false]);
  // a wrong password never rehashes
  assert.equal((await postJson(`${low.url}/login`, { username: 'grace', password: 'nope' })).status, 401);
  assert.equal(corepool.getRounds(users.get('grace')), 5);
});

test('413 for a body over the upload limit or an image over the pixel limit', async (t) => {
  const s = await start({ threads: 1, maxUploadBytes: 1000, maxInputPixels: 1000 });
  t.after(s.stop);
  assertErrorBody(await postImage(`${s.url}/thumbnail`, PHOTO), 413, 'ERR_BODY_TOO_LARGE');
  const small = await corepool.resize(PHOTO, { width: 64, quality: 30 }); // 64×36 = 2304 pixels, < 1000 bytes
  assert.ok(small.length <= 1000);
  assertErrorBody(await postImage(`${s.url}/thumbnail`, small), 413, 'ERR_LIMIT');
});

test('a full pool answers 503 with Retry-After', async (t) => {
  const pool = new corepool.Pool({ threads: 1, maxQueue: 0 });
  const s = await start({ pool });
  const blocker = new AbortController();
  t.after(async () => {
    blocker.abort();
    await s.stop();
    await pool.close();
  });
  const sleeping = sleep(pool, 60000, blocker.signal).catch((e) => e);
  await until(() => pool.stats().running === 1);

  const res = await postJson(`${s.url}/signup`, { username: 'eve', password: 'pw' });
  assertErrorBody(res, 503, 'ERR_QUEUE_FULL');
  assert.equal(res.headers['retry-after'], '1');
  const card = await request(`${s.url}/card.png`);
  assertErrorBody(card, 503, 'ERR_QUEUE_FULL');
  assert.equal(pool.stats().rejected, 2);
  assert.equal((await request(`${s.url}/healthz`)).status, 200, 'the event loop still answers');

  blocker.abort();
  assert.equal((await sleeping).code, 'ABORT_ERR');
  await until(() => pool.stats().inFlight === 0); // the kernel stops at its next checkpoint
  assert.equal((await postJson(`${s.url}/signup`, { username: 'eve', password: 'pw' })).status, 201);
  assert.deepEqual(s.logged, []);
});

test('a client that disconnects cancels its queued work', async (t) => {
  const pool = new corepool.Pool({ threads: 1, maxQueue: 4 });
  const s = await start({ pool });
  const blocker = new AbortController();
  t.after(async () => {
    blocker.abort();
    await s.stop();
    await pool.close();
  });
  const sleeping = sleep(pool, 60000, blocker.signal).catch((e) => e);
  await until(() => pool.stats().running === 1);

  const req = http.get(`${s.url}/card.png?title=never`, { agent: false });
  const gone = new Promise((resolve) => req.on('error', resolve));
  await until(() => pool.stats().queued === 1);
  req.destroy();
  await gone;
  await until(() => pool.stats().cancelled === 1);

  blocker.abort();
  await sleeping;
  await pool.close();
  const stats = pool.stats();
  assert.equal(stats.runTime.count, 1, 'only the blocker ran; the render never started');
  assert.equal(stats.completed, 0);
  assert.deepEqual(s.logged, []);
});

test('inline mode: the same endpoints on the JS thread', async (t) => {
  const s = await start({ mode: 'inline' });
  t.after(s.stop);
  assert.equal(s.pool, null);

  assert.equal((await postJson(`${s.url}/signup`, { username: 'lin', password: 'pw-2' })).status, 201);
  assert.equal(await corepool.verify('pw-2', s.users.get('lin')), true, 'bcryptjs hashes verify with corepool');
  assert.equal((await postJson(`${s.url}/login`, { username: 'lin', password: 'pw-2' })).status, 200);
  assertErrorBody(await postJson(`${s.url}/login`, { username: 'lin', password: 'nope' }), 401, 'ERR_BAD_CREDENTIALS');
  assertErrorBody(await postJson(`${s.url}/signup`, { username: 'x', password: 'é'.repeat(37) }), 400, 'ERR_PASSWORD_TOO_LONG');

  const thumb = await postImage(`${s.url}/thumbnail`, PHOTO, { accept: 'image/webp' });
  assert.equal(thumb.status, 200);
  assert.equal(thumb.headers['content-type'], 'image/jpeg', 'inline mode answers JPEG only');
  const m = await corepool.metadata(thumb.body);
  assert.deepEqual([m.format, m.width, m.height], ['jpeg', 320, 180]);
  assertErrorBody(await postImage(`${s.url}/thumbnail`, Buffer.from('GIF89a')), 400, 'ERR_UNSUPPORTED_FORMAT');
  assertErrorBody(await postImage(`${s.url}/thumbnail`, PHOTO.subarray(0, 600)), 400, 'ERR_DECODE');

  const card = await request(`${s.url}/card.png?title=inline`);
  assert.equal(card.status, 200);
  assert.equal(card.body.readUInt32BE(16), 1200);
  assertErrorBody(await request(`${s.url}/invoice.pdf`), 501, 'ERR_NOT_IMPLEMENTED');

  const metrics = (await request(`${s.url}/metrics`)).body.toString();
  assert.ok(parse(metrics).has('process_cpu_user_seconds_total'));
  assert.doesNotMatch(metrics, /corepool_/);
  assert.deepEqual(s.logged, []);
});

/** Spawns server.js on a free port and resolves once it prints its URL. */
function spawnServer(env = {}, ipc = false) {
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, PORT: '0', BCRYPT_COST: String(COST), ...env },
    stdio: ['ignore', 'pipe', 'inherit', ...(ipc ? ['ipc'] : [])],
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    exited.then(({ code }) => reject(new Error(`server.js exited with ${code} before listening: ${out}`)));
  });
  url.catch(() => {}); // a test that expects the exit does not wait for the URL
  return { child, url, exited };
}

test('server.js: SIGTERM closes the server and the pool, exit code 0', async (t) => {
  const { child, url, exited } = spawnServer();
  t.after(() => child.kill('SIGKILL'));
  const base = await url;
  assert.equal((await request(`${base}/healthz`)).status, 200);
  assert.equal((await postJson(`${base}/signup`, { username: 'term', password: 'pw' })).status, 201);
  child.kill('SIGTERM');
  assert.deepEqual(await exited, { code: 0, signal: null });
});

test('server.js: exits when its parent disconnects the IPC channel', async (t) => {
  const { child, url, exited } = spawnServer({ MODE: 'inline' }, true);
  t.after(() => child.kill('SIGKILL'));
  await url;
  child.disconnect();
  assert.deepEqual(await exited, { code: 0, signal: null });
});

test('server.js: a bad MODE is refused', async () => {
  const { exited } = spawnServer({ MODE: 'turbo' });
  assert.equal((await exited).code, 2);
});

test('POST /report: the CSV summary runs as the app\'s own JS on the pool\'s JS lane (and inline)', async () => {
  const csv = 'id,region,units,price\n1,north,2,10.5\n2,"south, far",1,100\n3,north,3,1\n';
  const expected = { rows: 3, regions: { north: { orders: 2, units: 5, revenue: 24 }, 'south, far': { orders: 1, units: 1, revenue: 100 } }, revenue: 124 };
  for (const mode of ['corepool', 'inline']) {
    const s = await start({ mode, threads: 2 });
    try {
      const post = (body) => request(`${s.url}/report`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body });
      const ok = await post(csv);
      assert.equal(ok.status, 200, mode);
      assert.deepEqual(ok.body, expected, mode);
      const bad = await post('id,region\n1,north\n');
      assert.equal(bad.status, 400, mode);
      assert.deepEqual(bad.body.error, { code: 'ERR_INVALID_CSV', message: 'Invalid CSV: missing column(s) units, price' }, mode);
      assert.equal((await post('')).status, 400, mode);
      if (mode === 'corepool') {
        const st = s.pool.stats();
        assert.equal(st.lanes.js.completed, 1);
        assert.equal(st.lanes.js.failed, 1);
        assert.ok(st.workers.started >= 1);
      }
    } finally {
      await s.stop();
    }
  }
});
