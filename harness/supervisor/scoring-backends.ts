// Where a checkpoint is scored: the embedded runtime (base loaded once, adapters switched), a
// challenge-protocol server (the trainer's own, at the serving_url it reports, or a fixed one), or
// an OpenAI-compatible server that loads LoRA adapters at run time (vLLM /v1/load_lora_adapter).
import { resolve } from 'node:path';
import type { Backend } from '../../core/backend.js';
import { createBackend, type HttpProtocol } from '../../model/backends/factory.js';
import type { EmbeddedBackend } from '../../model/backends/embedded.js';
import { UserError } from '../../core/errors.js';
import type { CheckpointRef } from './scorer.js';
import type { ScoringBackend } from './checkpoint-eval.js';

export type ScoringBackendFor = (ckpt: CheckpointRef) => Promise<ScoringBackend>;

/** The embedded runtime: one base model in memory, the checkpoint's PEFT adapter swapped in. */
export function embeddedScoring(opts: { base: string; quant: 'nf4' | 'none'; threads?: number }): ScoringBackendFor {
  let backend: Promise<EmbeddedBackend> | null = null;
  return async (ckpt) => {
    backend ??= createBackend({ kind: 'embedded', protocol: 'embedded', model: opts.base, quant: opts.quant, threads: opts.threads });
    const b = await backend;
    // The base itself (scored as "step 0" for a before/after comparison) runs with no adapter.
    await b.setAdapter(resolve(ckpt.path) === resolve(opts.base) ? null : ckpt.path);
    return { backend: b, via: 'embedded' };
  };
}

/** A challenge-protocol server: the URL the trainer reported for this checkpoint, else a fixed one. */
export function servedScoring(opts: { protocol: HttpProtocol; urls: string[] | null; tokenizerPath?: string; modelName?: string }): ScoringBackendFor {
  return async (ckpt) => {
    const urls = ckpt.servingUrl ? [ckpt.servingUrl] : opts.urls;
    if (!urls?.length) throw new UserError(`checkpoint step ${ckpt.step} came with no serving_url and no --server was given`);
    const backend = await createBackend({ kind: 'http', protocol: opts.protocol, urls, tokenizerPath: opts.tokenizerPath, modelName: opts.modelName });
    return { backend, via: ckpt.servingUrl ? 'trainer' : 'server' };
  };
}

/** vLLM-style runtime LoRA loading (the OpenAI backend's loadLoraAdapter): one load per checkpoint, completions under the adapter's name. */
export function openaiLoraScoring(opts: { urls: string[]; tokenizerPath?: string; retries?: number }): ScoringBackendFor {
  const byAdapter = new Map<string, Promise<Backend>>();
  return async (ckpt) => {
    const name = `evalfirst-step-${ckpt.step}`;
    let b = byAdapter.get(name);
    if (!b) {
      b = createBackend({ kind: 'http', protocol: 'openai', urls: opts.urls, tokenizerPath: opts.tokenizerPath, retries: opts.retries, loraAdapter: { name, path: ckpt.path } });
      b.catch(() => byAdapter.delete(name)); // a failed load is tried again at the next look
      byAdapter.set(name, b);
    }
    return { backend: await b, via: 'openai-lora' };
  };
}
