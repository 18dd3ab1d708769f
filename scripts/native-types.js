'use strict';
// The TypeScript declarations napi-rs generates from the Rust signatures of
// the native functions (src/js/): string enums, option/result objects and
// functions, as napi-derive's type-def records ({ kind, name, def, ... }).
//
// Runs `cargo check` with NAPI_TYPE_DEF_TMP_FOLDER in its own target
// directory (target/typedefs), so release builds are not invalidated;
// NAPI_FORCE_BUILD_COREPOOL makes the macros run again each time.
// Usage: node scripts/native-types.js   (prints the records as JSON)
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function nativeTypeDefs({ timeoutMs = 900e3 } = {}) {
  const targetDir = path.join(root, 'target', 'typedefs');
  const folder = path.join(targetDir, 'defs');
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, 'corepool');
  fs.rmSync(file, { force: true });
  const r = spawnSync(process.env.CARGO || 'cargo', ['check', '--lib', '--features', 'test-hooks', '--quiet'], {
    cwd: root,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, CARGO_TARGET_DIR: targetDir, NAPI_TYPE_DEF_TMP_FOLDER: folder, NAPI_FORCE_BUILD_COREPOOL: String(Date.now()) },
  });
  if (r.error || r.status !== 0) throw new Error(`cargo check failed: ${r.error ? r.error.message : r.stderr}`);
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** Fields of a generated interface: name → { optional, type }. */
function interfaceFields(def) {
  const out = new Map();
  for (const m of def.matchAll(/^\s*(?:readonly\s+)?(\w+)(\?)?:\s*(.+?)\s*$/gm)) out.set(m[1], { optional: !!m[2], type: m[3] });
  return out;
}

/** Values of a generated string enum, in order. */
function enumValues(def) {
  return [...def.matchAll(/= '([^']*)'/g)].map((m) => m[1]);
}

module.exports = { nativeTypeDefs, interfaceFields, enumValues };

if (require.main === module) console.log(JSON.stringify(nativeTypeDefs(), null, 2));
