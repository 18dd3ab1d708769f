'use strict';
// The app's CPU-bound work on a corepool Pool: every call runs on the pool's
// threads, the event loop only waits for a Promise. `signal` is the request's
// AbortSignal (aborted when the client disconnects), so work still queued for
// a client that is gone is skipped. inline.js has the same methods done on the
// JS thread.
const path = require('node:path');
const corepool = require('corepool');

const REPORT_WORKER = path.join(__dirname, 'report-worker.js');

/**
 * @param {object} o
 * @param {corepool.Pool} o.pool
 * @param {number} o.bcryptCost       cost of new hashes (and the target of needsRehash)
 * @param {number} o.taskTimeout      ms a task may take, queueing included
 * @param {number} o.maxInputPixels   decoded-size bound for uploads (checked from the header)
 */
function createPoolWork({ pool, bcryptCost, taskTimeout, maxInputPixels }) {
  const hashOptions = { cost: bcryptCost };
  const fonts = { systemFonts: false }; // the bundled DejaVu Sans: the same output on every machine
  return {
    mode: 'corepool',
    thumbnailFormats: ['jpeg', 'webp'],
    hash: (password, signal) => pool.hash(password, { ...hashOptions, signal, timeout: taskTimeout }),
    verify: (password, hash, signal) => pool.verify(password, hash, { signal, timeout: taskTimeout }),
    needsRehash: (hash) => corepool.needsRehash(hash, hashOptions),
    thumbnail: (image, { width, format }, signal) =>
      pool.resize(image, { width, format, quality: 80, withoutEnlargement: true, maxInputPixels, signal, timeout: taskTimeout }),
    png: (svg, signal) => pool.render(svg, { ...fonts, signal, timeout: taskTimeout }),
    pdf: (svgs, signal) => pool.render(svgs, { ...fonts, format: 'pdf', signal, timeout: taskTimeout }),
    // The app's own JavaScript, on a worker thread under the same CPU budget.
    report: (csv, signal) => pool.run(csv, { filename: REPORT_WORKER, signal, timeout: taskTimeout }),
  };
}

module.exports = { createPoolWork };
