'use strict';
// index.d.ts, bcrypt.d.ts and bcryptjs.d.ts compile against real usage (tsc --noEmit,
// strict), including negative cases marked @ts-expect-error.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

test('TypeScript declarations type-check real usage', () => {
  let tsc;
  try {
    tsc = require.resolve('typescript/bin/tsc');
  } catch {
    assert.fail('typescript is a devDependency: run npm install');
  }
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(__dirname, 'types', 'tsconfig.json')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
