// `evalfirst generate`: run the embedded runtime on one prompt (text or token ids) and print the
// continuation; with --json, the generated ids, per-position top-K log-probabilities and measured
// prefill/decode speeds (the runtime's counterpart of llama.cpp's CLI, used for parity checks).
import { Command, Option } from 'commander';
import { UserError } from '../../core/errors.js';
import { loadModel } from '../../model/llama/load.js';
import { loadPeftAdapter } from '../../model/lora/peft.js';
import { generate } from '../../model/llama/generate.js';
import { parseNumber } from '../../core/number-flag.js';
import { setKernelThreads } from '../../kernels/index.js';

interface GenerateFlags {
  model: string;
  adapter?: string;
  quant: 'none' | 'nf4';
  prompt?: string;
  tokens?: string;
  maxNewTokens: string;
  temperature: string;
  topP: string;
  topK: string;
  seed: string;
  topLogprobs: string;
  threads?: string;
  eos: boolean;
  json?: boolean;
}


export function command(): Command {
  return new Command('generate')
    .description('generate a continuation with the embedded LLaMA runtime')
    .requiredOption('--model <path>', 'HF model directory or .gguf file')
    .option('--adapter <dir>', 'PEFT LoRA adapter directory')
    .addOption(new Option('--quant <mode>', 'quantize the projections on load').choices(['none', 'nf4']).default('none'))
    .option('--prompt <text>', 'prompt text (BOS is prepended)')
    .option('--tokens <ids>', 'prompt as comma-separated token ids (used as given)')
    .option('--max-new-tokens <n>', 'tokens to generate', '64')
    .option('--temperature <t>', 'sampling temperature (0: greedy)', '0')
    .option('--top-p <p>', 'nucleus sampling mass', '1')
    .option('--top-k <k>', 'sample among the k most likely (0: all)', '0')
    .option('--seed <s>', 'sampling seed', '0')
    .option('--top-logprobs <k>', 'top-K log-probabilities per generated position', '0')
    .option('--threads <n>', 'worker threads for the kernels')
    .option('--no-eos', 'keep generating past the end-of-sequence token')
    .option('--json', 'print one JSON object')
    .action(async (o: GenerateFlags) => {
      if ((o.prompt === undefined) === (o.tokens === undefined)) throw new UserError('give exactly one of --prompt TEXT or --tokens IDS');
      if (o.threads !== undefined) {
        setKernelThreads(parseNumber('--threads', o.threads, { min: 1, integer: true }));
      }
      const loaded = loadModel(o.model, o.quant);
      if (o.adapter) {
        loaded.model.adapter = loadPeftAdapter(o.adapter, loaded.model.config);
        for (const w of loaded.model.adapter.warnings ?? []) console.error(`warning: ${w}`);
      }
      let ids: number[];
      if (o.tokens !== undefined) {
        ids = o.tokens.split(',').map((s) => s.trim()).filter(Boolean).map((s) => parseNumber('--tokens', s, { min: 0, integer: true }));
        if (ids.length === 0) throw new UserError('--tokens: no token ids given');
      } else ids = loaded.tokenizer.encode(o.prompt!);
      const k = parseNumber('--top-logprobs', o.topLogprobs, { min: 0, integer: true });
      const r = generate(loaded.model, ids, {
        maxNewTokens: parseNumber('--max-new-tokens', o.maxNewTokens, { min: 0, integer: true }),
        temperature: parseNumber('--temperature', o.temperature, { min: 0 }),
        topP: parseNumber('--top-p', o.topP, { min: 0 }),
        topK: parseNumber('--top-k', o.topK, { min: 0, integer: true }),
        seed: parseNumber('--seed', o.seed, { min: 0, integer: true }),
        topLogprobs: k,
        stopAtEos: o.eos,
        decode: (x) => loaded.tokenizer.decode(x),
      });
      const out = r.steps.map((s) => s.id);
      const prefill = ids.length / r.prefillSeconds;
      // the first generated token comes out of the prefill; each later one costs one decode step
      const decode = out.length > 1 ? (out.length - 1) / r.decodeSeconds : 0;
      if (o.json) {
        console.log(
          JSON.stringify({
            prompt_ids: ids,
            ids: out,
            text: r.text,
            top_logprobs: r.steps.map((s) => Object.fromEntries(s.top.map(([id, lp]) => [String(id), lp]))),
            logprobs: r.steps.map((s) => s.logprob),
            finish: r.finish,
            prefill_tokens_per_s: prefill,
            decode_tokens_per_s: decode,
          }),
        );
      } else {
        console.log(r.text);
        console.error(`[${ids.length} prompt tokens at ${prefill.toFixed(1)} tok/s, ${out.length} generated at ${decode.toFixed(1)} tok/s, finish: ${r.finish}]`);
      }
    });
}
