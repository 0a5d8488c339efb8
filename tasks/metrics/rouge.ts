// ROUGE-N as google-research's rouge_score computes it (tokenize.py, rouge_scorer.py) with
// use_stemmer=True: lowercase, [^a-z0-9]+ → " ", split on whitespace, Porter-stem tokens longer than
// 3 characters, keep only tokens matching ^[a-z0-9]+$; n-gram counts clipped by the target's.
import { porterStem } from './porter-stemmer.js';

/** rouge_score tokenize(text, stemmer). */
export function rougeTokenize(text: string, useStemmer = true): string[] {
  const spaced = text.toLowerCase().replace(/[^a-z0-9]+/g, ' ');
  // After the substitution only ASCII spaces separate tokens, so split(" ") equals re.split(r"\s+").
  const raw = spaced.split(' ');
  const stemmed = useStemmer ? raw.map((t) => (t.length > 3 ? porterStem(t) : t)) : raw;
  return stemmed.filter((t) => /^[a-z0-9]+$/.test(t));
}

function ngramCounts(tokens: string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join(' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

/** rouge_score _score_ngrams on token lists. */
export function rougeNFromTokens(targetTokens: string[], predictionTokens: string[], n: number): RougeScore {
  const target = ngramCounts(targetTokens, n);
  const prediction = ngramCounts(predictionTokens, n);
  let overlap = 0;
  for (const [gram, count] of target) overlap += Math.min(count, prediction.get(gram) ?? 0);
  const targetCount = Math.max(targetTokens.length - n + 1, 0);
  const predictionCount = Math.max(predictionTokens.length - n + 1, 0);
  const precision = overlap / Math.max(predictionCount, 1);
  const recall = overlap / Math.max(targetCount, 1);
  const fmeasure = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, fmeasure };
}

/** RougeScorer(["rouge{n}"], use_stemmer=True).score(target, prediction). */
export function rougeN(target: string, prediction: string, n: number): RougeScore {
  return rougeNFromTokens(rougeTokenize(target), rougeTokenize(prediction), n);
}

/** rouge_score _score_lcs: LCS length over prediction (precision) and target (recall). */
export function rougeLFromTokens(targetTokens: string[], predictionTokens: string[]): RougeScore {
  if (targetTokens.length === 0 || predictionTokens.length === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  // One row of the LCS table at a time: prev[j] = LCS(target[:i-1], prediction[:j]).
  let prev = new Array<number>(predictionTokens.length + 1).fill(0);
  for (let i = 1; i <= targetTokens.length; i++) {
    const row = new Array<number>(predictionTokens.length + 1).fill(0);
    for (let j = 1; j <= predictionTokens.length; j++) {
      row[j] = targetTokens[i - 1] === predictionTokens[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, row[j - 1]!);
    }
    prev = row;
  }
  const lcs = prev[predictionTokens.length]!;
  const precision = lcs / predictionTokens.length;
  const recall = lcs / targetTokens.length;
  const fmeasure = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, fmeasure };
}

/** HELM's rouge_1(gold, pred): the ROUGE-1 F-measure. */
export function rouge1(gold: string, pred: string | null): number {
  if (pred === null) return 0;
  return rougeN(gold, pred, 1).fmeasure;
}

/** HELM's rouge_l(gold, pred): the ROUGE-L F-measure. */
export function rougeL(gold: string, pred: string | null): number {
  if (pred === null) return 0;
  return rougeLFromTokens(rougeTokenize(gold), rougeTokenize(pred)).fmeasure;
}

/** HELM's rouge_2(gold, pred): the ROUGE-2 F-measure. */
export function rouge2(gold: string, pred: string | null): number {
  if (pred === null) return 0;
  return rougeN(gold, pred, 2).fmeasure;
}
