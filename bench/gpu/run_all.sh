#!/usr/bin/env bash
# bench/gpu/run_all.sh OUT_DIR: the three GPU benchmarks in ~9 minutes on one H200, each under its
# own `timeout`, each writing its JSON to OUT_DIR as it goes (a failed or killed step keeps what it
# measured and the next step still runs), a log of everything in OUT_DIR/run_all.log, and the
# RESULTS.md rows in OUT_DIR/results-rows.md. Run from anywhere; it works in the repo root.
#   env: PYTHON (default python3), NODE (default REPO/.carry/node, else node), WORK (scratch, default
#   /tmp/evalfirst-bench-gpu: weights for the scoring server, checkpoints), ONLY (e.g. "nf4,serve"),
#   SMOKE=1 (tiny shapes and sizes: the same steps in a minute or two on a CPU, to test the script),
#   FINAL_EVAL=1 (train: evalfirst's final evaluation too: the trainer saves its base, a stop at max
#   steps scores the best on the full suite while served, or integrations/scoring_server.py on its
#   saved adapter after the trainer exits; the train step's timeout becomes 400 s).
# Worst case (every timeout reached) 180 + 100 + 250 s = 8.8 min plus a few seconds (FINAL_EVAL=1: the
# train step alone up to 400 s; run it as ONLY=train FINAL_EVAL=1 to stay within a 10-minute command).
set -u
OUT=${1:?usage: bench/gpu/run_all.sh OUT_DIR}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
cd "$REPO"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
PY=${PYTHON:-python3}
WORK=${WORK:-/tmp/evalfirst-bench-gpu}
ONLY=${ONLY:-serve,nf4,train}
if [ -z "${NODE:-}" ]; then
  if [ -x "$REPO/.carry/node" ]; then NODE="$REPO/.carry/node"; else NODE=node; fi
fi
LOG="$OUT/run_all.log"
mkdir -p "$WORK"
TOK="$WORK/tokenizer"

say() { echo "[run_all $(date -u +%H:%M:%S)] $*" | tee -a "$LOG"; }

step() { # step NAME SECONDS CMD...
  local name=$1 limit=$2
  shift 2
  case ",$ONLY," in *",$name,"*) ;; *) say "$name: skipped (ONLY=$ONLY)"; return 0 ;; esac
  say "$name: start (timeout ${limit}s): $*"
  local t0=$SECONDS
  timeout --signal=TERM --kill-after=20 "$limit" "$@" >>"$LOG" 2>&1
  local rc=$?
  say "$name: exit $rc after $((SECONDS - t0))s$([ $rc -eq 124 ] && echo ' (TIMED OUT)')"
}

say "repo $REPO ($(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')); out $OUT; work $WORK; python $($PY -c 'import sys; print(sys.version.split()[0])' 2>&1); node $("$NODE" --version 2>&1 | head -1)"
nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used --format=csv,noheader >>"$LOG" 2>&1 || say "nvidia-smi unavailable"
[ -f "$REPO/integrations/scoring_server.py" ] || say "WARNING: integrations/scoring_server.py is missing: serve's batched path will be skipped"
[ -f "$REPO/dist/harness/cli.js" ] || say "WARNING: dist/ is missing: the evalfirst loop phase of train will fail (carry dist/ and node_modules/)"

if [ "${SMOKE:-0}" = 1 ]; then
  SERVE_SIZE=(--shape tiny --requests 6 --rounds 1 --gen-requests 3 --gen-tokens 4 --gen-rounds 1 --peer-gen-rounds 1)
  NF4_SIZE=(--shape tiny --layers 2 --batch 1 --seq 64 --prefill-batch 3 --prefill-len 40 --decode-tokens 2 --reps 1)
  TRAIN_SIZE=(--shape tiny --batch 2 --seq 64 --steps-alone 4 --steps-loop 4 --save-steps 2 --concurrency 4 --skip-steps 1 --scoring-device cpu)
else
  SERVE_SIZE=(--shape 7b --requests 30 --rounds 3 --gen-requests 30 --gen-tokens 64 --gen-rounds 2 --peer-gen-rounds 1)
  NF4_SIZE=(--shape 70b --batch 1 --seq 1024 --prefill-batch 30 --prefill-len 700 --decode-tokens 8 --reps 2)
  TRAIN_SIZE=(--shape 7b --batch 8 --seq 1024 --steps-alone 40 --steps-loop 40 --save-steps 20)
fi

# (a) 30 one-token MMLU-length requests and 30 x 64-token generations: batched server vs the pre-issue-13 path
step serve 180 "$PY" bench/gpu/serve_bench.py "${SERVE_SIZE[@]}" --out "$OUT/serve.json" --workdir "$WORK/serve" --tokenizer-cache "$TOK"
rm -rf "$WORK/serve"  # 13 GB of weights saved for the server

# (c) 70B-shaped NF4 QLoRA layers: as many as fit (at most 80), train step, 30 x 700 prefill, decode
step nf4 100 "$PY" bench/gpu/nf4_layer_bench.py "${NF4_SIZE[@]}" --out "$OUT/nf4_layer.json"

# (b) the 7B LoRA loop alone (40 steps), then under evalfirst train (40 steps, a checkpoint every 20, mini suite)
TRAIN_LIMIT=250
FINAL=()
if [ "${FINAL_EVAL:-0}" = 1 ]; then TRAIN_LIMIT=400; FINAL=(--final-eval); fi
if [ "${FINAL_EVAL:-0}" = 1 ] && [ "${SMOKE:-0}" = 1 ]; then TRAIN_LIMIT=900; fi  # the CPU scores the baseline and the final evaluation slowly
step train "$TRAIN_LIMIT" "$PY" bench/gpu/train_bench.py "${TRAIN_SIZE[@]}" ${FINAL[@]+"${FINAL[@]}"} --out "$OUT/train_loop.json" --workdir "$WORK/train" --tokenizer-cache "$TOK" \
  --node "$NODE" --suite mini --deadline 30m
# the trainer's and evalfirst's own logs, for the post-mortem (they are not brought back otherwise)
for f in "$WORK/train/loop/evalfirst/decisions.log" "$WORK/train/loop/evalfirst/trainer.stderr.log" "$WORK/train/loop/evalfirst/scoring-server.log"; do
  [ -f "$f" ] && { say "tail of $f"; tail -n 40 "$f" >>"$LOG"; }
done

"$PY" bench/gpu/collect.py "$OUT"/serve.json "$OUT"/nf4_layer.json "$OUT"/train_loop.json --with-header >"$OUT/results-rows.md" 2>>"$LOG"
say "done in ${SECONDS}s; rows in $OUT/results-rows.md"
cat "$OUT/results-rows.md" >>"$LOG"
