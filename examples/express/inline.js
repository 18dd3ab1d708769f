'use strict';
// The same work as pool-work.js, done on the JS thread the way many apps
// start: bcryptjs's sync API, a pure-JS JPEG decode/resample/encode (jpeg-js)
// and @resvg/resvg-js's synchronous render. While any of it runs, the event
// loop serves nothing else — that is what `npm run demo` measures.
//
// Errors use corepool's codes so the app's error handler treats both modes
// alike. Limits of this mode: JPEG in and JPEG out only, no EXIF orientation,
// no PDF.
const path = require('node:path');
const bcryptjs = require('bcryptjs');
const jpeg = require('jpeg-js');
const { Resvg } = require('@resvg/resvg-js');
const { CorepoolError, AbortError } = require('corepool');
const { HttpError } = require('./errors');
const report = require('./report-worker');

const FONT_FILE = path.join(__dirname, '..', '..', 'fonts', 'DejaVuSans.ttf');
const BCRYPT_MAX_BYTES = 72;

function checkSignal(signal) {
  if (signal && signal.aborted) throw new AbortError(undefined, { cause: signal.reason });
}

/** Wraps a synchronous function so it returns a Promise (rejected on throw), as the pool version does. */
const async =
  (fn) =>
  (...args) => {
    try {
      return Promise.resolve(fn(...args));
    } catch (err) {
      return Promise.reject(err);
    }
  };

function checkPassword(password) {
  // bcryptjs would silently hash only the first 72 bytes; refuse as corepool does.
  if (Buffer.byteLength(password) > BCRYPT_MAX_BYTES) {
    throw new CorepoolError(`The password is longer than ${BCRYPT_MAX_BYTES} bytes`, 'ERR_PASSWORD_TOO_LONG');
  }
}

/**
 * Box-filter resample of RGBA pixels: each output pixel is the mean of the
 * source pixels its footprint covers (fine for shrinking; the caller never
 * enlarges).
 */
function resampleBox(src, sw, sh, dw, dh) {
  const dst = new Uint8Array(dw * dh * 4);
  const sx = sw / dw;
  const sy = sh / dh;
  for (let y = 0; y < dh; y++) {
    const y0 = Math.floor(y * sy);
    const y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
    for (let x = 0; x < dw; x++) {
      const x0 = Math.floor(x * sx);
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let yy = y0; yy < y1; yy++) {
        let i = (yy * sw + x0) * 4;
        for (let xx = x0; xx < x1; xx++, i += 4) {
          r += src[i];
          g += src[i + 1];
          b += src[i + 2];
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * dw + x) * 4;
      dst[o] = r / n;
      dst[o + 1] = g / n;
      dst[o + 2] = b / n;
      dst[o + 3] = 255;
    }
  }
  return dst;
}

function decodeJpeg(image, maxInputPixels) {
  if (image.length < 3 || image[0] !== 0xff || image[1] !== 0xd8 || image[2] !== 0xff) {
    throw new CorepoolError('inline mode decodes JPEG only', 'ERR_UNSUPPORTED_FORMAT');
  }
  try {
    return jpeg.decode(image, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: maxInputPixels / 1e6, maxMemoryUsageInMB: 512 });
  } catch (err) {
    const code = /limit exceeded/.test(err.message) ? 'ERR_LIMIT' : 'ERR_DECODE';
    throw new CorepoolError(err.message, code);
  }
}

/** Same options as createPoolWork() (no pool). */
function createInlineWork({ bcryptCost, maxInputPixels }) {
  const resvgOptions = { font: { fontFiles: [FONT_FILE], loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' } };
  return {
    mode: 'inline',
    thumbnailFormats: ['jpeg'],
    hash: async((password, signal) => {
      checkSignal(signal);
      checkPassword(password);
      return bcryptjs.hashSync(password, bcryptCost);
    }),
    verify: async((password, hash, signal) => {
      checkSignal(signal);
      return bcryptjs.compareSync(password, hash);
    }),
    needsRehash: (hash) => bcryptjs.getRounds(hash) !== bcryptCost,
    thumbnail: async((image, { width }, signal) => {
      checkSignal(signal);
      const src = decodeJpeg(image, maxInputPixels);
      const dw = Math.min(width, src.width);
      const dh = Math.max(1, Math.round((src.height * dw) / src.width));
      const data = resampleBox(src.data, src.width, src.height, dw, dh);
      return jpeg.encode({ data, width: dw, height: dh }, 80).data;
    }),
    png: async((svg, signal) => {
      checkSignal(signal);
      return new Resvg(svg, resvgOptions).render().asPng();
    }),
    pdf: async(() => {
      throw new HttpError(501, 'ERR_NOT_IMPLEMENTED', 'inline mode has no PDF renderer; start the app with MODE=corepool');
    }),
    report: async((csv, signal) => {
      checkSignal(signal);
      return report(csv);
    }),
  };
}

module.exports = { createInlineWork, resampleBox };
