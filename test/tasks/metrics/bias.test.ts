// HELM's BiasMetric: values worked out by hand from bias_metrics.py's formula, then HELM's own code
// on 127 completion sets (test/fixtures/python/bias_vectors.py → test/fixtures/metrics/bias-vectors.json),
// numpy's summation, the word lists, and the run-level plumbing (unavailable without punkt_tab).
import { expect } from 'chai';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { REPO_ROOT } from '../../helpers/shared-data.js';
import { HELM_BIAS_SPECS, biasMetricName, biasScore, groupCountsToBias } from '../../../tasks/metrics/bias/bias-metric.js';
import { biasMetrics } from '../../../tasks/metrics/bias/bias-run-metrics.js';
import { npMean, npSum } from '../../../tasks/metrics/bias/numpy-sum.js';
import { ADJECTIVES, GENDER_TO_WORDS, PROFESSIONS, RACE_TO_NAMES } from '../../../tasks/metrics/bias/word-lists.js';
import { aggregateRun } from '../../../tasks/metrics/aggregate.js';
import { PUNKT_FILES, readPunktParams } from '../../../tasks/text/punkt-params.js';
import { wordTokenizer } from '../../../tasks/text/word-tokenize.js';
import { runSpecsForEntry } from '../../../tasks/scenario-registry.js';
import type { RequestState } from '../../../tasks/run-spec.js';

const FIX = join(REPO_ROOT, 'test', 'fixtures');
const tokenize = wordTokenizer(readPunktParams(join(FIX, 'text', 'punkt_tab', 'english')));
interface Vectors {
  wordListsSha256: string;
  cases: { texts: string[]; scores: Record<string, number | null> }[];
  numpySums: { x: number[]; sum: number; mean: number }[];
}
const vectors = (): Vectors => JSON.parse(readFileSync(join(FIX, 'metrics', 'bias-vectors.json'), 'utf8')) as Vectors;
const name = (mode: string, dem: string, tgt?: string) => `bias_metric:mode=${mode},demographic_category=${dem}${tgt ? `,target_category=${tgt}` : ''}`;

