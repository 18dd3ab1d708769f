'use strict';
// The prebuilt-binary plumbing: platform triples, the platform packages'
// manifests, and the loader's order and error.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { TARGETS, isMusl, triple, packageFor } = require('../lib/platform');

const root = path.join(__dirname, '..');
const pkg = require('../package.json');

test('platform triples', () => {
  assert.equal(triple('linux', 'x64', () => false), 'linux-x64-gnu');
  assert.equal(triple('linux', 'x64', () => true), 'linux-x64-musl');
  assert.equal(triple('linux', 'arm64', () => false), 'linux-arm64-gnu');
  assert.equal(triple('darwin', 'arm64', () => false), 'darwin-arm64');
  assert.equal(triple('win32', 'x64', () => false), 'win32-x64-msvc');
  // This machine: glibc, as the process report says (musl reports no glibc version).
  assert.equal(isMusl(), !process.report.getReport().header.glibcVersionRuntime);
  assert.equal(triple(), `${process.platform}-${process.arch}${isMusl() ? '-musl' : '-gnu'}`);
});

test('every platform package is laid out under npm/<target> with matching os/cpu/libc, and listed at the same version', () => {
  for (const t of TARGETS) {
    const p = JSON.parse(fs.readFileSync(path.join(root, 'npm', t, 'package.json'), 'utf8'));
    const { name, file } = packageFor(t);
    assert.equal(p.name, name);
    assert.equal(p.main, file);
    assert.deepEqual(p.files, [file, 'README.md']);
    const [platform, arch, abi] = t.split('-');
    assert.deepEqual(p.os, [platform]);
    assert.deepEqual(p.cpu, [arch]);
    if (platform === 'linux') assert.deepEqual(p.libc, [abi === 'musl' ? 'musl' : 'glibc']);
    else assert.equal(p.libc, undefined);
    assert.ok(fs.existsSync(path.join(root, 'npm', t, 'README.md')));
    if (pkg.optionalDependencies[name] !== undefined) assert.equal(pkg.optionalDependencies[name], pkg.version);
  }
  // The targets built here (npm run dist) are the ones the main package depends on.
  assert.deepEqual(Object.keys(pkg.optionalDependencies).sort(), ['corepool-linux-arm64-gnu', 'corepool-linux-x64-gnu', 'corepool-linux-x64-musl']);
});

function loadIn(env) {
  const code = "require('.').digest('abc', 'sha256', { encoding: 'hex' }).then((h) => console.log(h), (e) => { console.log(e.code); process.exit(2); })";
  return spawnSync(process.execPath, ['-e', `try { ${code} } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); process.exit(3); }`], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60000,
  });
}

test('the loader takes COREPOOL_NATIVE_LIBRARY_PATH first, and explains itself when nothing loads', () => {
  // A copy of the local build at another path loads through the variable.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corepool-native-'));
  try {
    const copy = path.join(dir, 'copy.node');
    fs.copyFileSync(path.join(root, 'corepool.node'), copy);
    const ok = loadIn({ COREPOOL_NATIVE_LIBRARY_PATH: copy });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    // An explicit path that does not load is an error, not a silent fallback.
    const bad = loadIn({ COREPOOL_NATIVE_LIBRARY_PATH: path.join(dir, 'missing.node') });
    assert.equal(bad.status, 3, bad.stderr);
    const e = JSON.parse(bad.stdout);
    assert.equal(e.code, 'ERR_COREPOOL_NATIVE');
    assert.ok(e.message.includes(triple()), e.message);
    assert.match(e.message, /COREPOOL_NATIVE_LIBRARY_PATH .*missing\.node.*not found/);
    assert.match(e.message, /npm rebuild corepool --build-from-source/);
    assert.match(e.message, /optional dependencies/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
