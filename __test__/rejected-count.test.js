'use strict';
// stats().rejected counts every admission refusal, of the native lane and of
// the JS lane alike (the soak, bench/soak.js, checks it against its own
// counts under load).
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const corepool = require('..');

test('stats().rejected counts ERR_QUEUE_FULL refusals of JS-lane and native tasks alike', async () => {
  const pool = new corepool.Pool({ threads: 1, maxQueue: 1, filename: path.join(__dirname, '..', 'bench', 'workers', 'soak-task.js') });
  const results = await Promise.allSettled([
    pool.run(1000),
    pool.run(1000),
    pool.run(1000),
    pool.run(1000),
    pool.digest('x'),
  ]);
  const codes = results.map((r) => (r.status === 'fulfilled' ? 'ok' : r.reason.code));
  assert.deepEqual(codes, ['ok', 'ok', 'ERR_QUEUE_FULL', 'ERR_QUEUE_FULL', 'ERR_QUEUE_FULL']);
  assert.equal(pool.stats().rejected, 3);
  await pool.close();
  await assert.rejects(pool.digest('x'), { code: 'ERR_POOL_CLOSED' });
  assert.equal(pool.stats().rejected, 4);
  await assert.rejects(pool.run(1), { code: 'ERR_POOL_CLOSED' });
  assert.equal(pool.stats().rejected, 5);
});
