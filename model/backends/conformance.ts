// Conformance checks for a model server, in the order a challenge submission failed them: response
// keys and types, stop sequences (servers that ignored them scored 0 on GSM8K and BIG-bench), no
// more tokens than asked, determinism at temperature 0, /tokenize–/decode round trip and
// truncation, BOS, the model's context and a prompt that fills HELM's window, latency.
import type { Backend } from '../../core/backend.js';
import { DEFAULT_REQUEST, type CompletionRequest } from '../../core/request.js';

/** `warn`: HELM copes, at some cost to fidelity the detail names; only `fail` fails the server. */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'info' | 'skip';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
}

const show = (s: string, max = 60) => JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);

/** Stops that any natural continuation of STOP_PROMPT hits within a few tokens. */
export const STOP_PROMPT = 'Q: List the numbers from one to twenty, separated by commas.\nA: one, two, three,';
export const STOP_SEQUENCES = [',', '\n', '.'];
export const ROUND_TRIP_TEXT = 'The quick brown fox jumps over the lazy dog. 12345';

function request(prompt: string, extra: Partial<CompletionRequest>): CompletionRequest {
  return { ...DEFAULT_REQUEST, prompt, ...extra };
}

async function attempt<T>(name: string, f: () => Promise<T>): Promise<{ value: T } | { failure: CheckResult }> {
  try {
    return { value: await f() };
  } catch (err) {
    return { failure: { name, status: 'fail', detail: (err as Error).message } };
  }
}

export async function checkKeys(backend: Backend): Promise<CheckResult> {
  const name = 'response keys';
  const r = await attempt(name, () => backend.complete(request('The capital of France is', { maxTokens: 8, topKPerToken: 1 })));
  if ('failure' in r) return r.failure;
  const c = r.value;
  const joined = c.tokens.map((t) => t.text).join('');
  const note = joined === c.text ? '' : ` (note: the token texts join to ${show(joined)}, not the text)`;
  return { name, status: 'pass', detail: `text, logprob, request_time, tokens[].text/.logprob/.top_logprob present and typed; answered ${show(c.text)}${note}` };
}

export async function checkStopSequences(backend: Backend): Promise<CheckResult> {
  const name = 'stop sequences';
  const r = await attempt(name, () => backend.complete(request(STOP_PROMPT, { maxTokens: 48, stopSequences: STOP_SEQUENCES })));
  if ('failure' in r) return r.failure;
  const text = r.value.text;
  for (const stop of STOP_SEQUENCES) {
    const at = text.indexOf(stop);
    if (at >= 0) {
      return {
        name,
        status: 'fail',
        detail: `asked to stop at ${JSON.stringify(STOP_SEQUENCES)} but the answer contains ${JSON.stringify(stop)} at character ${at}: ${show(text)}. HELM does not cut answers itself, so GSM8K and BIG-bench would score 0.`,
      };
    }
  }
  return { name, status: 'pass', detail: `answer cut before any of ${JSON.stringify(STOP_SEQUENCES)}: ${show(text)}` };
}

export async function checkDeterminism(backend: Backend): Promise<CheckResult> {
  const name = 'determinism at temperature 0';
  const req = request('Once upon a time, in a small village,', { maxTokens: 24, temperature: 0 });
  const r = await attempt(name, async () => [await backend.complete(req), await backend.complete(req)]);
  if ('failure' in r) return r.failure;
  const [a, b] = r.value;
  if (a.text !== b.text) return { name, status: 'fail', detail: `the same request gave two answers: ${show(a.text)} then ${show(b.text)}` };
  return { name, status: 'pass', detail: `same answer twice: ${show(a.text)}` };
}

