// A small worker-thread pool for the wasm matmuls: a job is one wasm export called with a range
// of output rows [o0, o1); the main thread runs the first range itself. Dispatch goes through a
// shared Int32Array (Atomics.notify / wait, after a short spin), not postMessage, so handing out
// a decode-sized matmul costs microseconds. Workers share the kernel memory, so no data is copied.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { kernelWasm } from './wasm.js';

// per-worker control slot (Int32 words): 0 seq (bumped by main), 1 done (= seq when finished),
// 2 op, 3.. the export's integer arguments
const SLOT = 32;
const SEQ = 0, DONE = 1, OP = 2, ARGS = 3, READY = 31;
export const POOL_OPS = [
  'matmul_f32', 'matmul_nf4', 'matmul_q8_0', 'matmul_q4_0',
  'matmul_backward_input', 'matmul_backward_weight', 'matmul_nf4_backward_input', 'attention_forward',
  'attention_backward',
] as const;
export type PoolOp = (typeof POOL_OPS)[number];

interface Pool {
  workers: Worker[];
  ctrl: Int32Array;
  seq: number;
}

let pool: Pool | null = null;
let jobsSplit = 0;

// how many matmuls have been split over the worker threads so far (tests, benchmarks)
export function kernelPoolJobs(): number {
  return jobsSplit;
}
let threads = Math.max(1, availableParallelism());

// how many threads the matmuls use (main thread included); default: the available cores
export function setKernelThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`threads must be a positive integer, got ${n}`);
  // a smaller count keeps the running workers (idle ones just sleep); a larger one restarts
  if (pool && n > pool.workers.length + 1) shutdownKernelPool();
  threads = n;
}

export function kernelThreads(): number {
  return threads;
}

// stops the workers (they are unref'd, so a process may also just exit)
export function shutdownKernelPool(): void {
  if (!pool) return;
  for (const w of pool.workers) void w.terminate();
  pool = null;
}

// The worker, as plain JavaScript evaluated in the thread (so it runs the same under tsx and from
// dist/, with no loader): instantiate the kernels over the shared memory, report ready, then wait
// on the control slot for jobs and run each one.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctrl, slot, ops } = workerData;
const SEQ = slot, DONE = slot + 1, OP = slot + 2, ARGS = slot + 3, READY = slot + 31;
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
const fns = ops.map((name) => ex[name]);
const args = [];
Atomics.store(ctrl, READY, 1);
Atomics.notify(ctrl, READY);
let seen = 0;
for (;;) {
  let spins = 0;
  while (Atomics.load(ctrl, SEQ) === seen) {
    if (++spins > 4000) Atomics.wait(ctrl, SEQ, seen);
  }
  seen = Atomics.load(ctrl, SEQ);
  const f = fns[ctrl[OP]];
  args.length = f.length;
  for (let k = 0; k < f.length; k++) args[k] = ctrl[ARGS + k];
  f.apply(null, args);
  Atomics.store(ctrl, DONE, seen);
  Atomics.notify(ctrl, DONE);
}
`;

// a worker that never starts or never finishes must not hang the caller
const START_TIMEOUT_MS = 10_000;
const JOB_TIMEOUT_MS = 60_000;

function startPool(): Pool | null {
  const w = kernelWasm();
  if (!w || threads < 2) return null;
  const ctrl = new Int32Array(new SharedArrayBuffer(4 * SLOT * (threads - 1)));
  const workers: Worker[] = [];
  for (let i = 0; i < threads - 1; i++) {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { module: w.module, memory: w.memory, ctrl, slot: i * SLOT, ops: POOL_OPS },
    });
    worker.unref();
    worker.on('error', (e) => giveUp(`a worker thread failed: ${e.message}`));
    workers.push(worker);
  }
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (let i = 0; i < workers.length; i++) {
    while (Atomics.load(ctrl, i * SLOT + READY) !== 1) {
      if (Date.now() > deadline) {
        for (const wk of workers) void wk.terminate();
        giveUp('worker threads did not start');
        return null;
      }
      Atomics.wait(ctrl, i * SLOT + READY, 0, 50);
    }
  }
  return { workers, ctrl, seq: 0 };
}

// drops to one thread for the rest of the process, saying why once
function giveUp(why: string): void {
  if (threads > 1) console.error(`kernels: ${why}; continuing on one thread`);
  shutdownKernelPool();
  threads = 1;
}

// runs `op` over rows [0, rows) split into `threads` contiguous ranges aligned to `align`;
// args(o0, o1) builds the export's arguments for one range. Returns false when there is no pool
// (the caller then runs the whole range itself).
export function runSplit(
  op: PoolOp,
  rows: number,
  align: number,
  args: (o0: number, o1: number) => number[],
  runLocal: (o0: number, o1: number) => void,
): boolean {
  if (threads < 2) return false;
  if (!pool) pool = startPool();
  if (!pool) return false;
  const p = pool;
  const active = Math.min(p.workers.length, threads - 1);
  const parts = active + 1;
  const chunk = Math.ceil(rows / parts / align) * align;
  p.seq = (p.seq + 1) | 0;
  const opIndex = POOL_OPS.indexOf(op);
  let used = 0;
  for (let i = 0; i < active; i++) {
    const o0 = Math.min(rows, chunk * (i + 1));
    const o1 = Math.min(rows, o0 + chunk);
    if (o0 >= o1) break;
    const base = i * SLOT;
    const a = args(o0, o1);
    p.ctrl[base + OP] = opIndex;
    for (let k = 0; k < a.length; k++) p.ctrl[base + ARGS + k] = a[k];
    Atomics.store(p.ctrl, base + SEQ, p.seq);
    Atomics.notify(p.ctrl, base + SEQ);
    used++;
  }
  jobsSplit++;
  runLocal(0, Math.min(rows, chunk));
  for (let i = 0; i < used; i++) {
    const base = i * SLOT;
    let spins = 0;
    let waitedSince = 0;
    while (Atomics.load(p.ctrl, base + DONE) !== p.seq) {
      if (++spins < 2000) continue;
      Atomics.wait(p.ctrl, base + DONE, Atomics.load(p.ctrl, base + DONE), 1);
      if (!waitedSince) waitedSince = Date.now();
      else if (Date.now() - waitedSince > JOB_TIMEOUT_MS) {
        giveUp(`a worker thread did not finish ${op} within ${JOB_TIMEOUT_MS / 1000} s`);
        throw new Error(`kernels: ${op} on a worker thread timed out`);
      }
    }
  }
  return true;
}
