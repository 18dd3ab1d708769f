#!/usr/bin/env bash
# Proves `npm install corepool` from a real registry: starts verdaccio on
# 127.0.0.1 (temp storage), publishes dist/*.tgz to it, installs corepool into
# a fresh app with no cargo on the PATH, runs the smoke test through require()
# and import, and does the same install for sharp (proxied from the npm
# registry, cache warmed first) to compare install time and installed size.
# Usage: bash scripts/registry-check.sh   (after npm run dist)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${COREPOOL_REGISTRY_PORT:-4873}
REG="http://127.0.0.1:$PORT/"
WORK=$(mktemp -d)
VPID=
cleanup() { [ -n "$VPID" ] && kill "$VPID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

ls "$ROOT"/dist/corepool-*.tgz >/dev/null || { echo "no dist/*.tgz: run npm run dist first"; exit 1; }

echo "-- verdaccio 6.8.0 (Node 20 needs node-fetch pinned to 2.7.0)"
mkdir -p "$WORK/verdaccio" && cd "$WORK/verdaccio"
echo '{"name":"registry","private":true,"overrides":{"node-fetch":"2.7.0"}}' > package.json
npm install --no-audit --no-fund --loglevel=error verdaccio@6.8.0 >/dev/null
cat > config.yaml <<YAML
storage: $WORK/storage
auth:
  htpasswd:
    file: $WORK/htpasswd
    max_users: 10
uplinks:
  npmjs:
    url: https://registry.npmjs.org/
packages:
  'corepool*':
    access: \$all
    publish: \$all
  '**':
    access: \$all
    publish: \$authenticated
    proxy: npmjs
listen: 127.0.0.1:$PORT
log: { type: stdout, format: pretty, level: warn }
YAML
node node_modules/verdaccio/bin/verdaccio --config config.yaml > "$WORK/verdaccio.log" 2>&1 &
VPID=$!
for _ in $(seq 1 100); do curl -sf "$REG-/ping" >/dev/null && break; sleep 0.2; done
curl -sf "$REG-/ping" >/dev/null || { cat "$WORK/verdaccio.log"; echo "verdaccio did not start"; exit 1; }

# A user for publishing (verdaccio's htpasswd; the token goes in a temp npmrc).
TOKEN=$(curl -sf -X PUT -H 'content-type: application/json' \
  -d '{"name":"ci","password":"ci-password-1"}' "$REG-/user/org.couchdb.user:ci" | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')
export NPM_CONFIG_USERCONFIG="$WORK/npmrc" NPM_CONFIG_UPDATE_NOTIFIER=false
printf '//127.0.0.1:%s/:_authToken=%s\n' "$PORT" "$TOKEN" > "$NPM_CONFIG_USERCONFIG"

echo "-- publish"
for tgz in "$ROOT"/dist/corepool-*.tgz; do
  npm publish --registry "$REG" --loglevel=error "$tgz" >/dev/null
  echo "published $(basename "$tgz")"
done

# The app's PATH has node and npm but no cargo/rustc: no compiler is involved.
NODE_DIR=$(dirname "$(command -v node)")
CLEAN_PATH="$NODE_DIR:/usr/bin:/bin"
env PATH="$CLEAN_PATH" sh -c 'command -v cargo' && { echo "cargo is still on the clean PATH"; exit 1; }

install_app() { # name, package, app dir
  mkdir -p "$3" && cd "$3"
  echo '{"name":"app","version":"1.0.0","private":true}' > package.json
  local t0
  t0=$(node -p 'Date.now()')
  env PATH="$CLEAN_PATH" npm install --registry "$REG" --cache "$WORK/cache-$1" --no-audit --no-fund --loglevel=error "$2" >/dev/null
  node -e 'console.log(`${process.argv[1]}: npm install ${((Date.now() - process.argv[2]) / 1000).toFixed(1)} s, node_modules ${process.argv[3]} MB`)' "$1" "$t0" "$(du -sm node_modules | cut -f1)"
}

echo "-- fresh app: npm install corepool (no cargo on the PATH)"
install_app corepool corepool "$WORK/app"
ls node_modules | grep corepool
env PATH="$CLEAN_PATH" COREPOOL_SMOKE_MODULE=corepool node "$ROOT/scripts/smoke.js"
env PATH="$CLEAN_PATH" node --input-type=module -e "
  import * as corepool from 'corepool';
  const { smoke } = await import('$ROOT/scripts/smoke.js');
  console.log('import:', await smoke(corepool));
"

echo "-- sharp from the same registry (cache warmed by a first install)"
install_app sharp-warmup sharp "$WORK/sharp-warm" >/dev/null
install_app sharp sharp "$WORK/sharp-app"
