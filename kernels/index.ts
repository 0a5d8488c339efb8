// Numerical kernels: pure functions over typed arrays (see each file for shapes and layouts).
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
export { PARALLEL_MIN_MACS } from './fast-matmul.js';
