// Small synthetic data files in the original formats of the benchmarks that ../shared/datasets
// lacks (BIG-bench task.json, the organisers' hidden-eval CSV/TSV gists, MATH JSON tree, CNN/DM
// records). Written by the tests into a temporary data dir; deterministic content.
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

async function put(root: string, rel: string, text: string): Promise<void> {
  await mkdir(dirname(join(root, rel)), { recursive: true });
  await writeFile(join(root, rel), text);
}

/** 40 multiple-choice examples whose target_scores keys are integer-like (JSON.parse would reorder them). */
export function bigBenchMcTask(): string {
  const examples = Array.from({ length: 40 }, (_, i) => {
    // Keys in file order "10", "2", "x": correct is the i % 3-th key.
    const keys = ['10', '2', 'x'];
    const scores = keys.map((k, j) => `"${k}": ${j === i % 3 ? 1 : 0}`).join(', ');
    return `    {"input": "question ${i}?", "target_scores": {${scores}}}`;
  });
  return `{
  "name": "fixture_mc",
  "description": "fixture",
  "keywords": ["fixture"],
  "metrics": ["multiple_choice_grade"],
  "task_prefix": "Pick one.\\n",
  "example_input_prefix": "Q: ",
  "stop_string": "\\n\\n",
  "examples": [
${examples.join(',\n')}
  ]
}
`;
}

/** 20 generation examples (fewer than 2·16, so HELM's split rule gives train = −12). */
export function bigBenchGenTask(): string {
  const examples = Array.from({ length: 20 }, (_, i) =>
    i % 2 === 0 ? `{"input": "copy ${i}", "target": "copy ${i}"}` : `{"input": "say ${i}", "target": ["${i}", "n${i}"]}`,
  );
  return `{"name": "fixture_gen", "description": "d", "keywords": [], "metrics": ["exact_str_match", "bleu"], "examples": [${examples.join(', ')}]}\n`;
}

export function samSumTsv(): string {
  const rows = ['id\tdialogue\tsummary'];
  // Quoted dialogue with a CRLF inside (Python's text mode turns it into "\n"); an unquoted summary
  // with quotes inside (kept literally by Python's csv).
  for (let i = 0; i < 6; i++) rows.push(`${i}\t"Amanda: hi ${i}\r\nJerry: ok"\tAmanda said "hi" ${i}.`);
  // A quoted field spanning two lines, as Python's csv reads it.
  rows.push('6\t"Tom: line one\nAnn: line ""two"""\tTom and Ann talk.');
  return rows.join('\n') + '\n';
}

export function corr2causeCsv(): string {
  const rows = ['label,input'];
  for (let i = 0; i < 25; i++) rows.push(`${i % 3 === 0 ? 1 : 0},"Premise: A correlates with B ${i}.\nHypothesis: A causes B ${i}. "`);
  return rows.join('\n') + '\n';
}

export function utilCsv(): string {
  const rows = ['scenario_1,scenario_2,label'];
  for (let i = 0; i < 10; i++) rows.push(`I ate cake ${i}. , I ate bread ${i}.,${i % 2}`);
  return rows.join('\n') + '\n';
}

export function virtueCsv(): string {
  const rows = ['label,scenario'];
  for (let i = 0; i < 10; i++) rows.push(`${i % 2},"She helped the man ${i}. [SEP] kind"`);
  return rows.join('\n') + '\n';
}

export function mathProblem(type: string, level: number, n: number): string {
  return JSON.stringify({
    problem: `What is ${n} + ${level}?`,
    level: `Level ${level}`,
    type,
    solution: n % 4 === 3 ? `No box here ${n}.` : `We add: $${n} + ${level} = \\boxed{\\frac{${n + level}}{1}}$.`,
  });
}

export function cnndmJsonl(split: string): string {
  const words = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${i}`).join(' ');
  const lengths = split === 'train' ? [10, 50, 150, 151, 600, 80] : [600, 20];
  return lengths.map((n, i) => JSON.stringify({ id: `${split}${i}`, article: `${words(n, 'w')}\n\nend`, highlights: `Sum ${i}.\nSecond line.` })).join('\n') + '\n';
}

/** Writes every fixture into a fresh temporary data dir and returns it. */
export async function writeFixtureDataDir(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'evalfirst-scenarios-'));
  await put(root, 'bigbench/benchmark_tasks/fixture_mc/task.json', bigBenchMcTask());
  await put(root, 'bigbench/benchmark_tasks/fixture_parent/fixture_gen/task.json', bigBenchGenTask());
  await put(root, 'hidden/samsum.tsv', samSumTsv());
  await put(root, 'hidden/corr2cause.csv', corr2causeCsv());
  await put(root, 'hidden/util.csv', utilCsv());
  await put(root, 'hidden/virtue.csv', virtueCsv());
  for (const [split, count] of [
    ['train', 9],
    ['test', 12],
  ] as const) {
    for (let n = 0; n < count; n++) {
      await put(root, `MATH/${split}/algebra/${n * 7}.json`, mathProblem('Algebra', n % 2 === 0 ? 1 : 5, n));
      await put(root, `MATH/${split}/geometry/${n}.json`, mathProblem('Geometry', 1, n));
    }
  }
  for (const s of ['train', 'validation', 'test']) await put(root, `cnndm/${s}.jsonl`, cnndmJsonl(s));
  return root;
}
