'use strict';
// Which prebuilt binary fits this process. Used by the loader (lib/native.js)
// and by the install script (scripts/build.js), without spawning a process.
const fs = require('node:fs');

/** Targets with a platform package (`corepool-<triple>`, see npm/). */
const TARGETS = ['linux-x64-gnu', 'linux-x64-musl', 'linux-arm64-gnu', 'darwin-x64', 'darwin-arm64', 'win32-x64-msvc'];

/**
 * True on a musl libc (Alpine). Reads /usr/bin/ldd (a script naming its libc
 * on glibc systems, a link to the musl loader on Alpine), then falls back to
 * the process report, whose header names the glibc version only on glibc.
 */
function isMusl() {
  if (process.platform !== 'linux') return false;
  try {
    const ldd = fs.readFileSync('/usr/bin/ldd', 'latin1');
    if (ldd.includes('musl')) return true;
    if (ldd.includes('GNU C Library') || ldd.includes('glibc')) return false;
  } catch {
    // no ldd: ask the process report
  }
  try {
    return !process.report.getReport().header.glibcVersionRuntime;
  } catch {
    return false;
  }
}

/** The platform triple of this process, e.g. `linux-x64-gnu`. */
function triple(platform = process.platform, arch = process.arch, musl = isMusl) {
  const abi = platform === 'linux' ? (musl() ? '-musl' : '-gnu') : platform === 'win32' ? '-msvc' : '';
  return `${platform}-${arch}${abi}`;
}

/** The platform package's name and the file name of its binary. */
function packageFor(t) {
  return { name: `corepool-${t}`, file: `corepool.${t}.node` };
}

module.exports = { TARGETS, isMusl, triple, packageFor };
