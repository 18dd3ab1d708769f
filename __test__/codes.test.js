'use strict';
// One owner for every error code: ErrorCode in src/tasks/mod.rs. The native
// errorCodes() is its list; index.d.ts, the README's Errors table and every
// code literal in lib/ and index.js must agree with it.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
require('..');
const { native } = require('../lib/internal');

const root = path.join(__dirname, '..');
const codes = new Set(Object.values(native.errorCodes()));
const read = (f) => fs.readFileSync(path.join(root, f), 'utf8');

// Codes of Node itself that lib/workers/worker.js recognises when loading a module.
const NODE_CODES = new Set(['ERR_REQUIRE_ESM', 'ERR_REQUIRE_ASYNC_MODULE', 'ERR_UNKNOWN_FILE_EXTENSION', 'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING']);

function jsFiles(dir) {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return jsFiles(rel);
    return e.name.endsWith('.js') ? [rel] : [];
  });
}

test('errorCodes() lists distinct codes, among them the runtime ones', () => {
  const map = native.errorCodes();
  assert.equal(codes.size, Object.keys(map).length);
  for (const c of ['ERR_QUEUE_FULL', 'ERR_POOL_CLOSED', 'ERR_TIMEOUT', 'ERR_INTERNAL', 'ABORT_ERR', 'ERR_INVALID_ARG_TYPE']) {
    assert.ok(codes.has(c), c);
  }
  assert.equal(map.QueueFull, 'ERR_QUEUE_FULL');
  assert.equal(map.Internal, 'ERR_INTERNAL');
});

test("index.d.ts's CorepoolErrorCode is exactly the ErrorCode list", () => {
  const dts = read('index.d.ts');
  const union = dts.slice(dts.indexOf('export type CorepoolErrorCode'), dts.indexOf('export class CorepoolError'));
  const declared = new Set([...union.matchAll(/\| '([A-Z_]+)'/g)].map((m) => m[1]));
  assert.deepEqual([...declared].sort(), [...codes].sort());
});

test("the README's Errors table documents every code", () => {
  const readme = read('README.md');
  const table = readme.slice(readme.indexOf('## Errors'), readme.indexOf('## How it works'));
  const documented = new Set([...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]));
  assert.deepEqual([...documented].sort(), [...codes].sort());
});

test('lib/ and index.js use no code outside the ErrorCode list', () => {
  const files = ['index.js', ...jsFiles('lib')];
  const unknown = [];
  for (const f of files) {
    for (const m of read(f).matchAll(/'((?:ERR|ABORT)_[A-Z_]+)'/g)) {
      if (!codes.has(m[1]) && !NODE_CODES.has(m[1])) unknown.push(`${f}: ${m[1]}`);
    }
  }
  assert.deepEqual(unknown, []);
});
