#!/usr/bin/env bash
# Runs piscina's own test suite (the test/ folder of the installed piscina
# package, 5.3.2) against corepool/piscina: a temporary copy in which
# `piscina`, `..`, `../dist`, `../dist/symbols` and `../dist/common` resolve to
# lib/piscina.js. Needs the registry once, for tsx, concat-stream and @napi-rs/nice (the
# suite's own dev dependencies). One file at a time, TIMEOUT seconds each (a
# file that hangs counts what passed before it). Runs on the `node` on PATH
# (the Symbol.dispose tests need Node 24). See README "corepool/piscina".
# Usage: bash tools/piscina-suite.sh [test/simple-test.test.ts ...]
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SRC="$ROOT/node_modules/piscina"
TIMEOUT=${TIMEOUT:-90}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
cp -r "$SRC/test" "$DIR/test"
node -e '
  const p = JSON.parse(require("fs").readFileSync(process.argv[1] + "/package.json", "utf8"));
  const out = { name: "piscina", version: p.version, main: "index.js",
    exports: { ".": { import: "./esm.mjs", require: "./index.js" }, "./package.json": "./package.json" } };
  require("fs").writeFileSync(process.argv[2] + "/package.json", JSON.stringify(out, null, 1));
' "$SRC" "$DIR"
LIB="$ROOT/lib/piscina.js"
echo "module.exports = require('$LIB');" > "$DIR/index.js"
echo "export * from '$ROOT/lib/piscina.mjs'; export { default } from '$ROOT/lib/piscina.mjs';" > "$DIR/esm.mjs"
mkdir -p "$DIR/dist"
echo "module.exports = require('$LIB');" > "$DIR/dist/index.js"
cat > "$DIR/dist/symbols.js" <<JS
const P = require('$LIB');
exports.kQueueOptions = P.queueOptionsSymbol; exports.kTransferable = P.transferableSymbol; exports.kValue = P.valueSymbol;
JS
cat > "$DIR/dist/common.js" <<JS
// piscina's internal helpers, mapped onto corepool/piscina's move() marker.
const P = require('$LIB');
const kMoved = Symbol.for('corepool.moved');
exports.getAvailableParallelism = () => require('node:os').availableParallelism();
exports.isMovable = (x) => x != null && typeof x === 'object' && x[kMoved] === true;
exports.isTransferable = (x) => x != null && typeof x === 'object' && P.transferableSymbol in x && P.valueSymbol in x;
exports.markMovable = (x) => { x[kMoved] = true; x.value = x[P.valueSymbol]; x.transfer = [].concat(x[P.transferableSymbol]); };
JS
(cd "$DIR" && npm install --no-save --no-audit --no-fund --no-package-lock tsx concat-stream @napi-rs/nice >/dev/null 2>&1) || { echo "npm install tsx concat-stream @napi-rs/nice failed"; exit 1; }
mkdir -p "$DIR/node_modules" && ln -sfn "$DIR" "$DIR/node_modules/piscina"
cd "$DIR"
files=("$@")
[ ${#files[@]} -eq 0 ] && files=(test/*.test.ts)
total_pass=0; total_fail=0
partial_ok=0
for f in "${files[@]}"; do
  out=$(timeout "$TIMEOUT" node --import=tsx --test --test-reporter=tap "$f" 2>&1); rc=$?
  p=$(echo "$out" | awk '/^# pass/{print $3}'); fl=$(echo "$out" | awk '/^# fail/{print $3}'); cn=$(echo "$out" | awk '/^# cancelled/{print $3}')
  [ -n "${VERBOSE:-}" ] && echo "$out" | grep -E -A25 "^not ok|^    not ok" | head -120
  if [ $rc -eq 124 ]; then
    ok=$(echo "$out" | grep '^ok ' | grep -vc '# SKIP')
    echo "$f: timed out after ${TIMEOUT}s; $ok passed before that"
    partial_ok=$((partial_ok + ok))
  else
    echo "$f: pass ${p:-0} fail ${fl:-0}${cn:+$([ "$cn" != 0 ] && echo " cancelled $cn")}${args:+ (filtered: ${args[*]})}"
  fi
  total_pass=$((total_pass + ${p:-0})); total_fail=$((total_fail + ${fl:-0}))
done
echo "files that ran to the end: $total_pass passed, $total_fail failed; $partial_ok more passed in files that then timed out"
