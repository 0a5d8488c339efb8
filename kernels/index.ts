// Numerical kernels: pure functions over typed arrays (see each file for shapes and layouts).
//
// Fast paths: matmulForward, matmulBackward, matmulNF4Forward, matmulNF4Backward,
// matmulQ8_0Forward and matmulQ4_0Forward run WebAssembly SIMD code, split over worker threads
// when large, whenever the WEIGHT lives in kernel memory (a shared WebAssembly.Memory): load
// weights with toKernelMemory(w) / nf4ToKernelMemory(t), or allocate them with allocF32 / allocU8
// (in-place updates, e.g. AdamW on allocF32 parameters, stay visible). Activations may live
// anywhere (they are copied). Otherwise the same call runs the plain JS kernel. Thread count:
// setKernelThreads(n) (default: available cores); EVALFIRST_KERNELS=js or setKernelBackend('js')
// switches the fast paths off.
export * from './fp16.js';
export * from './matmul.js';
export * from './nf4.js';
export * from './ggml-quants.js';
export * from './attention.js';
export * from './rmsnorm.js';
export * from './rope.js';
export * from './swiglu.js';
export * from './softmax.js';
export * from './crossentropy.js';
export * from './embedding.js';
export * from './adamw.js';
export * from './sampling.js';
export * from './wasm.js';
export { setKernelThreads, kernelThreads, shutdownKernelPool, kernelPoolJobs } from './pool.js';
export { PARALLEL_MIN_MACS, setKernelParallelThreshold } from './fast-matmul.js';
