'use strict';
// CSS colours for `background` options → [r, g, b, a] (0–255 each).
// Accepts #rgb, #rgba, #rrggbb, #rrggbbaa, rgb()/rgba() (numbers or
// percentages, comma or space separated, alpha 0–1 or %), `transparent`, the
// CSS named colours below, or { r, g, b, alpha } as sharp takes (alpha 0–1).
const { typeError, valueError, isPlainObject } = require('./validate');

const NAMED = {
  black: '000000', white: 'ffffff', red: 'ff0000', lime: '00ff00', green: '008000', blue: '0000ff',
  yellow: 'ffff00', cyan: '00ffff', aqua: '00ffff', magenta: 'ff00ff', fuchsia: 'ff00ff', gray: '808080',
  grey: '808080', silver: 'c0c0c0', maroon: '800000', olive: '808000', purple: '800080', teal: '008080',
  navy: '000080', orange: 'ffa500', pink: 'ffc0cb', brown: 'a52a2a', gold: 'ffd700', indigo: '4b0082',
  violet: 'ee82ee', coral: 'ff7f50', salmon: 'fa8072', tomato: 'ff6347', crimson: 'dc143c', khaki: 'f0e68c',
  beige: 'f5f5dc', ivory: 'fffff0', lavender: 'e6e6fa', plum: 'dda0dd', orchid: 'da70d6', tan: 'd2b48c',
  chocolate: 'd2691e', sienna: 'a0522d', turquoise: '40e0d0', skyblue: '87ceeb', steelblue: '4682b4',
  royalblue: '4169e1', slategray: '708090', slategrey: '708090', darkgray: 'a9a9a9', darkgrey: 'a9a9a9',
  lightgray: 'd3d3d3', lightgrey: 'd3d3d3', dimgray: '696969', dimgrey: '696969', whitesmoke: 'f5f5f5',
  gainsboro: 'dcdcdc', darkblue: '00008b', darkred: '8b0000', darkgreen: '006400', rebeccapurple: '663399',
};

function hexToRgba(hex) {
  if (hex.length === 3 || hex.length === 4) hex = [...hex].map((c) => c + c).join('');
  const n = [0, 2, 4, 6].map((i) => (i < hex.length ? parseInt(hex.slice(i, i + 2), 16) : 255));
  return n;
}

function channel(s, max) {
  const pct = s.endsWith('%');
  const v = Number(pct ? s.slice(0, -1) : s);
  if (!Number.isFinite(v)) return NaN;
  return Math.round(Math.min(1, Math.max(0, pct ? v / 100 : v / max)) * 255);
}

/** Parses `value` (named `name` in errors) into [r, g, b, a]. */
function parseColor(value, name) {
  if (isPlainObject(value)) {
    const { r, g, b, alpha = 1 } = value;
    const ok = [r, g, b].every((c) => Number.isInteger(c) && c >= 0 && c <= 255) && typeof alpha === 'number' && alpha >= 0 && alpha <= 1;
    if (!ok) throw valueError(name, 'a colour { r, g, b } of integers 0-255 with alpha 0-1', value);
    return [r, g, b, Math.round(alpha * 255)];
  }
  if (typeof value !== 'string') throw typeError(name, 'a CSS colour string or { r, g, b, alpha }', value);
  const s = value.trim().toLowerCase();
  if (s === 'transparent') return [0, 0, 0, 0];
  if (NAMED[s]) return hexToRgba(NAMED[s]);
  let m = /^#([0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/.exec(s);
  if (m) return hexToRgba(m[1]);
  m = /^rgba?\(\s*([^)]*)\)$/.exec(s);
  if (m) {
    const parts = m[1].split(/\s*,\s*|\s*\/\s*|\s+/).filter(Boolean);
    if (parts.length === 3 || parts.length === 4) {
      const rgba = [channel(parts[0], 255), channel(parts[1], 255), channel(parts[2], 255), parts[3] === undefined ? 255 : channel(parts[3], 1)];
      if (rgba.every((c) => Number.isFinite(c))) return rgba;
    }
  }
  throw valueError(name, 'a CSS colour (#rgb, #rrggbb, #rrggbbaa, rgb(), rgba(), a colour name) or { r, g, b, alpha }', value);
}

module.exports = { parseColor };
