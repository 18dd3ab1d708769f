'use strict';
// A strict parser for the Prometheus text exposition format 0.0.4, written
// against the spec: every sample belongs to a family declared by # TYPE
// before it, names and labels match the spec's grammars, values are floats,
// summaries have quantile-labelled samples plus _sum and _count, and no
// family is declared twice.

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'summary', 'histogram', 'untyped']);

function parseValue(s, lineNo) {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)$/.test(s)) throw new Error(`line ${lineNo}: bad value ${JSON.stringify(s)}`);
  return Number(s);
}

function parseLabels(s, lineNo) {
  const labels = {};
  let i = 0;
  while (i < s.length) {
    const eq = s.indexOf('=', i);
    if (eq < 0) throw new Error(`line ${lineNo}: bad labels`);
    const name = s.slice(i, eq);
    if (!LABEL.test(name)) throw new Error(`line ${lineNo}: bad label name ${name}`);
    if (s[eq + 1] !== '"') throw new Error(`line ${lineNo}: label value must be quoted`);
    let j = eq + 2;
    let value = '';
    for (; j < s.length && s[j] !== '"'; j++) {
      if (s[j] === '\\') {
        const n = s[++j];
        if (n === 'n') value += '\n';
        else if (n === '\\' || n === '"') value += n;
        else throw new Error(`line ${lineNo}: bad escape \\${n}`);
      } else value += s[j];
    }
    if (s[j] !== '"') throw new Error(`line ${lineNo}: unterminated label value`);
    if (name in labels) throw new Error(`line ${lineNo}: duplicate label ${name}`);
    labels[name] = value;
    i = j + 1;
    if (s[i] === ',') i++;
    else if (i < s.length) throw new Error(`line ${lineNo}: expected , between labels`);
  }
  return labels;
}

function familyOf(name, families) {
  if (families.has(name)) return name;
  for (const suffix of ['_sum', '_count', '_bucket']) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      const f = families.get(base);
      if (f && (f.type === 'summary' || f.type === 'histogram')) return base;
    }
  }
  return null;
}

function parse(text) {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map();
  text.split('\n').slice(0, -1).forEach((line, idx) => {
    const lineNo = idx + 1;
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
      if (!m) return; // plain comment
      const [, kind, name, rest] = m;
      if (!NAME.test(name)) throw new Error(`line ${lineNo}: bad metric name ${name}`);
      const f = families.get(name) || { name, type: undefined, help: undefined, samples: [] };
      if (kind === 'TYPE') {
        if (f.type !== undefined) throw new Error(`line ${lineNo}: second TYPE for ${name}`);
        if (f.samples.length) throw new Error(`line ${lineNo}: TYPE after samples`);
        if (!TYPES.has(rest)) throw new Error(`line ${lineNo}: bad type ${rest}`);
        f.type = rest;
      } else {
        if (f.help !== undefined) throw new Error(`line ${lineNo}: second HELP for ${name}`);
        f.help = rest;
      }
      families.set(name, f);
      return;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(line);
    if (!m) throw new Error(`line ${lineNo}: bad sample line ${JSON.stringify(line)}`);
    const [, name, labelText, valueText] = m;
    const fam = familyOf(name, families);
    if (!fam || families.get(fam).type === undefined) throw new Error(`line ${lineNo}: sample ${name} has no TYPE before it`);
    const labels = labelText ? parseLabels(labelText, lineNo) : {};
    const f = families.get(fam);
    if (f.type === 'summary' && name === fam && !('quantile' in labels)) throw new Error(`line ${lineNo}: summary sample without quantile`);
    f.samples.push({ name, labels, value: parseValue(valueText, lineNo) });
  });
  for (const f of families.values()) {
    if (f.type === 'summary') {
      for (const s of ['_sum', '_count']) {
        if (!f.samples.some((x) => x.name === f.name + s)) throw new Error(`summary ${f.name} lacks ${s}`);
      }
    }
  }
  return families;
}

module.exports = { parse };
