'use strict';
// An I/O-like task for bench/piscina-dropin.js: awaits `ms` of timer, returns its input.
module.exports = (x) => new Promise((resolve) => setTimeout(resolve, 5, x));
