'use strict';
// npm run dist [-- --targets=linux-x64-gnu,linux-arm64-gnu] [--skip-build]
//
// Builds the prebuilt binary of each target with cargo-zigbuild (zig from the
// Python registry as a cross C toolchain: glibc 2.17 as the baseline for the
// -gnu targets, musl for Alpine), puts it in npm/<target>/, checks it
// (scripts/check-binary.js), and packs every platform package plus the main
// package into dist/*.tgz with `npm pack`. Versions are synced to the main
// package's. darwin and win32 need their own runners (see README, Releasing).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { packageFor } = require('../lib/platform');

const root = path.resolve(__dirname, '..');
// Target → [Rust target (zigbuild syntax), extra RUSTFLAGS].
const RUST_TARGETS = {
  'linux-x64-gnu': ['x86_64-unknown-linux-gnu.2.17', ''],
  // A cdylib on musl needs the C runtime linked dynamically.
  'linux-x64-musl': ['x86_64-unknown-linux-musl', '-C target-feature=-crt-static'],
  'linux-arm64-gnu': ['aarch64-unknown-linux-gnu.2.17', ''],
};

const args = process.argv.slice(2);
const opt = (name) => {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a && a.slice(name.length + 3);
};
const targets = (opt('targets') || Object.keys(RUST_TARGETS).join(',')).split(',');
for (const t of targets) {
  if (!RUST_TARGETS[t]) throw new Error(`unknown target ${t} (buildable here: ${Object.keys(RUST_TARGETS).join(', ')})`);
}
const skipBuild = args.includes('--skip-build');
const targetDir = process.env.COREPOOL_DIST_TARGET_DIR || path.join(root, 'target', 'dist');

function sh(cmd, argv, options = {}) {
  console.log(`$ ${cmd} ${argv.join(' ')}`);
  const r = spawnSync(cmd, argv, { stdio: 'inherit', cwd: root, ...options });
  if (r.error || r.status !== 0) throw new Error(`${cmd} failed (${r.error ? r.error.message : `exit ${r.status}`})`);
}

function have(cmd, argv = ['--version']) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

function tools() {
  if (!have('cargo-zigbuild', ['zigbuild', '--help'])) {
    sh('python3', ['-m', 'pip', 'install', '--quiet', 'ziglang', 'cargo-zigbuild']);
  }
  const installed = spawnSync('rustup', ['target', 'list', '--installed'], { encoding: 'utf8' }).stdout || '';
  const need = targets.map((t) => RUST_TARGETS[t][0].replace(/\.2\.17$/, '')).filter((rt) => !installed.includes(rt));
  if (need.length) sh('rustup', ['target', 'add', ...need]);
}

function build(t) {
  const [rustTarget, rustflags] = RUST_TARGETS[t];
  const plain = rustTarget.replace(/\.2\.17$/, '');
  const env = { ...process.env };
  if (rustflags) env[`CARGO_TARGET_${plain.toUpperCase().replace(/-/g, '_')}_RUSTFLAGS`] = rustflags;
  const features = [];
  // libjpeg-turbo's SIMD: nasm for x86-64; the aarch64 NEON code needs no tool.
  if (!plain.startsWith('x86_64') || have('nasm', ['-v'])) features.push('--features', 'jpeg-simd');
  sh('cargo', ['zigbuild', '--release', '--lib', '--target', rustTarget, '--target-dir', targetDir, ...features], { env });
  const so = path.join(targetDir, plain, 'release', 'libcorepool.so');
  const { file } = packageFor(t);
  fs.copyFileSync(so, path.join(root, 'npm', t, file));
}

function syncVersion(t, version) {
  const p = path.join(root, 'npm', t, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(p, 'utf8'));
  if (pkg.version !== version) {
    pkg.version = version;
    fs.writeFileSync(p, `${JSON.stringify(pkg, null, 2)}\n`);
  }
}

function pack(dir, out) {
  const r = spawnSync('npm', ['pack', '--pack-destination', out, '--json'], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm pack in ${dir} failed: ${r.stderr}`);
  const [info] = JSON.parse(r.stdout);
  console.log(`packed ${info.filename} (${(info.size / 1e6).toFixed(1)} MB, unpacked ${(info.unpackedSize / 1e6).toFixed(1)} MB)`);
  return info;
}

const main = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
for (const t of targets) {
  const want = main.optionalDependencies && main.optionalDependencies[packageFor(t).name];
  if (want !== main.version) throw new Error(`package.json optionalDependencies must list ${packageFor(t).name} at ${main.version}`);
}
if (!skipBuild) tools();
const out = path.join(root, 'dist');
fs.mkdirSync(out, { recursive: true });
for (const t of targets) {
  if (!skipBuild) build(t);
  syncVersion(t, main.version);
  sh(process.execPath, [path.join(__dirname, 'check-binary.js'), t]);
  pack(path.join(root, 'npm', t), out);
}
pack(root, out);
