'use strict';
// node scripts/check-binary.js <target>: checks npm/<target>/corepool.<target>.node
// — its size, the highest glibc symbol version it needs (-gnu: at most 2.17,
// read with objdump -T), its dynamic libraries (musl: the musl libc only),
// its machine type, the absence of test hooks — and, when this machine can
// run it, that it loads and passes scripts/smoke.js (natively, or under
// qemu-aarch64 with the arm64 Node binary named by COREPOOL_ARM64_NODE).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { packageFor, triple } = require('../lib/platform');

const MAX_GLIBC = [2, 17];
const MAX_BYTES = 40e6;

const t = process.argv[2];
if (!t) throw new Error('usage: check-binary.js <target>');
const file = path.resolve(__dirname, '..', 'npm', t, packageFor(t).file);
const out = (cmd, argv, env = process.env) => {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, env, timeout: 600e3 });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.error ? r.error.message : r.stderr}`);
  return r.stdout;
};
const fail = (msg) => {
  console.error(`check-binary ${t}: ${msg}`);
  process.exit(1);
};

const size = fs.statSync(file).size;
const facts = [`${(size / 1e6).toFixed(1)} MB`];
if (size > MAX_BYTES) fail(`${size} bytes, over ${MAX_BYTES}`);

// Published binaries never carry the test hooks (the test-hooks feature):
// their export names would be in the binary's strings.
if (fs.readFileSync(file).includes('__testSleep')) fail('built with the test-hooks feature');
facts.push('no test hooks');

const header = out('readelf', ['-h', file]);
const machine = /Machine:\s+(.*)/.exec(header)[1].trim();
const wantMachine = t.includes('arm64') ? /AArch64/ : /X86-64/;
if (!wantMachine.test(machine)) fail(`machine ${machine}`);
facts.push(machine);

const needed = [...out('readelf', ['-d', file]).matchAll(/\(NEEDED\)\s+Shared library: \[(.*)\]/g)].map((m) => m[1]);
facts.push(`needs ${needed.join(', ')}`);
const versions = [...new Set([...out('objdump', ['-T', file]).matchAll(/GLIBC_(\d+)\.(\d+)(?:\.(\d+))?/g)].map((m) => m.slice(1, 3).map(Number).join('.')))];
if (t.endsWith('-musl')) {
  if (versions.length) fail(`a musl binary with glibc symbol versions: ${versions.join(', ')}`);
  const other = needed.filter((n) => !/^libc\.(musl-[a-z0-9_]+\.so\.1|so)$/.test(n));
  if (other.length) fail(`a musl binary needing ${other.join(', ')}`);
} else if (t.endsWith('-gnu')) {
  const max = versions.map((v) => v.split('.').map(Number)).sort((a, b) => a[0] - b[0] || a[1] - b[1]).pop();
  if (!max || max[0] > MAX_GLIBC[0] || (max[0] === MAX_GLIBC[0] && max[1] > MAX_GLIBC[1])) {
    fail(`needs GLIBC_${max && max.join('.')}, over ${MAX_GLIBC.join('.')}`);
  }
  facts.push(`highest GLIBC_${max.join('.')}`);
}

const smoke = path.join(__dirname, 'smoke.js');
const env = { ...process.env, COREPOOL_NATIVE_LIBRARY_PATH: file };
let ran = 'not run here';
if (t === triple()) {
  out(process.execPath, [smoke], env);
  ran = 'smoke test passed';
} else if (t === 'linux-arm64-gnu' && process.env.COREPOOL_ARM64_NODE) {
  // Debian's qemu-user with the arm64 cross libc (libc6-arm64-cross) as the sysroot.
  out('qemu-aarch64', ['-L', '/usr/aarch64-linux-gnu', process.env.COREPOOL_ARM64_NODE, smoke], env);
  ran = 'smoke test passed under qemu-aarch64';
}
console.log(`check-binary ${t}: ${facts.join('; ')}; ${ran}`);
