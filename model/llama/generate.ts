// The generation loop: batched prefill of the prompt, then one token at a time through the KV
// cache; per-token logprob and top-k logprobs; prompt logprobs when echoing (log-likelihood
// scoring); stop at max tokens, EOS, or a stop sequence found in the decoded text (the text is cut
// before it and only the tokens that lie wholly before it are kept, as HELM's truncate_sequence).
import { performance } from 'node:perf_hooks';
import { logSumExp } from '../../kernels/index.js';
import type { LlamaModel } from './model.js';
import { Rng } from './rng.js';
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

export function generate(model: LlamaModel, promptIds: number[], o: GenerateOptions): GenerateResult {
  const V = model.config.vocabSize;
  const k = o.topLogprobs ?? 0;
  const stops = o.stopSequences ?? [];
  if (stops.some((s) => s.length > 0) && !o.decode) throw new Error('generate: stop sequences need a decoder');
  const eos = new Set(o.stopAtEos === false ? [] : model.config.eosIds);
  const rng = new Rng(o.seed ?? 0);
  const cache = model.newCache(Math.min(model.config.maxSeqLen, promptIds.length + o.maxNewTokens));
  const t0 = performance.now();
  const promptSteps: TokenStep[] = [];
  let logits: Float32Array;
  if (o.echo) {
    const all = model.forward(cache, promptIds, 'all');
    promptSteps.push({ id: promptIds[0], logprob: 0, top: [] });
    for (let i = 1; i < promptIds.length; i++) promptSteps.push(step(all.subarray((i - 1) * V, i * V), promptIds[i], k));
    logits = all.subarray((promptIds.length - 1) * V);
  } else {
    logits = model.forward(cache, promptIds, 'last');
  }
  const t1 = performance.now();
  const steps: TokenStep[] = [];
  let finish: GenerateResult['finish'] = 'length';
  let text: string | null = o.decode ? '' : null;
  while (steps.length < o.maxNewTokens) {
    const id = sampleToken(logits, o, rng);
    if (eos.has(id)) {
      finish = 'eos';
      break;
    }
    steps.push(step(logits, id, k));
    if (o.onToken && o.onToken(id) === false) {
      finish = 'aborted';
      break;
    }
    if (o.decode && stops.length > 0) {
      const full = o.decode(steps.map((s) => s.id));
      const at = findStop(full, stops);
      if (at >= 0) {
        finish = 'stop';
        text = full.slice(0, at);
        // keep only the tokens whose text lies wholly before the stop sequence
        let keep = 0;
        while (keep < steps.length && o.decode(steps.slice(0, keep + 1).map((s) => s.id)).length <= at) keep++;
        steps.length = keep;
        break;
      }
    }
    if (steps.length >= o.maxNewTokens) break;
    logits = model.forward(cache, [id], 'last');
  }
  if (o.decode && finish !== 'stop') text = o.decode(steps.map((s) => s.id));
  const t2 = performance.now();
  return { promptIds, promptSteps, steps, text, finish, prefillSeconds: (t1 - t0) / 1000, decodeSeconds: (t2 - t1) / 1000 };
}
