#!/bin/bash
# Runs the replica once per line of a sweep file ("NAME ARGS..."), PAR at a time, appending one JSON
# line per run to $OUT/results.jsonl (errors to $OUT/err.log).
#   OUT=/tmp/out bench/mini-capacity/sweep.sh bench/mini-capacity/sweeps/3-who-format.txt 16
set -eu
mkdir -p "$OUT"
export OUT
xargs -P "${2:-12}" -L 1 bash -c 'python bench/mini-capacity/replica.py --name "$0" "$@" >> "$OUT/results.jsonl" 2>> "$OUT/err.log"' < "$1"
