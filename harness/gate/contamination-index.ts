// An index of evaluation texts for contamination checks of training rows.
//
// Three kinds of match, checked in this order for each training row:
//  - "exact": a field of the row (prompt, completion, instruction, input, output, text), normalised,
//    equals an evaluation text (question/passage or reference) of at least MIN_EXACT_TOKENS tokens;
//  - "13-gram": the row shares 13-token normalised n-grams with an evaluation text (GPT-3's test)
//    and those shared n-grams cover at least `minCoverage` of that text's tokens (PaLM's refinement:
//    one shared 13-gram of template wording is not a copy; a copy, or a copy with a word changed,
//    covers most of the text);
//  - "short": an evaluation text of MIN_SHORT_TOKENS..12 tokens (too short for a 13-gram) appears
//    whole, as a contiguous token span, inside the row (GPT-3 flags such short examples whole).
// Thresholds keep one-word answers ("Paris", "4") from matching everything.
//
// Template n-grams: a 13-gram found in more than `maxInstancesPerNgram` distinct eval instances is
// benchmark boilerplate (MMLU's "Find the degree for the given field extension ..."), not a
// fingerprint of one instance: it never makes a text a candidate on its own (as GPT-3 ignored
// 13-grams common to many training documents). Once a row shares an instance-unique 13-gram with a
// text, coverage counts every 13-gram of that text found in the row, template ones included.
// Measured on the real MMLU/GSM8K/TruthfulQA eval sets, a row "Q: <question>\nA:" is flagged for
// every question of ≥ 13 tokens but 6 (MMLU items whose long passage several questions share, so
// every 13-gram is a template one); questions under 6 tokens are left to exact matching.
import { normalizeTokens } from './normalize.js';
import { prefixHashes, spanKey, tokenHashes, type PrefixHashes } from './ngram-hash.js';

export const NGRAM = 13;

/** A training row normalised once: all fields' tokens joined, prefix-hashed, with each field's span. */
export interface PreparedRow {
  all: string[];
  p: PrefixHashes;
  fields: { name: string; start: number; len: number }[];
}

export function prepareRow(fields: Record<string, string>): PreparedRow {
  const all: string[] = [];
  const spans: PreparedRow['fields'] = [];
  for (const [name, text] of Object.entries(fields)) {
    const tokens = normalizeTokens(text);
    spans.push({ name, start: all.length, len: tokens.length });
    for (const t of tokens) all.push(t);
  }
  return { all, p: prefixHashes(all), fields: spans };
}

/**
 * Key of a row's normalised content, field names included (a prompt is not an output): per-field
 * span keys folded with the field name's hash into two 32-bit lanes.
 */
export function preparedContentKey(row: PreparedRow): number {
  let a = 0x2545f491;
  let b = 0x6a09e667;
  for (const f of row.fields) {
    const k = spanKey(row.p, f.start, f.len);
    const lo = k % 4294967296;
    const hi = Math.floor(k / 4294967296);
    const [na, nb] = tokenHashes(f.name);
    a = Math.imul(a ^ lo ^ na, 0x9e3779b1) + f.len;
    b = Math.imul(b ^ hi ^ nb, 0x85ebca6b) + f.len;
    a ^= a >>> 15;
    b ^= b >>> 13;
  }
  return ((a >>> 0) >>> 11) * 4294967296 + (b >>> 0);
}
export const MIN_EXACT_TOKENS = 5;
export const MIN_SHORT_TOKENS = 6;
/**
 * PaLM used 70 % of 8-grams. 0.8 of the tokens covered by shared 13-grams separates mini-BBQ
 * template-mates with two changed slots (22-token passages, coverage ≤ 0.77) from copies; one word
 * changed in a question of n tokens leaves coverage ≥ (n − 13)/n (≥ 0.8 from 65 tokens; more when
 * the change is not 12 tokens from an end).
 */
export const DEFAULT_MIN_COVERAGE = 0.8;

export interface EvalText {
  benchmark: string;
  instanceId: string;
  field: 'input' | 'reference';
  text: string;
  /** The run spec it came from (names the MMLU subject, where instance ids alone repeat). */
  run?: string;
}

export type MatchKind = 'exact' | '13-gram' | 'short';

