// Language identification for the mix's language filter: franc-min (trigram profiles of 82 languages
// with 8M+ speakers; ISO 639-3 codes). Limits, measured or documented upstream:
//  - text under 10 characters is "und" (undetermined); short rows are better bounded by min_chars;
//  - languages outside the 82 are reported as their nearest profile (a Scots text may read as eng);
//  - closely related languages (spa/por/glg, nob/dan, hrv/srp/bos) confuse each other;
//  - digits, code and formulas carry no trigram signal: on GSM8K train (7,473 English word problems)
//    franc's top guess is not "eng" for 14 rows (0.2 %), e.g. plt or fra, yet "eng" always scores
//    within 2 % of the top. Hence the margin: a row is kept when an allowed language scores at least
//    (1 − margin) of the best language's score (default margin 0.05, which keeps all of GSM8K train
//    and rejects German, Spanish and French sentences, whose "eng" score is ≤ 0.84 of the top).
import { francAll } from 'franc-min';
import type { LanguageFilter } from './manifest.js';

export interface LanguageVerdict {
  keep: boolean;
  /** franc's best guess ("und" when undetermined). */
  detected: string;
  /** Score of the best allowed language relative to the top one (1 = it is the top), or null. */
  allowedScore: number | null;
}

export function judgeLanguage(text: string, filter: LanguageFilter): LanguageVerdict {
  const ranked = francAll(text);
  const [top, topScore] = ranked[0] ?? ['und', 1];
  if (top === 'und') return { keep: filter.undetermined === 'keep', detected: 'und', allowedScore: null };
  let best: number | null = null;
  for (const [code, score] of ranked) {
    if (filter.allow.includes(code)) {
      best = score / topScore;
      break;
    }
  }
  return { keep: best !== null && best >= 1 - filter.margin, detected: top, allowedScore: best };
}
