// Contamination check throughput: 1,000,000 synthetic training rows (JSONL on disk, read the way
// `evalfirst gate` reads them) against the MMLU, GSM8K and TruthfulQA test sets. Side by side with
// the usual naive approach (a Set of joined 13-gram strings, as simple decontamination scripts do),
// on a 100,000-row slice, printed as a ratio.
import { createWriteStream, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { ContaminationIndex, type EvalText } from '../harness/gate/contamination-index.js';
import { loadSuiteEvalTexts } from '../harness/gate/eval-texts.js';
import { scanDataset } from '../harness/gate/scan-dataset.js';
import { normalizeTokens } from '../harness/gate/normalize.js';
import { readTrainingRows } from '../harness/gate/training-rows.js';
import { sharedDataDir } from '../test/helpers/shared-data.js';
import { uniforms } from '../kernels/rng.js';

const ROWS = Number(process.env.CONTAMINATION_BENCH_ROWS ?? 1_000_000);
const PLANTED_EVERY = 1000; // one copied test question per 1000 rows
const NAIVE_ROWS = 100_000;

function suiteEntries(dataDir: string): string[] {
  const subjects = readdirSync(join(dataDir, 'mmlu', 'data', 'test'))
    .filter((f) => f.endsWith('_test.csv'))
    .map((f) => f.slice(0, -'_test.csv'.length))
    .sort();
  return [...subjects.map((s) => `mmlu:subject=${s}`), 'gsm', 'truthful_qa:task=mc_single'];
}

async function writeSyntheticRows(file: string, vocab: string[], questions: string[]): Promise<number> {
  const rng = uniforms(7);
  const out = createWriteStream(file);
  let planted = 0;
  for (let i = 0; i < ROWS; i++) {
    let line: string;
    if (i % PLANTED_EVERY === 0) {
      const q = questions[Math.floor(rng() * questions.length)];
      line = JSON.stringify({ prompt: `Q: ${q}\nA:`, completion: ' 42', source: 'planted' });
      planted++;
    } else {
      const words: string[] = [];
      const n = 20 + Math.floor(rng() * 60);
      for (let k = 0; k < n; k++) words.push(vocab[Math.floor(rng() * vocab.length)]);
      line = JSON.stringify({ instruction: words.slice(0, 8).join(' '), input: '', output: words.slice(8).join(' '), source: i % 3 ? 'web' : 'books' });
    }
    if (!out.write(line + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return planted;
}

/** The naive peer: every 13-gram of every eval text as a joined string in a Set. */
async function naiveScan(file: string, texts: EvalText[], limit: number): Promise<{ rows: number; hits: number; seconds: number }> {
  const grams = new Set<string>();
  for (const t of texts) {
    const tok = normalizeTokens(t.text);
    for (let i = 0; i + 13 <= tok.length; i++) grams.add(tok.slice(i, i + 13).join(' '));
  }
  const t0 = performance.now();
  let rows = 0;
  let hits = 0;
  for await (const r of readTrainingRows(file)) {
    if (!r.row) continue;
    if (++rows > limit) break;
    const tok = normalizeTokens(Object.values(r.row.fields).join('\n'));
    for (let i = 0; i + 13 <= tok.length; i++) {
      if (grams.has(tok.slice(i, i + 13).join(' '))) {
        hits++;
        break;
      }
    }
  }
  return { rows: Math.min(rows, limit), hits, seconds: (performance.now() - t0) / 1000 };
}

export async function run(): Promise<void> {
  const dataDir = sharedDataDir();
  if (!dataDir) {
    console.log('contamination: skipped (no benchmark data: set EVALFIRST_DATA or place ../shared/datasets)');
    return;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'evalfirst-contam-bench-'));
  try {
    const suiteFile = join(tmp, 'mmlu-gsm-tqa.txt');
    writeFileSync(suiteFile, suiteEntries(dataDir).join('\n') + '\n');
    let t0 = performance.now();
    const evalTexts = await loadSuiteEvalTexts(suiteFile, dataDir);
    const loadS = (performance.now() - t0) / 1000;
    t0 = performance.now();
    const index = new ContaminationIndex();
    for (const t of evalTexts.texts) index.add(t);
    const indexS = (performance.now() - t0) / 1000;
    console.log(`eval set: ${evalTexts.instances} instances (${Object.entries(evalTexts.benchmarks).map(([b, n]) => `${b} ${n}`).join(', ')}), ${evalTexts.texts.length} texts; loaded in ${loadS.toFixed(1)} s, indexed in ${indexS.toFixed(2)} s: ${index.size.ngrams} 13-grams, ${index.size.exact} exact, ${index.size.short} short`);

    const vocab = [...new Set(evalTexts.texts.flatMap((t) => normalizeTokens(t.text)))];
    const questions = evalTexts.texts.filter((t) => t.field === 'input').map((t) => t.text);
    const file = join(tmp, 'train.jsonl');
    t0 = performance.now();
    const planted = await writeSyntheticRows(file, vocab, questions);
    console.log(`synthetic dataset: ${ROWS} rows, ${(statSync(file).size / 1e6).toFixed(0)} MB (words drawn from the eval vocabulary; ${planted} planted copies), written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const scan = await scanDataset(file, index);
    const rate = scan.profile.rows / scan.seconds;
    const plantedFound = scan.contaminated.length;
    console.log(`evalfirst gate scan: ${scan.profile.rows} rows in ${scan.seconds.toFixed(1)} s = ${Math.round(rate).toLocaleString('en-US')} rows/s (${(statSync(file).size / 1e6 / scan.seconds).toFixed(1)} MB/s), contaminated rows found: ${plantedFound} (planted ${planted})`);

    const naive = await naiveScan(file, evalTexts.texts, NAIVE_ROWS);
    const naiveRate = naive.rows / naive.seconds;
    console.log(`naive Set<string> of 13-grams (first ${naive.rows} rows): ${Math.round(naiveRate).toLocaleString('en-US')} rows/s, ${naive.hits} hits`);
    console.log(`ratio evalfirst / naive: ${(rate / naiveRate).toFixed(2)}x rows/s (evalfirst also profiles rows, checks exact and short matches and verifies every hit)`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