export interface ContaminationHit {
  kind: MatchKind;
  evalText: EvalText;
  /** The matching normalised tokens (the n-gram, the short text, or the whole field). */
  match: string;
  /** The row field the match was found in ("row" for n-gram checks over the joined row). */
  field: string;
  /** Fraction of the eval text's tokens covered by shared n-grams (1 for exact and short matches). */
  coverage?: number;
}

/** Size of the union of [s, s+len) over the given starts. */
export function coveredTokens(starts: number[], len: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let covered = 0;
  let end = -1;
  for (const s of sorted) {
    const from = Math.max(s, end);
    if (s + len > from) covered += s + len - from;
    end = Math.max(end, s + len);
  }
  return covered;
}

export interface IndexOptions {
  /** Drop 13-grams shared by more than this many eval instances (default 1: instance-unique only). */
  maxInstancesPerNgram?: number;
  /** Fraction of an eval text's tokens the shared 13-grams must cover (default 0.8; 0 = any shared 13-gram, GPT-3's rule). */
  minCoverage?: number;
}

/** ngram map value: eval text index and token position, packed. */
const POS_BITS = 2 ** 20;

export class ContaminationIndex {
  private readonly texts: EvalText[] = [];
  private readonly instanceOf: number[] = [];
  private readonly instanceIds = new Map<string, number>();
  /** n-gram key → distinct eval instances containing it, for keys seen in more than one. */
  private readonly sharedCount = new Map<number, number>();
  private readonly maxInstancesPerNgram: number;
  readonly minCoverage: number;
  private readonly lengths: number[] = [];
  private finalized = false;
  droppedTemplateNgrams = 0;

  constructor(opts: IndexOptions = {}) {
    this.maxInstancesPerNgram = opts.maxInstancesPerNgram ?? 1;
    this.minCoverage = opts.minCoverage ?? DEFAULT_MIN_COVERAGE;
  }
  /** Normalised eval texts padded with spaces, for verifying hash hits. */
  private readonly padded: string[] = [];
  private readonly ngrams = new Map<number, number>();
  private readonly exact = new Map<number, number>();
  /** Whole-text key → first text index, for texts of 13 tokens or more. */
  private readonly wholeTexts = new Map<number, number>();
  /** Short texts by the key of their first MIN_SHORT_TOKENS tokens: one lookup per row position. */
  private readonly shortByPrefix = new Map<number, number[]>();
  /** Key of the whole short text, by text index. */
  private readonly shortKey = new Map<number, number>();

  get size(): { texts: number; ngrams: number; exact: number; short: number } {
    return { texts: this.texts.length, ngrams: this.ngrams.size, exact: this.exact.size, short: this.shortKey.size };
  }

  add(t: EvalText): void {
    if (this.finalized) throw new Error('ContaminationIndex: add() after check()');
    const tokens = normalizeTokens(t.text);
    if (tokens.length === 0) return;
    const idx = this.texts.length;
    const instKey = `${t.benchmark}\u0000${t.run ?? ''}\u0000${t.instanceId}`;
    let inst = this.instanceIds.get(instKey);
    if (inst === undefined) this.instanceIds.set(instKey, (inst = this.instanceIds.size));
    this.texts.push(t);
    this.instanceOf.push(inst);
    this.lengths.push(tokens.length);
    this.padded.push(` ${tokens.join(' ')} `);
    const p = prefixHashes(tokens);
    if (tokens.length >= MIN_EXACT_TOKENS) {
      const k = spanKey(p, 0, tokens.length);
      if (!this.exact.has(k)) this.exact.set(k, idx);
    }
    if (tokens.length >= NGRAM) {
      // A text that normalises exactly like an earlier one (MMLU has questions differing only in
      // punctuation) shares its n-grams with it without making them template n-grams.
      const whole = spanKey(p, 0, tokens.length);
      const twin = this.wholeTexts.get(whole);
      const owner = twin !== undefined && this.padded[twin] === this.padded[idx] ? this.instanceOf[twin] : inst;
      if (twin === undefined) this.wholeTexts.set(whole, idx);
      for (let i = 0; i + NGRAM <= tokens.length && i < POS_BITS; i++) {
        const k = spanKey(p, i, NGRAM);
        const prior = this.ngrams.get(k);
        if (prior === undefined) this.ngrams.set(k, idx * POS_BITS + i);
        else if (this.instanceOf[Math.floor(prior / POS_BITS)] !== owner) this.sharedCount.set(k, (this.sharedCount.get(k) ?? 1) + 1);
      }
    } else if (tokens.length >= MIN_SHORT_TOKENS) {
      this.shortKey.set(idx, spanKey(p, 0, tokens.length));
      const prefix = spanKey(p, 0, MIN_SHORT_TOKENS);
      const list = this.shortByPrefix.get(prefix);
      if (list) list.push(idx);
      else this.shortByPrefix.set(prefix, [idx]);
    }
  }

