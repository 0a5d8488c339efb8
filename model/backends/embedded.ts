// The embedded backend: the LLaMA runtime in-process, behind the same Backend interface the
// runner uses for HTTP servers. The base model is loaded once; setAdapter() swaps PEFT LoRA
// adapters without reloading it. Requests run one at a time (the runtime is single-threaded
// JavaScript), each on a fresh KV cache.
import { join, resolve } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { UserError } from '../../core/errors.js';
import { setKernelThreads } from '../../kernels/index.js';
import { generateAsync, type GenerateResult, type TokenStep } from '../llama/generate.js';
import { fileIdentity, loadModel, type LoadedModel } from '../llama/load.js';
import { loadPeftAdapter } from '../lora/peft.js';
import { adapterToKernelMemory, freeAdapterKernelMemory } from '../lora/adapter.js';
import type { Completion, CompletionRequest, GeneratedToken } from '../../core/request.js';
import type { TextTokenizer } from '../tokenizer/tokenizer.js';
import { RequestError, type Backend, type TokenizeOptions } from '../../core/backend.js';

export interface EmbeddedOptions {
  model: string;
  adapter?: string;
  quant?: 'nf4' | 'none';
  threads?: number;
  /** The window prompts are fitted to (HELM's max_sequence_length); at most the model's context, which is the default. */
  maxSequenceLength?: number;
}

export interface EmbeddedBackend extends Backend {
  readonly loaded: LoadedModel;
  setAdapter(dir: string | null): Promise<void>;
}

/**
 * Texts of each token as it extends the decoded sequence, so the pieces concatenate to the text.
 * A byte token that leaves an incomplete UTF-8 character gets '' and the token completing it the
 * whole character.
 */
export function incrementalTexts(tok: TextTokenizer, ids: number[]): string[] {
  const out: string[] = [];
  let emitted = '';
  for (let i = 0; i < ids.length; i++) {
    let cur = tok.decode(ids.slice(0, i + 1));
    if (i < ids.length - 1) cur = cur.replace(/\uFFFD+$/, '');
    if (cur.startsWith(emitted)) {
      out.push(cur.slice(emitted.length));
      emitted = cur;
    } else {
      out.push('');
    }
  }
  return out;
}

function toTokens(tok: TextTokenizer, steps: TokenStep[], texts: string[]): GeneratedToken[] {
  return steps.map((s, i) => {
    const top: Record<string, number> = {};
    for (const [id, lp] of s.top) {
      const t = tok.decode([id]);
      if (!(t in top)) top[t] = lp;
    }
    return { text: texts[i], logprob: s.logprob, topLogprobs: top, id: s.id };
  });
}

/** Runs one challenge-style request on a loaded model. */
export async function completeWith(loaded: LoadedModel, request: CompletionRequest, requestId: string, signal?: AbortSignal): Promise<Completion> {
  const { model, tokenizer } = loaded;
  if (signal?.aborted) throw new RequestError('request aborted before it started', requestId, true);
  const promptIds = tokenizer.encode(request.prompt);
  const room = model.config.maxSeqLen - promptIds.length;
  if (room < 0 || (room < request.maxTokens && !request.echoPrompt)) {
    throw new RequestError(`prompt of ${promptIds.length} tokens + ${request.maxTokens} new tokens exceeds the context of ${model.config.maxSeqLen}`, requestId);
  }
  const t0 = performance.now();
  let r: GenerateResult;
  try {
    r = await generateAsync(model, promptIds, {
      maxNewTokens: Math.min(request.maxTokens, Math.max(0, room)),
      temperature: request.temperature,
      topP: request.topP,
      topK: 0,
      seed: request.seed,
      topLogprobs: Math.max(1, request.topKPerToken),
      echo: request.echoPrompt,
      stopSequences: request.stopSequences,
      decode: (ids) => tokenizer.decode(ids),
    }, signal);
  } catch (e) {
    if (e instanceof UserError) throw new RequestError(e.message, requestId);
    throw e;
  }
  if (r.finish === 'aborted') throw new RequestError('request aborted', requestId, true);
  const genIds = r.steps.map((s) => s.id);
  const genTokens = toTokens(tokenizer, r.steps, incrementalTexts(tokenizer, genIds));
  const text = r.text ?? '';
  let tokens = genTokens;
  let fullText = text;
  if (request.echoPrompt) {
    const promptTokens = toTokens(tokenizer, r.promptSteps, incrementalTexts(tokenizer, promptIds));
    tokens = [...promptTokens, ...genTokens];
    fullText = request.prompt + text;
  }
  return {
    text: fullText,
    logprob: tokens.reduce((s, t) => s + t.logprob, 0),
    tokens,
    requestTime: (performance.now() - t0) / 1000,
  };
}

/** The prompt window: the model's context, or a smaller --max-sequence-length (a larger one could not be served). */
function promptWindow(opts: EmbeddedOptions, loaded: LoadedModel): number {
  const context = loaded.model.config.maxSeqLen;
  if (opts.maxSequenceLength === undefined) return context;
  if (opts.maxSequenceLength > context) throw new UserError(`--max-sequence-length ${opts.maxSequenceLength} exceeds the context of ${loaded.path} (${context} tokens)`);
  return opts.maxSequenceLength;
}

export async function createEmbeddedBackend(opts: EmbeddedOptions): Promise<EmbeddedBackend> {
  if (opts.threads !== undefined) {
    if (!Number.isInteger(opts.threads) || opts.threads < 1) throw new UserError(`threads must be a positive integer, got ${opts.threads}`);
    setKernelThreads(opts.threads);
  }
  const loaded = loadModel(opts.model, opts.quant ?? 'none');
  const baseId = `embedded:${loaded.identity.slice(0, 16)}:quant=${opts.quant ?? 'none'}`;
  let adapterId = 'none';
  let queue: Promise<unknown> = Promise.resolve();
  let counter = 0;
  const serial = <T>(fn: () => T | Promise<T>): Promise<T> => {
    const next = queue.then(async () => {
      await yieldToEventLoop();
      return fn();
    });
    queue = next.catch(() => undefined);
    return next;
  };
  const backend: EmbeddedBackend = {
    loaded,
    get id() {
      return `${baseId}:adapter=${adapterId}`;
    },
    maxSequenceLength: promptWindow(opts, loaded),
    contextLength: async () => promptWindow(opts, loaded),
    complete: (request, signal) => serial(() => completeWith(loaded, request, `embedded-${++counter}`, signal)),
    tokenize: async (text: string, options?: TokenizeOptions) => {
      const ids = loaded.tokenizer.encode(text);
      return options?.truncation && options.maxLength !== undefined ? ids.slice(0, options.maxLength) : ids;
    },
    decode: async (tokens: number[]) => loaded.tokenizer.decode(tokens),
    setAdapter: (dir) =>
      serial(() => {
        // load first: a bad adapter leaves the current one in place
        const read = dir === null ? null : loadPeftAdapter(resolve(dir), loaded.model.config);
        for (const w of read?.warnings ?? []) console.error(`warning: ${w}`);
        const next = read === null ? null : adapterToKernelMemory(read);
        const prev = loaded.model.adapter;
        loaded.model.adapter = next;
        if (prev) freeAdapterKernelMemory(prev);
        adapterId = dir === null ? 'none' : fileIdentity([join(resolve(dir), 'adapter_config.json'), join(resolve(dir), 'adapter_model.safetensors')]).slice(0, 16);
      }),
    close: async () => {
      await queue;
    },
  };
  if (opts.adapter) await backend.setAdapter(opts.adapter);
  return backend;
}
