'use strict';
// The package's install script. When the prebuilt binary of this platform
// (the optional dependency corepool-<triple>, see lib/platform.js) is
// installed and loads, there is nothing to do. Otherwise — or when asked with
// `npm rebuild corepool --build-from-source` / COREPOOL_BUILD_FROM_SOURCE=1 —
// it builds the native addon from source with cargo (release) and copies it
// to ./corepool.node, which the loader prefers. In a clone (no platform
// package) it always builds.
// Set COREPOOL_SKIP_BUILD=1 to skip, COREPOOL_PROFILE=debug for a debug build.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dest = path.join(root, 'corepool.node');

if (process.env.COREPOOL_SKIP_BUILD === '1') {
  console.log('corepool: COREPOOL_SKIP_BUILD=1, not building the native addon');
  process.exit(0);
}

const { triple, packageFor } = require('../lib/platform');

const fromSource =
  process.env.COREPOOL_BUILD_FROM_SOURCE === '1' ||
  process.env.npm_config_build_from_source === 'true' ||
  process.env.npm_config_build_from_source === '';
const target = triple();
if (!fromSource) {
  const pkg = packageFor(target);
  try {
    require(require.resolve(`${pkg.name}/${pkg.file}`, { paths: [root] }));
    console.log(`corepool: using the prebuilt binary from ${pkg.name} (COREPOOL_BUILD_FROM_SOURCE=1 builds from source instead)`);
    process.exit(0);
  } catch (err) {
    const why = err.code === 'MODULE_NOT_FOUND' ? 'is not installed' : `does not load (${err.message.split('\n')[0]})`;
    console.log(`corepool: the prebuilt binary for ${target} (${pkg.name}) ${why}; building from source`);
  }
}

const profile = process.env.COREPOOL_PROFILE === 'debug' ? 'debug' : 'release';
const cargo = process.env.CARGO || 'cargo';
const args = ['build', '--lib', '--message-format=json-render-diagnostics'];
if (profile === 'release') args.push('--release');

// libjpeg-turbo's SIMD (IDCT, upsampling, colour conversion) is assembled
// with nasm. Optional: used when nasm is on the PATH (COREPOOL_JPEG_SIMD=0
// turns it off, =1 insists on it), otherwise the portable C code is built.
const simdEnv = process.env.COREPOOL_JPEG_SIMD;
const hasNasm = () => {
  const r = spawnSync('nasm', ['-v'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
};
const jpegSimd = simdEnv === '1' || (simdEnv !== '0' && hasNasm());
// The JS tests' hooks (__testPanic, __testSleep) exist only in a build from a
// clone of the repository (or with COREPOOL_TEST_HOOKS=1), never in the
// published package's builds.
const testHooks = process.env.COREPOOL_TEST_HOOKS === '1' || (process.env.COREPOOL_TEST_HOOKS !== '0' && fs.existsSync(path.join(root, '.git')));
const features = [jpegSimd && 'jpeg-simd', testHooks && 'test-hooks'].filter(Boolean);
if (features.length) args.push('--features', features.join(','));

const probe = spawnSync(cargo, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  console.error(
    `corepool: no prebuilt binary is installed for ${target}, and building the native addon from source needs the Rust toolchain (cargo), which was not found.\n` +
      'Install it from https://rustup.rs (Rust 1.87 or newer), then run `npm rebuild corepool --build-from-source`.',
  );
  process.exit(1);
}

console.log(`corepool: cargo ${args.join(' ')} (${probe.stdout.trim()})`);
if (!jpegSimd && simdEnv !== '0') {
  console.log('corepool: nasm not found, building libjpeg without SIMD (install nasm for faster JPEG decoding)');
}
const res = spawnSync(cargo, args, {
  cwd: root,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
  maxBuffer: 256 * 1024 * 1024,
});
if (res.error || res.status !== 0) {
  console.error(`corepool: cargo build failed (${res.error ? res.error.message : `exit ${res.status}`})`);
  process.exit(1);
}

let artifact;
for (const line of res.stdout.split('\n')) {
  if (!line.startsWith('{')) continue;
  const msg = JSON.parse(line);
  if (msg.reason === 'compiler-artifact' && msg.target && msg.target.name === 'corepool') {
    artifact = msg.filenames.find((f) => /\.(so|dylib|dll)$/.test(f)) || artifact;
  }
}
if (!artifact) {
  console.error('corepool: cargo did not report the cdylib artifact');
  process.exit(1);
}
// Copy to a temp name and rename, so a process that has the old addon
// loaded keeps a valid mapping.
const tmp = `${dest}.${process.pid}.tmp`;
fs.copyFileSync(artifact, tmp);
fs.renameSync(tmp, dest);
console.log(`corepool: built ${path.relative(root, dest)} (${profile})`);
