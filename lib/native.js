'use strict';
// Loads the native addon built by scripts/build.js.
const path = require('node:path');

let native;
try {
  native = require(path.join(__dirname, '..', 'corepool.node'));
} catch (err) {
  const e = new Error(
    `corepool: the native addon could not be loaded (${err.message}).\n` +
      'It is built from source on install and needs the Rust toolchain (https://rustup.rs); ' +
      'run `npm rebuild corepool` after installing it.',
    { cause: err },
  );
  e.code = 'ERR_COREPOOL_NATIVE';
  throw e;
}

const { CorepoolError } = require('./errors');
native.init(CorepoolError);

module.exports = native;
