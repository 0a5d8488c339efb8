// Where a checkpoint is scored: the embedded runtime (base loaded once, adapters switched), a
// challenge-protocol server (the trainer's own, at the serving_url it reports, or a fixed one), or
// an OpenAI-compatible server that loads LoRA adapters at run time (vLLM /v1/load_lora_adapter).
import { resolve } from 'node:path';
import type { Backend } from '../../core/backend.js';
import { createHttpBackend, type Protocol } from '../../model/backends/create.js';
import { UserError } from '../../core/errors.js';
import type { CheckpointRef } from './scorer.js';
import type { EmbeddedBackend } from '../../model/backends/embedded.js';

export type ScoringBackendFor = (ckpt: CheckpointRef) => Promise<Backend>;

/** The embedded runtime: one base model in memory, the checkpoint's PEFT adapter swapped in. */
export function embeddedScoring(opts: { base: string; quant: 'nf4' | 'none'; threads?: number }): ScoringBackendFor {
  let backend: Promise<EmbeddedBackend> | null = null;
  return async (ckpt) => {
    if (!backend) {
      // Loaded only when asked for: the runtime and its kernels are not needed for HTTP scoring.
      const mod = await import('../../model/backends/embedded.js');
      backend = mod.createEmbeddedBackend({ model: opts.base, quant: opts.quant, threads: opts.threads });
    }
    const b = await backend;
    // The base itself (scored as "step 0" for a before/after comparison) runs with no adapter.
    await b.setAdapter(resolve(ckpt.path) === resolve(opts.base) ? null : ckpt.path);
    return b;
  };
}

/** A challenge-protocol server: the URL the trainer reported for this checkpoint, else a fixed one. */
export function servedScoring(opts: { protocol: Protocol; urls: string[] | null; tokenizerPath?: string; modelName?: string }): ScoringBackendFor {
  return async (ckpt) => {
    const urls = ckpt.servingUrl ? [ckpt.servingUrl] : opts.urls;
    if (!urls?.length) throw new UserError(`checkpoint step ${ckpt.step} came with no serving_url and no --server was given`);
    return createHttpBackend({ protocol: opts.protocol, urls, tokenizerPath: opts.tokenizerPath, modelName: opts.modelName });
  };
}

/** vLLM-style runtime LoRA loading: POST /v1/load_lora_adapter, then complete with model = the adapter name. */
export function openaiLoraScoring(opts: { url: string; tokenizerPath?: string }): ScoringBackendFor {
  const loaded = new Set<string>();
  return async (ckpt) => {
    const name = `evalfirst-step-${ckpt.step}`;
    if (!loaded.has(name)) {
      const res = await fetch(`${opts.url.replace(/\/$/, '')}/v1/load_lora_adapter`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ lora_name: name, lora_path: ckpt.path }),
      });
      if (!res.ok) throw new Error(`${opts.url}/v1/load_lora_adapter refused ${ckpt.path}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
      loaded.add(name);
    }
    return createHttpBackend({ protocol: 'openai', urls: [opts.url], modelName: name, tokenizerPath: opts.tokenizerPath });
  };
}