export async function checkRoundTrip(backend: Backend): Promise<CheckResult[]> {
  const name = 'tokenize/decode round trip';
  const t = await attempt(name, () => backend.tokenize(ROUND_TRIP_TEXT));
  if ('failure' in t) return [t.failure];
  const d = await attempt(name, () => backend.decode(t.value));
  if ('failure' in d) return [d.failure];
  const results: CheckResult[] = [];
  const decoded = d.value;
  if (decoded === ROUND_TRIP_TEXT) results.push({ name, status: 'pass', detail: `${t.value.length} tokens decode back to the text` });
  else if (decoded.trim() === ROUND_TRIP_TEXT) results.push({ name, status: 'pass', detail: `${t.value.length} tokens decode back to the text up to surrounding spaces (${show(decoded)})` });
  else results.push({ name, status: 'fail', detail: `decode(tokenize(text)) gave ${show(decoded)}, expected ${show(ROUND_TRIP_TEXT)}; prompt truncation would corrupt prompts` });

  const tn = 'truncation';
  const tr = await attempt(tn, () => backend.tokenize(ROUND_TRIP_TEXT, { truncation: true, maxLength: 4 }));
  if ('failure' in tr) results.push(tr.failure);
  else if (tr.value.length > 4) {
    results.push({
      name: tn,
      status: 'warn',
      detail:
        `tokenize with truncation=true, max_length=4 returned ${tr.value.length} tokens: the server ignores truncation, as the organisers' own sample server does; ` +
        "HELM's truncate_from_right then falls back to removing characters one at a time until the prompt fits (same prompts, many more /tokenize calls)",
    });
  }
  else results.push({ name: tn, status: 'pass', detail: `truncation=true, max_length=4 returned ${tr.value.length} tokens` });

  const bn = 'BOS token';
  const other = await attempt(bn, () => backend.tokenize('Zebras graze'));
  if ('failure' in other) results.push(other.failure);
  else {
    const same = t.value.length > 0 && other.value.length > 0 && t.value[0] === other.value[0];
    results.push({
      name: bn,
      status: 'info',
      detail: same
        ? `tokenize adds a BOS token (id ${t.value[0]}) first: HELM counts it in the 2048-token window, as with the sample server`
        : 'tokenize adds no BOS token (two different texts start with different ids)',
    });
  }
  return results;
}

export async function checkMaxNewTokens(backend: Backend): Promise<CheckResult> {
  const name = 'max_new_tokens';
  const limit = 3;
  const r = await attempt(name, () => backend.complete(request('Once upon a time, in a small village by the sea, there lived', { maxTokens: limit })));
  if ('failure' in r) return r.failure;
  const n = r.value.tokens.length;
  if (n > limit) {
    return { name, status: 'fail', detail: `asked for at most ${limit} new tokens, got ${n}: ${show(r.value.text)}. HELM scores the whole text that comes back, so over-long answers change scores.` };
  }
  return { name, status: 'pass', detail: `asked for at most ${limit} new tokens, got ${n}` };
}

/** The model's context as the server reports it, against the window HELM fits prompts into. */
export async function checkContext(backend: Backend): Promise<CheckResult> {
  const name = 'model context';
  const window = backend.maxSequenceLength;
  if (!backend.contextLength) return { name, status: 'info', detail: `this backend cannot report the model's context; HELM's window is ${window} tokens` };
  let context: number | null;
  try {
    context = await backend.contextLength();
  } catch (err) {
    return { name, status: 'warn', detail: `asking the server for its context failed: ${(err as Error).message}` };
  }
  if (context === null) return { name, status: 'info', detail: `the server does not report its context (no GET /info max_sequence_length, an evalfirst extension); HELM's window is ${window} tokens` };
  if (context < window) {
    return {
      name,
      status: 'warn',
      detail: `the model takes ${context} tokens (prompt + generated), less than HELM's ${window}-token window: HELM would send prompts it cannot take (evalfirst fits prompts to ${context})`,
    };
  }
  return { name, status: 'info', detail: `the model takes ${context} tokens (prompt + generated); HELM's window is ${window} tokens` };
}

/**
 * The longest prefix of `text` (in characters) that tokenizes to at most `maxTokens` tokens, by
 * bisection on the server's own /tokenize; with its token count.
 */
