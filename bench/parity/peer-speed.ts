// Child process for the runtime benchmark: times llama.cpp (node-llama-cpp) prefill and decode on
// one GGUF. Run with UV_THREADPOOL_SIZE=1 set in its environment (a larger libuv pool makes
// llama.cpp's multi-threaded decode collapse on a 2-core machine). Prints one JSON line.
// argv: model path, threads, prompt ids (comma-separated), tokens to decode
import { loadPeer } from './peer.js';

async function main(): Promise<void> {
  const [path, threadsArg, promptArg, decodeArg] = process.argv.slice(2);
  const peer = await loadPeer();
  if (!peer) throw new Error('node-llama-cpp is not installed');
  const threads = Number(threadsArg);
  const prompt = promptArg.split(',').map(Number);
  const nDecode = Number(decodeArg);
  const llama = await peer.getLlama({ gpu: false, build: 'never', logLevel: 'error', maxThreads: threads });
  const model = await llama.loadModel({ modelPath: path, gpuLayers: 0 });
  const ctx = await model.createContext({ contextSize: 512, batchSize: 512, threads, sequences: 1, flashAttention: false, experimentalKvCacheKeyType: 'F32', experimentalKvCacheValueType: 'F32' });
  const seq = ctx.getSequence() as unknown as {
    evaluateWithoutGeneratingNewTokens(t: number[]): Promise<void>;
    evaluate(t: number[], o: Record<string, unknown>): AsyncGenerator<number>;
    clearHistory(): Promise<void>;
  };
  // warm-up
  await seq.evaluateWithoutGeneratingNewTokens(prompt.slice(0, 8));
  await seq.clearHistory();
  const t0 = performance.now();
  await seq.evaluateWithoutGeneratingNewTokens(prompt.slice(0, -1));
  const t1 = performance.now();
  let n = 0;
  const t2 = performance.now();
  for await (const _ of seq.evaluate([prompt[prompt.length - 1]], { temperature: 0 })) {
    void _;
    if (++n >= nDecode) break;
  }
  const t3 = performance.now();
  console.log(JSON.stringify({ prefill: (prompt.length - 1) / ((t1 - t0) / 1000), decode: n / ((t3 - t2) / 1000), decoded: n }));
  await ctx.dispose();
  await model.dispose();
  await llama.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
