// The WebAssembly SIMD module (wasm/kernels.c) and the shared linear memory it works in.
// Tensors the fast paths read without copying (weights) must live in this memory: allocate them
// with allocF32 / allocU8 or copy them in once with toKernelMemory. The memory is a shared
// WasmMemory (a SharedArrayBuffer), so worker threads see the same tensors.
import { KERNELS_WASM_BASE64 } from './wasm/kernels-wasm.js';

// the slice of the WebAssembly API used here (tsconfig's lib has no WebAssembly declarations)
export type WasmModule = object;
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Instance: new (m: WasmModule, imports: object) => { exports: object };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface WasmExports {
  matmul_f32(out: number, inp: number, w: number, bias: number, N: number, C: number, OC: number, o0: number, o1: number): void;
  matmul_nf4(out: number, inp: number, packed: number, absmax: number, code: number, bias: number, tmp: number,
    N: number, C: number, OC: number, blocksize: number, o0: number, o1: number): void;
  quantize_act_q8_0(qs: number, d: number, x: number, nblocks: number, unused: number): void;
  matmul_q8_0(out: number, aq: number, ad: number, w: number, N: number, C: number, OC: number, o0: number, o1: number): void;
  matmul_q4_0(out: number, aq: number, ad: number, w: number, N: number, C: number, OC: number, o0: number, o1: number): void;
  matmul_backward_input(dinp: number, dout: number, w: number, N: number, C: number, OC: number, n0: number, n1: number): void;
  matmul_backward_weight(dweight: number, dbias: number, dout: number, inp: number, N: number, C: number, OC: number,
    o0: number, o1: number): void;
  attention_forward(out: number, lse: number, q: number, k: number, v: number, scores: number, T: number, pos0: number,
    NH: number, NKV: number, HS: number, h0: number, h1: number): void;
  attention_backward(dq: number, dk: number, dv: number, dout: number, q: number, k: number, v: number, out: number,
    lse: number, T: number, pos0: number, NH: number, NKV: number, HS: number, g0: number, g1: number): void;
  matmul_nf4_backward_input(dinp: number, dout: number, packed: number, absmax: number, code: number, tmp: number,
    N: number, C: number, OC: number, blocksize: number, n0: number, n1: number): void;
}

export interface KernelWasm {
  module: WasmModule;
  memory: WasmMemory;
  exports: WasmExports;
}

const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GiB, wasm32's limit
const HEAP_START = 4096; // below: the module's reserved low memory (global base 1024, no stack)

let state: KernelWasm | null | undefined;
let unavailable = '';
let enabled = process.env.EVALFIRST_KERNELS !== 'js';
const buffers = new WeakSet<ArrayBufferLike>(); // every SharedArrayBuffer view of the memory

// instantiates the module over a memory (used by the pool's workers with the shared one)
export function instantiateKernels(module: WasmModule, memory: WasmMemory): WasmExports {
  const inst = new WA.Instance(module, { env: { memory } });
  return inst.exports as unknown as WasmExports;
}

// the module and memory, or null when WebAssembly SIMD / shared memory is unavailable
export function kernelWasm(): KernelWasm | null {
  if (state !== undefined) return enabled ? state : null;
  try {
    const bytes = Buffer.from(KERNELS_WASM_BASE64, 'base64');
    const module = new WA.Module(bytes);
    const memory = new WA.Memory({ initial: 256, maximum: MAX_PAGES, shared: true });
    state = { module, memory, exports: instantiateKernels(module, memory) };
    buffers.add(memory.buffer);
  } catch (e) {
    unavailable = (e as Error).message;
    state = null;
  }
  return enabled ? state : null;
}

// the module and memory whenever they could be made, even while the fast paths are switched off
// (tensors stay in kernel memory across setKernelBackend switches)
function loaded(): KernelWasm | null {
  kernelWasm();
  return state ?? null;
}

// 'wasm' when the SIMD fast paths are in use, else 'js' (and why)
export function kernelBackend(): { backend: 'wasm' | 'js'; reason?: string } {
  if (!enabled) return { backend: 'js', reason: 'disabled (EVALFIRST_KERNELS=js or setKernelBackend)' };
  return kernelWasm() ? { backend: 'wasm' } : { backend: 'js', reason: `WebAssembly unavailable: ${unavailable}` };
}

