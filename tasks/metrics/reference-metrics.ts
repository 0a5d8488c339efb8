// HELM's reference metrics (basic_metrics.py): each scores one gold text against one prediction.
// A prediction is null when an MCQ output did not map to a reference (HELM's output_mapping.get → None).
import { PY_PUNCTUATION, PY_WORD, pyLower, pySplit, pyStrip } from '../text/python-str.js';

export type ScoreFn = (gold: string, pred: string | null) => number;

// re.sub(r"\b(a|an|the)\b", " ", text): each alternative is all word characters, so \b is "no word character" on either side.
const ARTICLES_RE = new RegExp(`(?<![${PY_WORD}])(a|an|the)(?![${PY_WORD}])`, 'gu');

/** QuAC's normalize_text: lower, drop string.punctuation, articles → " ", collapse whitespace. */
export function normalizeText(text: string): string {
  const lower = pyLower(text);
  const noPunc = Array.from(lower).filter((ch) => !PY_PUNCTUATION.has(ch)).join('');
  return pySplit(noPunc.replace(ARTICLES_RE, ' ')).join(' ');
}

export function exactMatch(gold: string, pred: string | null): number {
  if (!pred) return 0;
  return pyStrip(gold) === pyStrip(pred) ? 1 : 0;
}

export function quasiExactMatch(gold: string, pred: string | null): number {
  if (!pred) return 0;
  return normalizeText(gold) === normalizeText(pred) ? 1 : 0;
}

export function prefixExactMatch(gold: string, pred: string | null): number {
  if (!pred) return 0;
  return pyStrip(pred).startsWith(pyStrip(gold)) ? 1 : 0;
}

export function quasiPrefixExactMatch(gold: string, pred: string | null): number {
  if (!pred) return 0;
  return normalizeText(pred).startsWith(normalizeText(gold)) ? 1 : 0;
}

/** Exact match of the last `indicator`-separated piece (Python split(" ") keeps empty pieces, as JS does). */
export function exactMatchIndicator(gold: string, pred: string | null, indicator = ' '): number {
  // HELM would raise on a None prediction; no mapped MCQ run uses this metric, so score it 0.
  if (pred === null) return 0;
  const lastPred = pyStrip(pred.split(indicator).at(-1) ?? '');
  const lastGold = pyStrip(gold.split(indicator).at(-1) ?? '');
  return exactMatch(lastGold, lastPred);
}

/** Set-based token F1 on normalized text (nltk f_measure, alpha 0.5); undefined (empty side) → 0. */
export function f1Score(gold: string, pred: string | null): number {
  const goldSet = new Set(pySplit(normalizeText(gold)));
  // HELM's normalize_text(None) would raise; a None MCQ prediction is scored 0.
  if (pred === null) return 0;
  const predSet = new Set(pySplit(normalizeText(pred)));
  if (goldSet.size === 0 || predSet.size === 0) return 0;
  let common = 0;
  for (const t of predSet) if (goldSet.has(t)) common++;
  const precision = common / predSet.size;
  const recall = common / goldSet.size;
  if (precision === 0 || recall === 0) return 0;
  return 1 / (0.5 / precision + 0.5 / recall);
}
