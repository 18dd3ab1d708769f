'use strict';
// Loads the native addon, trying in order:
//   1. COREPOOL_NATIVE_LIBRARY_PATH (an explicit .node file);
//   2. ./corepool.node, a build from source (scripts/build.js, development);
//   3. the prebuilt binary of the platform package `corepool-<triple>`
//      (an optional dependency, installed by npm for this OS, CPU and libc).
const path = require('node:path');
const { triple, packageFor, TARGETS } = require('./platform');

function load() {
  const t = triple();
  const tried = [];
  const candidates = [];
  if (process.env.COREPOOL_NATIVE_LIBRARY_PATH) {
    candidates.push(['COREPOOL_NATIVE_LIBRARY_PATH', path.resolve(process.env.COREPOOL_NATIVE_LIBRARY_PATH)]);
  }
  candidates.push(['a build from source', path.join(__dirname, '..', 'corepool.node')]);
  const pkg = packageFor(t);
  candidates.push([`the platform package ${pkg.name}`, `${pkg.name}/${pkg.file}`]);
  for (const [what, id] of candidates) {
    try {
      return require(id);
    } catch (err) {
      const reason = err.code === 'MODULE_NOT_FOUND' && err.message.includes(id) ? 'not found' : err.message.split('\n')[0];
      tried.push(`  - ${what} (${id}): ${reason}`);
      if (what === 'COREPOOL_NATIVE_LIBRARY_PATH') break;
    }
  }
  const supported = TARGETS.includes(t);
  const e = new Error(
    `corepool: no native addon could be loaded for ${t} (Node ${process.version}).\n` +
      `Tried:\n${tried.join('\n')}\n` +
      'Fix it with one of:\n' +
      (supported
        ? `  - install the prebuilt binary: reinstall without omitting optional dependencies (no --omit=optional / --no-optional; a lockfile made on another platform may lack ${pkg.name}: see npm/cli#4828), e.g. \`npm install ${pkg.name}\`;\n`
        : `  - no prebuilt binary is published for ${t};\n`) +
      '  - build it from source with the Rust toolchain (https://rustup.rs): `npm rebuild corepool --build-from-source` ' +
      '(or COREPOOL_BUILD_FROM_SOURCE=1; under npm 11 approve the install script first: `npm install-scripts approve corepool`).',
  );
  e.code = 'ERR_COREPOOL_NATIVE';
  throw e;
}

const native = load();

const { CorepoolError } = require('./errors');
// Completions are settled in batches from setImmediate callbacks, one batch
// per event-loop iteration (see src/pool/completion/mod.rs).
const drain = () => native.drain();
native.init(CorepoolError, () => setImmediate(drain));

module.exports = native;
