// evalfirst vs llama.cpp (node-llama-cpp 3.21.1, CPU, F32 KV cache, plain attention) on the same
// seeded GGUFs, against golden values recorded by `npm run parity` (bench/parity/run.ts).
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareWithGolden } from '../../../bench/parity/compare.js';
import { TOKENIZER_TEXTS, GOLDEN_PATH, GREEDY_TOKENS, PARITY_CONFIG, parityPrompt, writeParityModel, type ParityGolden, type ParityVariant } from '../../../bench/parity/spec.js';
import { GGUFFile } from '../../../model/formats/gguf.js';
import { spmTokenizerFromGGUF } from '../../../model/tokenizer/spm-tokenizer.js';
import { generate } from '../../../model/llama/generate.js';
import { loadGGUFModel } from '../../../model/llama/gguf-checkpoint.js';
import { LlamaModel } from '../../../model/llama/llama-model.js';
import { placeWeightsForKernels } from '../../../model/llama/kernel-placement.js';
import { kernelBackend } from '../../../kernels/index.js';

describe('parity with llama.cpp (golden values)', () => {
  let dir: string;
  const golden = JSON.parse(readFileSync(fileURLToPath(GOLDEN_PATH), 'utf8')) as ParityGolden;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'ef-parity-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('golden file matches the parity model spec (GQA 8 heads / 2 KV heads)', () => {
    expect(golden.config).to.deep.equal(PARITY_CONFIG);
    expect(golden.prompt).to.deep.equal(parityPrompt());
    expect(golden.peer).to.match(/node-llama-cpp@3\.21\.1/);
    expect(PARITY_CONFIG.nHeads / PARITY_CONFIG.nKvHeads).to.equal(4);
  });

  it('the GGUF tokenizer reproduces llama.cpp\'s tokenization of the parity vocabulary', () => {
    const path = join(dir, 'parity-tok.gguf');
    writeParityModel(path, 'F32');
    const f = GGUFFile.open(path);
    const tok = spmTokenizerFromGGUF(f);
    f.close();
    expect(golden.tokenizer.map((t) => t.text)).to.deep.equal(TOKENIZER_TEXTS);
    for (const { text, ids } of golden.tokenizer) expect(tok.encode(text, false), text).to.deep.equal(ids);
  });

  // Q8_0/Q4_0: llama.cpp quantizes each activation row to Q8_0 and so do our kernels. Float noise
  // of ~1e-7 (the wasm kernels sum a block's products in SIMD lanes before scaling, llama.cpp's
  // AVX2 code fuses lanes differently again) can move one activation across a rounding boundary;
  // that shifts a later log-prob by a few 1e-2 (measured up to 2.8e-2, wasm Q4_0) while the JS
  // kernels, which follow ggml's scalar order, stay within ~1e-5. The greedy ids must not change.
  const greedyTol: Record<ParityVariant, number> = { F32: 1e-4, Q8_0: 5e-2, Q4_0: 5e-2 };
  for (const [v, kernelsPath] of (['F32', 'Q8_0', 'Q4_0'] as ParityVariant[]).flatMap((x) => [[x, 'JS'], [x, 'wasm']] as const)) {
    it(`${v} (${kernelsPath} kernels): prompt log-probs within 1e-4 and identical greedy continuation of ${GREEDY_TOKENS} tokens`, () => {
      const path = join(dir, `parity-${v}-${kernelsPath}.gguf`);
      expect(writeParityModel(path, v), 'rebuilt GGUF is byte-identical to the one recorded').to.equal(golden.variants[v].sha256);
      const { config, weights } = loadGGUFModel(path);
      if (kernelsPath === 'wasm') {
        expect(kernelBackend().backend, 'WebAssembly kernels available').to.equal('wasm');
        expect(placeWeightsForKernels(weights).kept).to.equal(0);
      }
      const r = compareWithGolden(new LlamaModel(config, weights), golden, v, generate);
      expect(r.maxPromptDiff).to.be.lessThan(1e-4);
      expect(r.greedy).to.deep.equal(golden.variants[v].greedy);
      expect(r.sameGreedy).to.equal(GREEDY_TOKENS);
      expect(r.maxGreedyDiff).to.be.lessThan(greedyTol[v]);
    });
  }
});
