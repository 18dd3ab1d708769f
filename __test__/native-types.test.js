'use strict';
// index.d.ts cannot drift from the Rust signatures: napi-rs generates the
// native declarations from src/js/ (scripts/native-types.js), and this test
// compares them with the public types in index.d.ts — the allowed values of
// every string option, the keys of every option object, and the properties of
// every result object.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { nativeTypeDefs, interfaceFields, enumValues } = require('../scripts/native-types');

const dts = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8');

/** Top-level properties of `export interface <name>` in index.d.ts (with what it extends). */
function publicInterface(name) {
  const m = new RegExp(`export interface ${name}(?: extends (\\w+))? \\{`).exec(dts);
  assert.ok(m, `index.d.ts declares interface ${name}`);
  const fields = m[1] ? publicInterface(m[1]) : new Map();
  let depth = 1;
  let line = '';
  for (let i = m.index + m[0].length; depth > 0 && i < dts.length; i++) {
    const c = dts[i];
    if (c === '{') depth++;
    if (c === '}') depth--;
    if (c === '\n') {
      const f = /^\s*(?:readonly\s+)?(\w+)(\?)?:\s*(.+?);?\s*$/.exec(line);
      if (f && depth === 1) fields.set(f[1], { optional: !!f[2], type: f[3] });
      line = '';
    } else if (depth === 1) {
      line += c;
    }
  }
  return fields;
}

/** The string literals of a union type. */
const literals = (type) => [...type.matchAll(/'([^']*)'/g)].map((m) => m[1]);

let defs;
test.before(() => {
  defs = new Map(nativeTypeDefs().map((d) => [d.name, d]));
});

const native = (name, kind) => {
  const d = defs.get(name);
  assert.ok(d && d.kind === kind, `src/js/ declares ${kind} ${name}`);
  return d.def;
};

test('every string option of index.d.ts allows exactly the native enum values', () => {
  const alias = /export type DigestAlgorithm = ([^;]+);/.exec(dts);
  const cases = [
    ['DigestAlgorithm', alias[1]],
    ['HashAlgorithm', publicInterface('HashOptions').get('algorithm').type],
    ['BcryptVersion', publicInterface('HashOptions').get('version').type],
    ['RenderFormat', publicInterface('RenderOptions').get('format').type],
    ['RenderFormat', publicInterface('RenderInfo').get('format').type],
    ['Fit', publicInterface('ResizeOptions').get('fit').type],
    ['Position', publicInterface('ResizeOptions').get('position').type],
    ['Kernel', publicInterface('ResizeOptions').get('kernel').type],
    ['ImageFormat', publicInterface('ResizeOptions').get('format').type],
  ];
  for (const [name, type] of cases) assert.deepEqual(literals(type), enumValues(native(name, 'string_enum')), name);
});

test('option objects: the native keys are the public ones', () => {
  const TASK = ['signal', 'timeout'];
  const cases = [
    // [native interface, public interface, public keys the JS layer handles itself, native key → public key]
    ['HashOptions', 'HashOptions', [], {}],
    ['ResizeOptions', 'ResizeOptions', TASK, {}],
    ['RenderOptions', 'RenderOptions', TASK, { baseDir: 'resources' }],
    ['RenderLimits', 'RenderLimits', [], {}],
    ['CreatePoolOptions', 'PoolOptions', null, {}],
  ];
  for (const [n, p, jsOnly, renamed] of cases) {
    const nat = [...interfaceFields(native(n, 'interface')).keys()].map((k) => renamed[k] || k);
    const pub = [...publicInterface(p).keys()];
    for (const k of nat) assert.ok(pub.includes(k), `${p}.${k} (native ${n}) is in index.d.ts`);
    if (jsOnly !== null) {
      for (const k of pub) assert.ok(nat.includes(k) || jsOnly.includes(k), `${p}.${k} reaches the native ${n}`);
    }
  }
});

test('result objects: the native properties are the public ones', () => {
  const cases = [
    ['ResizeInfo', 'ResizeInfo'],
    ['RenderInfo', 'RenderInfo'],
    ['Metadata', 'ImageMetadata'],
    ['ParsedHash', 'ParsedHash'],
    ['Latency', 'LatencyStats'],
  ];
  for (const [n, p] of cases) {
    const nat = interfaceFields(native(n, 'interface'));
    const pub = publicInterface(p);
    assert.deepEqual([...nat.keys()].sort(), [...pub.keys()].sort(), `${n} / ${p}`);
    for (const [k, f] of nat) assert.equal(pub.get(k).optional, f.optional, `${p}.${k} optional`);
  }
  // stats(): index.js adds the lanes and workers.
  const stats = publicInterface('PoolStats');
  for (const k of interfaceFields(native('Stats', 'interface')).keys()) assert.ok(stats.has(k), `PoolStats.${k}`);
});
