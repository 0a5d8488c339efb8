#!/usr/bin/env bash
# On the GPU machine, from the repo root: unpacks .carry/ (made by make-carry.sh) into node_modules/,
# dist/ and .carry/bin/node, and prints `node --version`. Source it to get node on PATH.
set -euo pipefail
mkdir -p .carry/bin
xz -dc .carry/node.xz > .carry/bin/node && chmod +x .carry/bin/node
xz -dc .carry/node_modules.tar.xz | tar -xf -
xz -dc .carry/dist.tar.xz | tar -xf -
export PATH=$PWD/.carry/bin:$PATH
node --version
