'use strict';
// Shared helpers for the benchmarks: child-process variants, medians,
// event-loop delay, machine description, table printing.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { monitorEventLoopDelay } = require('node:perf_hooks');

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** Runs `script` with `args` in a fresh node process; parses the last stdout line as JSON. */
function child(script, args, env = {}) {
  const r = spawnSync(process.execPath, ['--expose-gc', script, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 10 * 60 * 1000,
  });
  if (r.status !== 0) throw new Error(`${path.basename(script)} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

/** CPU time used by other processes, from /proc/stat (cores busy), over a window. */
function otherCpuMeter() {
  const read = () => {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { busy: f[0] + f[1] + f[2] + f[5] + f[6] + f[7], all: f.reduce((a, b) => a + b, 0) };
  };
  const t0 = read();
  const c0 = process.cpuUsage();
  const w0 = Date.now();
  return () => {
    const t1 = read();
    const c = process.cpuUsage(c0);
    const wallS = (Date.now() - w0) / 1000;
    const hz = 100;
    const machineBusy = (t1.busy - t0.busy) / hz / wallS;
    const mine = (c.user + c.system) / 1e6 / wallS;
    return { mineCores: mine, otherCores: Math.max(0, machineBusy - mine) };
  };
}

function loopDelay() {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  return () => {
    h.disable();
    return { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
  };
}

function machine() {
  let rustc = 'unknown';
  try {
    rustc = spawnSync('rustc', ['--version'], { encoding: 'utf8' }).stdout.trim();
  } catch {}
  return {
    date: new Date().toISOString(),
    cpu: os.cpus()[0].model,
    cores: os.availableParallelism(),
    memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    rustc,
    platform: `${process.platform}-${process.arch}`,
    loadavg: os.loadavg().map((x) => +x.toFixed(2)),
  };
}

/**
 * Keeps `inflight` calls of `run(i)` going for `durMs`, then lets the started
 * ones finish. Resolves { done, secs }: `done` counts completions inside the
 * window and `secs` runs from the start to the last of them, so slow tasks
 * are not biased by where the window ends.
 */
function saturate(run, inflight, durMs) {
  return new Promise((resolve) => {
    let done = 0;
    let stop = false;
    let n = 0;
    let i = 0;
    let last = 0n;
    const t0 = process.hrtime.bigint();
    const start = () => {
      n++;
      run(i++).then(() => {
        n--;
        if (!stop) {
          done++;
          last = process.hrtime.bigint();
          start();
        } else if (n === 0) {
          resolve({ done, secs: done > 0 ? Number(last - t0) / 1e9 : durMs / 1000 });
        }
      });
    };
    for (let k = 0; k < inflight; k++) start();
    setTimeout(() => (stop = true), durMs);
  });
}

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

function writeResult(name, data) {
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}-${Date.now()}.json`);
  fs.writeFileSync(file, JSON.stringify(data, null, 2));
  return file;
}

module.exports = { median, percentile, child, otherCpuMeter, loopDelay, machine, saturate, table, writeResult };
