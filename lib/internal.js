'use strict';
// Internals shared by the entry points (index.js, the drop-ins) and the
// tests: filled in by index.js when it loads. Not part of the public API:
// package.json's "exports" does not list this file, so `corepool/lib/internal`
// cannot be required from outside the package.
module.exports = {};