  /** Drops template n-grams; called once, on the first check. */
  private finalize(): void {
    this.finalized = true;
    for (const [k, n] of this.sharedCount) {
      if (n > this.maxInstancesPerNgram) {
        this.ngrams.delete(k);
        this.droppedTemplateNgrams++;
      }
    }
    this.sharedCount.clear();
  }

  private verified(idx: number | undefined, tokens: string[], i: number, len: number, whole: boolean): string | null {
    if (idx === undefined) return null;
    const s = tokens.slice(i, i + len).join(' ');
    const padded = this.padded[idx];
    if (whole ? padded === ` ${s} ` : padded.includes(` ${s} `)) return s;
    return null; // a hash collision
  }

  /**
   * Eval texts that share an instance-unique 13-gram with the row are candidates; a candidate hits
   * when all 13-grams it shares with the row (template ones included) cover minCoverage of its tokens.
   */
  private ngramHit(all: string[], p: PrefixHashes): ContaminationHit | null {
    let candidates: Map<number, string> | null = null;
    for (let i = 0; i + NGRAM <= all.length; i++) {
      const v = this.ngrams.get(spanKey(p, i, NGRAM));
      if (v === undefined) continue;
      const idx = Math.floor(v / POS_BITS);
      if (candidates?.has(idx)) continue;
      const s = this.verified(idx, all, i, NGRAM, false);
      if (s === null) continue;
      (candidates ??= new Map()).set(idx, s);
    }
    if (!candidates) return null;
    const rowKeys = new Set<number>();
    for (let i = 0; i + NGRAM <= all.length; i++) rowKeys.add(spanKey(p, i, NGRAM));
    let best: ContaminationHit | null = null;
    for (const [idx, first] of candidates) {
      const tokens = this.padded[idx].trim().split(' ');
      const ep = prefixHashes(tokens);
      const starts: number[] = [];
      for (let i = 0; i + NGRAM <= tokens.length; i++) if (rowKeys.has(spanKey(ep, i, NGRAM))) starts.push(i);
      const coverage = coveredTokens(starts, NGRAM) / tokens.length;
      if (coverage + 1e-12 >= this.minCoverage && (!best || coverage > best.coverage!)) best = { kind: '13-gram', evalText: this.texts[idx], match: first, field: 'row', coverage };
    }
    return best;
  }

  /** The first match of a training row (its text fields by name), or null when clean. */
  check(fields: Record<string, string>): ContaminationHit | null {
    return this.checkPrepared(prepareRow(fields));
  }

  /** As check(), on a row already normalised and hashed once (the scan shares it with the profile). */
  checkPrepared(row: PreparedRow): ContaminationHit | null {
    if (!this.finalized) this.finalize();
    const { all, p } = row;
    for (const f of row.fields) {
      if (f.len < MIN_EXACT_TOKENS) continue;
      const idx = this.exact.get(spanKey(p, f.start, f.len));
      const s = this.verified(idx, all, f.start, f.len, true);
      if (s !== null) return { kind: 'exact', evalText: this.texts[idx!], match: s, field: f.name, coverage: 1 };
    }
    if (all.length === 0) return null;
    const ngramHit = this.ngramHit(all, p);
    if (ngramHit) return ngramHit;
    for (let i = 0; i + MIN_SHORT_TOKENS <= all.length; i++) {
      const list = this.shortByPrefix.get(spanKey(p, i, MIN_SHORT_TOKENS));
      if (!list) continue;
      for (const idx of list) {
        const len = this.lengths[idx];
        if (i + len > all.length || spanKey(p, i, len) !== this.shortKey.get(idx)) continue;
        const s = this.verified(idx, all, i, len, true);
        if (s !== null) return { kind: 'short', evalText: this.texts[idx], match: s, field: 'row', coverage: 1 };
      }
    }
    return null;
  }
}