export async function prefixWithin(backend: Backend, text: string, maxTokens: number): Promise<{ text: string; tokens: number }> {
  let lo = 0;
  let hi = text.length;
  let best = { text: '', tokens: (await backend.tokenize('')).length };
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const candidate = text.slice(0, mid);
    const n = (await backend.tokenize(candidate)).length;
    if (n <= maxTokens) {
      best = { text: candidate, tokens: n };
      lo = mid;
    } else hi = mid - 1;
  }
  return best;
}

/** Filler text of about `tokens` tokens or more (counted by the server). */
async function fillerOf(backend: Backend, tokens: number): Promise<string> {
  const unit = `${ROUND_TRIP_TEXT} `;
  const perUnit = Math.max(1, (await backend.tokenize(unit.repeat(8))).length / 8);
  return unit.repeat(Math.ceil((tokens * 1.25) / perUnit) + 2);
}

/**
 * The longest request HELM sends: a prompt that fills its window with max_tokens = 1 (HELM fits a
 * prompt while tokens + max_tokens <= window). A server that rejects it fails every long prompt.
 */
export async function checkHelmWindow(backend: Backend): Promise<CheckResult> {
  const name = "HELM's longest prompt";
  const window = backend.maxSequenceLength;
  const maxTokens = 1;
  const built = await attempt(name, async () => prefixWithin(backend, await fillerOf(backend, window), window - maxTokens));
  if ('failure' in built) return { name, status: 'skip', detail: `needs /tokenize to build the prompt: ${built.failure.detail}` };
  const { text, tokens } = built.value;
  const r = await attempt(name, () => backend.complete(request(text, { maxTokens })));
  if ('failure' in r) {
    const context = await backend.contextLength?.().catch(() => null);
    const reported = context == null ? 'the server does not report its context' : `the server reports a context of ${context} tokens`;
    return {
      name,
      status: 'fail',
      detail: `a prompt of ${tokens} tokens + max_tokens ${maxTokens} = ${tokens + maxTokens} tokens (HELM's ${window}-token window) was rejected (${reported}): ${r.failure.detail}`,
    };
  }
  const n = r.value.tokens.length;
  if (n > maxTokens) return { name, status: 'fail', detail: `a prompt of ${tokens} tokens with max_tokens ${maxTokens} came back with ${n} tokens` };
  return { name, status: 'pass', detail: `a prompt of ${tokens} tokens + max_tokens ${maxTokens} (HELM's ${window}-token window) answered` };
}

export async function checkLatency(backend: Backend, samples = 3): Promise<CheckResult> {
  const name = 'latency';
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    const r = await attempt(name, () => backend.complete(request(`Say a word. ${i}`, { maxTokens: 1 })));
    if ('failure' in r) return r.failure;
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { name, status: 'info', detail: `one-token request: median ${times[Math.floor(times.length / 2)].toFixed(1)} ms over ${samples} (min ${times[0].toFixed(1)}, max ${times[times.length - 1].toFixed(1)})` };
}

export async function checkTopK(backend: Backend): Promise<CheckResult> {
  const name = 'top_k_per_token';
  const r = await attempt(name, () => backend.complete(request('Answer with one letter. A, B, C or D?\nAnswer:', { maxTokens: 1, topKPerToken: 5 })));
  if ('failure' in r) return r.failure;
  const n = r.value.tokens[0] ? Object.keys(r.value.tokens[0].topLogprobs).length : 0;
  return { name, status: 'info', detail: `asked for 5 top logprobs, got ${n} (HELM's multiple-choice scoring reads only the text)` };
}

/** Every check, in order; a check that cannot reach the server fails with the reason. */
export async function checkServer(backend: Backend): Promise<CheckResult[]> {
  const results: CheckResult[] = [await checkKeys(backend)];
  results.push(await checkStopSequences(backend));
  results.push(await checkMaxNewTokens(backend));
  results.push(await checkDeterminism(backend));
  results.push(...(await checkRoundTrip(backend)));
  results.push(await checkContext(backend));
  results.push(await checkHelmWindow(backend));
  results.push(await checkTopK(backend));
  results.push(await checkLatency(backend));
  return results;
}