// switch the fast paths off ('js') or on ('wasm'); tests and benchmarks compare the two
export function setKernelBackend(backend: 'wasm' | 'js'): void {
  enabled = backend === 'wasm';
}

// ---- allocator: first fit over a free list, 16-byte aligned blocks ----
let top = HEAP_START;
const freeList: Array<{ ptr: number; size: number }> = [];
const sizes = new Map<number, number>();

function ensureMemory(end: number): WasmMemory {
  const w = loaded();
  if (!w) throw new Error(`kernel memory unavailable: ${unavailable || 'WebAssembly disabled'}`);
  const have = w.memory.buffer.byteLength;
  if (end > have) {
    const pages = Math.ceil((end - have) / PAGE);
    if (have / PAGE + pages > MAX_PAGES) throw new Error(`kernel memory: ${end} bytes exceeds the 4 GiB wasm32 limit`);
    w.memory.grow(pages);
    buffers.add(w.memory.buffer);
  }
  return w.memory;
}

// byte offset of a fresh block of `bytes` (16-byte aligned) in kernel memory
export function kernelAlloc(bytes: number): number {
  const size = Math.max(16, Math.ceil(bytes / 16) * 16);
  for (let i = 0; i < freeList.length; i++) {
    const f = freeList[i];
    if (f.size >= size) {
      const ptr = f.ptr;
      if (f.size === size) freeList.splice(i, 1);
      else {
        f.ptr += size;
        f.size -= size;
      }
      sizes.set(ptr, size);
      return ptr;
    }
  }
  const ptr = top;
  ensureMemory(ptr + size);
  top = ptr + size;
  sizes.set(ptr, size);
  return ptr;
}

// returns a block to the free list (coalescing neighbours)
export function kernelFree(ptr: number): void {
  const size = sizes.get(ptr);
  if (size === undefined) throw new Error(`kernelFree: ${ptr} is not an allocated block`);
  sizes.delete(ptr);
  let i = freeList.findIndex((f) => f.ptr > ptr);
  if (i < 0) i = freeList.length;
  freeList.splice(i, 0, { ptr, size });
  if (i + 1 < freeList.length && ptr + size === freeList[i + 1].ptr) {
    freeList[i].size += freeList[i + 1].size;
    freeList.splice(i + 1, 1);
  }
  if (i > 0 && freeList[i - 1].ptr + freeList[i - 1].size === ptr) {
    freeList[i - 1].size += freeList[i].size;
    freeList.splice(i, 1);
  }
}

function memoryBuffer(): ArrayBuffer {
  return (state as KernelWasm).memory.buffer as unknown as ArrayBuffer;
}

// Float32Array[n] in kernel memory (zeroed when fresh; reused blocks are zeroed too)
export function allocF32(n: number): Float32Array {
  const ptr = kernelAlloc(n * 4);
  return new Float32Array(memoryBuffer(), ptr, n).fill(0);
}

// Uint8Array[n] in kernel memory, zeroed
export function allocU8(n: number): Uint8Array {
  const ptr = kernelAlloc(n);
  return new Uint8Array(memoryBuffer(), ptr, n).fill(0);
}

// frees a view made by allocF32 / allocU8 / toKernelMemory
export function freeKernelArray(a: ArrayBufferView): void {
  if (!inKernelMemory(a)) throw new Error('freeKernelArray: array is not in kernel memory');
  kernelFree(a.byteOffset);
}

type TypedArray = Float32Array | Uint8Array | Int8Array | Uint16Array | Int32Array;

// a copy of `a` in kernel memory (same type), or `a` itself when it is already there or when
// WebAssembly is unavailable (the JS paths then run on it)
export function toKernelMemory<T extends TypedArray>(a: T): T {
  if (inKernelMemory(a) || !loaded()) return a;
  const ptr = kernelAlloc(a.byteLength);
  const Ctor = a.constructor as new (b: ArrayBuffer, off: number, len: number) => T;
  const view = new Ctor(memoryBuffer(), ptr, a.length);
  view.set(a as never);
  return view;
}

// true when `a` is a view of kernel memory (so the wasm code can read it at a.byteOffset)
export function inKernelMemory(a: ArrayBufferView | null): boolean {
  return a !== null && buffers.has(a.buffer);
}

// the current full-length views of kernel memory
export function kernelHeap(): { f32: Float32Array; u8: Uint8Array } {
  const b = memoryBuffer();
  return { f32: new Float32Array(b), u8: new Uint8Array(b) };
}
