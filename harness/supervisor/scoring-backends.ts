// Where a checkpoint is scored: the embedded runtime (base loaded once, adapters switched), a
// challenge-protocol server (the trainer's own, at the serving_url it reports, or a fixed one), an
// OpenAI-compatible server that loads LoRA adapters at run time (vLLM /v1/load_lora_adapter), or,
// for a saved checkpoint nothing serves any more, integrations/scoring_server.py started on it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Backend } from '../../core/backend.js';
import { createBackend, type HttpProtocol } from '../../model/backends/factory.js';
import type { EmbeddedBackend } from '../../model/backends/embedded.js';
import { UserError } from '../../core/errors.js';
import type { CheckpointRef } from './scorer.js';
import type { ScoringBackend } from './checkpoint-eval.js';
import { pythonCannotServe, scoringServerCommand, startScoringServer, type ScoringServerProcess } from './scoring-server-process.js';

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

/** A way to score saved checkpoints, holding at most one of them at a time. */
export interface SavedCheckpointScoring {
  backendFor: ScoringBackendFor;
  /** Frees what scoring the last checkpoint holds (a server process and its GPU memory). */
  release(): Promise<void>;
}

/** The model a saved checkpoint makes with the base: the base plus its peft adapter, or itself (a full fine-tune). */
export function checkpointModel(path: string, base: string): { base: string; adapter: string | null } {
  if (resolve(path) === resolve(base)) return { base, adapter: null };
  if (existsSync(join(path, 'adapter_config.json'))) return { base, adapter: path };
  if (existsSync(join(path, 'config.json'))) return { base: path, adapter: null };
  throw new UserError(`checkpoint ${path} holds neither a peft adapter (adapter_config.json) nor a model (config.json)`);
}

/**
 * integrations/scoring_server.py started by the supervisor on each saved checkpoint it is asked
 * for (the previous one stopped first), answering over the challenge protocol.
 */
export function scoringServerScoring(opts: { command: string; base: string; logPath?: string; log(line: string): void; startTimeoutMs?: number }): SavedCheckpointScoring {
  let current: { key: string; ready: Promise<{ proc: ScoringServerProcess; backend: Backend }> } | null = null;
  const release = async () => {
    const held = current;
    current = null;
    if (!held) return;
    const r = await held.ready.catch(() => null);
    if (!r) return;
    await r.proc.stop();
    opts.log(`scoring server (pid ${r.proc.pid}) stopped`);
  };
  const start = async (ckpt: CheckpointRef) => {
    const model = checkpointModel(ckpt.path, opts.base);
    const t0 = performance.now();
    opts.log(`scoring server: starting on ${model.base}${model.adapter ? ` + ${model.adapter}` : ''} (step ${ckpt.step})`);
    const proc = await startScoringServer({ command: opts.command, ...model, logPath: opts.logPath, startTimeoutMs: opts.startTimeoutMs });
    opts.log(`scoring server: ready at ${proc.url} (pid ${proc.pid}, context ${proc.maxSequenceLength} tokens) in ${((performance.now() - t0) / 1000).toFixed(1)}s`);
    const backend = await createBackend({ kind: 'http', protocol: 'neurips', urls: [proc.url] });
    return { proc, backend };
  };
  return {
    release,
    backendFor: async (ckpt) => {
      const key = `${ckpt.step}\n${ckpt.path}`;
      if (current?.key !== key) {
        await release();
        const ready = start(ckpt);
        current = { key, ready };
        ready.catch(() => {
          if (current?.key === key) current = null; // a failed start is tried again on the next ask
        });
      }
      return { backend: (await current.ready).backend, via: 'scoring-server' };
    },
  };
}

export type FinalEvalWith = 'auto' | 'server' | 'embedded';

/** Weights the embedded runtime scores a full suite on in reasonable time on a CPU (auto's limit). */
export const EMBEDDED_FINAL_EVAL_MAX_BYTES = 1 << 30;

/** Bytes of weights in a model folder (or a .gguf file). */
export function weightBytes(model: string): number {
  const st = statSync(model);
  if (!st.isDirectory()) return st.size;
  return readdirSync(model)
    .filter((f) => /\.(safetensors|gguf|bin)$/.test(f))
    .reduce((sum, f) => sum + statSync(join(model, f)).size, 0);
}

export interface SavedScoringOptions {
  with: FinalEvalWith;
  base: string;
  quant: 'nf4' | 'none';
  /** The interpreter for scoring_server.py (default command), probed by `auto`. */
  python: string;
  /** The user's command instead of `python integrations/scoring_server.py`. */
  command?: string;
  runDir: string;
  log(line: string): void;
}

/**
 * Scoring of saved checkpoints nothing serves any more (an earlier best at the end, the baseline):
 * `server` starts integrations/scoring_server.py on each; `embedded` uses the embedded runtime;
 * `auto` (decided on first use) the server when the interpreter imports torch, transformers and
 * peft (or a command was given), else the embedded runtime for a base of at most 1 GiB of weights.
 */
export function savedScoring(o: SavedScoringOptions): SavedCheckpointScoring {
  let chosen: SavedCheckpointScoring | null = null;
  const choose = (): SavedCheckpointScoring => {
    const { kind, note } = savedScoringKind(o);
    if (note) o.log(note);
    if (kind === 'embedded') return { backendFor: embeddedScoring({ base: o.base, quant: o.quant }), release: async () => undefined };
    return scoringServerScoring({ command: o.command ?? scoringServerCommand(o.python), base: o.base, logPath: join(o.runDir, 'scoring-server.log'), log: o.log });
  };
  return {
    backendFor: (ckpt) => (chosen ??= choose()).backendFor(ckpt),
    release: async () => chosen?.release(),
  };
}

/** What `auto` resolves to (probing the interpreter), with a line for the log when it is not the server. */
export function savedScoringKind(o: Pick<SavedScoringOptions, 'with' | 'base' | 'python' | 'command'>, maxEmbeddedBytes = EMBEDDED_FINAL_EVAL_MAX_BYTES): { kind: 'server' | 'embedded'; note?: string } {
  if (o.with !== 'auto') return { kind: o.with };
  if (o.command) return { kind: 'server' };
  const why = pythonCannotServe(o.python, true);
  if (!why) return { kind: 'server' };
  const bytes = weightBytes(o.base);
  if (bytes > maxEmbeddedBytes) {
    throw new UserError(
      `cannot score saved checkpoints: ${why}, and the base ${o.base} (${(bytes / 2 ** 30).toFixed(2)} GiB of weights) is too large for the embedded runtime; ` +
        'give --python PATH (torch, transformers, peft), --scoring-server-cmd "CMD", or --final-eval-with embedded',
    );
  }
  return { kind: 'embedded', note: `saved checkpoints are scored on the embedded runtime (${why})` };
}
