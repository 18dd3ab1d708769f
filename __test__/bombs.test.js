'use strict';
// Issue #15's bomb list: every bomb is refused with its code, and a process
// that settles all of them never holds more than 512 MiB (peak RSS, measured
// in a child process so that nothing else in this test run counts).
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { BOMBS } = require('./helpers/bombs');

test('decompression and expansion bombs are refused with ERR_LIMIT / ERR_DECODE, peak RSS < 512 MiB', () => {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'helpers', 'bombs.js')], { encoding: 'utf8', timeout: 240000 });
  assert.equal(r.status, 0, `bombs child exited ${r.status} (${r.signal}): ${r.stderr}`);
  const { results, maxRssMB } = JSON.parse(r.stdout);
  assert.deepEqual(
    results.map((x) => x.name),
    BOMBS.map((b) => b.name),
  );
  for (const [i, res] of results.entries()) {
    assert.ok(BOMBS[i].codes.includes(res.code), `${res.name}: ${res.code} ${res.message}`);
  }
  assert.ok(maxRssMB < 512, `peak RSS ${maxRssMB.toFixed(0)} MiB`);
});
