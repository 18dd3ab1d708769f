'use strict';
// Loads the native addon built by scripts/build.js.
const path = require('node:path');

let native;
try {
  native = require(path.join(__dirname, '..', 'corepool.node'));
} catch (err) {
  const missing = err.code === 'MODULE_NOT_FOUND';
  const e = new Error(
    `corepool: the native addon could not be loaded (${missing ? 'corepool.node was never built' : err.message}).\n` +
      'corepool compiles its native addon from source when it is installed, with the Rust toolchain (https://rustup.rs).\n' +
      'If its install script was skipped (--ignore-scripts, or not approved under npm 11), build it with:\n' +
      '  npm install-scripts approve corepool && npm rebuild corepool',
    { cause: err },
  );
  e.code = 'ERR_COREPOOL_NATIVE';
  throw e;
}

const { CorepoolError } = require('./errors');
// Completions are settled in batches from setImmediate callbacks, one batch
// per event-loop iteration (see src/pool/completion.rs).
const drain = () => native.drain();
native.init(CorepoolError, () => setImmediate(drain));

module.exports = native;
