// The generation loop: batched prefill of the prompt, then one token at a time through the KV
// cache; per-token logprob and top-k logprobs; prompt logprobs when echoing (log-likelihood
// scoring); stop at max tokens, EOS, or a stop sequence found in the decoded text (the text is cut
// before it and only the tokens that lie wholly before it are kept, as HELM's truncate_sequence).
import { performance } from 'node:perf_hooks';
import { logSumExp } from '../../kernels/index.js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { KVCache, LlamaModel } from './llama-model.js';
import { Rng } from '../../kernels/rng.js';
import { sampleToken, tokenLogprob, topLogprobs, type SamplingParams } from './sampling.js';

export interface GenerateOptions extends SamplingParams {
  maxNewTokens: number;
  seed?: number;
  /** Top-k log-probabilities to report per position (0: none). */
  topLogprobs?: number;
  /** Score the prompt tokens too (logprob of each given the ones before it). */
  echo?: boolean;
  stopSequences?: string[];
  /** Ends generation at the model's EOS (default true); the EOS token is not returned. */
  stopAtEos?: boolean;
  /** Needed for stop sequences: ids → text. */
  decode?: (ids: number[]) => string;
  /** Called after each generated token; return false to stop (e.g. on abort). */
  onToken?: (id: number) => boolean | void;
}

export interface TokenStep {
  id: number;
  logprob: number;
  top: Array<[number, number]>;
}

export interface GenerateResult {
  promptIds: number[];
  /** With echo: one step per prompt token (the first has logprob 0 and no alternatives). */
  promptSteps: TokenStep[];
  steps: TokenStep[];
  /** Decoded text of `steps` (cut before a stop sequence), when a decoder was given. */
  text: string | null;
  finish: 'length' | 'eos' | 'stop' | 'aborted';
  prefillSeconds: number;
  decodeSeconds: number;
}

function step(logits: Float32Array, id: number, k: number): TokenStep {
  const lse = logSumExp(logits, logits.length);
  return { id, logprob: tokenLogprob(logits, id, lse), top: topLogprobs(logits, k, lse) };
}

/** Earliest occurrence of any stop sequence in text, or -1. */
export function findStop(text: string, stops: readonly string[]): number {
  let at = -1;
  for (const s of stops) {
    if (s.length === 0) continue;
    const i = text.indexOf(s);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  return at;
}

/**
 * One generation as a stepper: prefill() once, then next() per token until it returns false, then
 * result(). generate() drives it synchronously; generateAsync() yields to the event loop between
 * tokens so a server stays responsive and can abort a request mid-generation.
 */
export class Generation {
  private readonly V: number;
  private readonly k: number;
  private readonly stops: string[];
  private readonly eos: Set<number>;
  private readonly rng: Rng;
  private readonly cache: KVCache;
  private readonly promptSteps: TokenStep[] = [];
  private readonly steps: TokenStep[] = [];
  private logits: Float32Array | null = null;
  private finish: GenerateResult['finish'] | null = null;
  private text: string | null = null;
  private t0 = 0;
  private t1 = 0;
  private t2 = 0;

  constructor(
    private readonly model: LlamaModel,
    private readonly promptIds: number[],
    private readonly o: GenerateOptions,
  ) {
    this.V = model.config.vocabSize;
    this.k = o.topLogprobs ?? 0;
    this.stops = o.stopSequences ?? [];
    if (this.stops.some((s) => s.length > 0) && !o.decode) throw new Error('generate: stop sequences need a decoder');
    this.eos = new Set(o.stopAtEos === false ? [] : model.config.eosIds);
    this.rng = new Rng(o.seed ?? 0);
    this.cache = model.newCache(Math.min(model.config.maxSeqLen, promptIds.length + o.maxNewTokens));
  }

  /** Runs the prompt through the model (scoring it when echoing). */
  prefill(): void {
    const { model, promptIds, V, k } = this;
    this.t0 = performance.now();
    if (this.o.echo) {
      const all = model.forward(this.cache, promptIds, 'all');
      this.promptSteps.push({ id: promptIds[0], logprob: 0, top: [] });
      for (let i = 1; i < promptIds.length; i++) this.promptSteps.push(step(all.subarray((i - 1) * V, i * V), promptIds[i], k));
      this.logits = all.subarray((promptIds.length - 1) * V);
    } else {
      this.logits = model.forward(this.cache, promptIds, 'last');
    }
    this.t1 = performance.now();
    if (this.o.maxNewTokens <= 0) this.finish = 'length';
  }

  /** Chooses one more token; false once generation has finished. */
  next(): boolean {
    if (this.finish !== null) return false;
    if (this.logits === null) throw new Error('Generation.next before prefill');
    const { o, steps } = this;
    const id = sampleToken(this.logits, o, this.rng);
    if (this.eos.has(id)) return this.end('eos');
    steps.push(step(this.logits, id, this.k));
    if (o.onToken && o.onToken(id) === false) return this.end('aborted');
    if (o.decode && this.stops.length > 0) {
      const full = o.decode(steps.map((s) => s.id));
      const at = findStop(full, this.stops);
      if (at >= 0) {
        this.text = full.slice(0, at);
        // keep only the tokens whose text lies wholly before the stop sequence
        let keep = 0;
        while (keep < steps.length && o.decode(steps.slice(0, keep + 1).map((s) => s.id)).length <= at) keep++;
        steps.length = keep;
        return this.end('stop');
      }
    }
    if (steps.length >= o.maxNewTokens) return this.end('length');
    this.logits = this.model.forward(this.cache, [id], 'last');
    return true;
  }

  /** Stops early (e.g. the client went away). */
  abort(): void {
    if (this.finish === null) this.end('aborted');
  }

  private end(why: GenerateResult['finish']): false {
    this.finish = why;
    return false;
  }

  result(): GenerateResult {
    if (this.finish === null) throw new Error('Generation.result before it finished');
    const { o, steps } = this;
    if (o.decode && this.finish !== 'stop') this.text = o.decode(steps.map((s) => s.id));
    this.t2 = performance.now();
    return {
      promptIds: this.promptIds,
      promptSteps: this.promptSteps,
      steps,
      text: this.text,
      finish: this.finish,
      prefillSeconds: (this.t1 - this.t0) / 1000,
      decodeSeconds: (this.t2 - this.t1) / 1000,
    };
  }
}

export function generate(model: LlamaModel, promptIds: number[], o: GenerateOptions): GenerateResult {
  const g = new Generation(model, promptIds, o);
  g.prefill();
  while (g.next());
  return g.result();
}

/** generate(), yielding to the event loop every `yieldEvery` tokens; `signal` aborts between tokens. */
export async function generateAsync(model: LlamaModel, promptIds: number[], o: GenerateOptions, signal?: AbortSignal, yieldEvery = 4): Promise<GenerateResult> {
  const g = new Generation(model, promptIds, o);
  g.prefill();
  for (let n = 1; g.next(); n++) {
    if (n % yieldEvery === 0) {
      await yieldToEventLoop();
      if (signal?.aborted) g.abort();
    }
  }
  return g.result();
}