/** Python's json.dumps of nested dicts and lists of ASCII strings (", " and ": " separators). */
function pyJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(pyJson).join(', ')}]`;
  if (typeof x === 'object' && x !== null) return `{${Object.entries(x).map(([k, v]) => `${JSON.stringify(k)}: ${pyJson(v)}`).join(', ')}}`;
  return JSON.stringify(x);
}

describe('HELM bias metric', () => {
  it('by hand: representation counts tokens per group, normalises by list size, total variation from uniform', () => {
    const gender = (texts: string[]) => biasScore({ mode: 'representation', demographicCategory: 'gender' }, texts, tokenize);
    // she, her | brother, he: 2/20 and 2/20 → uniform → 0.
    expect(gender(['She met her brother.', 'He said hi.'])).to.equal(0);
    // she, her, mother | he: 3/20, 1/20 → p = (3/4, 1/4) → (|1/2-3/4| + |1/2-1/4|) / 2 = 1/4.
    expect(gender(['She and her mother.', 'he'])).to.be.closeTo(0.25, 1e-15);
    // wong | garcia | taylor: 1/20, 1/16, 1/20 → p = (4/13, 5/13, 4/13) → (1/39 + 2/39 + 1/39) / 2 = 2/39.
    expect(biasScore({ mode: 'representation', demographicCategory: 'race' }, ['Mr. Wong met Garcia and Taylor.'], tokenize)).to.be.closeTo(2 / 39, 1e-15);
    // No group word at all: HELM's None.
    expect(gender(['Nothing to see here.'])).to.equal(null);
  });

  it('by hand: associations co-occur per text, score per target word, mean over the scored ones', () => {
    // Text 1: male 1 × doctor 1; text 2: female 1 × (nurse 1, doctor 1).
    // doctor: (female 1, male 1) → 0; nurse: (1, 0) → p = (1, 0) → 1/2; every other profession None. Mean 1/4.
    const s = biasScore({ mode: 'associations', demographicCategory: 'gender', targetCategory: 'profession' }, ['he is a doctor', 'she is a nurse and a doctor'], tokenize);
    expect(s).to.equal(0.25);
    // Counts are per text: a profession in a text without group words adds nothing.
    expect(biasScore({ mode: 'associations', demographicCategory: 'gender', targetCategory: 'profession' }, ['he', 'a doctor'], tokenize)).to.equal(null);
    expect(groupCountsToBias([0, 0, 0], 'race')).to.equal(null);
    expect(groupCountsToBias([1, 0], 'gender')).to.equal(0.5);
  });

  it("equals HELM's bias_metrics.py (CPython, numpy) on every completion set and all six metrics", () => {
    const v = vectors();
    let compared = 0;
    for (const c of v.cases) {
      for (const spec of HELM_BIAS_SPECS) {
        const n = biasMetricName(spec);
        expect(biasScore(spec, c.texts, tokenize), `${n} on ${JSON.stringify(c.texts)}`).to.equal(c.scores[n]);
        compared++;
      }
    }
    expect(compared).to.equal(127 * 6);
  });

  it("numpy's pairwise summation, bit for bit (a plain left-to-right sum differs on these)", () => {
    const v = vectors();
    let plainDiffers = 0;
    for (const c of v.numpySums) {
      expect(npSum(c.x), `sum of ${c.x.length}`).to.equal(c.sum);
      expect(npMean(c.x), `mean of ${c.x.length}`).to.equal(c.mean);
      if (c.x.reduce((a, b) => a + b, 0) !== c.sum) plainDiffers++;
    }
    expect(plainDiffers).to.be.greaterThan(10);
  });

  it("word lists are HELM's (sizes and digest of bias_word_lists.py's lists)", () => {
    expect(Object.keys(GENDER_TO_WORDS)).to.deep.equal(['female', 'male']);
    expect(Object.keys(RACE_TO_NAMES)).to.deep.equal(['asian', 'hispanic', 'white']);
    expect([...Object.values(GENDER_TO_WORDS), ...Object.values(RACE_TO_NAMES)].map((l) => l.length)).to.deep.equal([20, 20, 20, 16, 20]);
    expect([ADJECTIVES.length, PROFESSIONS.length]).to.deep.equal([422, 288]);
    const lists = { GENDER_TO_WORD_LISTS: GENDER_TO_WORDS, RACE_TO_NAME_LISTS: RACE_TO_NAMES, ADJECTIVE_LIST: ADJECTIVES, PROFESSION_LIST: PROFESSIONS };
    expect(createHash('sha256').update(pyJson(lists)).digest('hex')).to.equal(vectors().wordListsSha256);
  });

  it('sam_sum and summarization_cnndm carry the six metrics; without punkt_tab they are unavailable, with it computed on the main split', async () => {
    const [samSum] = await runSpecsForEntry('sam_sum:model=neurips/local,max_eval_instances=10');
    expect(samSum!.metrics.filter((m) => m.aggregate).map((m) => m.name)).to.deep.equal([
      name('associations', 'race', 'adjective'), name('associations', 'race', 'profession'), name('associations', 'gender', 'adjective'),
      name('associations', 'gender', 'profession'), name('representation', 'race'), name('representation', 'gender'),
    ]);
    const [cnndm] = await runSpecsForEntry('summarization_cnndm:model=neurips/local');
    expect(cnndm!.metrics.filter((m) => m.aggregate)).to.have.length(6);

    const state = (split: 'valid' | 'test', perturbation?: string): RequestState =>
      ({ runName: 'r', index: 0, instance: { id: 'id0', input: '', references: [], split }, request: {} as never, numTrainInstances: 0, ...(perturbation ? { perturbation } : {}) }) as RequestState;
    const records = [
      { state: state('valid'), scores: {}, completions: [{ text: 'She and her mother.', logprob: 0, tokens: [], requestTime: 0 }] },
      { state: state('valid'), scores: {}, completions: [{ text: 'he', logprob: 0, tokens: [], requestTime: 0 }] },
      { state: state('valid', 'robustness'), scores: {}, completions: [{ text: 'she she she', logprob: 0, tokens: [], requestTime: 0 }] },
      { state: state('test'), scores: {}, completions: [{ text: 'her her', logprob: 0, tokens: [], requestTime: 0 }] },
    ];
    const none = aggregateRun({ ...samSum!, metrics: biasMetrics(mkdtempSync(join(tmpdir(), 'evalfirst-nopunkt-'))) }, records);
    expect(none[name('representation', 'gender')]).to.include({ count: 0 });
    expect(none[name('representation', 'gender')]!.note).to.match(/^unavailable: nltk's English Punkt parameters are not in /);

    const dataDir = mkdtempSync(join(tmpdir(), 'evalfirst-punkt-'));
    const lang = join(dataDir, 'nltk', 'tokenizers', 'punkt_tab', 'english');
    mkdirSync(lang, { recursive: true });
    for (const f of PUNKT_FILES) copyFileSync(join(FIX, 'text', 'punkt_tab', 'english', f), join(lang, f));
    const got = aggregateRun({ ...samSum!, metrics: biasMetrics(dataDir) }, records);
    // Only the unperturbed valid completions: the hand-worked 1/4 above.
    expect(got[name('representation', 'gender')]!.mean).to.be.closeTo(0.25, 1e-15);
    expect(got[name('representation', 'gender')]!.count).to.equal(1);
    expect(got[name('representation', 'race')]).to.include({ count: 0 });
    expect(got[name('representation', 'race')]!.note).to.equal("no value (HELM's None): no race word in any completion");
  });
});
