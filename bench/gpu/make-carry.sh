#!/usr/bin/env bash
# Packs what the GPU machine lacks into .carry/ (git-ignored; name it in the device run's `carry`):
# a stripped Node binary, the compiled dist/, and the production node_modules (better-sqlite3's
# native build copied from this checkout: the machine has no compiler toolchain for it). About 27 MB.
# On the machine: bash bench/gpu/unpack-carry.sh puts node on PATH as .carry/bin/node.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out=$root/.carry
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
npm run build --silent
strip -o "$work/node" "$(command -v node)"
xz -9 -T2 -c "$work/node" > "$out/node.xz"
mkdir "$work/prod"
cp package.json package-lock.json "$work/prod/"
(cd "$work/prod" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --silent)
rm -rf "$work/prod/node_modules/better-sqlite3"
cp -r node_modules/better-sqlite3 "$work/prod/node_modules/"
rm -rf "$work/prod/node_modules/better-sqlite3/deps" "$work/prod/node_modules/better-sqlite3/src" \
  "$work/prod/node_modules/better-sqlite3/build/Release/obj" "$work/prod/node_modules/better-sqlite3/build/Release/obj.target" \
  "$work/prod/node_modules/better-sqlite3/build/Release/.deps"
tar -C "$work/prod" -cf - node_modules | xz -9 -T2 > "$out/node_modules.tar.xz"
tar -cf - dist | xz -9 -T2 > "$out/dist.tar.xz"
ls -la "$out"
