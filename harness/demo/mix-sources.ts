// The inputs of the embedded `mix rank` demo (`evalfirst demo mix`), written from the mini-challenge's
// own files (`evalfirst data mini`): three composition manifests over the mini families' train splits,
// one adding a noisy source (instruction rows whose answers are shuffled among the rows: fluent, wrong)
// and one adding a deliberately contaminated source (mini test-split questions with their gold answers,
// mixed with clean instruction rows) that the build's decontamination against the mini suite must
// catch and list in removed.jsonl. Deterministic: the same seed gives the same files.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { uniforms, randomIndex } from '../../kernels/rng.js';

/** A row of the mini instruction data: Alpaca-shaped or already prompt/completion. */
type InstructionRow = { instruction: string; input?: string; output: string } | { prompt: string; completion: string };

function asPair(r: InstructionRow): { prompt: string; completion: string } {
  if ('prompt' in r) return { prompt: r.prompt, completion: r.completion };
  return { prompt: r.input ? `${r.instruction}\n${r.input}` : r.instruction, completion: ` ${r.output}` };
}

interface TestRow {
  family: string;
  id: string;
  input: string;
  references: { text: string; correct: boolean }[];
}

const readJsonl = <T>(file: string): T[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

function shuffle<T>(xs: T[], seed: number): T[] {
  const u = uniforms(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomIndex(u, i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The families every composition holds: the mini suite's train splits. */
const FAMILIES = [
  '  - {name: geography, benchmark: "mini_mmlu:subject=geography", rows: all}',
  '  - {name: occupations, benchmark: "mini_mmlu:subject=occupations", rows: all}',
  '  - {name: animals, benchmark: "mini_mmlu:subject=animals", rows: all}',
  '  - {name: colors, benchmark: "mini_mmlu:subject=colors", rows: all}',
  '  - {name: truthful_qa, benchmark: "mini_truthful_qa:task=mc_single", rows: all}',
  '  - {name: bbq, benchmark: "mini_bbq:subject=all", rows: all}',
  '  - {name: gsm, benchmark: mini_gsm, rows: all}',
];

export interface DemoMixInputs {
  manifests: string[];
  noisy: string;
  contaminated: string;
  /** Test-split rows planted in the contaminated source (what decontamination must catch). */
  planted: number;
}

export function writeDemoMixInputs(dir: string, mini: { train: string; test: string }, seed = 0, planted = 40): DemoMixInputs {
  mkdirSync(dir, { recursive: true });
  const train = readJsonl<InstructionRow>(mini.train).map(asPair);
  const rows = shuffle(train, seed).slice(0, 600);
  const answers = shuffle(rows.map((r) => r.completion), seed + 1);
  const noisy = join(dir, 'noisy.jsonl');
  writeFileSync(noisy, jsonl(rows.map((r, i) => ({ prompt: r.prompt, completion: answers[i] }))));
  const test = shuffle(readJsonl<TestRow>(mini.test).filter((r) => r.references.some((x) => x.correct)), seed + 2).slice(0, planted);
  const leaked = test.map((r) => ({ prompt: r.input, completion: ` ${r.references.find((x) => x.correct)!.text}` }));
  const clean = shuffle(train, seed + 3).slice(0, 200);
  const contaminated = join(dir, 'contaminated.jsonl');
  writeFileSync(contaminated, jsonl(shuffle([...leaked, ...clean], seed + 4)));
  const manifest = (name: string, extra: string[]) => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, [`name: ${name}`, `seed: ${seed}`, 'sources:', ...FAMILIES, ...extra, 'decontaminate: {suite: mini}', ''].join('\n'));
    return file;
  };
  return {
    manifests: [
      manifest('families', []),
      manifest('families-noisy', ['  - {name: noisy, file: noisy.jsonl, rows: all}']),
      manifest('families-contaminated', ['  - {name: contaminated, file: contaminated.jsonl, rows: all}']),
    ],
    noisy,
    contaminated,
    planted: leaked.length,
  };
}
