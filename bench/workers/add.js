'use strict';
// The tiny task of bench/workers.js (corepool and piscina load the same file).
module.exports = (x) => x + 1;
